/**
 * BIP327 signing: session context, Sign, PartialSigVerify, PartialSigAgg and DeterministicSign.
 * https://github.com/bitcoin/bips/blob/master/bip-0327.mediawiki#signing
 *
 * The arithmetic is `@scure/btc-signer/musig2.js` (its `Session` caches b, R and e); this module
 * validates everything a peer or coordinator can get wrong first, so failures surface as
 * `MusigError` with the BIP's blame instead of library messages.
 *
 * Nonce reuse is impossible by construction. `partialSign` takes a `SecretNonce` (nonce.ts) and
 * consumes it before computing: a second call with the same object fails with
 * NONCE_ALREADY_USED, and a failed attempt also burns the nonce (the BIP's reference zeroes it
 * first too). Durability is the caller's, through `commit`: it runs synchronously after the
 * partial signature is computed and *before* it is returned, so a store (better-sqlite3 is
 * synchronous) can, in ONE transaction, mark the persisted secnonce used — failing if it already
 * was — and record the partial signature. If `commit` throws, the partial signature is dropped and
 * never leaves this function; only one partial signature per nonce can ever be released.
 *
 * Not here: key aggregation (keyagg.ts), nonce generation (nonce.ts), transport (psbt-fields.ts).
 */
import { equalBytes } from '@noble/curves/utils.js';
import { deterministicSign as scureDeterministicSign, InvalidContributionErr, Session } from '@scure/btc-signer/musig2.js';
import { expectBytes, expectBytesList, MusigError } from './errors.js';
import { individualPubkey, type KeyAggContext } from './keyagg.js';
import { _isAggNonce, _isPubNonce, nonceAgg, SecretNonce } from './nonce.js';

/** BIP327 session context: who signs (with which tweaks), the aggregate nonce and the message. */
export interface SigningSession {
  readonly keyAgg: KeyAggContext;
  /** 66-byte aggregate nonce. */
  readonly aggNonce: Uint8Array;
  readonly message: Uint8Array;
}

// The scure Session behind each of our session objects; a WeakMap keeps it out of the public shape.
const inner = new WeakMap<SigningSession, Session>();

function scureSession(session: SigningSession): Session {
  const s = inner.get(session);
  if (s === undefined) throw new TypeError('"session" expected a SigningSession from createSession()');
  return s;
}

/**
 * Builds the session context. The aggnonce comes from the coordinator (or from `nonceAgg`); if
 * either half is neither a point nor infinity it is INVALID_CONTRIBUTION 'aggnonce' with no signer.
 */
export function createSession(keyAgg: KeyAggContext, aggNonce: Uint8Array, message: Uint8Array): SigningSession {
  expectBytes('aggNonce', aggNonce);
  expectBytes('message', message);
  if (!_isAggNonce(aggNonce)) throw MusigError.contribution(null, 'aggnonce');
  const session: SigningSession = Object.freeze({ keyAgg, aggNonce: aggNonce.slice(), message: message.slice() });
  let s: Session;
  try {
    // scure re-runs KeyAgg from the keys and tweaks; a context from keyAgg() always passes.
    s = new Session(
      session.aggNonce,
      [...keyAgg.publicKeys],
      session.message,
      keyAgg.tweaks.map((t) => t.tweak),
      keyAgg.tweaks.map((t) => t.xOnly),
    );
  } catch (err) {
    if (err instanceof InvalidContributionErr) throw MusigError.contribution(err.idx, 'pubkey');
    throw err;
  }
  inner.set(session, s);
  return session;
}

function requireSigner(keyAgg: KeyAggContext, publicKey: Uint8Array): void {
  if (!keyAgg.publicKeys.some((k) => equalBytes(k, publicKey))) {
    throw new MusigError('SIGNER_NOT_IN_SESSION', "The signer's pubkey must be included in the list of pubkeys.");
  }
}

/**
 * BIP327 Sign. Consumes `secretNonce` (see the module header), then returns the 32-byte partial
 * signature — after `commit(psig)` has returned, when given.
 */
export function partialSign(
  session: SigningSession,
  secretNonce: SecretNonce,
  secretKey: Uint8Array,
  commit?: (partialSig: Uint8Array) => void,
): Uint8Array {
  const s = scureSession(session);
  const secnonce = SecretNonce._consume(secretNonce);
  try {
    const publicKey = individualPubkey(secretKey);
    if (!equalBytes(publicKey, secnonce.subarray(64))) {
      throw new MusigError('SECNONCE_PUBKEY_MISMATCH', 'Public key does not match nonce_gen argument');
    }
    requireSigner(session.keyAgg, publicKey);
    const psig = s.sign(secnonce, secretKey);
    commit?.(psig.slice());
    return psig;
  } finally {
    secnonce.fill(0);
  }
}

/**
 * BIP327 PartialSigVerify for participant `signerIndex` (an index into `keyAgg.publicKeys`), given
 * every participant's pubnonce in the same order. Returns false for a wrong partial signature —
 * including one of the wrong length or not below n. Throws INVALID_CONTRIBUTION 'pubnonce' for a
 * malformed nonce and AGGNONCE_MISMATCH if the nonces do not aggregate to the session's aggnonce.
 */
export function partialSigVerify(
  session: SigningSession,
  partialSig: Uint8Array,
  pubNonces: readonly Uint8Array[],
  signerIndex: number,
): boolean {
  const s = scureSession(session);
  expectBytes('partialSig', partialSig);
  expectBytesList('pubNonces', pubNonces);
  const count = session.keyAgg.publicKeys.length;
  if (pubNonces.length !== count) throw new RangeError(`"pubNonces" expected ${count} nonces, got ${pubNonces.length}`);
  if (!Number.isSafeInteger(signerIndex) || signerIndex < 0 || signerIndex >= count) {
    throw new RangeError(`"signerIndex" expected integer in [0, ${count}), got ${signerIndex}`);
  }
  if (!equalBytes(nonceAgg(pubNonces), session.aggNonce)) {
    throw new MusigError('AGGNONCE_MISMATCH', '"pubNonces" do not aggregate to the session aggnonce');
  }
  if (partialSig.length !== 32) return false;
  return s.partialSigVerify(partialSig, [...pubNonces], signerIndex);
}

/**
 * BIP327 PartialSigAgg: the 64-byte BIP340 signature for `keyAgg.xOnlyKey`, from one partial
 * signature per participant in key order. A partial signature that is not a 32-byte scalar below n
 * is INVALID_CONTRIBUTION 'psig' blaming its index. Aggregation does not verify: call
 * `partialSigVerify` on each first when you need to know who to blame for a bad final signature.
 */
export function partialSigAgg(session: SigningSession, partialSigs: readonly Uint8Array[]): Uint8Array {
  const s = scureSession(session);
  expectBytesList('partialSigs', partialSigs);
  const count = session.keyAgg.publicKeys.length;
  if (partialSigs.length !== count) throw new RangeError(`"partialSigs" expected ${count} signatures, got ${partialSigs.length}`);
  partialSigs.forEach((p, i) => {
    if (p.length !== 32) throw MusigError.contribution(i, 'psig');
  });
  try {
    return s.partialSigAgg([...partialSigs]);
  } catch (err) {
    if (err instanceof InvalidContributionErr) throw MusigError.contribution(err.idx, 'psig');
    throw err;
  }
}

export interface DeterministicSignInput {
  secretKey: Uint8Array;
  /** 66 bytes: NonceAgg of every *other* signer's pubnonce. */
  aggOtherNonce: Uint8Array;
  keyAgg: KeyAggContext;
  message: Uint8Array;
  /** Optional 32 bytes of auxiliary randomness. */
  rand?: Uint8Array;
}

/**
 * BIP327 DeterministicSign, for a signer that must not keep nonce state: it speaks last, after
 * all other pubnonces are known, and derives its nonce from them. Returns its pubnonce and partial
 * signature. An aggothernonce that is not two valid points is INVALID_CONTRIBUTION
 * 'aggothernonce' with no signer to blame.
 */
export function deterministicSign(input: DeterministicSignInput): { pubNonce: Uint8Array; partialSig: Uint8Array } {
  const { secretKey, aggOtherNonce, keyAgg, message, rand } = input;
  expectBytes('aggOtherNonce', aggOtherNonce);
  expectBytes('message', message);
  if (rand !== undefined) expectBytes('rand', rand, 32);
  const publicKey = individualPubkey(secretKey);
  if (!_isPubNonce(aggOtherNonce)) throw MusigError.contribution(null, 'aggothernonce');
  requireSigner(keyAgg, publicKey);
  const { publicNonce, partialSig } = scureDeterministicSign(
    secretKey,
    aggOtherNonce,
    [...keyAgg.publicKeys],
    message,
    keyAgg.tweaks.map((t) => t.tweak),
    keyAgg.tweaks.map((t) => t.xOnly),
    rand,
  );
  return { pubNonce: publicNonce, partialSig };
}
