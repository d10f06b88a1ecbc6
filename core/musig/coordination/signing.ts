/**
 * The signing rounds of a shared-account PSBT, with no coordinator: every step reads the PSBT,
 * adds this participant's part, and hands the PSBT on (file, paste or QR).
 *
 * - Round 1, `addNonces`: a fresh BIP327 nonce per MuSig2 session we sign in (NonceGen with our
 *   key, the aggregate and the message mixed in), remembered by the NonceKeeper *before* its
 *   public half is written into the PSBT (BIP373 PSBT_IN_MUSIG2_PUB_NONCE).
 * - Round 2, `signRound`: once every signer's nonce is there, a partial signature per session
 *   (PSBT_IN_MUSIG2_PARTIAL_SIG); plain script-path leaves (recovery, sortedmulti_a) get a BIP340
 *   signature (PSBT_IN_TAP_SCRIPT_SIG) — they need no nonce round.
 * - `finalizeInputs`: any participant verifies every partial signature (blaming the one that
 *   fails), aggregates, checks the BIP340 signature and writes the final witness.
 *
 * Nonce safety, the rule this module enforces with the keeper: a secret nonce signs at most once,
 * ever. Everything that could refuse is checked for every input before any partial signature is
 * made; each partial signature leaves `partialSign` only after `keeper.commitUsed` has durably
 * marked its nonce used (one transaction), so a replay, a restarted process, a cancelled round or
 * a tampered PSBT is a typed SharedAccountError and nothing is signed. A nonce that can no longer
 * sign (used, discarded, unknown) is replaced by a new one in round 1, which also drops that
 * session's partial signatures: they were made for the old aggregate nonce.
 *
 * Not here: reading plans from the PSBT (input-plan.ts), storage (core/store/shared-store.ts).
 * Spec: BIP327 (MuSig2), BIP373 (PSBT fields), BIP340/341/342 (signatures, script path).
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { equalBytes } from '@noble/curves/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { PSBTInputFinalKeys, type TransactionInputUpdate } from '@scure/btc-signer/psbt.js';
import type { ExtendedKey } from '../../bitcoin/hdkey.js';
import { PsbtError, updatePsbtInput } from '../../bitcoin/psbt.js';
import { privateKeySchnorrSigner, signTaprootScriptPath } from '../../bitcoin/psbt-sign.js';
import { MusigError } from '../errors.js';
import { nonceAgg, nonceGen, type SecretNonce } from '../nonce.js';
import { addPartialSig, addPubNonce, inputMusigFields, setParticipants, signingData, type SigningData } from '../psbt-fields.js';
import { createSession, partialSigAgg, partialSign, partialSigVerify, type SigningSession } from '../session.js';
import { SharedAccountError } from './errors.js';
import { sessionId, type InputPlan, type MusigSession, type PlainKey } from './input-plan.js';
import type { SharedPolicy } from './policy.js';

export type NonceState = 'fresh' | 'used' | 'discarded';

/**
 * Where this participant's secret nonces live (the wallet file, sealed to the running process).
 * Every method is synchronous so `commitUsed` can run inside `partialSign`.
 */
export interface NonceKeeper {
  /** Stores a new fresh nonce; durable when it returns, before its public half is shared. */
  remember(record: { pubNonce: Uint8Array; secretNonce: SecretNonce; session: string; txid: string; input: number; message: Uint8Array }): void;
  /** Our fresh nonce for `session`, if one exists (made for another copy of the same PSBT). */
  freshFor(session: string): { pubNonce: Uint8Array; message: Uint8Array } | null;
  /** Discards one fresh nonce (it was made for a message that changed). */
  discard(pubNonce: Uint8Array): void;
  /** What this wallet knows of a public nonce, or null if it never made it. */
  state(pubNonce: Uint8Array): { state: NonceState; session: string; message: Uint8Array } | null;
  /** A one-use copy of the fresh secret nonce; NONCE_REUSED / NONCE_DISCARDED otherwise. */
  take(pubNonce: Uint8Array): SecretNonce;
  /** In one transaction: fresh → used. Throws NONCE_REUSED if it was not fresh (then nothing is released). */
  commitUsed(pubNonce: Uint8Array): void;
  /** Discards fresh nonces of `txid` input `input` made for any other session; returns how many. */
  discardOthers(txid: string, input: number, keepSession: string): number;
}

/** This wallet's keys for the account (private; null when it holds none or is locked). */
export interface MyKeys {
  /** Index in the policy's participants, or null. */
  readonly participant: number | null;
  /** Private extended key of our participant card. */
  readonly participantKey: ExtendedKey | null;
  /** Private extended key of the recovery card, when it is ours. */
  readonly recoveryKey: ExtendedKey | null;
}

export interface ParticipantProgress {
  /** Participant index, or 'recovery' for a recovery key that is no participant's. */
  readonly who: number | 'recovery';
  /** 'signer': needed on this input; 'optional': may sign (any k of the sortedmulti_a leaf); 'idle': not on this path. */
  readonly role: 'signer' | 'optional' | 'idle';
  readonly nonce: boolean;
  readonly partialSig: boolean;
  /** A plain script-path signature (recovery, sortedmulti_a). */
  readonly signature: boolean;
}

export interface InputProgress {
  readonly input: number;
  readonly participants: readonly ParticipantProgress[];
  /** Every signature the path needs is present (or the input is already finalized). */
  readonly complete: boolean;
  /** Our own nonce for this input's session: null when we do not sign it with MuSig2. */
  readonly myNonce: 'none' | NonceState | 'unknown' | null;
}

// ---------------------------------------------------------------- reading

function dataOf(tx: Transaction, plan: InputPlan): SigningData | null {
  const s = plan.musig!;
  return signingData(inputMusigFields(tx.getInput(plan.input)), s.aggregateKey, s.signingKey, s.leafHash);
}

function scriptSigOf(tx: Transaction, plan: InputPlan, key: PlainKey): Uint8Array | null {
  const leafHash = plan.leaf!.leafHash;
  const entry = (tx.getInput(plan.input).tapScriptSig ?? []).find(([k]) => equalBytes(k.pubKey, key.xOnly) && equalBytes(k.leafHash, leafHash));
  return entry ? entry[1] : null;
}

function isFinal(tx: Transaction, i: number): boolean {
  return (tx.getInput(i).finalScriptWitness?.length ?? 0) > 0;
}

/** Who has done what on each input, and where our own nonce stands. */
export function signingProgress(tx: Transaction, plans: readonly InputPlan[], policy: SharedPolicy, me: { participant: number | null; keeper: NonceKeeper | null } = { participant: null, keeper: null }): InputProgress[] {
  const everyone: (number | 'recovery')[] = policy.participants.map((_, i) => i);
  const extraRecovery = policy.recovery && !policy.participants.some((p) => p.text === policy.recovery!.key.text);
  if (extraRecovery) everyone.push('recovery');
  return plans.map((plan) => {
    const final = isFinal(tx, plan.input);
    let myNonce: InputProgress['myNonce'] = null;
    let complete = final;
    let participants: ParticipantProgress[];
    if (plan.musig) {
      const s = plan.musig;
      const data = dataOf(tx, plan);
      participants = everyone.map((who) => {
        const pos = typeof who === 'number' ? s.signers.indexOf(who) : -1;
        if (pos < 0) return { who, role: 'idle', nonce: false, partialSig: false, signature: false };
        return { who, role: 'signer', nonce: !!data?.pubNonces[pos], partialSig: !!data?.partialSigs[pos], signature: false };
      });
      complete ||= !!data && data.partialSigs.every((p) => p !== null);
      const mine = me.participant === null ? -1 : s.signers.indexOf(me.participant);
      if (mine >= 0) {
        const pub = data?.pubNonces[mine] ?? null;
        myNonce = !pub ? 'none' : (me.keeper?.state(pub)?.state ?? 'unknown');
      }
    } else {
      const p = plan.plain!;
      participants = everyone.map((who) => {
        const key = p.keys.find((k) => k.who === who);
        if (!key) return { who, role: 'idle', nonce: false, partialSig: false, signature: false };
        return { who, role: p.threshold === p.keys.length ? 'signer' : 'optional', nonce: false, partialSig: false, signature: !!scriptSigOf(tx, plan, key) };
      });
      complete ||= p.keys.filter((k) => scriptSigOf(tx, plan, k)).length >= p.threshold;
    }
    return { input: plan.input, participants, complete, myNonce };
  });
}

// ---------------------------------------------------------------- round 1

/** Removes our nonce and every partial signature of one session (the aggregate nonce changes). */
function resetSession(tx: Transaction, i: number, s: MusigSession, ourKey: Uint8Array): void {
  const input = tx.getInput(i);
  const inSession = (k: { aggregatePubkey: Uint8Array; leafHash?: Uint8Array }) =>
    equalBytes(k.aggregatePubkey, s.signingKey) && (s.leafHash === null ? k.leafHash === undefined : k.leafHash !== undefined && equalBytes(k.leafHash, s.leafHash));
  const nonces = (input.musig2PubNonce ?? []).filter(([k]) => !(inSession(k) && equalBytes(k.participantPubkey, ourKey)));
  const psigs = (input.musig2PartialSig ?? []).filter(([k]) => !inSession(k));
  updatePsbtInput(tx, i, { musig2PubNonce: undefined, musig2PartialSig: undefined });
  if (nonces.length) updatePsbtInput(tx, i, { musig2PubNonce: nonces });
  if (psigs.length) updatePsbtInput(tx, i, { musig2PartialSig: psigs });
}

function ourPosition(s: MusigSession, me: MyKeys): number {
  return me.participant === null ? -1 : s.signers.indexOf(me.participant);
}

function requireKey(key: ExtendedKey | null, expected: Uint8Array | null): ExtendedKey {
  if (!key?.privateKey) throw new SharedAccountError('NOT_A_PARTICIPANT', 'this wallet holds no private key for the account (unlock the key wallet)');
  if (expected && !equalBytes(key.publicKey, expected)) throw new SharedAccountError('NOT_A_PARTICIPANT', 'the unlocked key is not the one in this account');
  return key;
}

/**
 * Round 1: our nonce for every MuSig2 session we sign in and have not signed yet. A session
 * whose nonce of ours can no longer sign gets a new one (and loses its partial signatures).
 * Returns how many nonces were added.
 */
export function addNonces(tx: Transaction, plans: readonly InputPlan[], me: MyKeys, keeper: NonceKeeper, random: (length: number) => Uint8Array): number {
  const txid = tx.id;
  let added = 0;
  for (const plan of plans) {
    const s = plan.musig;
    if (!s || isFinal(tx, plan.input)) continue;
    const pos = ourPosition(s, me);
    if (pos < 0) continue;
    const ourKey = s.participantKeys[pos]!;
    const key = requireKey(me.participantKey, ourKey);
    const data = dataOf(tx, plan);
    if (data?.partialSigs[pos]) continue;
    const session = sessionId(txid, plan, ourKey);
    const existing = data?.pubNonces[pos];
    if (existing) {
      const known = keeper.state(existing);
      if (known?.state === 'fresh' && known.session === session && equalBytes(known.message, plan.message)) continue;
      resetSession(tx, plan.input, s, ourKey);
    }
    keeper.discardOthers(txid, plan.input, session);
    if (!data) setParticipants(tx, { input: plan.input }, { aggregateKey: s.aggregateKey, participants: [...s.participantKeys] });
    // Another copy of this payment already got our nonce: one session, one nonce — use it here too.
    const made = keeper.freshFor(session);
    if (made && equalBytes(made.message, plan.message)) {
      addPubNonce(tx, plan.input, { participant: ourKey, signingKey: s.signingKey, leafHash: s.leafHash, pubNonce: made.pubNonce });
      added++;
      continue;
    }
    if (made) keeper.discard(made.pubNonce);
    const secretKey = key.privateKey!.slice();
    try {
      const { secretNonce, pubNonce } = nonceGen({
        publicKey: ourKey,
        secretKey,
        aggregateKey: s.keyAgg.xOnlyKey,
        message: plan.message,
        extraIn: new TextEncoder().encode(session),
        random,
      });
      keeper.remember({ pubNonce, secretNonce, session, txid, input: plan.input, message: plan.message });
      addPubNonce(tx, plan.input, { participant: ourKey, signingKey: s.signingKey, leafHash: s.leafHash, pubNonce });
      added++;
    } finally {
      secretKey.fill(0);
    }
  }
  return added;
}

// ---------------------------------------------------------------- round 2

function who(plan: InputPlan, pos: number): number {
  return plan.musig!.signers[pos]!;
}

function aggregateNonce(plan: InputPlan, nonces: Uint8Array[]): Uint8Array {
  try {
    return nonceAgg(nonces);
  } catch (err) {
    if (err instanceof MusigError && err.code === 'INVALID_CONTRIBUTION' && err.signer !== null) {
      const p = who(plan, err.signer);
      throw new SharedAccountError('INVALID_NONCE', `input ${plan.input}: participant ${p}'s public nonce is not valid`, { participant: p, input: plan.input });
    }
    throw err;
  }
}

/** Every signer's nonce, or NONCE_MISSING naming the first one still missing. */
function allNonces(plan: InputPlan, data: SigningData | null): Uint8Array[] {
  const missing = data ? data.pubNonces.findIndex((n) => n === null) : 0;
  if (!data || missing >= 0) {
    const p = who(plan, Math.max(0, missing));
    throw new SharedAccountError('NONCE_MISSING', `input ${plan.input}: waiting for participant ${p}'s nonce (round 1) before anyone can sign`, { participant: p, input: plan.input });
  }
  return data.pubNonces as Uint8Array[];
}

/** Checks the partial signatures already present; INVALID_SIGNATURE blames the first bad one. */
function verifyPartials(plan: InputPlan, session: SigningSession, data: SigningData, nonces: Uint8Array[]): void {
  data.partialSigs.forEach((psig, pos) => {
    if (psig && !partialSigVerify(session, psig, nonces, pos)) {
      const p = who(plan, pos);
      throw new SharedAccountError('INVALID_SIGNATURE', `input ${plan.input}: participant ${p}'s partial signature does not verify`, { participant: p, input: plan.input });
    }
  });
}

interface MusigJob {
  plan: InputPlan;
  session: SigningSession;
  pos: number;
  pubNonce: Uint8Array;
  nonces: Uint8Array[];
}

/** Everything that could refuse our partial signature on one input, checked before signing anything. */
function prepareMusig(tx: Transaction, plan: InputPlan, me: MyKeys, keeper: NonceKeeper, txid: string): MusigJob | null {
  const s = plan.musig!;
  const pos = ourPosition(s, me);
  if (pos < 0 || isFinal(tx, plan.input)) return null;
  const data = dataOf(tx, plan);
  if (data?.partialSigs[pos]) return null;
  const nonces = allNonces(plan, data);
  const pubNonce = nonces[pos]!;
  const where = { participant: who(plan, pos), input: plan.input };
  const known = keeper.state(pubNonce);
  if (!known || known.session !== sessionId(txid, plan, s.participantKeys[pos]!)) {
    throw new SharedAccountError('NONCE_MISMATCH', `input ${plan.input}: the nonce under our key is not one this wallet made for this payment; add a new nonce`, where);
  }
  if (known.state === 'used') throw new SharedAccountError('NONCE_REUSED', `input ${plan.input}: our nonce for this payment already signed once; a second signature would reveal the key, so a new nonce round is needed`, where);
  if (known.state === 'discarded') throw new SharedAccountError('NONCE_DISCARDED', `input ${plan.input}: our nonce was discarded (Tapdesk restarted or the round was cancelled); add a new nonce`, where);
  if (!equalBytes(known.message, plan.message)) throw new SharedAccountError('MESSAGE_CHANGED', `input ${plan.input}: the transaction changed since our nonce was made; add a new nonce`, where);
  const session = createSession(s.keyAgg, aggregateNonce(plan, nonces), plan.message);
  verifyPartials(plan, session, data!, nonces);
  return { plan, session, pos, pubNonce, nonces };
}

function plainKeyFor(plan: InputPlan, me: MyKeys): { key: PlainKey; signer: ExtendedKey } | null {
  const p = plan.plain!;
  for (const key of p.keys) {
    const own = key.who === 'recovery' || plan.path.kind === 'recovery' ? me.recoveryKey : key.who === me.participant ? me.participantKey : null;
    if (!own?.privateKey) continue;
    const child = own.derive([plan.chain, plan.index]);
    if (equalBytes(child.xOnlyPublicKey, key.xOnly)) return { key, signer: child };
    child.wipe();
  }
  return null;
}

/**
 * Round 2: our partial signature on every MuSig2 session whose nonces are all in, and our plain
 * signature on script-path leaves that need our key. Returns how many signatures were added.
 */
export function signRound(tx: Transaction, plans: readonly InputPlan[], me: MyKeys, keeper: NonceKeeper): number {
  const txid = tx.id;
  const jobs = plans.filter((p) => p.musig).map((p) => prepareMusig(tx, p, me, keeper, txid)).filter((j): j is MusigJob => j !== null);
  const plainJobs = plans
    .filter((p) => p.plain && !isFinal(tx, p.input))
    .map((plan) => ({ plan, found: plainKeyFor(plan, me) }))
    .filter((j) => j.found && !scriptSigOf(tx, j.plan, j.found.key));
  let signed = 0;
  for (const job of jobs) {
    const key = requireKey(me.participantKey, job.plan.musig!.participantKeys[job.pos]!);
    const secretKey = key.privateKey!.slice();
    try {
      const psig = partialSign(job.session, keeper.take(job.pubNonce), secretKey, () => keeper.commitUsed(job.pubNonce));
      const s = job.plan.musig!;
      addPartialSig(tx, job.plan.input, { participant: s.participantKeys[job.pos]!, signingKey: s.signingKey, leafHash: s.leafHash, partialSig: psig });
      signed++;
    } finally {
      secretKey.fill(0);
    }
  }
  for (const { plan, found } of plainJobs) {
    const secret = found!.signer.privateKey!.slice();
    try {
      if (signTaprootScriptPath(tx, plan.input, { leafHash: plan.leaf!.leafHash, publicKey: found!.key.xOnly }, privateKeySchnorrSigner(secret)) === 'signed') signed++;
    } finally {
      secret.fill(0);
      found!.signer.wipe();
    }
  }
  return signed;
}

// ---------------------------------------------------------------- finalize

function setFinalWitness(tx: Transaction, i: number, witness: Uint8Array[]): void {
  // BIP174 Input Finalizer: keep only what the extractor needs — signatures included, which is
  // why this bypasses btc-signer's signed-field guard (ignoreSignStatus).
  const update: Record<string, unknown> = { finalScriptWitness: witness };
  for (const key of Object.keys(tx.getInput(i))) if (!(PSBTInputFinalKeys as readonly string[]).includes(key)) update[key] = undefined;
  try {
    tx.updateInput(i, update as TransactionInputUpdate, true);
  } catch (err) {
    throw new PsbtError('PSBT_FINALIZE_FAILED', `input ${i} cannot be finalized: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function musigWitness(tx: Transaction, plan: InputPlan): Uint8Array[] {
  const s = plan.musig!;
  const data = dataOf(tx, plan);
  const nonces = allNonces(plan, data);
  const missing = data!.partialSigs.findIndex((p) => p === null);
  if (missing >= 0) {
    const p = who(plan, missing);
    throw new SharedAccountError('INCOMPLETE', `input ${plan.input}: participant ${p} has not signed yet`, { participant: p, input: plan.input });
  }
  const session = createSession(s.keyAgg, aggregateNonce(plan, nonces), plan.message);
  verifyPartials(plan, session, data!, nonces);
  const signature = partialSigAgg(session, data!.partialSigs as Uint8Array[]);
  if (!schnorr.verify(signature, plan.message, s.keyAgg.xOnlyKey)) {
    throw new SharedAccountError('INVALID_SIGNATURE', `input ${plan.input}: the aggregate signature does not verify`, { input: plan.input });
  }
  return plan.leaf ? [signature, plan.leaf.script, plan.leaf.controlBlock] : [signature];
}

function plainWitness(tx: Transaction, plan: InputPlan): Uint8Array[] {
  const p = plan.plain!;
  const chosen: (Uint8Array | null)[] = p.keys.map(() => null);
  let count = 0;
  p.keys.forEach((key, j) => {
    const sig = scriptSigOf(tx, plan, key);
    if (!sig || count === p.threshold) return;
    if (sig.length !== 64 || !schnorr.verify(sig, plan.message, key.xOnly)) {
      const participant = typeof key.who === 'number' ? key.who : null;
      throw new SharedAccountError('INVALID_SIGNATURE', `input ${plan.input}: the script signature of ${participant === null ? 'the recovery key' : `participant ${participant}`} does not verify`, { participant, input: plan.input });
    }
    chosen[j] = sig;
    count++;
  });
  if (count < p.threshold) throw new SharedAccountError('INCOMPLETE', `input ${plan.input}: ${count} of the ${p.threshold} signatures this leaf needs`, { input: plan.input });
  // The script checks its first key first, so that key's signature sits on top of the stack (last).
  return [...chosen.reverse().map((s) => s ?? new Uint8Array(0)), plan.leaf!.script, plan.leaf!.controlBlock];
}

/** Final witnesses for every input: verified, aggregated MuSig2 signatures or the leaf's script signatures. */
export function finalizeInputs(tx: Transaction, plans: readonly InputPlan[]): void {
  const witnesses = plans.map((plan) => (isFinal(tx, plan.input) ? null : plan.musig ? musigWitness(tx, plan) : plainWitness(tx, plan)));
  witnesses.forEach((w, i) => w && setFinalWitness(tx, plans[i]!.input, w));
}
