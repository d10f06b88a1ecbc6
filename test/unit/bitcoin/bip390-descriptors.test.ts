// BIP390 test vectors (bip390.txt, parsed here) for the musig() key expression: every invalid
// descriptor is rejected by the parser with its reason code, and every valid one parses, prints
// back canonically and — with @scure/btc-signer's BIP327 KeyAgg injected as `aggregate` (ours lives
// in core/musig) — produces the listed scripts. BIP328's synthetic xpubs are checked against
// bip328-vectors.json with the aggregate keys the vectors give.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { keyAggregate } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import {
  deriveDescriptor,
  formatDescriptor,
  isRangedDescriptor,
  type MusigAggregate,
  musigSyntheticXpub,
  parseDescriptor,
} from '../../../core/bitcoin/descriptor/index.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { mainnet } from '../../../core/bitcoin/networks.js';
import { vectorJson, vectorText } from '../../support/vectors.js';
import { parseDescriptorVectors } from './descriptor-vectors.js';

const { valid, invalid } = parseDescriptorVectors(vectorText('bip390.txt'));

const INVALID_EXPECTED: [string, string][] = [
  ['musig() is not allowed in top-level pk()', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['musig() is not allowed in top-level pkh()', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['musig() is not allowed in wpkh()', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['musig() is not allowed in combo()', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['musig() is not allowed in sh(wpkh())', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['musig() is not allowed in sh(wsh())', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['musig() is not allowed in wsh()', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['musig() is not allowed in sh()', 'DESCRIPTOR_MUSIG_CONTEXT'],
  ['Ranged musig() requires all participants to be xpubs', 'DESCRIPTOR_BAD_MUSIG'],
  ['Cannot have ranged participants if musig() is also ranged', 'DESCRIPTOR_BAD_MUSIG'],
  ['Cannot have multipath participants if musig() is also multipath', 'DESCRIPTOR_BAD_MUSIG'],
  ['musig() cannot have hardened derivation steps', 'DESCRIPTOR_BAD_MUSIG'],
  ['musig() cannot have hardened child derivation', 'DESCRIPTOR_BAD_MUSIG'],
  ['musig() cannot have participants with child derivation when musig() has derivation steps', 'DESCRIPTOR_BAD_MUSIG'],
];

/** Reference BIP327 KeyAgg (btc-signer); records what it was given. */
function referenceAggregate(calls: Uint8Array[][]): MusigAggregate {
  return (keys) => {
    calls.push(keys);
    return keyAggregate(keys).aggPublicKey.toBytes(true);
  };
}

describe('BIP390 valid musig() descriptors', () => {
  it('has 6 valid and 14 invalid descriptors', () => {
    expect(valid).toHaveLength(6);
    expect(invalid).toHaveLength(14);
  });

  valid.forEach((v, i) => {
    it(`BIP390 valid ${i}: ${v.descriptor.slice(0, 60)}…`, () => {
      const d = parseDescriptor(v.descriptor, mainnet);
      expect(formatDescriptor(d, { checksum: false })).toBe(v.descriptor);
      expect(isRangedDescriptor(d)).toBe(v.scripts.length === 3);
      expect(() => deriveDescriptor(d, { index: 0 })).toThrow(TypeError);
      const indices = v.scripts.length === 3 ? [0, 1, 2] : [undefined];
      indices.forEach((index, k) => {
        const calls: Uint8Array[][] = [];
        const out = deriveDescriptor(d, { index, aggregate: referenceAggregate(calls) });
        expect(bytesToHex(out.scriptPubKey)).toBe(v.scripts[k]);
        // KeySort happened before aggregation: every call got its keys in ascending order.
        expect(calls.length).toBeGreaterThan(0);
        for (const keys of calls) {
          const hex = keys.map(bytesToHex);
          expect(hex).toEqual([...hex].sort());
        }
        const musigKey = out.keys.find((key) => key.musig)!;
        expect(musigKey.musig!.participants.length).toBe(keys(v.descriptor));
        expect(musigKey.musig!.aggregate).toHaveLength(33);
      });
    });
  });
});

/** Number of participants in the (single) musig() of a vector. */
function keys(descriptor: string): number {
  return /musig\(([^)]*)\)/.exec(descriptor)![1]!.split(',').length;
}

describe('BIP390 invalid musig() descriptors', () => {
  invalid.forEach((v, i) => {
    it(`BIP390 invalid ${i}: ${v.description}`, () => {
      const [description, code] = INVALID_EXPECTED[i]!;
      expect(v.description).toBe(description);
      expect(() => parseDescriptor(v.descriptor, mainnet)).toThrow(DecodeError);
      expect(() => parseDescriptor(v.descriptor, mainnet)).toThrow(expect.objectContaining({ code }));
    });
  });

  it('rejects nested musig(), an origin on musig() and x-only participants', () => {
    const k = '02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
    const x = 'f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
    expect(() => parseDescriptor(`tr(musig(musig(${k},${k}),${k}))`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_BAD_MUSIG' }));
    expect(() => parseDescriptor(`tr([deadbeef]musig(${k},${k}))`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_BAD_MUSIG' }));
    expect(() => parseDescriptor(`tr(musig(${x},${k}))`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_BAD_KEY' }));
    expect(() => parseDescriptor(`tr(${x},multi_a(1,musig(${k},${k})))`, mainnet)).not.toThrow();
  });
});

describe('BIP328 synthetic xpubs (bip328-vectors.json)', () => {
  const cases = vectorJson<{ aggregate_pubkey: string; keys: string[]; xpub: string }[]>('bip328-vectors.json');
  cases.forEach((c, i) => {
    it(`BIP328 vector ${i}: ${c.keys.length} keys`, () => {
      const xpub = musigSyntheticXpub(hexToBytes(c.aggregate_pubkey), mainnet);
      expect(xpub.toBase58()).toBe(c.xpub);
      // And the reference KeyAgg over the keys as listed (BIP328 does not sort) gives the aggregate.
      expect(bytesToHex(keyAggregate(c.keys.map((k) => hexToBytes(k.toLowerCase()))).aggPublicKey.toBytes(true))).toBe(c.aggregate_pubkey);
    });
  });
});
