// BIP158 hashing: SipHash-2-4 (keyed with the block hash) and the hash-to-range multiply.
// SipHash-2-4 against the 64 reference vectors of its
// authors: veorq/SipHash vectors.h @ 1a7d041abc95055170c996d9af80887d4046aa5a, `vectors_sip64`
// (key 00 01 .. 0f, message of length i = bytes 00 01 .. i-1, tag printed little-endian).
// They are not in test/vectors (no such file upstream of the BIPs), so they are kept here verbatim.
import { bytesToHex } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { _fastRange, _siphash24, BASIC_FILTER_M } from '../../../core/chain/bip158.js';

const VECTORS_SIP64 = [
  '310e0edd47db6f72', 'fd67dc93c539f874', '5a4fa9d909806c0d', '2d7efbd796666785',
  'b7877127e09427cf', '8da699cd64557618', 'cee3fe586e46c9cb', '37d1018bf50002ab',
  '6224939a79f5f593', 'b0e4a90bdf82009e', 'f3b9dd94c5bb5d7a', 'a7ad6b22462fb3f4',
  'fbe50e86bc8f1e75', '903d84c02756ea14', 'eef27a8e90ca23f7', 'e545be4961ca29a1',
  'db9bc2577fcc2a3f', '9447be2cf5e99a69', '9cd38d96f0b3c14b', 'bd6179a71dc96dbb',
  '98eea21af25cd6be', 'c7673b2eb0cbf2d0', '883ea3e395675393', 'c8ce5ccd8c030ca8',
  '94af49f6c650adb8', 'eab8858ade92e1bc', 'f315bb5bb835d817', 'adcf6b0763612e2f',
  'a5c91da7acaa4dde', '716595876650a2a6', '28ef495c53a387ad', '42c341d8fa92d832',
  'ce7cf2722f512771', 'e37859f94623f3a7', '381205bb1ab0e012', 'ae97a10fd434e015',
  'b4a31508beff4d31', '81396229f0907902', '4d0cf49ee5d4dcca', '5c73336a76d8bf9a',
  'd0a704536ba93e0e', '925958fcd6420cad', 'a915c29bc8067318', '952b79f3bc0aa6d4',
  'f21df2e41d4535f9', '87577519048f53a9', '10a56cf5dfcd9adb', 'eb75095ccd986cd0',
  '51a9cb9ecba312e6', '96afadfc2ce666c7', '72fe52975a4364ee', '5a1645b276d592a1',
  'b274cb8ebf87870a', '6f9bb4203de7b381', 'eaecb2a30b22a87f', '9924a43cc1315724',
  'bd838d3aafbf8db7', '0b1a2a3265d51aea', '135079a3231ce660', '932b2846e4d70666',
  'e1915f5cb1eca46c', 'f325965ca16d629f', '575ff28e60381be5', '724506eb4c328a95',
];

const key = Uint8Array.from({ length: 16 }, (_, i) => i);

describe('SipHash-2-4 reference vectors (vectors_sip64)', () => {
  it('has 64 vectors', () => expect(VECTORS_SIP64).toHaveLength(64));
  VECTORS_SIP64.forEach((tag, length) => {
    it(`SipHash-2-4 vector ${length}: message of ${length} bytes -> ${tag}`, () => {
      const message = Uint8Array.from({ length }, (_, i) => i);
      expect(bytesToHex(_siphash24(key, message))).toBe(tag);
    });
  });
});

// A straight BigInt transcription of the reference C code, as an independent oracle.
function siphashBigInt(k: Uint8Array, m: Uint8Array): bigint {
  const mask = (1n << 64n) - 1n;
  const rotl = (x: bigint, b: bigint) => ((x << b) | (x >> (64n - b))) & mask;
  const le = (b: Uint8Array, i: number, n: number) => {
    let v = 0n;
    for (let j = n - 1; j >= 0; j--) v = (v << 8n) | BigInt(b[i + j] as number);
    return v;
  };
  const k0 = le(k, 0, 8);
  const k1 = le(k, 8, 8);
  let v0 = k0 ^ 0x736f6d6570736575n;
  let v1 = k1 ^ 0x646f72616e646f6dn;
  let v2 = k0 ^ 0x6c7967656e657261n;
  let v3 = k1 ^ 0x7465646279746573n;
  const round = () => {
    v0 = (v0 + v1) & mask; v1 = rotl(v1, 13n); v1 ^= v0; v0 = rotl(v0, 32n);
    v2 = (v2 + v3) & mask; v3 = rotl(v3, 16n); v3 ^= v2;
    v0 = (v0 + v3) & mask; v3 = rotl(v3, 21n); v3 ^= v0;
    v2 = (v2 + v1) & mask; v1 = rotl(v1, 17n); v1 ^= v2; v2 = rotl(v2, 32n);
  };
  const full = m.length - (m.length % 8);
  for (let i = 0; i < full; i += 8) {
    const w = le(m, i, 8);
    v3 ^= w; round(); round(); v0 ^= w;
  }
  const b = (BigInt(m.length & 0xff) << 56n) | le(m, full, m.length - full);
  v3 ^= b; round(); round(); v0 ^= b;
  v2 ^= 0xffn;
  round(); round(); round(); round();
  return v0 ^ v1 ^ v2 ^ v3;
}

describe('SipHash-2-4 against a BigInt transcription', () => {
  it('agrees on random keys and messages (incl. 8-byte boundaries)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.uint8Array({ maxLength: 80 }), (k, m) => {
        const tag = _siphash24(k, m);
        const expected = siphashBigInt(k, m);
        const got = new DataView(tag.buffer).getBigUint64(0, true);
        expect(got).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('refuses a key of the wrong length', () => {
    expect(() => _siphash24(new Uint8Array(15), new Uint8Array(0))).toThrowError('"key" expected 16 bytes, got 15');
  });
});

describe('BIP158 hash to range: (h · N·M) >> 64', () => {
  const expected = (hHi: number, hLo: number, f: number) =>
    Number((((BigInt(hHi) << 32n) | BigInt(hLo)) * BigInt(f)) >> 64n);

  it('equals the 128-bit BigInt product for random hashes and every N up to MAX_SIZE', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff }), fc.integer({ min: 1, max: 0x02000000 }), (hHi, hLo, n) => {
        const f = n * BASIC_FILTER_M;
        expect(_fastRange(hHi, hLo, f)).toBe(expected(hHi, hLo, f));
      }),
      { numRuns: 20_000 },
    );
  });

  it('is exact at the extremes', () => {
    const fMax = 0x02000000 * BASIC_FILTER_M;
    for (const [hHi, hLo, f] of [
      [0xffffffff, 0xffffffff, fMax],
      [0xffffffff, 0xffffffff, BASIC_FILTER_M],
      [0, 0, fMax],
      [0x80000000, 0, fMax],
      [0xffffffff, 0, 1],
      [0x0000ffff, 0xffffffff, fMax - 1],
    ] as const) {
      expect(_fastRange(hHi, hLo, f)).toBe(expected(hHi, hLo, f));
    }
  });
});
