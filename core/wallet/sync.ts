/**
 * Wallet sync over any ChainSource with BIP158 filters: follow the tip (undoing a reorg first),
 * keep `gapLimit` unused scripts derived past the last used one on each chain, test each new
 * block's filter against all our scripts and download only the blocks that match, then look at
 * the mempool. Each step is one changeset, persisted before the next step starts, so a crash or a
 * kill resumes from the last completed step.
 *
 * When the lookahead grows during a scan, the blocks already scanned are scanned again for the new
 * scripts only (a coin to address #25 can confirm before the coin to #6 that made #25 visible).
 *
 * Not here: keys (the deriver is given), persistence (the `apply` callback), scheduling.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { matchAny } from '../chain/bip158.js';
import { readBlockTxs, readHeader, readTx, type BlockTx } from '../chain/block.js';
import { ChainError, type ChainSource } from '../chain/source.js';
import { outpointKey, type BlockRef, type Chain, type OwnedScript, type ParsedTx, type WalletTx } from './tx-graph.js';
import type { Changeset, WalletData } from './wallet-data.js';

export interface SyncProgress {
  stage: 'headers' | 'filters' | 'blocks' | 'mempool' | 'done';
  height: number;
  tip: number;
  fraction: number;
}

export interface SyncOptions {
  source: ChainSource;
  data: WalletData;
  /** scriptPubKey of chain/index. */
  derive: (chain: Chain, index: number) => Uint8Array;
  gapLimit: number;
  /** Never scan below this height (restore birthday). */
  birthday: number;
  /** Receive addresses handed out: these and `gapLimit` past them stay derived. */
  revealed: (chain: Chain) => number;
  /** Persist, then update `data`; must be durable when it returns. */
  apply: (cs: Changeset) => void;
  progress?: (p: SyncProgress) => void;
  /** Look at the whole mempool for incoming payments (own node); otherwise only our own pending txs. */
  scanMempool: boolean;
  now?: () => number;
  /** Filters fetched concurrently. */
  window?: number;
  onRebroadcastError?: (err: unknown) => void;
}

export interface SyncResult {
  tip: { height: number; hash: string };
  newTxs: number;
  reorged: boolean;
}

const CHAINS: Chain[] = [0, 1];

/** Scripts to add so each chain has `gapLimit` unused scripts past the last used (or revealed) one. */
export function lookahead(data: WalletData, gapLimit: number, revealed: (c: Chain) => number, derive: SyncOptions['derive']): OwnedScript[] {
  const added: OwnedScript[] = [];
  for (const chain of CHAINS) {
    const want = Math.max(data.lastUsed(chain) + 1, revealed(chain)) + gapLimit;
    for (let index = data.derivedCount(chain); index < want; index++) added.push({ spk: bytesToHex(derive(chain, index)), chain, index });
  }
  return added;
}

/** Relevant transactions of a block, given our scripts and coins (coins found earlier in the block count). */
export function relevantTxs(txs: readonly BlockTx[], scripts: ReadonlySet<string>, ownedOutpoints: Set<string>): BlockTx[] {
  const found: BlockTx[] = [];
  for (const tx of txs) {
    const pays = tx.outputs.some((o) => scripts.has(bytesToHex(o.script)));
    const spends = tx.inputs.some((i) => ownedOutpoints.has(outpointKey(i.txid, i.vout)));
    if (!pays && !spends) continue;
    found.push(tx);
    tx.outputs.forEach((o, vout) => scripts.has(bytesToHex(o.script)) && ownedOutpoints.add(outpointKey(tx.txid, vout)));
  }
  return found;
}

export class WalletSync {
  private readonly now: () => number;
  /** Mempool txids already looked at in this process (not persisted: cheap to redo after restart). */
  private readonly seenMempool = new Set<string>();

  constructor(private readonly o: SyncOptions) {
    this.now = o.now ?? (() => Math.floor(Date.now() / 1000));
  }

  async run(opts: { full?: boolean } = {}): Promise<SyncResult> {
    const { source, data } = this.o;
    const tip = await source.tip();
    let reorged = false;
    let from = data.tip ? data.tip.height + 1 : this.o.birthday;
    if (opts.full) {
      from = this.o.birthday;
    } else if (data.tip) {
      const fork = await this.findFork(tip.height);
      if (fork < data.tip.height) {
        reorged = true;
        this.disconnect(fork);
        from = fork + 1;
      }
    }
    // Scripts added before scanning were not handed out before the blocks already scanned: no rescan owed.
    this.extendLookahead(null);
    const before = data.txs.size;
    if (from <= tip.height) await this.scan(from, tip.height, null);
    // Scripts derived during a scan (this one or one a crash interrupted) must also be looked for in
    // every block scanned before them — the coins they reveal, and any later spends of those coins.
    for (let owed = data.owedRescan; owed; owed = data.owedRescan) {
      const scannedTo = data.tip?.height ?? tip.height;
      this.o.apply({ owedRescan: null });
      if (owed.from <= scannedTo) await this.scan(owed.from, scannedTo, new Set(owed.spks));
    }
    this.o.apply({ tip: { height: tip.height, hash: tip.hash } });
    await this.mempool(tip.height);
    this.o.progress?.({ stage: 'done', height: tip.height, tip: tip.height, fraction: 1 });
    return { tip, newTxs: data.txs.size - before, reorged };
  }

  /**
   * Derives scripts up to the gap. Blocks up to `scannedTo` were tested without the new scripts,
   * so a rescan of them is owed; it is recorded with the scripts, in the same durable write.
   */
  private extendLookahead(scannedTo: number | null): number {
    const { data } = this.o;
    const added = lookahead(data, this.o.gapLimit, this.o.revealed, this.o.derive);
    if (added.length === 0) return 0;
    const firstScanned = Math.max(this.o.birthday, 0);
    const owes = scannedTo !== null && scannedTo >= firstScanned;
    const owed = owes ? { spks: [...(data.owedRescan?.spks ?? []), ...added.map((s) => s.spk)], from: firstScanned } : undefined;
    this.o.apply({ scripts: added, ...(owed && { owedRescan: owed }) });
    return added.length;
  }

  /** Highest height where our stored hash still matches the source's chain. */
  private async findFork(sourceTip: number): Promise<number> {
    const { data, source } = this.o;
    const heights = [...data.blocks.keys()].sort((a, b) => b - a);
    for (const h of heights) {
      if (h > sourceTip) continue;
      if ((await source.blockHash(h)) === data.blocks.get(h)) return h;
    }
    return this.o.birthday - 1;
  }

  private disconnect(fork: number): void {
    const { data } = this.o;
    const txUpdates: NonNullable<Changeset['txUpdates']> = [];
    for (const tx of data.txs.values()) {
      if (!tx.block || tx.block.height <= fork) continue;
      // A coinbase cannot return to the mempool: it is gone with its block.
      if (tx.coinbase) for (const id of data.withDescendants(tx.txid)) txUpdates.push({ txid: id, state: 'conflicted', block: null });
      else txUpdates.push({ txid: tx.txid, block: null });
    }
    this.o.apply({ disconnectAbove: fork, txUpdates, tip: { height: fork, hash: data.blocks.get(fork) ?? '' } });
  }

  /**
   * Scans heights [from, to]: tests each block's filter against our scripts (or just `only`, for a
   * rescan), downloads matching blocks, and extends the lookahead as blocks reveal used scripts.
   */
  private async scan(from: number, to: number, only: ReadonlySet<string> | null): Promise<void> {
    const { source, data } = this.o;
    const window = this.o.window ?? 32;
    for (let start = from; start <= to; start += window) {
      const end = Math.min(to, start + window - 1);
      const heights = Array.from({ length: end - start + 1 }, (_, i) => start + i);
      const hashes = await Promise.all(heights.map((h) => source.blockHash(h)));
      const filters = await Promise.all(hashes.map((hash) => source.blockFilter(hash)));
      for (let i = 0; i < heights.length; i++) {
        const height = heights[i]!;
        const hash = hashes[i]!;
        let testing = [...(only ?? data.scripts.keys())];
        const tested = new Set(testing);
        while (testing.length > 0 && matchAny(filters[i]!.filter, hash, testing.map(hexToBytes))) {
          if ((await this.connectBlock(height, hash)) === 0) break;
          // Newly used scripts may extend the lookahead, and the new scripts may match this very block;
          // the blocks before it are owed a rescan (in a rescan: every block scanned so far).
          this.extendLookahead(only ? (data.tip?.height ?? height) : height - 1);
          testing = [...data.scripts.keys()].filter((s) => !tested.has(s));
          testing.forEach((s) => tested.add(s));
        }
        this.o.progress?.({ stage: 'filters', height, tip: to, fraction: (height - from + 1) / (to - from + 1) });
      }
      // One durable write per window: scanned hashes (for reorg detection) and how far we got.
      if (!only) this.o.apply({ blocks: heights.map((height, i) => ({ height, hash: hashes[i]! })), tip: { height: end, hash: hashes[hashes.length - 1]! } });
    }
  }

  /** Downloads a matching block and records our transactions in it; returns how many were new or changed. */
  private async connectBlock(height: number, hash: string): Promise<number> {
    const { data, source } = this.o;
    const raw = await source.block(hash);
    const header = readHeader(raw);
    const block: BlockRef = { height, hash, time: header.time };
    const txs = readBlockTxs(raw);
    const relevant = relevantTxs(txs, new Set(data.scripts.keys()), data.ownedOutpoints());
    if (relevant.length === 0) return 0;
    const cs: Changeset = { txs: [], txUpdates: [], blocks: [{ height, hash }] };
    for (const tx of relevant) {
      const existing = data.txs.get(tx.txid);
      if (existing) {
        if (existing.block?.hash !== hash || existing.state !== 'active') cs.txUpdates!.push({ txid: tx.txid, block, state: 'active' });
      } else {
        cs.txs!.push({ txid: tx.txid, raw: tx.raw.slice(), block, firstSeen: this.now(), state: 'active' });
      }
      // A confirmed spend beats every unconfirmed transaction spending the same coins.
      for (const loser of data.conflictsOf(tx.inputs, tx.txid)) {
        if (loser.block) continue;
        for (const id of data.withDescendants(loser.txid)) cs.txUpdates!.push({ txid: id, state: 'conflicted' });
      }
    }
    this.o.apply(cs);
    this.o.progress?.({ stage: 'blocks', height, tip: height, fraction: 1 });
    return cs.txs!.length + cs.txUpdates!.length;
  }

  private async mempool(tipHeight: number): Promise<void> {
    const { source, data } = this.o;
    this.o.progress?.({ stage: 'mempool', height: tipHeight, tip: tipHeight, fraction: 1 });
    const pending = [...data.txs.values()].filter((t) => t.state === 'active' && !t.block);
    const inMempool = this.o.scanMempool ? new Set(await source.mempoolTxids()) : null;
    if (inMempool) {
      // Forget txids that left the mempool, so the set stays the size of the mempool.
      for (const id of this.seenMempool) if (!inMempool.has(id)) this.seenMempool.delete(id);
      const fresh = [...inMempool].filter((id) => !this.seenMempool.has(id) && !data.txs.has(id));
      for (let i = 0; i < fresh.length; i += 64) {
        const chunk = fresh.slice(i, i + 64);
        const found = await Promise.all(chunk.map((id) => source.tx(id)));
        // In mempool order a child may follow its parent within the chunk: judge each against the
        // wallet as it is after the ones before it, and look at the skipped ones once more at the end.
        let added = true;
        let candidates = chunk.map((id, j) => ({ id, lookup: found[j] }));
        while (added) {
          added = false;
          const later: typeof candidates = [];
          for (const c of candidates) {
            if (!c.lookup || c.lookup.block) continue;
            if (this.acceptMempoolTx(c.id, c.lookup.raw)) added = true;
            else later.push(c);
          }
          candidates = later;
        }
        for (const id of chunk) this.seenMempool.add(id);
      }
    }
    // Our pending transactions that left the mempool: confirmed below our scan, lost to a conflict,
    // or never sent (a crash between persist and broadcast) — those are broadcast again.
    for (const tx of pending) {
      if (inMempool?.has(tx.txid) || data.txs.get(tx.txid)?.state !== 'active') continue;
      const lookup = await source.tx(tx.txid);
      if (lookup?.block) {
        this.o.apply({ txUpdates: [{ txid: tx.txid, block: { height: lookup.block.height, hash: lookup.block.hash, time: lookup.block.time } }] });
        continue;
      }
      if (lookup) continue;
      await this.settleMissing(tx);
    }
  }

  /** Records a mempool transaction if it touches the wallet; returns whether it did. */
  private acceptMempoolTx(txid: string, raw: Uint8Array): boolean {
    const { data } = this.o;
    const parsed = readTx(raw);
    const owned = data.ownedOutpoints();
    const relevant = parsed.outputs.some((o) => data.scripts.has(bytesToHex(o.script))) || parsed.inputs.some((i) => owned.has(outpointKey(i.txid, i.vout)));
    if (!relevant) return false;
    const cs: Changeset = { txs: [{ txid, raw, block: null, firstSeen: this.now(), state: 'active' }], txUpdates: [] };
    // The mempool holds the newer spend: whatever it conflicts with was replaced.
    for (const loser of data.conflictsOf(parsed.inputs, txid)) {
      if (!loser.block) for (const id of data.withDescendants(loser.txid)) cs.txUpdates!.push({ txid: id, state: 'replaced' });
    }
    this.o.apply(cs);
    return true;
  }

  /**
   * A pending transaction of ours the node does not have. If a coin it spends went to another
   * transaction, it lost — unless that other one is our own earlier send it replaced (a crash
   * between recording a bump and broadcasting it): then the replacement is what must go out.
   * If nobody spent its coins, or the node cannot tell (Core without -txindex), send it again.
   */
  private async settleMissing(tx: ParsedTx): Promise<void> {
    const { data, source } = this.o;
    const spenders = await Promise.all(
      tx.parsed.inputs.map(async (i) => {
        try {
          const spend = await source.outspend(i.txid, i.vout);
          return spend.spent && spend.txid !== tx.txid ? spend.txid : null;
        } catch (err) {
          if (err instanceof ChainError && err.code === 'NOT_FOUND') return null;
          throw err;
        }
      }),
    );
    const others = [...new Set(spenders.filter((s): s is string => s !== null))];
    if (others.length === 0) {
      await this.rebroadcast(tx.raw);
      return;
    }
    const replacedByUs = others.every((id) => data.txs.get(id)?.state === 'replaced');
    if (replacedByUs && (await this.rebroadcast(tx.raw))) return;
    const revive = replacedByUs ? others.flatMap((id) => data.withDescendantsAnyState(id)).map((id) => ({ txid: id, state: 'active' as const })) : [];
    this.o.apply({ txUpdates: [...data.withDescendants(tx.txid).map((id) => ({ txid: id, state: 'conflicted' as const })), ...revive] });
  }

  /** Hands a transaction to the node again; false if the node refused it. */
  private async rebroadcast(raw: Uint8Array): Promise<boolean> {
    try {
      await this.o.source.broadcast(raw);
      return true;
    } catch (err) {
      // A rejection (missing inputs, fee too low after a mempool change…) leaves it for the user to
      // bump or cancel; it is reported, not fatal to sync.
      this.o.onRebroadcastError?.(err);
      if (err instanceof ChainError && err.code === 'REJECTED') return false;
      throw err;
    }
  }
}

/** Records a transaction we are about to broadcast, and what it replaces: persist before send. */
export function recordOutgoing(data: WalletData, tx: { txid: string; raw: Uint8Array }, now: number): Changeset {
  // Already confirmed: there is nothing to record (and its block must not be forgotten).
  if (data.txs.get(tx.txid)?.block) return {};
  const parsed = readTx(tx.raw);
  const replaced = data.conflictsOf(parsed.inputs, tx.txid).filter((t) => !t.block);
  const own: WalletTx = { txid: tx.txid, raw: tx.raw, block: null, firstSeen: now, state: 'active' };
  return {
    txs: [own],
    txUpdates: replaced.flatMap((t) => data.withDescendants(t.txid)).map((txid) => ({ txid, state: 'replaced' as const })),
  };
}
