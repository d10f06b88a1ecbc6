/**
 * What the screens show, computed from wallet data: coins, history, transaction details and
 * addresses, each with its labels. Pure functions of (data, account, labels, tip); the API
 * handlers only fetch and return these.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { Transaction } from '@scure/btc-signer';
import type { AddressInfo, HistoryEntry, TxDetail, Utxo } from '../api/wallet.js';
import { buildBip21 } from '../bitcoin/bip21.js';
import { scriptPubKeyToAddress } from '../bitcoin/address.js';
import type { Network } from '../bitcoin/networks.js';
import type { Account } from './account.js';
import { confirmations, isImmature, outpointKey, type Coin, type ParsedTx, type TxGraph } from './tx-graph.js';
import type { WalletData } from './wallet-data.js';

export interface Labels {
  get(type: 'tx' | 'addr' | 'output' | 'input', ref: string): string;
}

export function labelsFrom(rows: readonly { type: string; ref: string; label: string }[]): Labels {
  const map = new Map(rows.map((r) => [`${r.type}:${r.ref}`, r.label]));
  return { get: (type, ref) => map.get(`${type}:${ref}`) ?? '' };
}

const chainName = (chain: 0 | 1): 'receive' | 'change' => (chain === 0 ? 'receive' : 'change');

export function addressOf(script: Uint8Array, network: Network): string | null {
  try {
    return scriptPubKeyToAddress(script, network);
  } catch {
    return null;
  }
}

/** An output's label: its own, else its address's (BIP329 inheritance as Sparrow does it). */
function outputLabel(labels: Labels, outpoint: string, address: string | null): string {
  return labels.get('output', outpoint) || (address ? labels.get('addr', address) : '');
}

export function utxoView(coin: Coin, account: Account, tipHeight: number, frozen: ReadonlySet<string>, labels: Labels, trusted: boolean): Utxo {
  const outpoint = outpointKey(coin.txid, coin.vout);
  const address = account.output(coin.script.chain, coin.script.index).address ?? '';
  const isFrozen = frozen.has(outpoint);
  const immature = isImmature(coin, tipHeight);
  return {
    outpoint,
    txid: coin.txid,
    vout: coin.vout,
    value: Number(coin.value),
    address,
    chain: chainName(coin.script.chain),
    index: coin.script.index,
    height: coin.block?.height ?? null,
    confirmations: confirmations(coin.block, tipHeight),
    label: outputLabel(labels, outpoint, address),
    frozen: isFrozen,
    coinbase: coin.coinbase,
    spendable: !isFrozen && !immature && (coin.block !== null || trusted),
  };
}

/** Unconfirmed coins we can trust: change of our own transactions (every input ours). */
export function isTrusted(graph: TxGraph, txid: string): boolean {
  const tx = graph.txs.get(txid);
  return !!tx && graph.debit(tx).allMine;
}

export function utxos(data: WalletData, account: Account, frozen: ReadonlySet<string>, labels: Labels): Utxo[] {
  const graph = data.graph();
  const tip = data.tip?.height ?? 0;
  return graph
    .unspent()
    .map((c) => utxoView(c, account, tip, frozen, labels, isTrusted(graph, c.txid)))
    .sort((a, b) => (b.height ?? Infinity) - (a.height ?? Infinity) || b.value - a.value);
}

function vsizeOf(tx: ParsedTx): { vsize: number; weight: number } {
  const t = Transaction.fromRaw(tx.raw, { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
  return { vsize: t.vsize, weight: t.weight };
}

export function historyEntry(tx: ParsedTx, graph: TxGraph, tipHeight: number, labels: Labels): HistoryEntry {
  const debit = graph.debit(tx);
  const credit = graph.credit(tx);
  const fee = debit.allMine ? graph.fee(tx) : null;
  const pending = tx.state === 'active' && !tx.block;
  const status = tx.state === 'replaced' ? 'replaced' : tx.state === 'conflicted' ? 'conflicted' : tx.block ? 'confirmed' : 'pending';
  const ourUnspentOutput = tx.parsed.outputs.some((o, vout) => graph.owned.has(outpointKey(tx.txid, vout)) && !graph.spentBy.has(outpointKey(tx.txid, vout)) && graph.isMine(bytesToHex(o.script)));
  return {
    txid: tx.txid,
    status,
    height: tx.block?.height ?? null,
    confirmations: confirmations(tx.block, tipHeight),
    time: tx.block?.time ?? tx.firstSeen,
    net: Number(credit - debit.value),
    fee: fee === null ? null : Number(fee),
    feeRate: fee === null ? null : Math.round((Number(fee) / vsizeOf(tx).vsize) * 100) / 100,
    label: labels.get('tx', tx.txid),
    // Full-RBF relay (Core ≥ 28) replaces any unconfirmed transaction; we need all its inputs to re-sign.
    canBump: pending && debit.allMine,
    canCancel: pending && debit.allMine,
    canCpfp: pending && ourUnspentOutput,
  };
}

export function history(data: WalletData, labels: Labels, search: string): HistoryEntry[] {
  const graph = data.graph();
  const tip = data.tip?.height ?? 0;
  const needle = search.trim().toLowerCase();
  return [...graph.txs.values()]
    .map((tx) => historyEntry(tx, graph, tip, labels))
    .filter((e) => !needle || e.txid.includes(needle) || e.label.toLowerCase().includes(needle) || String(Math.abs(e.net)).includes(needle))
    .sort((a, b) => (a.height === null ? 0 : 1) - (b.height === null ? 0 : 1) || (b.height ?? 0) - (a.height ?? 0) || b.time - a.time);
}

export function txDetail(tx: ParsedTx, data: WalletData, account: Account, labels: Labels): TxDetail {
  const graph = data.graph();
  const tip = data.tip?.height ?? 0;
  const t = Transaction.fromRaw(tx.raw, { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
  const entry = historyEntry(tx, graph, tip, labels);
  return {
    ...entry,
    inputs: tx.parsed.inputs.map((input) => {
      const outpoint = outpointKey(input.txid, input.vout);
      const coin = graph.ownedIncludingInactive(input.txid, input.vout);
      const prev = graph.txs.get(input.txid)?.parsed.outputs[input.vout];
      return {
        outpoint,
        value: prev ? Number(prev.value) : null,
        address: prev ? addressOf(prev.script, account.network) : null,
        mine: !!coin,
      };
    }),
    outputs: tx.parsed.outputs.map((o, vout) => {
      const owned = graph.isMine(bytesToHex(o.script));
      const address = addressOf(o.script, account.network);
      return {
        vout,
        value: Number(o.value),
        address,
        mine: !!owned,
        change: owned?.chain === 1,
        label: outputLabel(labels, outpointKey(tx.txid, vout), address),
      };
    }),
    vsize: t.vsize,
    weight: t.weight,
    locktime: t.lockTime,
    replaceable: tx.state === 'active' && !tx.block,
    hex: bytesToHex(tx.raw),
  };
}

export function addressInfo(account: Account, chain: 0 | 1, index: number, used: ReadonlySet<string>, labels: Labels, request: { amount?: number; label?: string; message?: string } = {}): AddressInfo {
  const out = account.output(chain, index);
  const address = out.address ?? '';
  const label = labels.get('addr', address);
  const uriLabel = request.label || label;
  return {
    address,
    chain: chainName(chain),
    index,
    label,
    used: used.has(bytesToHex(out.scriptPubKey)),
    uri: buildBip21(
      {
        address,
        ...(request.amount !== undefined && { amount: BigInt(request.amount) }),
        ...(uriLabel && { label: uriLabel }),
        ...(request.message && { message: request.message }),
      },
      account.network,
    ),
  };
}
