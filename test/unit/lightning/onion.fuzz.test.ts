// Fuzz: BOLT 4 onion packets from the network — parsing and peeling — return a value or throw
// DecodeError, nothing else, on random bytes and on mutated valid packets. Hop payload decoders are
// in onion-payload.fuzz.test.ts, the origin's failure unwrapping in onion-failure.fuzz.test.ts.
import fc from 'fast-check';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, it } from 'vitest';
import {
  _openLayer,
  createOnion,
  decodeOnionMessage,
  decodeOnionPacket,
  deriveKey,
  encodeOnionPacket,
  peelOnion,
  publicKeyOf,
  receiveOnionMessage,
} from '../../../core/lightning/onion/index.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';
import { vectorJson } from '../../support/vectors.js';

const onionTest = vectorJson<Record<string, any>>('bolt04-onion-test.json');
const onionMessage = vectorJson<Record<string, any>>('bolt04-blinded-onion-message-onion-test.json');

// A small Sphinx packet (200-byte hop_payloads, as an onion message may use) keeps HMAC and
// ChaCha20 cheap; peeling is length-generic, so it exercises the same code as a 1300-byte one.
const KEYS = [hexToBytes('41'.repeat(32)), hexToBytes('42'.repeat(32))];
const AD = hexToBytes('44'.repeat(32));
const SMALL = createOnion(
  hexToBytes('43'.repeat(32)),
  KEYS.map((k, i) => ({ publicKey: publicKeyOf(k), payload: Uint8Array.of(2, 2, 0x27, 0x10 + i, 4, 1, 0x90) })),
  AD,
  200,
);
const SMALL_BYTES = encodeOnionPacket(SMALL.packet);
const FIRST_SECRET = SMALL.secrets[0]!.sharedSecret;

describe('BOLT 4 onion packet fuzz', () => {
  // Parsing, then the symmetric half of peeling (HMAC, deobfuscation, payload framing). Half the
  // mutated small packets are re-authenticated so the framing is reached. The next key's point
  // multiplication (~2 ms) is left to the smaller properties below.
  it(
    'packets, mutated or random, parsed and peeled: value or DecodeError',
    () => {
      const muKey = deriveKey('mu', FIRST_SECRET);
      const reauthenticated = (b: Uint8Array, yes: boolean) => {
        if (!yes || b.length < 66) return b;
        const payload = b.subarray(34, b.length - 32);
        return Uint8Array.of(...b.subarray(0, b.length - 32), ...hmac.create(sha256, muKey).update(payload).update(AD).digest());
      };
      // [bytes, the hop_payloads length the receiver expects]
      const input = fc.oneof(
        fc.tuple(mutatedBytes([SMALL_BYTES]), fc.boolean()).map(([b, yes]) => [reauthenticated(b, yes), 200] as const),
        mutatedBytes([hexToBytes(onionTest.onion)]).map((b) => [b, 1300] as const),
        fc.uint8Array({ maxLength: 120 }).map((b) => [b, Math.max(1, b.length - 66)] as const),
      );
      fc.assert(
        fc.property(input, ([b, length]) => void valueOrDecodeError(() => _openLayer(decodeOnionPacket(b, length), FIRST_SECRET, AD))),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  // Whole-layer peeling and onion message handling include point multiplications (~2-3 ms each),
  // so they get fewer runs; the property above covers the parsing they contain at full count.
  const smallRuns = Math.max(200, Math.floor(fuzzRuns / 500));

  it(
    'whole-layer peeling with the node key, mutated or random packets: value or DecodeError',
    () => {
      const input = fc.oneof(
        mutatedBytes([SMALL_BYTES]),
        fc.uint8Array({ maxLength: 240 }),
      );
      fc.assert(fc.property(input, (b) => void valueOrDecodeError(() => peelOnion(decodeOnionPacket(b, b.length - 66), KEYS[0]!, AD))), {
        numRuns: smallRuns,
      });
    },
    fuzzTimeout,
  );

  it(
    'onion messages at the introduction node, mutated or random: value or DecodeError',
    () => {
      const wire = hexToBytes(onionMessage.decrypt.hops[0].onion_message).slice(2);
      const alice = hexToBytes(onionMessage.decrypt.hops[0].privkey);
      const input = fc.oneof(
        mutatedBytes([wire]),
        fc.uint8Array({ maxLength: 120 }),
      );
      fc.assert(fc.property(input, (b) => void valueOrDecodeError(() => receiveOnionMessage(alice, decodeOnionMessage(b)))), { numRuns: smallRuns });
    },
    fuzzTimeout,
  );
});
