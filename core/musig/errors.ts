/**
 * MusigError: the typed failure of a MuSig2 operation, and the argument checks shared by the
 * `core/musig` modules.
 *
 * BIP327 distinguishes two kinds of failure (https://github.com/bitcoin/bips/blob/master/bip-0327.mediawiki):
 * - an *invalid contribution*: a value some other participant sent (pubkey, pubnonce, psig, or the
 *   coordinator's aggnonce / aggothernonce) is malformed. `signer` names the participant by its index
 *   in the caller's ordering (`null` when nobody specific can be blamed), so the wallet can abort
 *   and tell the user *who* misbehaved (identifiable abort);
 * - a *value error*: our own inputs are unusable (tweak out of range, secret nonce already spent, …).
 *
 * Callers branch on `code`, never on `message`. Wrong argument *types or lengths* from our own code
 * are programming errors and stay built-in `TypeError`/`RangeError` with the argument named.
 * Not here: decoding errors of PSBTs or descriptors (those are `DecodeError`, core/bitcoin/errors.ts).
 */

export type Contribution = 'pubkey' | 'pubnonce' | 'psig' | 'aggnonce' | 'aggothernonce';

export type MusigErrorCode =
  /** Another participant's value is malformed; see `signer` and `contrib`. */
  | 'INVALID_CONTRIBUTION'
  /** BIP327 ApplyTweak: "The tweak must be less than n." */
  | 'TWEAK_OUT_OF_RANGE'
  /** BIP327 ApplyTweak: "The result of tweaking cannot be infinity." */
  | 'TWEAK_INFINITY'
  /** BIP327 GetSessionKeyAggCoeff: the signer's pubkey is not one of the session's pubkeys. */
  | 'SIGNER_NOT_IN_SESSION'
  /** The secret key is not a scalar in [1, n). */
  | 'INVALID_SECRET_KEY'
  /** A serialized secret nonce holds k1 or k2 outside [1, n) (BIP327 Sign; may indicate reuse). */
  | 'INVALID_SECNONCE'
  /** The secret key does not belong to the pubkey the secret nonce was generated for. */
  | 'SECNONCE_PUBKEY_MISMATCH'
  /** This SecretNonce object has already been consumed by a signing attempt. */
  | 'NONCE_ALREADY_USED'
  /** The public nonces given for verification do not aggregate to the session's aggnonce. */
  | 'AGGNONCE_MISMATCH';

export class MusigError extends Error {
  override readonly name = 'MusigError';
  /** Index of the participant to blame, for INVALID_CONTRIBUTION; `null` when nobody is blamed. */
  readonly signer: number | null;
  /** What the blamed participant contributed, for INVALID_CONTRIBUTION; `null` otherwise. */
  readonly contrib: Contribution | null;

  constructor(
    readonly code: MusigErrorCode,
    message: string,
    blame?: { signer: number | null; contrib: Contribution },
  ) {
    super(message);
    this.signer = blame?.signer ?? null;
    this.contrib = blame?.contrib ?? null;
  }

  static contribution(signer: number | null, contrib: Contribution): MusigError {
    const who = signer === null ? 'the coordinator' : `signer ${signer}`;
    return new MusigError('INVALID_CONTRIBUTION', `invalid ${contrib} contributed by ${who}`, { signer, contrib });
  }
}

/** Throws a TypeError/RangeError naming `field` unless `value` is a Uint8Array of one of `lengths` (any length if none). */
export function expectBytes(field: string, value: unknown, ...lengths: number[]): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw new TypeError(`"${field}" expected Uint8Array, got ${value === null ? 'null' : typeof value}`);
  }
  if (lengths.length > 0 && !lengths.includes(value.length)) {
    throw new RangeError(`"${field}" expected ${lengths.join(' or ')} bytes, got ${value.length}`);
  }
}

/** Throws a TypeError/RangeError naming `field` unless `value` is an array of byte strings of one of `lengths`. */
export function expectBytesList(field: string, value: unknown, ...lengths: number[]): asserts value is Uint8Array[] {
  if (!Array.isArray(value)) throw new TypeError(`"${field}" expected array, got ${typeof value}`);
  value.forEach((item, i) => expectBytes(`${field}[${i}]`, item, ...lengths));
}
