/**
 * A P2TR output committing to one or two named tapscript leaves (leaf version 0xc0), with everything
 * a spender needs: leaf scripts, tapleaf hashes, the tapscript root, the output key and its parity,
 * the scriptPubKey and one control block per leaf. Simple taproot channel outputs never hold more
 * than two leaves, so the tree is either a single leaf or one branch over two.
 *
 * It is not a general tree builder (no weights, no depth > 1) and does not sign; hashing and tweaking
 * are @scure/btc-signer's `p2tr`.
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki
 *       bolt-simple-taproot.md "Tapscript Tree Semantics", "Taproot Script Path Spends"
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { p2tr } from '@scure/btc-signer/payment.js';

export const TAPSCRIPT_LEAF_VERSION = 0xc0;

export interface TapLeaf {
  readonly script: Uint8Array;
  readonly leafHash: Uint8Array;
  /** `(leaf_version | output_key_parity) || internal_key || sibling hash (when two leaves)`. */
  readonly controlBlock: Uint8Array;
}

export interface TaprootOutput<L extends string> {
  /** 33-byte compressed internal key as given; the output commits to its x coordinate. */
  readonly internalKey: Uint8Array;
  readonly tapscriptRoot: Uint8Array;
  /** 32-byte x-only output key. */
  readonly outputKey: Uint8Array;
  readonly outputKeyParity: 0 | 1;
  /** `OP_1 <output_key>`. */
  readonly pkScript: Uint8Array;
  readonly leaves: Readonly<Record<L, TapLeaf>>;
}

/** Shared by this package's builders: a 33-byte compressed key that lies on the curve. */
export function _assertCompressedKey(key: Uint8Array, title: string): void {
  if (!(key instanceof Uint8Array) || key.length !== 33 || (key[0] !== 2 && key[0] !== 3))
    throw new TypeError(`"${title}" expected 33-byte compressed public key, got ${key instanceof Uint8Array ? `${key.length} bytes` : typeof key}`);
  try {
    secp256k1.Point.fromBytes(key);
  } catch {
    throw new RangeError(`"${title}" is not a valid secp256k1 point`);
  }
}

/** Builds the output for `leaves` (one or two `[name, script]` pairs) under `internalKey`. */
export function taprootOutput<L extends string>(
  internalKey: Uint8Array,
  leaves: readonly [readonly [L, Uint8Array]] | readonly [readonly [L, Uint8Array], readonly [L, Uint8Array]],
): TaprootOutput<L> {
  _assertCompressedKey(internalKey, 'internalKey');
  const xOnly = internalKey.subarray(1);
  const nodes = leaves.map(([, script]) => ({ script, leafVersion: TAPSCRIPT_LEAF_VERSION }));
  // Unknown-output checks are for wallet templates; channel scripts are custom by design.
  const out = p2tr(xOnly, nodes.length === 1 ? nodes[0]! : nodes, undefined, true);
  // p2tr already folded the output key's parity into each control block's leaf version byte.
  const parity = out.tapLeafScript![0]![0].version & 1;
  const named = {} as Record<L, TapLeaf>;
  // p2tr walks a one-branch tree left to right, so its leaves come back in the order given.
  leaves.forEach(([name], i) => {
    const leaf = out.leaves[i]!;
    const controlBlock = new Uint8Array(33 + 32 * leaf.path.length);
    controlBlock[0] = TAPSCRIPT_LEAF_VERSION | parity;
    controlBlock.set(xOnly, 1);
    leaf.path.forEach((sibling, j) => controlBlock.set(sibling, 33 + 32 * j));
    named[name] = { script: leaf.script, leafHash: leaf.hash, controlBlock };
  });
  return {
    internalKey: Uint8Array.from(internalKey),
    tapscriptRoot: out.tapMerkleRoot,
    outputKey: out.tweakedPubkey,
    outputKeyParity: parity === 1 ? 1 : 0,
    pkScript: out.script,
    leaves: named,
  };
}
