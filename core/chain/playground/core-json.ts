/**
 * Bitcoin Core 28's JSON shapes for what the Playground serves over JSON-RPC: transactions
 * (TxToUniv, with prevouts and fee at the higher verbosities), scriptPubKey objects, block headers
 * and blocks (getblockheader/getblock), and mempool entries (getrawmempool verbose).
 *
 * Not here: dispatch, parameters and errors (rpc.ts).
 */
import { hex } from '@scure/base';
import { scriptToAddress } from './address.js';
import { difficulty } from './block-rules.js';
import type { BlockIndex, Chain } from './chainstate.js';
import { isCoinbase, type Coin } from './consensus.js';
import { Btc } from './json.js';
import type { Mempool, MempoolEntry } from './mempool.js';
import { MAX_BIP125_RBF_SEQUENCE } from './params.js';
import { classify } from './script.js';
import { coreAsm, inferDescriptor } from './script-text.js';
import type { DecodedBlock, DecodedTx } from './wire.js';

export function scriptPubKeyJson(script: Uint8Array): Record<string, unknown> {
  return {
    asm: coreAsm(script),
    desc: inferDescriptor(script),
    hex: hex.encode(script),
    address: scriptToAddress(script),
    type: classify(script).type,
  };
}

export interface TxJsonOptions {
  /** Spent outputs, one per input (verbosity 3 of getblock, 2 of getrawtransaction). */
  prevouts?: (Coin | undefined)[];
  /** Fee paid (shown at verbosity ≥ 2 for non-coinbase transactions). */
  fee?: bigint;
  hex?: boolean;
}

export function txJson(tx: DecodedTx, opts: TxJsonOptions = {}): Record<string, unknown> {
  const coinbase = isCoinbase(tx);
  const vin = tx.inputs.map((input, i) => {
    const entry: Record<string, unknown> = coinbase
      ? { coinbase: hex.encode(input.scriptSig) }
      : { txid: input.txid, vout: input.vout, scriptSig: { asm: coreAsm(input.scriptSig, true), hex: hex.encode(input.scriptSig) } };
    if (input.witness.length > 0) entry.txinwitness = input.witness.map((w) => hex.encode(w));
    const prev = opts.prevouts?.[i];
    if (prev && !coinbase) {
      entry.prevout = { generated: prev.coinbase, height: prev.height, value: new Btc(prev.value), scriptPubKey: scriptPubKeyJson(prev.script) };
    }
    entry.sequence = input.sequence;
    return entry;
  });
  const out: Record<string, unknown> = {
    txid: tx.txid,
    hash: tx.wtxid,
    version: tx.version,
    size: tx.size,
    vsize: tx.vsize,
    weight: tx.weight,
    locktime: tx.locktime,
    vin,
    vout: tx.outputs.map((o, n) => ({ value: new Btc(o.value), n, scriptPubKey: scriptPubKeyJson(o.script) })),
  };
  if (opts.fee !== undefined && !coinbase) out.fee = new Btc(opts.fee);
  if (opts.hex) out.hex = hex.encode(tx.raw);
  return out;
}

export function confirmations(chain: Chain, entry: BlockIndex): number {
  return chain.isActive(entry) ? chain.tipHeight - entry.height + 1 : -1;
}

const hex32 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

export function headerJson(chain: Chain, entry: BlockIndex): Record<string, unknown> {
  const next = chain.isActive(entry) ? chain.active[entry.height + 1] : undefined;
  return {
    hash: entry.hash,
    confirmations: confirmations(chain, entry),
    height: entry.height,
    version: entry.header.version,
    versionHex: hex32(entry.header.version),
    merkleroot: entry.header.merkleRoot,
    time: entry.header.time,
    mediantime: entry.mtp,
    nonce: entry.header.nonce,
    bits: hex32(entry.header.bits),
    difficulty: difficulty(entry.header.bits),
    chainwork: entry.chainwork.toString(16).padStart(64, '0'),
    nTx: entry.nTx,
    previousblockhash: entry.parent?.hash,
    nextblockhash: next?.hash,
  };
}

/**
 * getblock at verbosity 1 (txids), 2 (decoded transactions with fees) or 3 (also prevouts).
 * `spent(tx)` returns the outputs a transaction spends, for the fee and prevouts.
 */
export function blockJson(chain: Chain, entry: BlockIndex, block: DecodedBlock, verbosity: number, spent: (tx: DecodedTx) => (Coin | undefined)[]): Record<string, unknown> {
  const txs =
    verbosity <= 1
      ? block.txs.map((t) => t.txid)
      : block.txs.map((t) => {
          const prevouts = isCoinbase(t) ? [] : spent(t);
          const known = prevouts.every((p) => p !== undefined);
          const fee = known && !isCoinbase(t) ? prevouts.reduce((s, p) => s + p!.value, 0n) - t.outputs.reduce((s, o) => s + o.value, 0n) : undefined;
          const opts: TxJsonOptions = { hex: true };
          if (fee !== undefined) opts.fee = fee;
          if (verbosity >= 3 && known) opts.prevouts = prevouts;
          return txJson(t, opts);
        });
  return { ...headerJson(chain, entry), strippedsize: block.strippedSize, size: block.size, weight: block.weight, tx: txs };
}

export function mempoolEntryJson(mempool: Mempool, e: MempoolEntry): Record<string, unknown> {
  const ancestors = [...mempool.ancestors(e.tx.txid)].map((id) => mempool.get(id)!);
  const descendants = [...mempool.descendants(e.tx.txid)].map((id) => mempool.get(id)!);
  const sum = (list: MempoolEntry[], f: (x: MempoolEntry) => bigint) => list.reduce((s, x) => s + f(x), 0n);
  const replaceable = [e, ...ancestors].some((x) => x.tx.inputs.some((i) => i.sequence <= MAX_BIP125_RBF_SEQUENCE));
  return {
    vsize: e.vsize,
    weight: e.tx.weight,
    time: e.time,
    height: e.height,
    descendantcount: descendants.length + 1,
    descendantsize: descendants.reduce((s, x) => s + x.vsize, e.vsize),
    ancestorcount: ancestors.length + 1,
    ancestorsize: ancestors.reduce((s, x) => s + x.vsize, e.vsize),
    wtxid: e.tx.wtxid,
    fees: {
      base: new Btc(e.fee),
      modified: new Btc(e.fee),
      ancestor: new Btc(e.fee + sum(ancestors, (x) => x.fee)),
      descendant: new Btc(e.fee + sum(descendants, (x) => x.fee)),
    },
    depends: [...e.parents],
    spentby: [...e.children],
    'bip125-replaceable': replaceable,
    unbroadcast: false,
  };
}
