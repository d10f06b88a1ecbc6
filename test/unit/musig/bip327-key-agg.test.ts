// BIP327 KeySort, KeyAgg and ApplyTweak against bip327-key_sort_vectors.json and
// bip327-key_agg_vectors.json, plus the BIP341 TapTweak wrapper against an independent computation.
import { hexToBytes, bytesToHex } from '@noble/curves/utils.js';
import { p2tr } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { applyTaprootTweak, applyTweak, keyAgg, keySort } from '../../../core/musig/keyagg.js';
import { vectorJson } from '../../support/vectors.js';
import { expectVectorError, type VectorError } from './musig-error.js';

const h = hexToBytes;
const lower = (s: string) => s.toLowerCase();

interface KeySortVectors {
  pubkeys: string[];
  sorted_pubkeys: string[];
}
interface KeyAggVectors {
  pubkeys: string[];
  tweaks: string[];
  valid_test_cases: { key_indices: number[]; expected: string }[];
  error_test_cases: { key_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; error: VectorError; comment: string }[];
}

describe('BIP327 KeySort', () => {
  const v = vectorJson<KeySortVectors>('bip327-key_sort_vectors.json');
  it(`BIP327 key_sort vector 0: ${v.pubkeys.length} keys incl. a duplicate sort lexicographically`, () => {
    const input = v.pubkeys.map(h);
    const sorted = keySort(input);
    expect(sorted.map(bytesToHex)).toEqual(v.sorted_pubkeys.map(lower));
    // KeySort returns a copy: the caller's order is untouched.
    expect(input.map(bytesToHex)).toEqual(v.pubkeys.map(lower));
  });
});

describe('BIP327 KeyAgg', () => {
  const v = vectorJson<KeyAggVectors>('bip327-key_agg_vectors.json');
  const pubkeys = v.pubkeys.map(h);
  const tweaks = v.tweaks.map(h);

  v.valid_test_cases.forEach((c, i) => {
    it(`BIP327 key_agg valid ${i}: keys [${c.key_indices}]`, () => {
      const ctx = keyAgg(c.key_indices.map((k) => pubkeys[k]!));
      expect(bytesToHex(ctx.xOnlyKey)).toBe(lower(c.expected));
      // The plain key is the same point with its parity byte.
      expect(ctx.plainKey.length).toBe(33);
      expect([2, 3]).toContain(ctx.plainKey[0]);
      expect(bytesToHex(ctx.plainKey.subarray(1))).toBe(lower(c.expected));
      expect(ctx.publicKeys.map(bytesToHex)).toEqual(c.key_indices.map((k) => lower(v.pubkeys[k]!)));
      expect(ctx.tweaks).toEqual([]);
    });
  });

  v.error_test_cases.forEach((c, i) => {
    it(`BIP327 key_agg error ${i}: ${c.comment}`, () => {
      const keys = c.key_indices.map((k) => pubkeys[k]!);
      const ts = c.tweak_indices.map((t, j) => ({ tweak: tweaks[t]!, xOnly: c.is_xonly[j]! }));
      expectVectorError(() => keyAgg(keys, ts), c.error);
    });
  });
});

describe('BIP327 ApplyTweak and the BIP341 TapTweak', () => {
  const v = vectorJson<KeyAggVectors>('bip327-key_agg_vectors.json');
  const keys = v.valid_test_cases[0]!.key_indices.map((k) => h(v.pubkeys[k]!));

  it('applyTweak appends to the context and equals keyAgg with the full tweak list', () => {
    const t1 = { tweak: h(v.tweaks[1]!), xOnly: false };
    const t2 = { tweak: h(v.tweaks[1]!), xOnly: true };
    const stepwise = applyTweak(applyTweak(keyAgg(keys), t1.tweak, t1.xOnly), t2.tweak, t2.xOnly);
    const atOnce = keyAgg(keys, [t1, t2]);
    expect(bytesToHex(stepwise.plainKey)).toBe(bytesToHex(atOnce.plainKey));
    expect(stepwise.tweaks.map((t) => [bytesToHex(t.tweak), t.xOnly])).toEqual([
      [lower(v.tweaks[1]!), false],
      [lower(v.tweaks[1]!), true],
    ]);
    expect(bytesToHex(stepwise.plainKey)).not.toBe(bytesToHex(keyAgg(keys).plainKey));
  });

  it('applyTaprootTweak without a merkle root gives the BIP86 output key of the aggregate', () => {
    const ctx = keyAgg(keys);
    const tweaked = applyTaprootTweak(ctx);
    expect(bytesToHex(tweaked.xOnlyKey)).toBe(bytesToHex(p2tr(ctx.xOnlyKey).tweakedPubkey));
  });

  it('applyTaprootTweak with a merkle root commits to it', () => {
    const ctx = keyAgg(keys);
    const root = new Uint8Array(32).fill(7);
    expect(bytesToHex(applyTaprootTweak(ctx, root).xOnlyKey)).not.toBe(bytesToHex(applyTaprootTweak(ctx).xOnlyKey));
  });

  it('rejects a key list of the wrong shape with a named TypeError/RangeError', () => {
    expect(() => keyAgg([])).toThrow(/"publicKeys" expected at least 1 key/);
    expect(() => keyAgg([new Uint8Array(32)])).toThrow(/"publicKeys\[0\]" expected 33 bytes, got 32/);
    expect(() => keyAgg(keys, [{ tweak: new Uint8Array(31), xOnly: true }])).toThrow(/"tweaks\[0\]\.tweak" expected 32 bytes/);
  });
});
