/**
 * Shared accounts as the screens see them: the accounts on this network, and per account the PSBT
 * being signed (kept while the user moves between the account's tabs, so a proposal made on "Pay"
 * is waiting on "Sign"). Not here: what a screen shows.
 */
import type { SharedAccount, SigningStatus } from '../../../../core/api/shared';
import type { WalletSummary } from '../../../../core/api/wallet';
import { api } from '../../lib/api';
import { app, describeError } from '../../lib/app-state.svelte';
import { session } from '../../lib/wallet-session.svelte';

export interface WorkingPsbt {
  psbt: string;
  status: SigningStatus;
  /** Where it came from, for the user: "Proposal", a file name, "Pasted". */
  source: string;
}

interface SharedState {
  accounts: SharedAccount[];
  loaded: boolean;
  error: string | null;
  working: Record<string, WorkingPsbt | null>;
}

export const shared: SharedState = $state({ accounts: [], loaded: false, error: null, working: {} });

export async function loadAccounts(): Promise<void> {
  try {
    const all = await api.call('shared.list');
    shared.accounts = all.filter((a) => a.network === app.info?.network);
    shared.error = null;
  } catch (err) {
    shared.error = describeError(err);
  }
  shared.loaded = true;
}

/** Seed wallets of this network: the ones that can hold a participant's key. */
export function keyWallets(): WalletSummary[] {
  return session.wallets.filter((w) => w.kind === 'seed');
}

/** The name a wallet goes by, for "unlock X" prompts. */
export function walletName(id: string | null): string {
  return session.wallets.find((w) => w.id === id)?.name ?? 'the key wallet';
}
