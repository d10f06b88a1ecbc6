/**
 * BIP328: a MuSig2 aggregate key as a BIP32 extended public key, and signing for keys derived
 * from it. https://github.com/bitcoin/bips/blob/master/bip-0328.mediawiki
 *
 * The synthetic xpub is the 33-byte plain aggregate key (keys aggregated in the order given, no
 * sorting) with a fixed chain code, depth 0, parent fingerprint 0 and child number 0. Children are
 * derived by ordinary unhardened BIP32 public derivation (`@scure/bip32`). To *sign* for such a
 * child, every derivation step's I_L is applied to the KeyAgg context as a plain tweak, which is
 * what `deriveKeyAgg` does; the result's `plainKey` equals the BIP32 child key.
 *
 * Not here: hardened derivation (an aggregate key has no private key), descriptors (descriptor.ts).
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, hexToBytes } from '@noble/curves/utils.js';
import { HARDENED_OFFSET, HDKey, type Versions } from '@scure/bip32';
import { expectBytes } from './errors.js';
import { applyTweak, type KeyAggContext } from './keyagg.js';

/** The BIP328 chain code: SHA256("MuSig2MuSig2MuSig2"). */
export const BIP328_CHAIN_CODE: Uint8Array = hexToBytes('868087ca02a6f974c4598924c36b57762d32cb45717167e300622c7167e38965');

/** The BIP328 synthetic extended key for a 33-byte plain aggregate key (mainnet xpub unless `versions`). */
export function aggregateHDKey(aggregateKey: Uint8Array, versions?: Versions): HDKey {
  expectBytes('aggregateKey', aggregateKey, 33);
  return new HDKey({ publicKey: aggregateKey, chainCode: BIP328_CHAIN_CODE, ...(versions ? { versions } : {}) });
}

/** The base58 synthetic xpub of a 33-byte plain aggregate key. */
export function syntheticXpub(aggregateKey: Uint8Array, versions?: Versions): string {
  return aggregateHDKey(aggregateKey, versions).publicExtendedKey;
}

function ser32(index: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, index, false);
  return out;
}

/**
 * Derives `path` (unhardened indices) from an untweaked KeyAgg context and returns the context
 * tweaked for signing with the child key. The chain code lives only in the BIP328 root, so the
 * input must carry no tweaks yet; apply the taproot tweak (if any) afterwards.
 */
export function deriveKeyAgg(ctx: KeyAggContext, path: readonly number[]): KeyAggContext {
  if (ctx.tweaks.length > 0) throw new RangeError('"ctx" expected an untweaked KeyAgg context (BIP328 derives from the aggregate itself)');
  if (!Array.isArray(path)) throw new TypeError(`"path" expected array, got ${typeof path}`);
  path.forEach((i, n) => {
    if (!Number.isSafeInteger(i) || i < 0 || i >= HARDENED_OFFSET) {
      throw new RangeError(`"path[${n}]" expected unhardened index in [0, 2^31), got ${i}`);
    }
  });
  let node = aggregateHDKey(ctx.plainKey);
  let derived = ctx;
  for (const index of path) {
    const child = node.deriveChild(index);
    // BIP32 CKDpub: I_L = HMAC-SHA512(c_par, ser_P(K_par) || ser32(i))[0..32]. `child.index` and not
    // `index`: scure skips to the next index in the (2^-127) case BIP32 tells it to.
    const il = hmac(sha512, node.chainCode!, concatBytes(node.publicKey!, ser32(child.index))).subarray(0, 32);
    derived = applyTweak(derived, il, false);
    if (!equalBytes(derived.plainKey, child.publicKey!)) {
      throw new Error('BIP328 derivation diverged from BIP32 public derivation');
    }
    node = child;
  }
  return derived;
}
