/**
 * The adapter over @cmdcode/tapscript — the only module allowed to import it. It exposes the
 * parts of that library we checked against the BIP341 vectors and @scure/btc-signer (TapLeaf and
 * TapBranch tagged hashes, the TapTweak hash and the tweaked output key) and, built on those, the
 * merkle tree walk and control block build/parse.
 *
 * What it deliberately does not expose, because the library gets it wrong:
 * - script numbers above 255 (use `script-number.ts`),
 * - `Signer.verify` (accepts bad signatures unless `{ throws: true }`),
 * - `Script.decode` (fails on scripts of 253 bytes or more; leaf scripts are hashed as raw bytes
 *   with our own CompactSize prefix here),
 * - `merkleize` (pairs sorted leaves of a flat list, which is not BIP341's tree, and finds control
 *   block paths by hash equality, which breaks on repeated leaves): the tree walk is ours, over its
 *   TapBranch hash,
 * - `readCtrlBlock` (checks neither the length nor the key): control blocks are sliced here.
 *
 * Spec: BIP341 (https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki), sections
 * "Constructing and spending Taproot outputs" and "Script validation rules".
 */
import { Tap } from '@cmdcode/tapscript';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { DecodeError } from './errors.js';

/** BIP342 tapscript leaf version. */
export const TAPSCRIPT_LEAF_VERSION = 0xc0;

/** A script tree reduced to its leaf hashes: a leaf hash or a pair of subtrees. */
export type LeafHashTree = Uint8Array | readonly [LeafHashTree, LeafHashTree];

export interface ControlBlock {
  leafVersion: number;
  /** Parity of the output key's Y coordinate (0 even, 1 odd). */
  parity: 0 | 1;
  internalKey: Uint8Array;
  /** Sibling hashes from the leaf up to the root. */
  path: Uint8Array[];
}

const CURVE_ORDER = secp256k1.Point.Fn.ORDER;
const MAX_PATH_LENGTH = 128;

function assertBytes(value: Uint8Array, length: number, title: string): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new TypeError(`"${title}" expected ${length} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}`);
  }
}

/** Throws RangeError unless `key` is a valid BIP340 x-only public key. */
function assertXOnly(key: Uint8Array, title: string): void {
  assertBytes(key, 32, title);
  try {
    schnorr.utils.lift_x(bytesToNumberBE(key));
  } catch {
    throw new RangeError(`"${title}" is not the x coordinate of a curve point`);
  }
}

/** Leaf versions are even (the low bit is the parity) and 0x50 is reserved for the annex. */
export function isValidLeafVersion(version: number): boolean {
  return Number.isInteger(version) && version >= 0 && version <= 0xfe && (version & 1) === 0 && version !== 0x50;
}

function compactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

/** hash_TapLeaf(leafVersion || compact_size(script) || script). */
export function tapLeafHash(script: Uint8Array, leafVersion: number = TAPSCRIPT_LEAF_VERSION): Uint8Array {
  if (!isValidLeafVersion(leafVersion)) throw new RangeError(`"leafVersion" expected an even byte other than 0x50, got ${leafVersion}`);
  const prefix = compactSize(script.length);
  const data = new Uint8Array(prefix.length + script.length);
  data.set(prefix);
  data.set(script, prefix.length);
  return hexToBytes(Tap.tree.getLeaf(data, leafVersion));
}

/** hash_TapBranch of two child hashes, ordered lexicographically as BIP341 requires. */
export function tapBranchHash(a: Uint8Array, b: Uint8Array): Uint8Array {
  assertBytes(a, 32, 'a');
  assertBytes(b, 32, 'b');
  return hexToBytes(Tap.tree.getBranch(bytesToHex(a), bytesToHex(b)));
}

/**
 * Merkle root of a tree of leaf hashes, and for every leaf (depth-first, left to right) its path:
 * the sibling hashes from the leaf up to the root, as a control block lists them.
 */
export function tapMerkleTree(tree: LeafHashTree): { root: Uint8Array; paths: Uint8Array[][] } {
  const walk = (node: LeafHashTree, depth: number): { hash: Uint8Array; paths: Uint8Array[][] } => {
    if (node instanceof Uint8Array) {
      assertBytes(node, 32, 'leaf hash');
      return { hash: node, paths: [[]] };
    }
    if (depth >= MAX_PATH_LENGTH) throw new RangeError(`"tree" deeper than ${MAX_PATH_LENGTH} levels`);
    const left = walk(node[0], depth + 1);
    const right = walk(node[1], depth + 1);
    for (const p of left.paths) p.push(right.hash);
    for (const p of right.paths) p.push(left.hash);
    return { hash: tapBranchHash(left.hash, right.hash), paths: [...left.paths, ...right.paths] };
  };
  const { hash, paths } = walk(tree, 0);
  return { root: hash, paths };
}

/** t = hash_TapTweak(internalKey || merkleRoot), checked to be below the curve order. */
export function tapTweakHash(internalKey: Uint8Array, merkleRoot?: Uint8Array): Uint8Array {
  assertXOnly(internalKey, 'internalKey');
  if (merkleRoot) assertBytes(merkleRoot, 32, 'merkleRoot');
  const tweak = Uint8Array.from(Tap.tweak.getTweak(internalKey, merkleRoot ?? new Uint8Array(0)));
  if (bytesToNumberBE(tweak) >= CURVE_ORDER) throw new RangeError('"tweak" is not below the curve order (BIP341 output is invalid)');
  return tweak;
}

/** Q = lift_x(internalKey) + tG: the x-only output key and the parity of its Y coordinate. */
export function tweakedOutputKey(internalKey: Uint8Array, merkleRoot?: Uint8Array): { outputKey: Uint8Array; parity: 0 | 1; tweak: Uint8Array } {
  const tweak = tapTweakHash(internalKey, merkleRoot);
  const q = Tap.tweak.getPubKey(internalKey, merkleRoot ?? new Uint8Array(0));
  if (q.length !== 33 || (q[0] !== 2 && q[0] !== 3)) throw new Error('tweaked key is not a compressed point');
  return { outputKey: Uint8Array.from(q.subarray(1)), parity: q[0] === 3 ? 1 : 0, tweak };
}

/** Serializes a control block: (leafVersion | parity) || internalKey || path. */
export function buildControlBlock(block: ControlBlock): Uint8Array {
  if (!isValidLeafVersion(block.leafVersion)) throw new RangeError(`"leafVersion" expected an even byte other than 0x50, got ${block.leafVersion}`);
  assertXOnly(block.internalKey, 'internalKey');
  if (block.path.length > MAX_PATH_LENGTH) throw new RangeError(`"path" expected at most ${MAX_PATH_LENGTH} hashes, got ${block.path.length}`);
  const out = new Uint8Array(33 + 32 * block.path.length);
  out[0] = block.leafVersion | block.parity;
  out.set(block.internalKey, 1);
  block.path.forEach((h, i) => {
    assertBytes(h, 32, `path[${i}]`);
    out.set(h, 33 + 32 * i);
  });
  return out;
}

/** Parses a control block from a witness (untrusted): length 33 + 32m with m <= 128, valid key. */
export function parseControlBlock(bytes: Uint8Array): ControlBlock {
  if (bytes.length < 33 || (bytes.length - 33) % 32 !== 0 || (bytes.length - 33) / 32 > MAX_PATH_LENGTH) {
    throw new DecodeError('TAPROOT_BAD_CONTROL_BLOCK', `"control block" expected 33 + 32m bytes with m <= ${MAX_PATH_LENGTH}, got ${bytes.length}`);
  }
  const leafVersion = bytes[0]! & 0xfe;
  if (leafVersion === 0x50) throw new DecodeError('TAPROOT_BAD_CONTROL_BLOCK', '"control block" leaf version 0x50 is reserved for the annex');
  const internalKey = bytes.slice(1, 33);
  try {
    assertXOnly(internalKey, 'internalKey');
  } catch {
    throw new DecodeError('TAPROOT_BAD_CONTROL_BLOCK', '"control block" internal key is not a valid x-only public key');
  }
  const path: Uint8Array[] = [];
  for (let at = 33; at < bytes.length; at += 32) path.push(bytes.slice(at, at + 32));
  return { leafVersion, parity: (bytes[0]! & 1) as 0 | 1, internalKey, path };
}
