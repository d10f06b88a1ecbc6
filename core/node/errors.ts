/** Maps whatever a handler throws onto the API's closed error set, so callers only see `{ code, message }`. */
import type { z } from 'zod';
import { ApiError, type ApiErrorShape } from '../api/errors.js';
import { CoinSelectionError } from '../bitcoin/coin-selection.js';
import { DecodeError } from '../bitcoin/errors.js';
import { PsbtError } from '../bitcoin/psbt.js';
import { MusigError } from '../musig/errors.js';
import { ChainError } from '../chain/source.js';
import { StoreError } from '../store/database.js';

export function toApiError(err: unknown): ApiErrorShape {
  if (err instanceof ApiError) return err.toJSON();
  if (err instanceof DecodeError || err instanceof PsbtError || err instanceof MusigError) return { code: 'INVALID_INPUT', message: err.message };
  if (err instanceof CoinSelectionError) return { code: err.code === 'INSUFFICIENT_FUNDS' ? 'INSUFFICIENT_FUNDS' : 'INVALID_INPUT', message: err.message };
  if (err instanceof StoreError) return { code: 'STORE_ERROR', message: err.message };
  if (err instanceof ChainError) {
    return err.code === 'REJECTED'
      ? { code: 'CHAIN_REJECTED', message: err.message }
      : { code: 'CHAIN_UNAVAILABLE', message: err.message };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'INTERNAL', message: `internal error: ${message}` };
}

/** `"unit": Invalid option: expected one of "BTC"|"sats"; "x": Unrecognized key` */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      const keys = 'keys' in issue && Array.isArray(issue.keys) ? issue.keys.map((k) => `"${k}"`).join(', ') : '';
      const where = path ? `"${path}"` : keys || 'params';
      return `${where}: ${issue.message}`;
    })
    .join('; ');
}
