/**
 * SharedAccountError: the typed refusal of a shared-account operation — a policy that cannot be
 * built, a PSBT that is not for this account, or a signing step that would be unsafe (reusing a
 * secret nonce) or premature (a nonce or signature still missing).
 *
 * `code` is what callers branch on; `participant` names the co-signer to blame or to wait for
 * (index in the account's canonical participant order), `input` the PSBT input, when known.
 * Not here: untrusted text that does not parse (key cards, setup files, PSBTs) — that is
 * DecodeError (core/bitcoin/errors.ts); BIP327 failures inside one session are MusigError.
 */

export type SharedErrorCode =
  /** Threshold, participants or recovery delay outside what Tapdesk builds. */
  | 'INVALID_POLICY'
  /** This wallet's key is not part of the account (or of the chosen signing path). */
  | 'NOT_A_PARTICIPANT'
  /** A PSBT input does not spend an output of this account. */
  | 'WRONG_ACCOUNT'
  /** A PSBT shape Tapdesk does not coordinate (several leaf scripts, a leaf it does not know). */
  | 'UNSUPPORTED_PSBT'
  /** A signer chose a set that is neither all participants nor exactly the threshold. */
  | 'INVALID_SIGNERS'
  /** Round 2 needs every signer's public nonce first. */
  | 'NONCE_MISSING'
  /** Our public nonce in the PSBT is not one this wallet made for this session (tampered, or another round). */
  | 'NONCE_MISMATCH'
  /** Our secret nonce for this session already produced a partial signature: a replayed request. */
  | 'NONCE_REUSED'
  /** Our secret nonce was discarded (Tapdesk restarted, or the round was cancelled): a new nonce round is needed. */
  | 'NONCE_DISCARDED'
  /** The transaction changed since our nonce was made for it. */
  | 'MESSAGE_CHANGED'
  /** A co-signer's public nonce is not two valid points. */
  | 'INVALID_NONCE'
  /** A co-signer's partial signature or script signature does not verify. */
  | 'INVALID_SIGNATURE'
  /** Finalizing before every needed signature is there. */
  | 'INCOMPLETE'
  /** The recovery path's timelock has not passed yet (no coin old enough, or the date/height not reached). */
  | 'TIMELOCK_NOT_MET';

export class SharedAccountError extends Error {
  override readonly name = 'SharedAccountError';
  readonly participant: number | null;
  readonly input: number | null;

  constructor(
    readonly code: SharedErrorCode,
    message: string,
    where: { participant?: number | null; input?: number | null } = {},
  ) {
    super(message);
    this.participant = where.participant ?? null;
    this.input = where.input ?? null;
  }
}
