/**
 * Reads a shared-account PSBT back into what each input needs signed: which coin of the account
 * it spends (chain and index, re-derived from the descriptor and checked against the spent
 * script), along which path, the BIP341 message, and the signing session — a MuSig2 KeyAgg
 * context with its BIP373 keys, or the keys of a plain script-path leaf.
 *
 * The path is the proposer's choice, from the input's Tapdesk spend-path record (proposal.ts);
 * without one, no PSBT_IN_TAP_LEAF_SCRIPT means the key path and exactly one means that leaf.
 * Anything else, or a leaf or coin that is not this account's, is a SharedAccountError
 * (UNSUPPORTED_PSBT, WRONG_ACCOUNT). Only SIGHASH_DEFAULT is signed.
 *
 * Not here: building PSBTs (proposal.ts), nonces and signatures (signing.ts).
 * Spec: BIP341 signature message, BIP371 fields, BIP373 MuSig2 fields, BIP328 derivation.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import type { Transaction } from '@scure/btc-signer';
import type { TransactionInput } from '@scure/btc-signer/psbt.js';
import { compareBytes } from '@scure/btc-signer/utils.js';
import type { DerivedKey, DerivedOutput, KeyOrigin } from '../../bitcoin/descriptor/index.js';
import { HARDENED } from '../../bitcoin/hdkey.js';
import { inputPrevout } from '../../bitcoin/psbt.js';
import { TAPSCRIPT_LEAF_VERSION, type TaprootLeafOutput } from '../../bitcoin/taproot.js';
import { musigSigningContext } from '../descriptor.js';
import { applyTaprootTweak, type KeyAggContext } from '../keyagg.js';
import { SharedAccountError } from './errors.js';
import type { KeyCard } from './key-card.js';
import { leafRoles, type SharedPolicy } from './policy.js';
import { recordedSpendPath } from './proposal.js';
import type { SpendPath } from './spend-path.js';

const SIGHASH_DEFAULT = 0;

/** Derives the account's output at chain/index (the wallet's Account does, with a cache). */
export interface AccountOutputs {
  output(chain: 0 | 1, index: number): DerivedOutput;
}

export interface SharedContext {
  readonly policy: SharedPolicy;
  readonly outputs: AccountOutputs;
  /** Chain/index of a scriptPubKey (hex) the wallet knows, for PSBTs without derivation fields. */
  readonly locate?: (scriptPubKeyHex: string) => { chain: 0 | 1; index: number } | undefined;
}

export interface MusigSession {
  /** Participant indices (canonical order = KeySort order = BIP373 participant order). */
  readonly signers: readonly number[];
  readonly participantKeys: readonly Uint8Array[];
  /** 33-byte untweaked aggregate of `participantKeys`: the BIP373 participants key. */
  readonly aggregateKey: Uint8Array;
  /** Signing context: BIP328 derivation tweaks, plus the TapTweak on the key path. */
  readonly keyAgg: KeyAggContext;
  /** 33-byte key being signed for (`keyAgg.plainKey`): the BIP373 nonce and partial signature key. */
  readonly signingKey: Uint8Array;
  readonly leafHash: Uint8Array | null;
}

export interface PlainKey {
  /** Participant index, or 'recovery' for a recovery key that is not a participant's. */
  readonly who: number | 'recovery';
  readonly xOnly: Uint8Array;
  readonly origin: KeyOrigin;
}

export interface PlainSession {
  /** Signatures the leaf needs: 1 for recovery, k for sortedmulti_a. */
  readonly threshold: number;
  /** The leaf's keys in script order. */
  readonly keys: readonly PlainKey[];
}

export interface InputPlan {
  readonly input: number;
  readonly chain: 0 | 1;
  readonly index: number;
  readonly output: DerivedOutput;
  readonly path: SpendPath;
  /** The leaf being satisfied, null on the key path. */
  readonly leaf: TaprootLeafOutput | null;
  /** BIP341 signature message (SIGHASH_DEFAULT) every signer of this input signs. */
  readonly message: Uint8Array;
  readonly musig: MusigSession | null;
  readonly plain: PlainSession | null;
}

function wrongAccount(input: number, message: string): never {
  throw new SharedAccountError('WRONG_ACCOUNT', `input ${input}: ${message}`, { input });
}

function unsupported(input: number, message: string): never {
  throw new SharedAccountError('UNSUPPORTED_PSBT', `input ${input}: ${message}`, { input });
}

/** The coin an input spends: chain/index from its derivation fields or the wallet, checked by re-deriving. */
function locateInput(ctx: SharedContext, input: TransactionInput, i: number): { chain: 0 | 1; index: number; output: DerivedOutput } {
  const prev = inputPrevout(input);
  if (!prev) wrongAccount(i, 'has no UTXO record, so it cannot be checked against this account');
  const candidates: { chain: number; index: number }[] = [];
  for (const [, { der }] of input.tapBip32Derivation ?? []) {
    const [chain, index] = der.path.slice(-2);
    if (chain !== undefined && index !== undefined) candidates.push({ chain, index });
  }
  const known = ctx.locate?.(bytesToHex(prev.script));
  if (known) candidates.push(known);
  for (const c of candidates) {
    if ((c.chain !== 0 && c.chain !== 1) || c.index < 0 || c.index >= HARDENED) continue;
    const output = ctx.outputs.output(c.chain, c.index);
    if (equalBytes(output.scriptPubKey, prev.script)) return { chain: c.chain, index: c.index, output };
  }
  wrongAccount(i, 'does not spend an address of this shared account');
}

function pathOf(ctx: SharedContext, input: TransactionInput, i: number, output: DerivedOutput): SpendPath {
  const { policy } = ctx;
  const leaves = output.taproot?.leaves ?? [];
  const recorded = recordedSpendPath(input);
  let leaf: number;
  if (recorded === 'invalid') unsupported(i, 'has a Tapdesk spend-path record that is neither the key path nor a leaf hash');
  if (recorded === 'key') return { kind: 'key', signers: policy.participants.map((_, j) => j) };
  if (recorded) {
    leaf = leaves.findIndex((l) => equalBytes(l.leafHash, recorded));
    if (leaf < 0) unsupported(i, 'names a spend path that is not one of this account\'s leaves');
  } else {
    // Made elsewhere: no leaf script means the key path, exactly one names its leaf.
    const scripts = input.tapLeafScript ?? [];
    if (scripts.length === 0) return { kind: 'key', signers: policy.participants.map((_, j) => j) };
    if (scripts.length > 1) unsupported(i, `carries ${scripts.length} leaf scripts and no Tapdesk spend-path record, so which path to sign is unknown`);
    const withVersion = scripts[0]![1];
    const script = withVersion.subarray(0, -1);
    leaf = leaves.findIndex((l) => equalBytes(l.script, script) && l.leafVersion === withVersion[withVersion.length - 1]);
    if (leaf < 0) unsupported(i, 'spends a leaf script that is not one of this account\'s leaves');
  }
  const role = leafRoles(policy)[leaf]!;
  if (role.kind === 'musig') return { kind: 'musig-leaf', leaf, signers: role.signers };
  return role.kind === 'multi' ? { kind: 'multi-leaf', leaf } : { kind: 'recovery', leaf };
}

// KeyAgg contexts per derived key object: an Account caches its outputs, so every later plan of the
// same coin skips the aggregations (each KeyAgg and each tweak re-aggregates all keys).
const contexts = new WeakMap<DerivedKey, { derived: KeyAggContext; keyPath?: KeyAggContext }>();

function signingContext(key: DerivedKey, keyPath: boolean, merkleRoot: Uint8Array | undefined): { derived: KeyAggContext; keyAgg: KeyAggContext } {
  let cached = contexts.get(key);
  if (!cached) {
    cached = { derived: musigSigningContext(key) };
    contexts.set(key, cached);
  }
  if (!keyPath) return { derived: cached.derived, keyAgg: cached.derived };
  cached.keyPath ??= applyTaprootTweak(cached.derived, merkleRoot);
  return { derived: cached.derived, keyAgg: cached.keyPath };
}

function musigSession(key: DerivedKey, signers: readonly number[], merkleRoot: Uint8Array | undefined, keyPath: boolean, leafHash: Uint8Array | null): MusigSession {
  const { derived, keyAgg } = signingContext(key, keyPath, merkleRoot);
  // BIP390 aggregates in KeySort order, which is also the canonical participant order.
  return { signers, participantKeys: derived.publicKeys, aggregateKey: key.musig!.aggregate, keyAgg, signingKey: keyAgg.plainKey, leafHash };
}

function plainSession(policy: SharedPolicy, path: SpendPath, chain: 0 | 1, index: number, keys: DerivedKey[]): PlainSession {
  const owns = (card: KeyCard, key: DerivedKey) => equalBytes(card.key.key.derive([chain, index]).xOnlyPublicKey, key.pubkey);
  const who = (key: DerivedKey): number | 'recovery' => {
    const p = policy.participants.findIndex((c) => owns(c, key));
    return p >= 0 ? p : 'recovery';
  };
  // sortedmulti_a orders its keys by their x-only bytes in the script.
  const ordered = path.kind === 'multi-leaf' ? [...keys].sort((a, b) => compareBytes(a.pubkey, b.pubkey)) : keys;
  return { threshold: path.kind === 'recovery' ? 1 : policy.threshold, keys: ordered.map((k) => ({ who: who(k), xOnly: k.pubkey, origin: k.origin })) };
}

/** BIP341 sighash of input `i` (SIGHASH_DEFAULT), for the key path or for `leaf`. */
export function signatureMessage(tx: Transaction, i: number, leaf: TaprootLeafOutput | null): Uint8Array {
  const scripts: Uint8Array[] = [];
  const amounts: bigint[] = [];
  for (let j = 0; j < tx.inputsLength; j++) {
    const prev = inputPrevout(tx.getInput(j));
    if (!prev) wrongAccount(j, 'has no UTXO record; a taproot signature commits to every spent output');
    scripts.push(prev.script);
    amounts.push(prev.amount);
  }
  return leaf
    ? tx.preimageWitnessV1(i, scripts, SIGHASH_DEFAULT, amounts, -1, leaf.script, leaf.leafVersion)
    : tx.preimageWitnessV1(i, scripts, SIGHASH_DEFAULT, amounts);
}

/** One plan per input; every input must be this account's. */
export function planInputs(tx: Transaction, ctx: SharedContext): InputPlan[] {
  const plans: InputPlan[] = [];
  for (let i = 0; i < tx.inputsLength; i++) {
    const input = tx.getInput(i);
    if (input.sighashType !== undefined && input.sighashType !== SIGHASH_DEFAULT) unsupported(i, `asks for sighash type ${input.sighashType}; shared accounts sign SIGHASH_DEFAULT only`);
    const { chain, index, output } = locateInput(ctx, input, i);
    const path = pathOf(ctx, input, i, output);
    const taproot = output.taproot!;
    const leaf = path.kind === 'key' ? null : taproot.leaves[path.leaf]!;
    if (leaf && leaf.leafVersion !== TAPSCRIPT_LEAF_VERSION) unsupported(i, 'spends a leaf that is not tapscript');
    const message = signatureMessage(tx, i, leaf);
    let musig: MusigSession | null = null;
    let plain: PlainSession | null = null;
    if (path.kind === 'key') musig = musigSession(output.keys[0]!, path.signers, taproot.merkleRoot, true, null);
    else if (path.kind === 'musig-leaf') musig = musigSession(taproot.leafKeys[path.leaf]![0]!, path.signers, undefined, false, leaf!.leafHash);
    else plain = plainSession(ctx.policy, path, chain, index, taproot.leafKeys[path.leaf]!);
    plans.push({ input: i, chain, index, output, path, leaf, message, musig, plain });
  }
  return plans;
}

/** A stable id for one signer's part in one session of one transaction (binds a stored nonce to it). */
export function sessionId(txid: string, plan: InputPlan, participantKey: Uint8Array): string {
  const s = plan.musig!;
  const input = new Uint8Array(4);
  new DataView(input.buffer).setUint32(0, plan.input);
  return bytesToHex(sha256(concatBytes(new TextEncoder().encode(txid), input, s.signingKey, s.leafHash ?? new Uint8Array(0), participantKey)));
}
