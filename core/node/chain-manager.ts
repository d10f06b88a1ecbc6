/**
 * Connects the core to the chain the settings name: the embedded Playground (started here, reached
 * through the same Core RPC backend a real node uses), a Bitcoin Core node, or an Esplora server.
 * Reports connection state for `app.status`, fans out new tips, and runs the Playground's tester
 * controls. Reconnects when the settings change.
 */
import { performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import type { ChainBackend } from '../api/settings.js';
import { addressToScriptPubKey } from '../bitcoin/address.js';
import { NETWORKS } from '../bitcoin/networks.js';
import { BitcoindSource } from '../chain/bitcoind/source.js';
import { EsploraSource } from '../chain/esplora/source.js';
import { startPlayground, type PlaygroundHandle } from '../chain/playground/server.js';
import type { ChainSource, ChainTip, Network } from '../chain/source.js';

export interface ChainState {
  backend: ChainBackend['kind'];
  connected: boolean;
  height: number | null;
  message: string | null;
}

export interface ChainManagerOptions {
  dataDir: string;
  onState: (state: ChainState) => void;
  log?: (line: string) => void;
  /** Tip polling interval for remote backends (ms). */
  pollIntervalMs?: number;
}

function proxyOf(url: string | undefined): { host: string; port: number } | undefined {
  if (!url) return undefined;
  const m = /^socks5h?:\/\/([^:/]+):(\d+)$/.exec(url);
  return m ? { host: m[1]!, port: Number(m[2]) } : undefined;
}

/** Builds a source for a backend; the Playground's comes from its running handle. */
function sourceFor(backend: Exclude<ChainBackend, { kind: 'playground' }>, pollIntervalMs: number, onPollError: (err: unknown) => void): ChainSource {
  if (backend.kind === 'bitcoind') {
    const auth = backend.auth.kind === 'cookie' ? { cookieFile: backend.auth.cookieFile } : { user: backend.auth.user, password: backend.auth.password };
    return new BitcoindSource({ url: backend.url, auth, network: backend.network, pollIntervalMs, onPollError });
  }
  const proxy = proxyOf(backend.proxy);
  return new EsploraSource({ url: backend.url, network: backend.network, pollIntervalMs, onPollError, ...(proxy && { proxy, timeoutMs: 60_000 }) });
}

export class ChainManager {
  private current: { backend: ChainBackend; source: ChainSource; playground: PlaygroundHandle | null; unsubscribe: () => void } | null = null;
  private state: ChainState;
  private readonly tipListeners = new Set<(tip: ChainTip) => void>();
  private connecting: Promise<void> | null = null;

  constructor(private readonly o: ChainManagerOptions) {
    this.state = { backend: 'playground', connected: false, height: null, message: 'not connected yet' };
  }

  get backendKind(): ChainBackend['kind'] | null {
    return this.current?.backend.kind ?? null;
  }

  get network(): Network | null {
    if (!this.current) return null;
    return this.current.backend.kind === 'playground' ? 'regtest' : this.current.backend.network;
  }

  /** Connects to `backend`, replacing any current connection. Failure leaves a clear status, not a throw. */
  connect(backend: ChainBackend): Promise<void> {
    const run = async () => {
      await this.disconnect();
      this.setState({ backend: backend.kind, connected: false, height: null, message: 'connecting…' });
      let playground: PlaygroundHandle | null = null;
      try {
        let source: ChainSource;
        if (backend.kind === 'playground') {
          playground = await startPlayground({ dataDir: join(this.o.dataDir, 'playground') });
          source = new BitcoindSource({ url: playground.rpcUrl, auth: playground.cookie, network: 'regtest', pollIntervalMs: 500, onPollError: (e) => this.pollFailed(e) });
        } else {
          source = sourceFor(backend, this.o.pollIntervalMs ?? 5000, (e) => this.pollFailed(e));
        }
        const info = await source.info();
        const warning = info.filters ? null : 'the node has no block filter index: start bitcoind with -blockfilterindex=1';
        const unsubscribe = source.subscribeTip((tip) => this.newTip(tip));
        this.current = { backend, source, playground, unsubscribe };
        this.setState({ backend: backend.kind, connected: true, height: info.tip.height, message: warning });
        this.newTip(info.tip);
      } catch (err) {
        await playground?.close();
        const message = err instanceof Error ? err.message : String(err);
        this.o.log?.(`chain: cannot connect to ${backend.kind}: ${message}`);
        this.setState({ backend: backend.kind, connected: false, height: null, message });
      }
    };
    this.connecting = (this.connecting ?? Promise.resolve()).then(run, run);
    return this.connecting;
  }

  /** Waits for a connection in progress. */
  async ready(): Promise<void> {
    await this.connecting;
  }

  private pollFailed(err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    if (this.state.connected || this.state.message !== message) this.setState({ ...this.state, connected: false, message });
  }

  private newTip(tip: ChainTip): void {
    this.setState({ ...this.state, connected: true, height: tip.height, message: this.state.connected ? this.state.message : null });
    for (const listener of this.tipListeners) listener(tip);
  }

  private setState(state: ChainState): void {
    this.state = state;
    this.o.onState(state);
  }

  onTip(listener: (tip: ChainTip) => void): () => void {
    this.tipListeners.add(listener);
    return () => this.tipListeners.delete(listener);
  }

  /** The connected source; CHAIN_UNAVAILABLE with the reason when there is none. */
  source(): ChainSource {
    if (!this.current) throw new ApiError('CHAIN_UNAVAILABLE', `no blockchain connection: ${this.state.message ?? 'not connected'} — check Settings → Blockchain source`);
    return this.current.source;
  }

  /** Tries a backend without touching the current connection. */
  async test(backend: ChainBackend): Promise<{ network: Network; height: number; filters: boolean; latencyMs: number; warning: string | null }> {
    if (backend.kind === 'playground') {
      const source = this.current?.backend.kind === 'playground' ? this.current.source : null;
      if (!source) throw new ApiError('CHAIN_UNAVAILABLE', 'the Playground is not running; save it as the blockchain source to start it');
      return this.measure(source);
    }
    const source = sourceFor(backend, 60_000, () => {});
    try {
      return await this.measure(source);
    } finally {
      await source.close();
    }
  }

  private async measure(source: ChainSource) {
    const t0 = performance.now();
    const info = await source.info();
    const latencyMs = Math.round((performance.now() - t0) * 10) / 10;
    return {
      network: info.network,
      height: info.tip.height,
      filters: info.filters,
      latencyMs,
      warning: info.filters ? null : 'no BIP158 block filters: start bitcoind with -blockfilterindex=1 (Tapdesk needs them to find your transactions privately)',
    };
  }

  private playground(): PlaygroundHandle {
    const pg = this.current?.playground;
    if (!pg) throw new ApiError('UNAVAILABLE', 'the Playground controls work only while the Playground is the blockchain source');
    return pg;
  }

  playgroundInfo() {
    const pg = this.playground();
    const tip = pg.playground.chain.tip;
    return { height: pg.playground.chain.tipHeight, tipHash: tip.hash, mempool: pg.playground.mempool.size, rpcUrl: pg.rpcUrl, esploraUrl: pg.esploraUrl, cookieFile: pg.cookieFile };
  }

  mine(blocks: number, address?: string): { height: number; hashes: string[] } {
    const pg = this.playground().playground;
    const payout = address ? addressToScriptPubKey(address, NETWORKS.regtest) : pg.faucetWallet.script;
    const hashes = pg.generate(blocks, payout);
    this.announce();
    return { height: pg.chain.tipHeight, hashes };
  }

  faucet(address: string, amount: number): { txid: string } {
    const pg = this.playground().playground;
    const script = addressToScriptPubKey(address, NETWORKS.regtest);
    try {
      return { txid: pg.faucet(script, BigInt(amount)) };
    } catch (err) {
      throw new ApiError('CONFLICT', `the faucet could not pay: ${(err as Error).message}`);
    }
  }

  reorg(blocks: number, replace: boolean): { height: number; disconnected: string[] } {
    const pg = this.playground().playground;
    const height = pg.chain.tipHeight;
    if (blocks > height) throw new ApiError('CONFLICT', `the chain has only ${height} blocks above genesis`);
    const disconnected = pg.chain.active.slice(height - blocks + 1).map((b) => b.hash).reverse();
    pg.invalidate(disconnected[disconnected.length - 1]!);
    if (replace) pg.generate(blocks + 1, pg.faucetWallet.script);
    this.announce();
    return { height: pg.chain.tipHeight, disconnected };
  }

  /** In-process changes to the Playground are seen at once rather than at the next poll. */
  private announce(): void {
    const pg = this.current?.playground?.playground;
    if (pg) this.newTip({ height: pg.chain.tipHeight, hash: pg.chain.tip.hash });
  }

  private async disconnect(): Promise<void> {
    const current = this.current;
    this.current = null;
    if (!current) return;
    current.unsubscribe();
    await current.source.close();
    await current.playground?.close();
  }

  async close(): Promise<void> {
    await this.connecting?.catch(() => {});
    await this.disconnect();
  }
}

