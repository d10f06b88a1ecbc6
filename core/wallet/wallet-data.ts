/**
 * A wallet's chain data in memory — owned scripts, transactions, scanned tip and block hashes —
 * with the changeset it was built from applied in place. The store holds the durable copy; this is
 * what sync and the service read. `graph()` is recomputed lazily after each change.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { outpointKey, parseWalletTx, TxGraph, type Chain, type OwnedScript, type ParsedTx, type WalletTx, type BlockRef, type TxState } from './tx-graph.js';

/** Scanned block hashes kept below the tip for reorg detection (two days of blocks). */
export const RECENT_BLOCKS = 288;

export interface SyncTip {
  height: number;
  hash: string;
}

/** Everything one sync step (or one send) changes; the store writes it in one transaction. */
export interface Changeset {
  scripts?: OwnedScript[];
  txs?: WalletTx[];
  /** Transactions whose block or state changed. */
  txUpdates?: { txid: string; block?: BlockRef | null; state?: TxState }[];
  blocks?: { height: number; hash: string }[];
  /** Forget scanned blocks above this height (reorg). */
  disconnectAbove?: number;
  tip?: SyncTip;
}

export function isEmpty(cs: Changeset): boolean {
  return !cs.scripts?.length && !cs.txs?.length && !cs.txUpdates?.length && !cs.blocks?.length && cs.disconnectAbove === undefined && !cs.tip;
}

export class WalletData {
  readonly scripts = new Map<string, OwnedScript>();
  readonly txs = new Map<string, ParsedTx>();
  /** Scanned block hashes by height (recent ones, plus blocks with our transactions). */
  readonly blocks = new Map<number, string>();
  tip: SyncTip | null = null;
  private derived: [number, number] = [0, 0];
  private cachedGraph: TxGraph | null = null;

  constructor(init: { scripts: OwnedScript[]; txs: WalletTx[]; blocks: { height: number; hash: string }[]; tip: SyncTip | null }) {
    this.apply({ scripts: init.scripts, txs: init.txs, blocks: init.blocks, ...(init.tip ? { tip: init.tip } : {}) });
  }

  apply(cs: Changeset): void {
    for (const s of cs.scripts ?? []) {
      this.scripts.set(s.spk, s);
      this.derived[s.chain] = Math.max(this.derived[s.chain], s.index + 1);
    }
    for (const t of cs.txs ?? []) this.txs.set(t.txid, parseWalletTx(t));
    for (const u of cs.txUpdates ?? []) {
      const tx = this.txs.get(u.txid);
      if (!tx) continue;
      this.txs.set(u.txid, { ...tx, ...(u.block !== undefined ? { block: u.block } : {}), ...(u.state !== undefined ? { state: u.state } : {}) });
    }
    if (cs.disconnectAbove !== undefined) for (const h of [...this.blocks.keys()]) if (h > cs.disconnectAbove) this.blocks.delete(h);
    for (const b of cs.blocks ?? []) this.blocks.set(b.height, b.hash);
    if (cs.tip) {
      this.tip = cs.tip;
      this.pruneBlocks(cs.tip.height);
    }
    this.cachedGraph = null;
  }

  /** Same rule as the store: recent hashes for reorg detection, older ones only where our txs confirmed. */
  private pruneBlocks(tipHeight: number): void {
    const keep = new Set<string>();
    for (const tx of this.txs.values()) if (tx.block) keep.add(tx.block.hash);
    for (const [height, hash] of this.blocks) if (height < tipHeight - RECENT_BLOCKS && !keep.has(hash)) this.blocks.delete(height);
  }

  graph(): TxGraph {
    this.cachedGraph ??= new TxGraph(this.txs.values(), this.scripts);
    return this.cachedGraph;
  }

  /** How many scripts of a chain are derived (indices 0..n-1). */
  derivedCount(chain: Chain): number {
    return this.derived[chain];
  }

  /** Highest index of a chain that received funds in any known transaction, or -1. */
  lastUsed(chain: Chain): number {
    let last = -1;
    for (const tx of this.txs.values()) {
      for (const out of tx.parsed.outputs) {
        const s = this.scripts.get(bytesToHex(out.script));
        if (s && s.chain === chain && s.index > last) last = s.index;
      }
    }
    return last;
  }

  usedScripts(): Set<string> {
    const used = new Set<string>();
    for (const tx of this.txs.values()) for (const out of tx.parsed.outputs) {
      const hex = bytesToHex(out.script);
      if (this.scripts.has(hex)) used.add(hex);
    }
    return used;
  }

  /** Active unconfirmed transactions that spend `outpoint`, other than `except`. */
  conflictsOf(inputs: readonly { txid: string; vout: number }[], except: string): ParsedTx[] {
    const wanted = new Set(inputs.map((i) => outpointKey(i.txid, i.vout)));
    return [...this.txs.values()].filter(
      (t) => t.txid !== except && t.state === 'active' && !t.coinbase && t.parsed.inputs.some((i) => wanted.has(outpointKey(i.txid, i.vout))),
    );
  }

  /** The transaction and every active descendant of it in the wallet (for conflict cascades). */
  withDescendants(txid: string): string[] {
    const out = [txid];
    for (let i = 0; i < out.length; i++) {
      const parent = out[i]!;
      for (const tx of this.txs.values()) {
        if (tx.state === 'active' && !out.includes(tx.txid) && tx.parsed.inputs.some((inp) => inp.txid === parent)) out.push(tx.txid);
      }
    }
    return out;
  }
}
