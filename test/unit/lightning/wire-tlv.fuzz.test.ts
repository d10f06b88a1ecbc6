// Fuzz: the TLV stream decoders (raw records and typed streams) return a value or throw
// DecodeError — nothing else — on random bytes and on mutated valid streams; whatever decodes
// re-encodes to the same bytes (TLV streams are canonical: accepting a non-canonical one is a bug).
import fc from 'fast-check';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { decode, encode, point, shortChannelId, struct, tu32, tu64, u16, u64 } from '../../../core/lightning/codec.js';
import { decodeTlvStream, encodeTlvStream, tlv, tlvStream } from '../../../core/lightning/tlv.js';
import { assertSameBytes, fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

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
          if (records) assertSameBytes(encodeTlvStream(records), bytes, 're-encoding');
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
          if (v) assertSameBytes(encode(n1, v), bytes, 're-encoding');
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
        fc.property(mutatedBytes(validN1), (bytes) => {
          const v = valueOrDecodeError(() => decode(n1, bytes));
          if (v) assertSameBytes(encode(n1, v), bytes, 're-encoding');
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
