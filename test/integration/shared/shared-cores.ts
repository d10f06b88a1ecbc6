// Test cores for shared accounts: Tapdesk apps on their own data directories, the first hosting the
// Playground and the others reaching it over RPC, each with an unlocked seed wallet and its key card.
import { join } from 'node:path';
import { expect } from 'vitest';
import { ApiCallError, createClient, type Client } from '../../../core/api/client.js';
import { scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { openDatabase } from '../../../core/store/database.js';
import type { NonceRow } from '../../../core/store/shared-store.js';
import { tempDir } from '../../support/core.js';

export const PASSPHRASE = 'correct horse battery staple';

export interface Core {
  name: string;
  dataDir: string;
  app: TapdeskApp;
  api: Client;
  seedId: string;
  /** Filled in once the core has created or joined the account under test. */
  sharedId: string;
  card: string;
}

export async function startCore(name: string, rpc: { url: string; cookieFile: string } | null): Promise<Core> {
  const dataDir = tempDir(`tapdesk-shared-${name.toLowerCase()}`);
  const app = new TapdeskApp({ dataDir, mode: 'cli', version: 'test', validateResults: true });
  await app.start();
  const api = createClient(app.server.local());
  if (rpc) await api.call('settings.set', { chain: { kind: 'bitcoind', url: rpc.url, network: 'regtest', auth: { kind: 'cookie', cookieFile: rpc.cookieFile } } });
  const { draftId, words } = await api.call('wallet.generateMnemonic', { words: 12 });
  const seed = await api.call('wallet.create', { draftId, confirm: [1, 6, 12].map((position) => ({ position, word: words[position - 1]! })), name: `${name}'s keys`, passphrase: PASSPHRASE });
  const { card } = await api.call('shared.keyCard', { walletId: seed.id, name });
  return { name, dataDir, app, api, seedId: seed.id, sharedId: '', card };
}

/** Three cores (Alice hosts the Playground). */
export async function threeCores(): Promise<[Core, Core, Core]> {
  const alice = await startCore('Alice', null);
  const pg = await alice.api.call('playground.info');
  const rpc = { url: pg.rpcUrl, cookieFile: pg.cookieFile };
  return [alice, await startCore('Bob', rpc), await startCore('Carol', rpc)];
}

/** Alice creates the account from everyone's card; the others import her setup file. */
export async function makeAccount(cores: Core[], threshold: number, recovery?: { holder: Core; blocks: number }): Promise<void> {
  const [creator, ...others] = cores;
  const created = await creator!.api.call('shared.create', {
    name: 'Family savings',
    keyWalletId: creator!.seedId,
    cards: cores.map((c) => c.card),
    threshold,
    ...(recovery && { recovery: { card: recovery.holder.card, delay: { kind: 'blocks' as const, blocks: recovery.blocks } } }),
  });
  creator!.sharedId = created.walletId;
  const { content } = await creator!.api.call('shared.exportSetup', { walletId: created.walletId });
  for (const c of others) c.sharedId = (await c.api.call('shared.import', { keyWalletId: c.seedId, setup: content })).walletId;
}

export async function syncAll(cores: Core[]): Promise<void> {
  for (const c of cores) await c.api.call('wallet.sync', { walletId: c.sharedId });
}

/** Pays `amount` from the faucet to the account's next address and confirms it. */
export async function fund(host: Core, cores: Core[], amount: number): Promise<void> {
  const { address } = await cores[0]!.api.call('wallet.receive', { walletId: cores[0]!.sharedId });
  await host.api.call('playground.faucet', { address, amount });
  await host.api.call('playground.mine', { blocks: 1 });
  await syncAll(cores);
}

export function foreignAddress(fill: number): string {
  return scriptPubKeyToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(fill)]), NETWORKS.regtest);
}

export async function apiError(p: Promise<unknown>): Promise<ApiCallError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCallError);
  return err as ApiCallError;
}

/** The nonce records in a core's shared-account wallet file, read straight from disk. */
export function nonceRows(core: Core, walletId = core.sharedId): NonceRow[] {
  const db = openDatabase(join(core.dataDir, 'wallets', `${walletId}.sqlite`), [], { readonly: true });
  try {
    return db.prepare('SELECT * FROM musig_nonces ORDER BY created_at, rowid').all() as NonceRow[];
  } finally {
    db.close();
  }
}
