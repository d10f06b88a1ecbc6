// Fuzz: decodeMessage returns a message or throws DecodeError — nothing else — on random payloads
// behind every described type number and on random bytes of any type; whatever decodes re-encodes
// to the same bytes. Mutated valid messages: wire-messages.fuzz.test.ts.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { MESSAGES, type MessageName, decodeMessage, encodeMessage, messageType } from '../../../core/lightning/messages.js';
import { assertSameBytes, fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

/** Decodes; if that worked, the re-encoding must be the input. */
function roundTrip(bytes: Uint8Array): void {
  const msg = valueOrDecodeError(() => decodeMessage(bytes));
  if (msg && msg.kind !== 'unknown') assertSameBytes(encodeMessage(msg), bytes, 're-encoding');
}

describe('message decoder fuzz: random inputs', () => {
  it(
    'random payloads (0..400 bytes) behind every described type number: message or DecodeError',
    () => {
      const types = (Object.keys(MESSAGES) as MessageName[]).map(messageType);
      fc.assert(
        fc.property(fc.constantFrom(...types), fc.uint8Array({ maxLength: 400 }), (type, payload) => {
          roundTrip(Uint8Array.from([type >> 8, type & 0xff, ...payload]));
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  it(
    'random bytes (0..64), any type: message, ignorable unknown odd message, or DecodeError',
    () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), roundTrip), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );
});
