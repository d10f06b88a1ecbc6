/**
 * Produces the scripts a descriptor describes at a child index (for ranged `/*` descriptors) and a
 * BIP389 multipath branch: scriptPubKey, address, redeem/witness script, the Taproot output with
 * control blocks, and every key with its origin (fingerprint + full path, for PSBT fields).
 *
 * musig() keys need BIP327 KeyAgg, which lives in `core/musig/` (it imports `core/bitcoin`, never
 * the reverse), so the caller injects it as `aggregate`. Derivation after musig() follows BIP328:
 * the aggregate with a fixed chain code forms a synthetic xpub.
 *
 * A descriptor that parses but cannot be derived from (hardened steps after an xpub) throws
 * DecodeError DESCRIPTOR_CANNOT_DERIVE; wrong options are RangeError/TypeError.
 * Spec: BIP380-387, BIP389, BIP390, BIP328, BIP341, BIP379 (the and_v timelock leaves).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { compareBytes } from '@scure/btc-signer/utils.js';
import { scriptPubKeyToAddress } from '../address.js';
import { DecodeError } from '../errors.js';
import { ExtendedKey, HARDENED } from '../hdkey.js';
import type { Network } from '../networks.js';
import { pushData, pushNumber } from '../script-number.js';
import { type TapTree, taprootOutput, type TaprootOutput, toXOnly } from '../taproot.js';
import {
  type Descriptor,
  isTreeLeaf,
  type KeyExpression,
  type KeyOrigin,
  type LeafExpression,
  type PathStep,
  type ScriptExpression,
  scriptKeys,
  type TreeExpression,
} from './ast.js';
import { isRangedKey, multipathLengths } from './key-expression.js';

/** BIP327 KeyAgg over 33-byte keys (already KeySort-ed), returning the 33-byte plain aggregate. */
export type MusigAggregate = (pubkeys33: Uint8Array[]) => Uint8Array;

export interface DeriveOptions {
  /** Child index for `/*` wildcards (required when the descriptor is ranged). */
  index?: number;
  /** BIP389 branch, e.g. 0 = receive, 1 = change for `/<0;1>/*` (required with multipath). */
  branch?: number;
  /** KeyAgg for musig() keys. */
  aggregate?: MusigAggregate;
}

export interface DerivedKey {
  /** The key as the script uses it: 33/65 bytes, or 32-byte x-only inside tr()/rawtr(). */
  pubkey: Uint8Array;
  /** Fingerprint and full path from it (a key without origin is its own origin, empty path). */
  origin: KeyOrigin;
  /** Present when the descriptor holds the private key (WIF, xprv). */
  privateKey?: Uint8Array;
  /** For musig(): the derived participants and their 33-byte aggregate (before any BIP328 step). */
  musig?: { participants: DerivedKey[]; aggregate: Uint8Array };
}

export interface DerivedOutput {
  scriptPubKey: Uint8Array;
  /** Undefined for scripts without an address form (bare multisig, P2PK, raw()). */
  address?: string;
  redeemScript?: Uint8Array;
  witnessScript?: Uint8Array;
  /** For tr()/rawtr(): the output, and the keys used in each leaf (parallel to `leaves`). */
  taproot?: TaprootOutput & { leafKeys: DerivedKey[][] };
  /** Every key, in the order written (tr() internal key first). */
  keys: DerivedKey[];
}

/** BIP328: synthetic xpubs over MuSig2 aggregates use the chain code SHA256("MuSig2MuSig2MuSig2"). */
const MUSIG_SYNTHETIC_CHAIN_CODE = sha256(utf8ToBytes('MuSig2MuSig2MuSig2'));

/** BIP328 synthetic xpub of a 33-byte MuSig2 aggregate key (depth 0, no parent). */
export function musigSyntheticXpub(aggregate: Uint8Array, network: Network): ExtendedKey {
  return ExtendedKey.fromPublicParts({ publicKey: aggregate, chainCode: MUSIG_SYNTHETIC_CHAIN_CODE, network });
}

const OP_0 = 0x00;
const OP_DUP = 0x76;
const OP_HASH160 = 0xa9;
const OP_EQUAL = 0x87;
const OP_EQUALVERIFY = 0x88;
const OP_CHECKSIG = 0xac;
const OP_CHECKMULTISIG = 0xae;
const OP_CHECKSIGADD = 0xba;
const OP_CHECKSIGVERIFY = 0xad;
const OP_CHECKLOCKTIMEVERIFY = 0xb1;
const OP_CHECKSEQUENCEVERIFY = 0xb2;
const OP_NUMEQUAL = 0x9c;
const OP_1 = 0x51;

const hash160 = (b: Uint8Array) => ripemd160(sha256(b));

interface Position {
  index?: number;
  branch: number;
  aggregate?: MusigAggregate;
  network: Network;
}

function cannotDerive(message: string): never {
  throw new DecodeError('DESCRIPTOR_CANNOT_DERIVE', `"descriptor" ${message}`);
}

function selfOrigin(pubkey: Uint8Array): KeyOrigin {
  // As Bitcoin Core: a key without origin is its own BIP32 "root"; x-only keys hash as 02||x.
  const compressed = pubkey.length === 32 ? concatBytes(Uint8Array.of(2), pubkey) : pubkey;
  const id = hash160(compressed);
  return { fingerprint: new DataView(id.buffer, id.byteOffset).getUint32(0), path: [] };
}

function resolveSteps(steps: readonly PathStep[], wildcard: 'none' | 'unhardened' | 'hardened', at: Position): number[] {
  const indices = steps.map((s) => (typeof s === 'number' ? s : s[at.branch]!));
  if (wildcard !== 'none') {
    if (at.index === undefined) throw new RangeError('"index" is required: the descriptor is ranged (/*)');
    indices.push(wildcard === 'hardened' ? at.index + HARDENED : at.index);
  }
  return indices;
}

function deriveExtended(key: ExtendedKey, indices: number[]): ExtendedKey {
  let k = key;
  for (const i of indices) {
    if (i >= HARDENED && !k.isPrivate) cannotDerive(`has a hardened step ${i - HARDENED}h after a public extended key`);
    k = k.deriveChild(i);
  }
  return k;
}

/** A key expression at a position, as a 33- or 65-byte public key (x-only conversion is later). */
function resolveKey(key: KeyExpression, at: Position): DerivedKey {
  switch (key.kind) {
    case 'hex':
      return { pubkey: key.pubkey, origin: key.origin ?? selfOrigin(key.pubkey) };
    case 'wif': {
      const pubkey = secp256k1.getPublicKey(key.privateKey, key.compressed);
      return { pubkey, origin: key.origin ?? selfOrigin(pubkey), privateKey: key.privateKey };
    }
    case 'xkey': {
      const indices = resolveSteps(key.steps, key.wildcard, at);
      const child = deriveExtended(key.key, indices);
      const origin = key.origin
        ? { fingerprint: key.origin.fingerprint, path: [...key.origin.path, ...indices] }
        : { fingerprint: key.key.fingerprint, path: indices };
      return { pubkey: child.publicKey, origin, ...(child.privateKey && { privateKey: child.privateKey }) };
    }
    case 'musig': {
      if (!at.aggregate) throw new TypeError('"aggregate" is required to derive musig() keys (BIP327 KeyAgg from core/musig)');
      const participants = key.participants.map((p) => resolveKey(p, at));
      const sorted = participants.map((p) => p.pubkey).sort(compareBytes);
      const aggregate = at.aggregate(sorted);
      if (!(aggregate instanceof Uint8Array) || aggregate.length !== 33) throw new TypeError('"aggregate" must return a 33-byte compressed key');
      const musig = { participants, aggregate };
      if (key.steps.length === 0 && key.wildcard === 'none') return { pubkey: aggregate, origin: selfOrigin(aggregate), musig };
      const synthetic = musigSyntheticXpub(aggregate, at.network);
      const indices = resolveSteps(key.steps, key.wildcard, at);
      const child = deriveExtended(synthetic, indices);
      return { pubkey: child.publicKey, origin: { fingerprint: synthetic.fingerprint, path: indices }, musig };
    }
  }
}

function asXOnly(k: DerivedKey): DerivedKey {
  return { ...k, pubkey: toXOnly(k.pubkey) };
}

function multisigScript(threshold: number, keys: Uint8Array[]): Uint8Array {
  return concatBytes(pushNumber(threshold), ...keys.map(pushData), pushNumber(keys.length), Uint8Array.of(OP_CHECKMULTISIG));
}

function pkhScript(pubkey: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(OP_DUP, OP_HASH160), pushData(hash160(pubkey)), Uint8Array.of(OP_EQUALVERIFY, OP_CHECKSIG));
}

function leafScript(leaf: LeafExpression, at: Position): { script: Uint8Array; keys: DerivedKey[] } {
  if (leaf.type === 'and_v') {
    // BIP379: v:pk(K) is <K> CHECKSIGVERIFY, older(n) is <n> CHECKSEQUENCEVERIFY, after(n) is <n> CHECKLOCKTIMEVERIFY.
    const k = asXOnly(resolveKey(leaf.key, at));
    const verify = leaf.lock === 'older' ? OP_CHECKSEQUENCEVERIFY : OP_CHECKLOCKTIMEVERIFY;
    return { script: concatBytes(pushData(k.pubkey), Uint8Array.of(OP_CHECKSIGVERIFY), pushNumber(leaf.value), Uint8Array.of(verify)), keys: [k] };
  }
  if ('key' in leaf) {
    const k = asXOnly(resolveKey(leaf.key, at));
    // pkh() in a tree is BIP379's miniscript pkh: HASH160 of the 32-byte x-only key.
    const script = leaf.type === 'pk' ? concatBytes(pushData(k.pubkey), Uint8Array.of(OP_CHECKSIG)) : pkhScript(k.pubkey);
    return { script, keys: [k] };
  }
  const keys = leaf.keys.map((k) => asXOnly(resolveKey(k, at)));
  const ordered = leaf.type === 'sortedmulti_a' ? [...keys].sort((a, b) => compareBytes(a.pubkey, b.pubkey)) : keys;
  const parts = ordered.flatMap((k, i) => [pushData(k.pubkey), Uint8Array.of(i === 0 ? OP_CHECKSIG : OP_CHECKSIGADD)]);
  return { script: concatBytes(...parts, pushNumber(leaf.threshold), Uint8Array.of(OP_NUMEQUAL)), keys };
}

function buildTree(tree: TreeExpression, at: Position, leafKeys: DerivedKey[][]): TapTree {
  if (!isTreeLeaf(tree)) return [buildTree(tree[0], at, leafKeys), buildTree(tree[1], at, leafKeys)];
  const { script, keys } = leafScript(tree, at);
  leafKeys.push(keys);
  return { script };
}

interface Built {
  script: Uint8Array;
  keys: DerivedKey[];
  redeemScript?: Uint8Array;
  witnessScript?: Uint8Array;
  taproot?: TaprootOutput & { leafKeys: DerivedKey[][] };
}

function build(expr: ScriptExpression, at: Position): Built {
  switch (expr.type) {
    case 'pk': {
      const k = resolveKey(expr.key, at);
      return { script: concatBytes(pushData(k.pubkey), Uint8Array.of(OP_CHECKSIG)), keys: [k] };
    }
    case 'pkh': {
      const k = resolveKey(expr.key, at);
      return { script: pkhScript(k.pubkey), keys: [k] };
    }
    case 'wpkh': {
      const k = resolveKey(expr.key, at);
      return { script: concatBytes(Uint8Array.of(OP_0), pushData(hash160(k.pubkey))), keys: [k] };
    }
    case 'multi':
    case 'sortedmulti': {
      const keys = expr.keys.map((k) => resolveKey(k, at));
      const ordered = expr.type === 'sortedmulti' ? keys.map((k) => k.pubkey).sort(compareBytes) : keys.map((k) => k.pubkey);
      return { script: multisigScript(expr.threshold, ordered), keys };
    }
    case 'sh': {
      const inner = build(expr.inner, at);
      return {
        script: concatBytes(Uint8Array.of(OP_HASH160), pushData(hash160(inner.script)), Uint8Array.of(OP_EQUAL)),
        keys: inner.keys,
        redeemScript: inner.script,
        ...(inner.witnessScript && { witnessScript: inner.witnessScript }),
      };
    }
    case 'wsh': {
      const inner = build(expr.inner, at);
      return { script: concatBytes(Uint8Array.of(OP_0), pushData(sha256(inner.script))), keys: inner.keys, witnessScript: inner.script };
    }
    case 'tr': {
      const internal = asXOnly(resolveKey(expr.internalKey, at));
      const leafKeys: DerivedKey[][] = [];
      const tree = expr.tree ? buildTree(expr.tree, at, leafKeys) : undefined;
      const output = taprootOutput(internal.pubkey, tree);
      return { script: output.scriptPubKey, keys: [internal, ...leafKeys.flat()], taproot: { ...output, leafKeys } };
    }
    case 'rawtr': {
      // rawtr(): the key is the output key itself, untweaked.
      const k = asXOnly(resolveKey(expr.key, at));
      return { script: concatBytes(Uint8Array.of(OP_1), pushData(k.pubkey)), keys: [k] };
    }
    case 'raw':
      return { script: expr.script, keys: [] };
    case 'addr':
      return { script: expr.scriptPubKey, keys: [] };
  }
}

/** Whether the descriptor has a `/*` wildcard (then `index` selects the child). */
export function isRangedDescriptor(descriptor: Descriptor): boolean {
  return scriptKeys(descriptor.script).some(isRangedKey);
}

/** Number of BIP389 branches (1 without multipath steps). */
export function multipathBranches(descriptor: Descriptor): number {
  return Math.max(1, ...scriptKeys(descriptor.script).flatMap(multipathLengths));
}

function addressOf(script: Uint8Array, descriptor: Descriptor): string | undefined {
  try {
    return scriptPubKeyToAddress(script, descriptor.network);
  } catch (err) {
    if (err instanceof DecodeError && err.code === 'SCRIPT_NO_ADDRESS') return undefined;
    throw err;
  }
}

/** The output a descriptor describes at `index` / `branch`. */
export function deriveDescriptor(descriptor: Descriptor, options: DeriveOptions = {}): DerivedOutput {
  const { index, branch, aggregate } = options;
  if (index !== undefined && (!Number.isInteger(index) || index < 0 || index >= HARDENED)) {
    throw new RangeError(`"index" expected an integer in 0..2^31-1, got ${index}`);
  }
  const branches = multipathBranches(descriptor);
  if (branches > 1 && branch === undefined) throw new RangeError(`"branch" is required: the descriptor has ${branches} multipath branches`);
  if (branch !== undefined && (!Number.isInteger(branch) || branch < 0 || branch >= branches)) {
    throw new RangeError(`"branch" expected an integer in 0..${branches - 1}, got ${branch}`);
  }
  const built = build(descriptor.script, { index, branch: branch ?? 0, network: descriptor.network, ...(aggregate && { aggregate }) });
  const address = addressOf(built.script, descriptor);
  return {
    scriptPubKey: built.script,
    ...(address !== undefined && { address }),
    ...(built.redeemScript && { redeemScript: built.redeemScript }),
    ...(built.witnessScript && { witnessScript: built.witnessScript }),
    ...(built.taproot && { taproot: built.taproot }),
    keys: built.keys,
  };
}
