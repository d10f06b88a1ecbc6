/**
 * The closed set of error codes a caller of the API can receive, and the error value itself.
 * Errors cross process boundaries as data: `{ code, message }`, where the message says what
 * happened and what to do.
 */
import { z } from 'zod';

export const ErrorCode = z.enum([
  'INVALID_PARAMS', // params failed the method's schema; message names the field
  'UNKNOWN_METHOD',
  'INVALID_INPUT', // well-formed params carrying bad data: address, PSBT, invoice, descriptor…
  'NOT_FOUND',
  'CONFLICT', // the request contradicts current state (already exists, already spent…)
  'WALLET_LOCKED',
  'WRONG_PASSPHRASE',
  'INSUFFICIENT_FUNDS',
  'CHAIN_UNAVAILABLE', // the chain backend cannot be reached or is misconfigured
  'CHAIN_REJECTED', // the network refused a transaction
  'STORE_ERROR', // the database is corrupt, newer, locked or unwritable
  'UNAUTHORIZED', // transport: missing or wrong token
  'UNAVAILABLE', // the feature or backend is not available in this build or mode
  'INTERNAL',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ApiErrorShape = z.object({
  code: ErrorCode,
  message: z.string(),
});
export type ApiErrorShape = z.infer<typeof ApiErrorShape>;

/** Thrown by handlers; the server turns it into `{ code, message }` for the caller. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
  toJSON(): ApiErrorShape {
    return { code: this.code, message: this.message };
  }
}
