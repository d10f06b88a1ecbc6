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
import { ChainManager, type ChainState } from './chain-manager.js';
import { sharedHandlers } from './shared-handlers.js';
import { SharedService } from './shared-service.js';
import { walletHandlers } from './wallet-handlers.js';
import { WalletService } from './wallet-service.js';

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
  readonly chain: ChainManager;
  readonly wallets: WalletService;
  readonly shared: SharedService;

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
    this.chain = new ChainManager({ dataDir: options.dataDir, onState: (state) => this.chainState(state), ...(options.log && { log: options.log }) });
    this.wallets = new WalletService({
      dataDir: options.dataDir,
      chain: this.chain,
      emit: (event, data) => this.server.emit(event, data),
      autoLockMinutes: () => this.settings.get().autoLockMinutes,
      ...(options.log && { log: options.log }),
    });
    this.shared = new SharedService({ dataDir: options.dataDir, wallets: this.wallets, chain: this.chain });
    this.server = new ApiServer(this.handlers(), {
      validateResults: options.validateResults ?? false,
      onInternalError: (method, err) => options.log?.(`internal error in ${method}: ${(err as Error).stack ?? String(err)}`),
    });
  }

  /** Connects to the chain the settings name; wallets sync from then on. */
  async start(): Promise<void> {
    await this.chain.connect(this.settings.get().chain);
  }

  private chainState(state: ChainState): void {
    this.setStatus({ chain: state });
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
      'settings.set': async (patch) => {
        const next = this.settings.set(patch);
        this.server.emit('settings.changed', next);
        if (patch.chain) {
          this.wallets.resetSync();
          await this.chain.connect(next.chain);
        }
        return next;
      },
      'chain.test': ({ backend }) => this.chain.test(backend),
      'playground.info': () => this.chain.playgroundInfo(),
      'playground.mine': ({ blocks, address }) => this.chain.mine(blocks, address),
      'playground.faucet': ({ address, amount }) => this.chain.faucet(address, amount),
      'playground.reorg': ({ blocks, replace }) => this.chain.reorg(blocks, replace),
      ...walletHandlers(this.wallets, this.chain),
      ...sharedHandlers(this.shared),
    };
  }

  private setStatus(patch: Partial<AppStatus>): void {
    this.status = { ...this.status, ...patch };
    this.server.emit('app.status', this.status);
  }

  async close(): Promise<void> {
    this.shared.close();
    this.wallets.close();
    await this.chain.close();
    this.db.close();
  }
}
