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
  /** Set (or clear, with null) the rescan still owed for late-derived scripts. */
  owedRescan?: OwedRescan | null;
}

/** Scripts derived during a scan: blocks from `from` up to the scanned tip were tested without them. */
export interface OwedRescan {
  spks: string[];
  from: number;
}

export function isEmpty(cs: Changeset): boolean {
  return !cs.scripts?.length && !cs.txs?.length && !cs.txUpdates?.length && !cs.blocks?.length && cs.disconnectAbove === undefined && !cs.tip && cs.owedRescan === undefined;
}

export class WalletData {
  readonly scripts = new Map<string, OwnedScript>();
  readonly txs = new Map<string, ParsedTx>();
  /** Scanned block hashes by height (recent ones, plus blocks with our transactions). */
  readonly blocks = new Map<number, string>();
  tip: SyncTip | null = null;
  /** Scripts derived mid-sync whose earlier blocks still owe a rescan (kept across restarts). */
  owedRescan: OwedRescan | null = null;
  private derived: [number, number] = [0, 0];
  private cachedGraph: TxGraph | null = null;
  // Indexes kept up to date on every change, so sync and sends never scan all transactions.
  /** Every output of every known transaction, by scriptPubKey hex → outpoints. */
  private readonly outputsBySpk = new Map<string, string[]>();
  /** Outpoint → txids of known transactions spending it (any state). */
  private readonly spendersOf = new Map<string, Set<string>>();
  /** Highest index of each chain that received funds in any known transaction. */
  private readonly used: [number, number] = [-1, -1];

  constructor(init: { scripts: OwnedScript[]; txs: WalletTx[]; blocks: { height: number; hash: string }[]; tip: SyncTip | null; owedRescan?: OwedRescan | null }) {
    this.apply({ scripts: init.scripts, txs: init.txs, blocks: init.blocks, ...(init.tip ? { tip: init.tip } : {}), ...(init.owedRescan !== undefined && { owedRescan: init.owedRescan }) });
  }

  apply(cs: Changeset): void {
    for (const t of cs.txs ?? []) {
      if (this.txs.has(t.txid)) this.forget(this.txs.get(t.txid)!);
      const parsed = parseWalletTx(t);
      this.txs.set(t.txid, parsed);
      this.index(parsed);
    }
    for (const s of cs.scripts ?? []) {
      this.scripts.set(s.spk, s);
      this.derived[s.chain] = Math.max(this.derived[s.chain], s.index + 1);
      if (this.outputsBySpk.has(s.spk)) this.used[s.chain] = Math.max(this.used[s.chain], s.index);
    }
    for (const u of cs.txUpdates ?? []) {
      const tx = this.txs.get(u.txid);
      if (!tx) continue;
      this.txs.set(u.txid, { ...tx, ...(u.block !== undefined ? { block: u.block } : {}), ...(u.state !== undefined ? { state: u.state } : {}) });
    }
    if (cs.disconnectAbove !== undefined) for (const h of [...this.blocks.keys()]) if (h > cs.disconnectAbove) this.blocks.delete(h);
    for (const b of cs.blocks ?? []) this.blocks.set(b.height, b.hash);
    if (cs.owedRescan !== undefined) this.owedRescan = cs.owedRescan;
    if (cs.tip) {
      this.tip = cs.tip;
      this.pruneBlocks(cs.tip.height);
    }
    if (cs.txs?.length || cs.scripts?.length || cs.txUpdates?.length) this.cachedGraph = null;
  }

  private index(tx: ParsedTx): void {
    tx.parsed.outputs.forEach((out, vout) => {
      const spk = bytesToHex(out.script);
      const list = this.outputsBySpk.get(spk);
      if (list) list.push(outpointKey(tx.txid, vout));
      else this.outputsBySpk.set(spk, [outpointKey(tx.txid, vout)]);
      const s = this.scripts.get(spk);
      if (s) this.used[s.chain] = Math.max(this.used[s.chain], s.index);
    });
    if (tx.coinbase) return;
    for (const input of tx.parsed.inputs) {
      const key = outpointKey(input.txid, input.vout);
      const set = this.spendersOf.get(key);
      if (set) set.add(tx.txid);
      else this.spendersOf.set(key, new Set([tx.txid]));
    }
  }

  /** Drops a transaction from the indexes before it is stored again (same txid, new data). */
  private forget(tx: ParsedTx): void {
    if (tx.coinbase) return;
    for (const input of tx.parsed.inputs) this.spendersOf.get(outpointKey(input.txid, input.vout))?.delete(tx.txid);
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
    return this.used[chain];
  }

  usedScripts(): Set<string> {
    return new Set([...this.scripts.keys()].filter((spk) => this.outputsBySpk.has(spk)));
  }

  /**
   * Outpoints paying our scripts in active transactions: what a block's inputs are checked against
   * during sync (spent ones included — a block may double-check an old spend).
   */
  ownedOutpoints(): Set<string> {
    const out = new Set<string>();
    for (const spk of this.scripts.keys()) {
      for (const key of this.outputsBySpk.get(spk) ?? []) {
        const txid = key.slice(0, 64);
        if (this.txs.get(txid)?.state === 'active') out.add(key);
      }
    }
    return out;
  }

  /** Active unconfirmed transactions spending any of `inputs`, other than `except`. */
  conflictsOf(inputs: readonly { txid: string; vout: number }[], except: string): ParsedTx[] {
    const found = new Map<string, ParsedTx>();
    for (const input of inputs) {
      for (const txid of this.spendersOf.get(outpointKey(input.txid, input.vout)) ?? []) {
        const tx = this.txs.get(txid);
        if (tx && txid !== except && tx.state === 'active') found.set(txid, tx);
      }
    }
    return [...found.values()];
  }

  /** The transaction and every active descendant of it in the wallet (for conflict cascades). */
  withDescendants(txid: string): string[] {
    return this.descendants(txid, (t) => t.state === 'active');
  }

  /** The transaction and every descendant whatever its state (to revive a replaced family). */
  withDescendantsAnyState(txid: string): string[] {
    return this.descendants(txid, () => true);
  }

  private descendants(txid: string, include: (tx: ParsedTx) => boolean): string[] {
    const out = [txid];
    const seen = new Set(out);
    for (let i = 0; i < out.length; i++) {
      const parent = this.txs.get(out[i]!);
      if (!parent) continue;
      parent.parsed.outputs.forEach((_, vout) => {
        for (const child of this.spendersOf.get(outpointKey(parent.txid, vout)) ?? []) {
          const tx = this.txs.get(child);
          if (!seen.has(child) && tx && include(tx)) {
            seen.add(child);
            out.push(child);
          }
        }
      });
    }
    return out;
  }
}
