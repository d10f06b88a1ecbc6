/**
 * The running core: opens the data directory, owns the API server and its handlers, and emits
 * status. One instance per process; transports (web, Electron, CLI) attach to `server`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AppStatus } from '../api/contract.js';
import type { Settings } from '../api/settings.js';
import { openDatabase, schemaVersion, type Db } from '../store/database.js';
import { SettingsStore, appComponent } from '../store/settings-store.js';
import { ApiServer, type Handlers } from './api-server.js';

export type Mode = 'electron' | 'web' | 'cli';

export interface AppOptions {
  dataDir: string;
  mode: Mode;
  version: string;
  validateResults?: boolean;
  log?: (line: string) => void;
}

function networkOf(settings: Settings) {
  return settings.chain.kind === 'playground' ? 'regtest' : settings.chain.network;
}

export class TapdeskApp {
  readonly server: ApiServer;
  private readonly db: Db;
  private readonly settings: SettingsStore;
  private status: AppStatus;
  private readonly schemaVersion: number;

  constructor(private readonly options: AppOptions) {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    this.db = openDatabase(join(options.dataDir, 'tapdesk.sqlite'), [appComponent]);
    this.settings = new SettingsStore(this.db);
    this.schemaVersion = schemaVersion(this.db, appComponent.name);
    const chain = this.settings.get().chain;
    this.status = {
      state: 'ready',
      chain: { backend: chain.kind, connected: false, height: null, message: 'not connected yet' },
    };
    this.server = new ApiServer(this.handlers(), {
      validateResults: options.validateResults ?? false,
      onInternalError: (method, err) => options.log?.(`internal error in ${method}: ${(err as Error).stack ?? String(err)}`),
    });
  }

  private handlers(): Handlers {
    return {
      'app.info': () => {
        const settings = this.settings.get();
        return {
          name: 'Tapdesk' as const,
          version: this.options.version,
          network: networkOf(settings),
          playground: settings.chain.kind === 'playground',
          dataDir: this.options.dataDir,
          schemaVersion: this.schemaVersion,
          mode: this.options.mode,
        };
      },
      'app.status': () => this.status,
      'settings.get': () => this.settings.get(),
      'settings.set': (patch) => {
        const next = this.settings.set(patch);
        this.server.emit('settings.changed', next);
        if (patch.chain) this.setStatus({ chain: { backend: next.chain.kind, connected: false, height: null, message: 'backend changed' } });
        return next;
      },
    };
  }

  private setStatus(patch: Partial<AppStatus>): void {
    this.status = { ...this.status, ...patch };
    this.server.emit('app.status', this.status);
  }

  close(): void {
    this.db.close();
  }
}
