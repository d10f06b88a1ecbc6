/** App-wide state the shell shows: info, settings, status, and the connection to the core. */
import { ApiCallError } from '../../../core/api/client';
import type { AppStatus, Result } from '../../../core/api/contract';
import type { ErrorCode } from '../../../core/api/errors';
import type { Settings } from '../../../core/api/settings';
import { api } from './api';

interface AppState {
  info: Result<'app.info'> | null;
  settings: Settings | null;
  status: AppStatus | null;
  /** What went wrong talking to the core, phrased for the user; null when all is well. */
  fatal: string | null;
}

export const app: AppState = $state({ info: null, settings: null, status: null, fatal: null });

export function describeError(err: unknown): string {
  if (err instanceof ApiCallError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/** The API's error code, for the few places that react to one (a wrong passphrase, a locked wallet). */
export function errorCode(err: unknown): ErrorCode | null {
  return err instanceof ApiCallError ? err.code : null;
}

export async function start(): Promise<void> {
  api.subscribe('settings.changed', (s) => (app.settings = s));
  api.subscribe('app.status', (s) => (app.status = s));
  try {
    const [info, settings, status] = await Promise.all([api.call('app.info'), api.call('settings.get'), api.call('app.status')]);
    app.info = info;
    app.settings = settings;
    app.status = status;
  } catch (err) {
    app.fatal = `Tapdesk could not reach its core: ${describeError(err)}`;
  }
}

/** Saves a settings change; the returned promise rejects with a message fit for the screen. */
export async function saveSettings(patch: Partial<Settings>): Promise<void> {
  app.settings = await api.call('settings.set', patch);
  app.info = await api.call('app.info');
}
