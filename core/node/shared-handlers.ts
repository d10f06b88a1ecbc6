/**
 * The `shared.*` API methods: validated params to SharedService, and its typed refusals to the
 * API's closed error set. A SharedAccountError keeps its reason at the start of the message
 * (`NONCE_REUSED: …`, see SharedErrorReason in core/api/shared.ts) under the nearest API code;
 * PSBT and MuSig2 failures on a co-signer's data are INVALID_INPUT.
 */
import { ApiError, type ErrorCode } from '../api/errors.js';
import type { sharedMethods } from '../api/shared.js';
import { PsbtError } from '../bitcoin/psbt.js';
import { MusigError } from '../musig/errors.js';
import { SharedAccountError, type SharedErrorCode } from '../musig/coordination/errors.js';
import type { Handlers } from './api-server.js';
import type { SharedService } from './shared-service.js';

type SharedHandlers = Pick<Handlers, keyof typeof sharedMethods>;

const API_CODE: Record<SharedErrorCode, ErrorCode> = {
  INVALID_POLICY: 'INVALID_INPUT',
  NOT_A_PARTICIPANT: 'CONFLICT',
  WRONG_ACCOUNT: 'INVALID_INPUT',
  UNSUPPORTED_PSBT: 'INVALID_INPUT',
  INVALID_SIGNERS: 'INVALID_INPUT',
  NONCE_MISSING: 'CONFLICT',
  NONCE_MISMATCH: 'CONFLICT',
  NONCE_REUSED: 'CONFLICT',
  NONCE_DISCARDED: 'CONFLICT',
  MESSAGE_CHANGED: 'CONFLICT',
  INVALID_NONCE: 'INVALID_INPUT',
  INVALID_SIGNATURE: 'INVALID_INPUT',
  INCOMPLETE: 'CONFLICT',
  TIMELOCK_NOT_MET: 'CONFLICT',
};

function translate(service: SharedService, walletId: string | undefined, err: unknown): unknown {
  if (err instanceof SharedAccountError) {
    const message = walletId ? service.describeError(walletId, err) : err.message;
    return new ApiError(API_CODE[err.code], `${err.code}: ${message}`);
  }
  if (err instanceof PsbtError) return new ApiError('INVALID_INPUT', `${err.code}: ${err.message}`);
  if (err instanceof MusigError) return new ApiError('INVALID_INPUT', `${err.code}: ${err.message}`);
  return err;
}

/** Runs a handler and translates its refusals (sync handlers stay sync). */
function guarded(service: SharedService, fn: (p: { walletId?: string }) => unknown): (p: { walletId?: string }) => unknown {
  return (p) => {
    try {
      const result = fn(p);
      return result instanceof Promise ? result.catch((err: unknown) => Promise.reject(translate(service, p.walletId, err))) : result;
    } catch (err) {
      throw translate(service, p.walletId, err);
    }
  };
}

export function sharedHandlers(service: SharedService): SharedHandlers {
  const handlers: SharedHandlers = {
    'shared.keyCard': ({ walletId, name, account }) => service.keyCard(walletId, name, account),
    'shared.preview': (p) => service.preview(p),
    'shared.create': (p) => service.create(p),
    'shared.import': (p) => service.import(p),
    'shared.list': () => service.list(),
    'shared.get': ({ walletId }) => service.get(walletId),
    'shared.exportSetup': ({ walletId }) => service.exportSetup(walletId),
    'shared.exportDescriptors': ({ walletId, format }) => service.exportDescriptors(walletId, format),
    'shared.propose': (p) => service.propose(p),
    'shared.status': ({ walletId, psbt }) => service.statusOf(walletId, psbt),
    'shared.combine': ({ walletId, psbts }) => service.combine(walletId, psbts),
    'shared.addNonces': ({ walletId, psbt }) => service.addNonces(walletId, psbt),
    'shared.sign': ({ walletId, psbt }) => service.sign(walletId, psbt),
    'shared.cancel': ({ walletId, psbt }) => service.cancel(walletId, psbt),
    'shared.finalize': ({ walletId, psbt }) => service.finalize(walletId, psbt),
    'shared.broadcast': ({ walletId, psbt }) => service.broadcast(walletId, psbt),
  };
  return Object.fromEntries(
    Object.entries(handlers).map(([method, fn]) => [method, guarded(service, fn as (p: { walletId?: string }) => unknown)]),
  ) as unknown as SharedHandlers;
}
