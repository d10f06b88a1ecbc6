// Fuzz: extended-key and path parsing on random and mutated input either return a key that
// serializes back to the same input, or throw DecodeError. Random 78-byte serializations reach the
// structural checks (version, depth, key prefix, point, scalar) behind the Base58Check layer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExtendedKey, parseExtendedKey, parseHdPath } from '../../../core/bitcoin/hdkey.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

const VALID = [
  'xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8',
  'xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi',
  'xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL',
];
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const VERSIONS = [0x0488b21e, 0x0488ade4, 0x043587cf, 0x04358394, 0x12345678];

function check(text: string): void {
  const key = valueOrDecodeError(() => parseExtendedKey(text));
  if (key) expect(key.toBase58()).toBe(text);
}

describe('BIP32 parsing fuzz', () => {
  it(
    'handles mutated valid keys',
    () => {
      fc.assert(
        fc.property(fc.constantFrom(...VALID), fc.nat(), fc.constantFrom(...BASE58, '0', 'O', ' '), (base, at, c) => {
          const i = at % base.length;
          check(base.slice(0, i) + c + base.slice(i + 1));
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  it(
    'handles random 78-byte serializations (as in PSBT_GLOBAL_XPUB)',
    () => {
      const payload = fc
        .record({
          version: fc.constantFrom(...VERSIONS),
          depth: fc.constantFrom(0, 1, 255),
          parent: fc.constantFrom(0, 1, 0xffffffff),
          index: fc.constantFrom(0, 1, 0x80000000),
          chain: fc.uint8Array({ minLength: 32, maxLength: 32 }),
          prefix: fc.constantFrom(0, 2, 3, 4, 1, 5, 0xff),
          key: fc.oneof(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.constant(new Uint8Array(32)), fc.constant(new Uint8Array(32).fill(0xff))),
        })
        .map(({ version, depth, parent, index, chain, prefix, key }) => {
          const b = new Uint8Array(78);
          const v = new DataView(b.buffer);
          v.setUint32(0, version);
          b[4] = depth;
          v.setUint32(5, parent);
          v.setUint32(9, index);
          b.set(chain, 13);
          b[45] = prefix;
          b.set(key, 46);
          return b;
        });
      fc.assert(
        fc.property(fc.oneof(payload, fc.uint8Array({ maxLength: 90 })), (bytes) => {
          const key = valueOrDecodeError(() => ExtendedKey.fromBytes(bytes));
          if (!key) return;
          expect(key.depth).toBe(bytes[4]);
          if (!key.isPrivate) expect(key.toXpubBytes()).toEqual(bytes);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  it(
    'parses or rejects path strings',
    () => {
      fc.assert(
        fc.property(fc.string({ unit: fc.constantFrom('m', '/', '0', '1', '9', "'", 'h', 'H', '*', '-', ' '), maxLength: 24 }), (path) => {
          for (const i of valueOrDecodeError(() => parseHdPath(path)) ?? []) expect(Number.isInteger(i) && i >= 0 && i <= 0xffffffff).toBe(true);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
