// Fuzz: the TLV stream decoders (raw records and typed streams) return a value or throw
// DecodeError — nothing else — on random bytes and on mutated valid streams; whatever decodes
// re-encodes to the same bytes (TLV streams are canonical: accepting a non-canonical one is a bug).
import fc from 'fast-check';
import { equalBytes } from '@noble/ciphers/utils.js';
import { concatBytes as concat, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { decode, encode, point, shortChannelId, struct, tu32, tu64, u16, u64 } from '../../../core/lightning/codec.js';
import { decodeTlvStream, encodeTlvStream, tlv, tlvStream } from '../../../core/lightning/tlv.js';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.js';

/** Runs `fn`; a DecodeError counts as a rejection, anything else thrown fails the property. */
function valueOrDecodeError<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    // Plain checks, not expect(): this runs 100k times per property.
    if (!/^[a-z0-9_]+$/.test(err.code)) throw new Error(`DecodeError without a stable code: ${err.code}`);
    return undefined;
  }
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (!equalBytes(actual, expected)) throw new Error(`re-encoding differs: ${actual.join(',')} vs ${expected.join(',')}`);
}

/** Byte-level edits: set, insert, delete at a position taken modulo the length; or cut the tail. */
const edits = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
function mutate(bytes: Uint8Array, ops: [number, number, number][]): Uint8Array {
  let out = bytes;
  for (const [op, pos, byte] of ops) {
    const at = out.length === 0 ? 0 : pos % out.length;
    if (op === 0 && out.length) (out = out.slice())[at] = byte;
    else if (op === 1) out = concat(out.subarray(0, at), Uint8Array.of(byte), out.subarray(at));
    else if (op === 2) out = concat(out.subarray(0, at), out.subarray(at + 1));
    else out = out.subarray(0, at);
  }
  return out;
}

// Appendix B's n1 namespace: every codec kind a TLV value can have (tu64, scid, point+u64s, u16).
const n1 = tlvStream({
  tlv1: tlv(1n, struct({ amount_msat: tu64 })),
  tlv2: tlv(2n, struct({ scid: shortChannelId })),
  tlv3: tlv(3n, struct({ node_id: point, amount_msat_1: u64, amount_msat_2: u64 })),
  tlv4: tlv(254n, struct({ cltv_delta: u16 })),
  tlv5: tlv(255n, struct({ cltv_expiry: tu32 })),
});

const validN1 = [
  '',
  '0100',
  '010401000000',
  '02080000000000000226',
  '0331023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb00000000000000010000000000000002',
  'fd00fe020226',
  '0101010208000000000000022621002300fd00fe020226fd00ff0301e240',
  'ff0200000000000001010a',
].map(hexToBytes);

describe('TLV stream decoder fuzz', () => {
  it('the seeds are valid n1 streams', () => {
    for (const s of validN1) expect(encode(n1, decode(n1, s))).toEqual(s);
  });

  it(
    'random bytes (0..64), raw records with a random known set: value or DecodeError; accepted streams re-encode identically',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), fc.array(fc.bigInt({ min: 0n, max: 300n }), { maxLength: 4 }), (bytes, known) => {
          const records = valueOrDecodeError(() => decodeTlvStream(bytes, known));
          if (records) sameBytes(encodeTlvStream(records), bytes);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  it(
    'random bytes (0..64), typed n1 stream: value or DecodeError',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
          const v = valueOrDecodeError(() => decode(n1, bytes));
          if (v) sameBytes(encode(n1, v), bytes);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  it(
    'mutated valid n1 streams: value or DecodeError; accepted streams re-encode identically',
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...validN1), edits, (seed, ops) => {
          const bytes = mutate(seed, ops);
          const v = valueOrDecodeError(() => decode(n1, bytes));
          if (v) sameBytes(encode(n1, v), bytes);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
