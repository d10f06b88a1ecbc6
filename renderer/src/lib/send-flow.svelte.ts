/**
 * A payment in the making, kept while the user moves between screens: the Send form (recipients,
 * fee, chosen coins), the draft under review, and the sent transaction. Fee bumps, cancels and
 * CPFP from the transaction screen put their draft here too, so every spend is reviewed on the
 * same screen. Belongs to one wallet; switching wallets starts over.
 */
import type { SendDraft } from '../../../core/api/wallet';

export type FeeChoice = 'slow' | 'normal' | 'fast' | 'custom';
export type DraftKind = 'send' | 'bump' | 'cancel' | 'cpfp';

export interface AddressCheck {
  state: 'checking' | 'ok' | 'error';
  text: string;
  /** The address is one of this wallet's own. */
  mine: boolean;
}

export interface RecipientRow {
  key: number;
  address: string;
  /** As typed, in the user's unit. */
  amount: string;
  max: boolean;
  label: string;
  check: AddressCheck | null;
}

interface SendFlow {
  walletId: string | null;
  recipients: RecipientRow[];
  fee: { choice: FeeChoice; custom: string };
  coinControl: boolean;
  /** Coin control: outpoints to spend. */
  inputs: string[];
  draft: SendDraft | null;
  kind: DraftKind;
  /** The transaction a bump, cancel or CPFP acts on. */
  about: string | null;
  sentTxid: string | null;
}

let nextKey = 1;

function emptyRow(): RecipientRow {
  return { key: nextKey++, address: '', amount: '', max: false, label: '', check: null };
}

export const send: SendFlow = $state({
  walletId: null,
  recipients: [emptyRow()],
  fee: { choice: 'normal', custom: '' },
  coinControl: false,
  inputs: [],
  draft: null,
  kind: 'send',
  about: null,
  sentTxid: null,
});

/** Starts over when the form belonged to another wallet. */
export function useSendFor(walletId: string): void {
  if (send.walletId !== walletId) {
    send.walletId = walletId;
    resetSend();
  }
}

export function resetSend(): void {
  send.recipients = [emptyRow()];
  send.fee = { choice: 'normal', custom: '' };
  send.coinControl = false;
  send.inputs = [];
  send.draft = null;
  send.kind = 'send';
  send.about = null;
  send.sentTxid = null;
}

export function addRecipient(): void {
  send.recipients = [...send.recipients.map((r) => ({ ...r, max: false })), emptyRow()];
}

export function removeRecipient(key: number): void {
  if (send.recipients.length > 1) send.recipients = send.recipients.filter((r) => r.key !== key);
}

/** From the Coins screen: a new payment spending exactly these coins. */
export function spendCoins(walletId: string, outpoints: string[]): void {
  useSendFor(walletId);
  resetSend();
  send.coinControl = true;
  send.inputs = outpoints;
}

export function startReview(draft: SendDraft, kind: DraftKind, about: string | null = null): void {
  send.draft = draft;
  send.kind = kind;
  send.about = about;
  send.sentTxid = null;
}

export function markSent(txid: string): void {
  send.sentTxid = txid;
  send.draft = null;
  // A payment used up the form; a bump, cancel or CPFP leaves a form in progress alone.
  if (send.kind === 'send') {
    send.recipients = [emptyRow()];
    send.inputs = [];
    send.coinControl = false;
  }
}
