/**
 * The on-chain wallet's part of the contract: schemas for wallets, addresses, coins, history,
 * sending and PSBTs. Amounts are integer satoshis; fee rates are sat/vB (decimals allowed).
 */
import { z } from 'zod';

export const WalletId = z.string().regex(/^[a-z0-9-]{8,64}$/, 'expected a wallet id');
const Txid = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-hex-digit txid');
export const Outpoint = z.string().regex(/^[0-9a-f]{64}:\d{1,6}$/, 'expected txid:vout');
const Sats = z.number().int().nonnegative().max(21e14);
/** Wallet passphrase (encrypts the seed on this computer); long passphrases beat complex ones. */
const Passphrase = z.string().min(8, 'use at least 8 characters').max(1024);
export const FeeRate = z.number().min(1, 'at least 1 sat/vB (the minimum relay fee)').max(10_000, 'at most 10,000 sat/vB');
const Name = z.string().trim().min(1).max(64);

export const WalletSummary = z.object({
  id: WalletId,
  name: z.string(),
  network: z.enum(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest']),
  /** 'seed': keys from a BIP39 seed kept encrypted here; 'watch': public keys only. */
  kind: z.enum(['seed', 'watch']),
  locked: z.boolean(),
  /** BIP32 master fingerprint (hex), as hardware wallets and descriptors show it. */
  fingerprint: z.string(),
  backupConfirmed: z.boolean(),
  gapLimit: z.number().int(),
  descriptor: z.string(),
});
export type WalletSummary = z.infer<typeof WalletSummary>;

export const Balance = z.object({
  /** Spendable now: confirmed and mature, or change of our own pending sends; not frozen. */
  spendable: Sats,
  confirmed: Sats,
  /** In unconfirmed transactions (incoming, and change from our own sends). */
  unconfirmed: Sats,
  /** Coinbase outputs under 100 confirmations. */
  immature: Sats,
  frozen: Sats,
  total: Sats,
});
export type Balance = z.infer<typeof Balance>;

export const AddressInfo = z.object({
  address: z.string(),
  chain: z.enum(['receive', 'change']),
  index: z.number().int(),
  label: z.string(),
  used: z.boolean(),
  /** BIP21 URI for QR codes and links. */
  uri: z.string(),
});
export type AddressInfo = z.infer<typeof AddressInfo>;

export const Utxo = z.object({
  outpoint: Outpoint,
  txid: Txid,
  vout: z.number().int(),
  value: Sats,
  address: z.string(),
  chain: z.enum(['receive', 'change']),
  index: z.number().int(),
  height: z.number().int().nullable(),
  confirmations: z.number().int(),
  label: z.string(),
  frozen: z.boolean(),
  coinbase: z.boolean(),
  /** Usable as an input now (mature, not frozen, not spent by a pending send). */
  spendable: z.boolean(),
});
export type Utxo = z.infer<typeof Utxo>;

export const TxStatus = z.enum(['confirmed', 'pending', 'replaced', 'conflicted']);

export const HistoryEntry = z.object({
  txid: Txid,
  status: TxStatus,
  height: z.number().int().nullable(),
  confirmations: z.number().int(),
  /** Block time when confirmed, else when first seen (seconds since epoch). */
  time: z.number().int(),
  /** Net effect on the wallet: positive received, negative sent (fee included). */
  net: z.number().int(),
  fee: Sats.nullable(),
  feeRate: z.number().nullable(),
  label: z.string(),
  /** Unconfirmed and signals or allows replacement, and all inputs are ours. */
  canBump: z.boolean(),
  canCancel: z.boolean(),
  /** Unconfirmed with an output of ours that a child can spend. */
  canCpfp: z.boolean(),
});
export type HistoryEntry = z.infer<typeof HistoryEntry>;

const TxInputDetail = z.object({
  outpoint: Outpoint,
  value: Sats.nullable(),
  address: z.string().nullable(),
  mine: z.boolean(),
});
const TxOutputDetail = z.object({
  vout: z.number().int(),
  value: Sats,
  address: z.string().nullable(),
  mine: z.boolean(),
  change: z.boolean(),
  label: z.string(),
});

export const TxDetail = HistoryEntry.extend({
  inputs: z.array(TxInputDetail),
  outputs: z.array(TxOutputDetail),
  vsize: z.number().int(),
  weight: z.number().int(),
  locktime: z.number().int(),
  replaceable: z.boolean(),
  hex: z.string(),
});
export type TxDetail = z.infer<typeof TxDetail>;

export const Recipient = z.object({
  address: z.string().trim().min(1),
  /** Satoshis, or 'max' to send everything selectable (one recipient only). */
  amount: z.union([Sats.min(1), z.literal('max')]),
  label: z.string().max(256).optional(),
});

/** A transaction ready for review: nothing is signed or sent yet. */
export const SendDraft = z.object({
  psbt: z.string(),
  inputs: z.array(z.object({ outpoint: Outpoint, value: Sats, address: z.string() })),
  outputs: z.array(z.object({ address: z.string(), value: Sats, change: z.boolean(), label: z.string() })),
  fee: Sats,
  feeRate: z.number(),
  vsize: z.number().int(),
  /** Which coin-selection algorithm chose the inputs ('manual' for coin control). */
  algorithm: z.string(),
  /** Replaces these unconfirmed transactions (fee bump, cancel). */
  replaces: z.array(Txid),
});
export type SendDraft = z.infer<typeof SendDraft>;

export const PsbtAnalysis = z.object({
  inputs: z.array(z.object({ outpoint: Outpoint, value: Sats.nullable(), address: z.string().nullable(), mine: z.boolean(), signed: z.boolean() })),
  outputs: z.array(z.object({ address: z.string().nullable(), value: Sats, mine: z.boolean() })),
  fee: Sats.nullable(),
  feeRate: z.number().nullable(),
  /** Every input finalized: ready to broadcast. */
  complete: z.boolean(),
  /** Inputs this wallet could sign now (if unlocked). */
  signable: z.number().int(),
});
export type PsbtAnalysis = z.infer<typeof PsbtAnalysis>;

export const FeeEstimates = z.object({
  slow: z.number(),
  normal: z.number(),
  fast: z.number(),
  /** Where the numbers came from, e.g. "Bitcoin Core estimatesmartfee". */
  source: z.string(),
});

export const SyncProgress = z.object({
  walletId: WalletId,
  stage: z.enum(['headers', 'filters', 'blocks', 'mempool', 'done', 'error']),
  height: z.number().int(),
  tip: z.number().int(),
  /** 0..1 */
  fraction: z.number(),
  message: z.string().nullable(),
});

const W = { walletId: WalletId };

export const walletMethods = {
  'wallet.list': { params: z.object({}).strict(), result: z.array(WalletSummary) },
  /** A new recovery phrase, kept in the core until `wallet.create` (or 30 minutes). */
  'wallet.generateMnemonic': {
    params: z.object({ words: z.union([z.literal(12), z.literal(24)]).default(12) }).strict(),
    result: z.object({ draftId: z.string(), words: z.array(z.string()) }),
  },
  /** Creates a wallet from a draft phrase once the user proved the backup (word positions are 1-based). */
  'wallet.create': {
    params: z
      .object({
        draftId: z.string(),
        confirm: z.array(z.object({ position: z.number().int().min(1).max(24), word: z.string() })).min(3),
        name: Name,
        passphrase: Passphrase,
        bip39Passphrase: z.string().max(256).default(''),
      })
      .strict(),
    result: WalletSummary,
  },
  'wallet.restore': {
    params: z
      .object({
        mnemonic: z.string().min(1),
        name: Name,
        passphrase: Passphrase,
        bip39Passphrase: z.string().max(256).default(''),
        /** Scan from this height; earlier history is not searched. */
        birthdayHeight: z.number().int().nonnegative().default(0),
      })
      .strict(),
    result: WalletSummary,
  },
  /** Watch-only from a tr() descriptor or an account xpub/tpub (BIP86 is assumed for a bare xpub). */
  'wallet.importWatchOnly': {
    params: z.object({ name: Name, descriptor: z.string().min(1), birthdayHeight: z.number().int().nonnegative().default(0) }).strict(),
    result: WalletSummary,
  },
  'wallet.unlock': { params: z.object({ ...W, passphrase: z.string() }).strict(), result: WalletSummary },
  'wallet.lock': { params: z.object(W).strict(), result: WalletSummary },
  'wallet.changePassphrase': { params: z.object({ ...W, oldPassphrase: z.string(), newPassphrase: Passphrase }).strict(), result: WalletSummary },
  /** Shows the recovery phrase again; needs the passphrase even when unlocked. */
  'wallet.showMnemonic': { params: z.object({ ...W, passphrase: z.string() }).strict(), result: z.object({ words: z.array(z.string()), hasBip39Passphrase: z.boolean() }) },
  'wallet.rename': { params: z.object({ ...W, name: Name }).strict(), result: WalletSummary },
  'wallet.setGapLimit': { params: z.object({ ...W, gapLimit: z.number().int().min(1).max(1000) }).strict(), result: WalletSummary },
  'wallet.delete': { params: z.object({ ...W, confirmName: z.string() }).strict(), result: z.object({ deleted: z.literal(true) }) },
  'wallet.exportDescriptors': {
    params: z.object({ ...W, format: z.enum(['text', 'core', 'sparrow']) }).strict(),
    result: z.object({ format: z.string(), content: z.string(), filename: z.string() }),
  },
  'wallet.balance': { params: z.object(W).strict(), result: Balance },
  'wallet.sync': { params: z.object({ ...W, full: z.boolean().default(false) }).strict(), result: z.object({ height: z.number().int(), balance: Balance }) },
  /** A fresh, never-given receive address (with a warning flag when the gap limit forces reuse of an unused one). */
  'wallet.receive': {
    params: z.object({ ...W, label: z.string().max(256).default(''), amount: Sats.optional(), message: z.string().max(256).optional() }).strict(),
    result: AddressInfo.extend({ gapWarning: z.boolean() }),
  },
  'wallet.addresses': { params: z.object({ ...W, chain: z.enum(['receive', 'change']).optional() }).strict(), result: z.array(AddressInfo) },
  /** Checks an address before paying to it: valid for this network, and whether it is ours / used. */
  'wallet.checkAddress': {
    params: z.object({ ...W, address: z.string() }).strict(),
    result: z.object({ valid: z.literal(true), type: z.string(), mine: z.boolean(), used: z.boolean() }),
  },
  'wallet.utxos': { params: z.object(W).strict(), result: z.array(Utxo) },
  'wallet.setFrozen': { params: z.object({ ...W, outpoints: z.array(Outpoint).min(1), frozen: z.boolean() }).strict(), result: z.array(Utxo) },
  'wallet.setLabel': {
    params: z.object({ ...W, type: z.enum(['tx', 'addr', 'output', 'input']), ref: z.string().min(1), label: z.string().max(256) }).strict(),
    result: z.object({ ok: z.literal(true) }),
  },
  'wallet.exportLabels': { params: z.object(W).strict(), result: z.object({ jsonl: z.string(), count: z.number().int(), filename: z.string() }) },
  'wallet.importLabels': { params: z.object({ ...W, jsonl: z.string() }).strict(), result: z.object({ imported: z.number().int(), ignored: z.number().int() }) },
  'wallet.history': {
    params: z.object({ ...W, search: z.string().max(200).default(''), limit: z.number().int().min(1).max(1000).default(200), offset: z.number().int().min(0).default(0) }).strict(),
    result: z.object({ entries: z.array(HistoryEntry), total: z.number().int() }),
  },
  'wallet.tx': { params: z.object({ ...W, txid: Txid }).strict(), result: TxDetail },
  'wallet.feeEstimates': { params: z.object(W).strict(), result: FeeEstimates },
  /** Builds (does not sign) a payment: coin selection, change, anti-fee-sniping locktime. */
  'wallet.prepareSend': {
    params: z
      .object({
        ...W,
        recipients: z.array(Recipient).min(1).max(1000),
        feeRate: FeeRate,
        /** Coin control: spend exactly these coins (frozen ones included only if listed here). */
        inputs: z.array(Outpoint).optional(),
      })
      .strict(),
    result: SendDraft,
  },
  /** RBF: the same payments at a higher fee rate, replacing an unconfirmed send of ours. */
  'wallet.bumpFee': { params: z.object({ ...W, txid: Txid, feeRate: FeeRate }).strict(), result: SendDraft },
  /** CPFP: a child spending our output of an unconfirmed transaction, paying for both. */
  'wallet.cpfp': { params: z.object({ ...W, txid: Txid, feeRate: FeeRate }).strict(), result: SendDraft },
  /** Double-spends an unconfirmed send of ours back to the wallet at a higher fee rate. */
  'wallet.cancelTx': { params: z.object({ ...W, txid: Txid, feeRate: FeeRate }).strict(), result: SendDraft },
  /** Signs what this wallet can sign; returns the PSBT (base64) and whether it is complete. */
  'wallet.signPsbt': { params: z.object({ ...W, psbt: z.string().min(1) }).strict(), result: z.object({ psbt: z.string(), complete: z.boolean(), signed: z.number().int() }) },
  /** Finalizes a complete PSBT (or takes a raw tx hex), records it, then broadcasts it. */
  'wallet.broadcast': { params: z.object({ ...W, psbt: z.string().min(1) }).strict(), result: z.object({ txid: Txid }) },
  /** Sign + finalize + record + broadcast in one step, for drafts made by this wallet. */
  'wallet.send': { params: z.object({ ...W, psbt: z.string().min(1) }).strict(), result: z.object({ txid: Txid }) },
  'wallet.analyzePsbt': { params: z.object({ ...W, psbt: z.string().min(1) }).strict(), result: PsbtAnalysis },
  'wallet.combinePsbts': { params: z.object({ ...W, psbts: z.array(z.string().min(1)).min(2) }).strict(), result: z.object({ psbt: z.string() }) },
} as const;

export const walletEvents = {
  /** Balance, history or addresses changed (new block, new transaction, label, freeze…). */
  'wallet.changed': z.object({ walletId: WalletId }),
  'wallet.syncProgress': SyncProgress,
  'wallet.locked': z.object({ walletId: WalletId, reason: z.enum(['user', 'timeout']) }),
} as const;
