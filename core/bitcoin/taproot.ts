/**
 * Taproot outputs (BIP341): script trees of leaves, the output key an internal key commits to
 * (with or without a tree), the P2TR scriptPubKey, control blocks for every leaf, checking a
 * script-path commitment, and the key-path private key tweak.
 *
 * Hashing and point tweaking go through the @cmdcode/tapscript adapter (`tapscript.ts`); the
 * private-key tweak through @scure/btc-signer. Not here: signing, sighashes, PSBT fields,
 * descriptors (see `descriptor/`).
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, equalBytes, hexToBytes } from '@noble/curves/utils.js';
import { taprootTweakPrivKey } from '@scure/btc-signer/utils.js';
import {
  buildControlBlock,
  type LeafHashTree,
  parseControlBlock,
  TAPSCRIPT_LEAF_VERSION,
  tapBranchHash,
  tapLeafHash,
  tapMerkleTree,
  tweakedOutputKey,
} from './tapscript.js';

export { TAPSCRIPT_LEAF_VERSION } from './tapscript.js';

/**
 * BIP341's suggested provably unspendable internal key H = lift_x(sha256(G uncompressed)), for
 * outputs that must only be spendable through the script path.
 */
export const NUMS_INTERNAL_KEY: Uint8Array = hexToBytes('50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0');

export interface TapLeaf {
  readonly script: Uint8Array;
  /** Defaults to 0xc0 (BIP342 tapscript). */
  readonly leafVersion?: number;
}

/** A script tree: a leaf or a pair of subtrees (BIP341 trees are binary). */
export type TapTree = TapLeaf | readonly [TapTree, TapTree];

export interface TaprootLeafOutput {
  script: Uint8Array;
  leafVersion: number;
  leafHash: Uint8Array;
  /** Control block proving this leaf against the output key. */
  controlBlock: Uint8Array;
}

export interface TaprootOutput {
  internalKey: Uint8Array;
  /** Absent when the output has no script tree (BIP86 / key-path only). */
  merkleRoot?: Uint8Array;
  tweak: Uint8Array;
  outputKey: Uint8Array;
  parity: 0 | 1;
  scriptPubKey: Uint8Array;
  /** Every leaf, depth-first from the left, as written in the tree. */
  leaves: TaprootLeafOutput[];
}

/** x-only form of a public key: a 33-byte compressed key loses its prefix, 32 bytes pass through. */
export function toXOnly(pubkey: Uint8Array): Uint8Array {
  if (pubkey.length === 32) return Uint8Array.from(pubkey);
  if (pubkey.length === 33 && (pubkey[0] === 2 || pubkey[0] === 3)) return pubkey.slice(1);
  throw new TypeError(`"pubkey" expected 32 bytes or a 33-byte compressed key, got ${pubkey.length} bytes`);
}

/** OP_1 <32-byte output key>. */
export function p2trScriptPubKey(outputKey: Uint8Array): Uint8Array {
  if (outputKey.length !== 32) throw new TypeError(`"outputKey" expected 32 bytes, got ${outputKey.length}`);
  const out = new Uint8Array(34);
  out[0] = 0x51;
  out[1] = 0x20;
  out.set(outputKey, 2);
  return out;
}

/**
 * The output key for an internal key and a merkle root known without its tree (e.g. BIP371
 * PSBT_IN_TAP_MERKLE_ROOT); no root means key-path only.
 */
export function taprootOutputKey(
  internalKey: Uint8Array,
  merkleRoot?: Uint8Array,
): { internalKey: Uint8Array; outputKey: Uint8Array; parity: 0 | 1; tweak: Uint8Array; scriptPubKey: Uint8Array } {
  const key = toXOnly(internalKey);
  const { outputKey, parity, tweak } = tweakedOutputKey(key, merkleRoot);
  return { internalKey: key, outputKey, parity, tweak, scriptPubKey: p2trScriptPubKey(outputKey) };
}

function isLeaf(node: TapTree): node is TapLeaf {
  return !Array.isArray(node);
}

/**
 * The Taproot output for `internalKey` (32-byte x-only, or 33-byte compressed) committing to
 * `tree`, with a control block for every leaf. Without a tree the output key commits to an
 * unspendable script path (Q = P + hash_TapTweak(P)G), as BIP341 and BIP86 recommend.
 */
export function taprootOutput(internalKey: Uint8Array, tree?: TapTree): TaprootOutput {
  if (!tree) return { ...taprootOutputKey(internalKey), leaves: [] };
  const key = toXOnly(internalKey);
  const leaves: TapLeaf[] = [];
  const hashes = (node: TapTree): LeafHashTree => {
    if (isLeaf(node)) {
      leaves.push(node);
      return tapLeafHash(node.script, node.leafVersion ?? TAPSCRIPT_LEAF_VERSION);
    }
    return [hashes(node[0]), hashes(node[1])];
  };
  const hashTree = hashes(tree);
  const { root, paths } = tapMerkleTree(hashTree);
  const { outputKey, parity, tweak } = tweakedOutputKey(key, root);
  const leafHashes = flatten(hashTree);
  return {
    internalKey: key,
    merkleRoot: root,
    tweak,
    outputKey,
    parity,
    scriptPubKey: p2trScriptPubKey(outputKey),
    leaves: leaves.map((leaf, i) => {
      const leafVersion = leaf.leafVersion ?? TAPSCRIPT_LEAF_VERSION;
      return {
        script: leaf.script,
        leafVersion,
        leafHash: leafHashes[i]!,
        controlBlock: buildControlBlock({ leafVersion, parity, internalKey: key, path: paths[i]! }),
      };
    }),
  };
}

function flatten(tree: LeafHashTree): Uint8Array[] {
  return tree instanceof Uint8Array ? [tree] : [...flatten(tree[0]), ...flatten(tree[1])];
}

/**
 * BIP341 script-path commitment check: does `controlBlock` prove that `script` is a leaf of the
 * tree `outputKey` commits to? Malformed control blocks throw DecodeError.
 */
export function verifyScriptPath(outputKey: Uint8Array, script: Uint8Array, controlBlock: Uint8Array): boolean {
  const block = parseControlBlock(controlBlock);
  let node = tapLeafHash(script, block.leafVersion);
  for (const sibling of block.path) node = tapBranchHash(node, sibling);
  const q = tweakedOutputKey(block.internalKey, node);
  return equalBytes(q.outputKey, outputKey) && q.parity === block.parity;
}

/**
 * The key-path signing key: the internal private key, negated if its point has odd Y, plus the
 * tweak (BIP341 `taproot_tweak_seckey`).
 */
export function tweakPrivateKey(internalPrivateKey: Uint8Array, merkleRoot?: Uint8Array): Uint8Array {
  return taprootTweakPrivKey(internalPrivateKey, merkleRoot ?? new Uint8Array(0));
}

/** True when `key` is a valid BIP340 x-only public key (the x coordinate of a curve point). */
export function isXOnlyPublicKey(key: Uint8Array): boolean {
  if (key.length !== 32) return false;
  try {
    schnorr.utils.lift_x(bytesToNumberBE(key));
    return true;
  } catch {
    return false;
  }
}
