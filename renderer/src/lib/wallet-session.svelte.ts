/**
 * The open wallet: which wallets exist on the connected network, which one is open, its balance and
 * sync progress, and whether it is locked. Pages read `session` and reload what they show when
 * `session.revision` moves (the core said the wallet changed). Not here: what a page shows.
 */
import type { EventData } from '../../../core/api/contract';
import type { Balance, WalletSummary } from '../../../core/api/wallet';
import { api } from './api';
import { app, describeError } from './app-state.svelte';

export type SyncProgress = EventData<'wallet.syncProgress'>;

interface Session {
  /** Wallets for the network the blockchain source serves. */
  wallets: WalletSummary[];
  /** How many wallets belong to other networks (reachable by changing the blockchain source). */
  elsewhere: number;
  loaded: boolean;
  listError: string | null;
  current: WalletSummary | null;
  balance: Balance | null;
  progress: SyncProgress | null;
  syncing: boolean;
  syncError: string | null;
  /** Moves whenever the open wallet's balance, history, coins or labels change. */
  revision: number;
  /** Why the open wallet last locked, for the unlock screen. */
  lockedBy: 'user' | 'timeout' | null;
}

export const session: Session = $state({
  wallets: [],
  elsewhere: 0,
  loaded: false,
  listError: null,
  current: null,
  balance: null,
  progress: null,
  syncing: false,
  syncError: null,
  revision: 0,
  lockedBy: null,
});

/** Unconfirmed incoming payments reach the wallet through a sync; blocks trigger one in the core. */
const BACKGROUND_SYNC_MS = 30_000;

const rememberKey = (network: string) => `tapdesk.wallet.${network}`;

export function startWalletSession(): void {
  api.subscribe('wallet.changed', ({ walletId }) => {
    if (walletId !== session.current?.id) return;
    session.revision++;
    void refreshBalance();
  });
  api.subscribe('wallet.syncProgress', (p) => {
    if (p.walletId !== session.current?.id) return;
    session.progress = p;
    if (p.stage === 'error') session.syncError = p.message ?? 'the sync failed';
  });
  api.subscribe('wallet.locked', ({ walletId, reason }) => {
    const w = session.wallets.find((x) => x.id === walletId);
    if (w) updateSummary({ ...w, locked: true });
    if (walletId === session.current?.id) session.lockedBy = reason;
  });
  setInterval(() => {
    if (session.current && !session.syncing && app.status?.chain.connected) void syncWallet({ quiet: true });
  }, BACKGROUND_SYNC_MS);
}

/** Reloads the wallet list for the current network; reopens the wallet last used on it. */
export async function loadWallets(): Promise<void> {
  const network = app.info?.network;
  if (!network) return;
  try {
    const all = await api.call('wallet.list');
    session.wallets = all.filter((w) => w.network === network);
    session.elsewhere = all.length - session.wallets.length;
    session.listError = null;
  } catch (err) {
    session.listError = describeError(err);
  }
  session.loaded = true;
  const current = session.current && session.wallets.find((w) => w.id === session.current?.id);
  if (current) {
    session.current = current;
    return;
  }
  session.current = null;
  const remembered = localStorage.getItem(rememberKey(network));
  const again = session.wallets.find((w) => w.id === remembered);
  if (again) openWallet(again);
}

export function openWallet(summary: WalletSummary): void {
  session.current = summary;
  session.balance = null;
  session.progress = null;
  session.syncError = null;
  session.lockedBy = null;
  session.revision++;
  if (!session.wallets.some((w) => w.id === summary.id)) session.wallets = [...session.wallets, summary];
  localStorage.setItem(rememberKey(summary.network), summary.id);
  void refreshBalance();
  void syncWallet();
}

export function closeWallet(): void {
  if (session.current) localStorage.removeItem(rememberKey(session.current.network));
  session.current = null;
  session.balance = null;
  session.progress = null;
}

/** After the core returns a new summary (unlock, rename…): the list and the open wallet agree. */
export function updateSummary(summary: WalletSummary): void {
  session.wallets = session.wallets.map((w) => (w.id === summary.id ? summary : w));
  if (session.current?.id === summary.id) {
    session.current = summary;
    if (!summary.locked) session.lockedBy = null;
  }
}

export async function refreshBalance(): Promise<void> {
  const id = session.current?.id;
  if (!id) return;
  try {
    const balance = await api.call('wallet.balance', { walletId: id });
    if (session.current?.id === id) session.balance = balance;
  } catch (err) {
    if (session.current?.id === id) session.syncError = describeError(err);
  }
}

/** Brings the open wallet up to the chain tip (and its mempool); errors land in `syncError`. */
export async function syncWallet(opts: { full?: boolean; quiet?: boolean } = {}): Promise<void> {
  const id = session.current?.id;
  if (!id) return;
  if (!opts.quiet) session.syncing = true;
  try {
    const { balance } = await api.call('wallet.sync', { walletId: id, full: opts.full ?? false });
    if (session.current?.id !== id) return;
    session.balance = balance;
    session.syncError = null;
  } catch (err) {
    if (session.current?.id === id) session.syncError = describeError(err);
  } finally {
    if (!opts.quiet) session.syncing = false;
  }
}

export async function lockWallet(): Promise<void> {
  const id = session.current?.id;
  if (!id) return;
  updateSummary(await api.call('wallet.lock', { walletId: id }));
}

/** After removing a wallet: back to the chooser. */
export async function forgetWallet(id: string): Promise<void> {
  if (session.current?.id === id) closeWallet();
  await loadWallets();
}
