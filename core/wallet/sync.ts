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
import type { ChainSource } from '../chain/source.js';
import { outpointKey, type BlockRef, type Chain, type OwnedScript, type WalletTx } from './tx-graph.js';
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

/** Raw bytes of each transaction of a block, by txid (block.ts gives parsed views only). */
function rawTxsOf(block: Uint8Array, wanted: ReadonlySet<string>): Map<string, Uint8Array> {
  // Walk the block by re-reading each transaction's length: serialize boundaries via readTx of slices.
  const out = new Map<string, Uint8Array>();
  let offset = 80;
  const [count, countLen] = readCompactSize(block, offset);
  offset += countLen;
  for (let i = 0; i < count; i++) {
    const end = txEnd(block, offset);
    const raw = block.subarray(offset, end);
    const txid = readTx(raw).txid;
    if (wanted.has(txid)) out.set(txid, raw.slice());
    offset = end;
  }
  return out;
}

function readCompactSize(b: Uint8Array, at: number): [number, number] {
  const first = b[at];
  if (first === undefined) throw new RangeError('block truncated');
  if (first < 0xfd) return [first, 1];
  const view = new DataView(b.buffer, b.byteOffset + at + 1);
  if (first === 0xfd) return [view.getUint16(0, true), 3];
  if (first === 0xfe) return [view.getUint32(0, true), 5];
  return [Number(view.getBigUint64(0, true)), 9];
}

/** End offset of the serialized transaction starting at `start` (BIP144 aware). */
function txEnd(b: Uint8Array, start: number): number {
  let at = start + 4;
  const segwit = b[at] === 0 && b[at + 1] !== 0;
  if (segwit) at += 2;
  const [nIn, l1] = readCompactSize(b, at);
  at += l1;
  for (let i = 0; i < nIn; i++) {
    at += 36;
    const [len, l] = readCompactSize(b, at);
    at += l + len + 4;
  }
  const [nOut, l2] = readCompactSize(b, at);
  at += l2;
  for (let i = 0; i < nOut; i++) {
    at += 8;
    const [len, l] = readCompactSize(b, at);
    at += l + len;
  }
  if (segwit) {
    for (let i = 0; i < nIn; i++) {
      const [items, l] = readCompactSize(b, at);
      at += l;
      for (let j = 0; j < items; j++) {
        const [len, l3] = readCompactSize(b, at);
        at += l3 + len;
      }
    }
  }
  return at + 4;
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
    this.sessionFrom = from;
    this.scannedUpTo = from - 1;
    this.extendLookahead(from - 1);
    const before = data.txs.size;
    if (from <= tip.height) await this.scan(from, tip.height, null);
    // Scripts derived during the scan must also be looked for in the blocks scanned before them.
    while (this.missed.size > 0) {
      const ranges = [...this.missed.values()];
      const only = new Set(this.missed.keys());
      this.missed.clear();
      await this.scan(Math.min(...ranges.map((r) => r.from)), Math.max(...ranges.map((r) => r.to)), only);
    }
    this.o.apply({ tip: { height: tip.height, hash: tip.hash } });
    await this.mempool(tip.height);
    this.o.progress?.({ stage: 'done', height: tip.height, tip: tip.height, fraction: 1 });
    return { tip, newTxs: data.txs.size - before, reorged };
  }

  private sessionFrom = 0;
  /** Highest height the main pass has scanned in this session. */
  private scannedUpTo = -1;
  /** Scripts derived mid-scan, with the block range this session scanned before they existed. */
  private readonly missed = new Map<string, { from: number; to: number }>();

  /** Derives scripts up to the gap; those new after `scannedTo` still need the earlier blocks. */
  private extendLookahead(scannedTo: number): number {
    const added = lookahead(this.o.data, this.o.gapLimit, this.o.revealed, this.o.derive);
    if (added.length === 0) return 0;
    this.o.apply({ scripts: added });
    if (scannedTo >= this.sessionFrom) for (const s of added) this.missed.set(s.spk, { from: this.sessionFrom, to: scannedTo });
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
          // Newly used scripts may extend the lookahead, and the new scripts may match this very block.
          // In the main pass later blocks will see them; in a rescan, every block already scanned.
          this.extendLookahead(only ? this.scannedUpTo : height - 1);
          testing = [...data.scripts.keys()].filter((s) => !tested.has(s));
          testing.forEach((s) => tested.add(s));
        }
        if (!only) this.scannedUpTo = height;
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
    const owned = new Set(data.graph().owned.keys());
    const relevant = relevantTxs(txs, new Set(data.scripts.keys()), owned);
    if (relevant.length === 0) return 0;
    const raws = rawTxsOf(raw, new Set(relevant.map((t) => t.txid)));
    const cs: Changeset = { txs: [], txUpdates: [], blocks: [{ height, hash }] };
    for (const tx of relevant) {
      const existing = data.txs.get(tx.txid);
      if (existing) {
        if (existing.block?.hash !== hash || existing.state !== 'active') cs.txUpdates!.push({ txid: tx.txid, block, state: 'active' });
      } else {
        cs.txs!.push({ txid: tx.txid, raw: raws.get(tx.txid)!, block, firstSeen: this.now(), state: 'active' });
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
      const fresh = [...inMempool].filter((id) => !this.seenMempool.has(id) && !data.txs.has(id));
      for (let i = 0; i < fresh.length; i += 64) {
        const chunk = fresh.slice(i, i + 64);
        const found = await Promise.all(chunk.map((id) => source.tx(id)));
        const cs: Changeset = { txs: [], txUpdates: [] };
        chunk.forEach((id, j) => {
          this.seenMempool.add(id);
          const lookup = found[j];
          if (!lookup || lookup.block) return;
          const parsed = readTx(lookup.raw);
          if (!data.graph().isRelevant(parsed)) return;
          cs.txs!.push({ txid: id, raw: lookup.raw, block: null, firstSeen: this.now(), state: 'active' });
          // The mempool holds the newer spend: whatever it conflicts with was replaced.
          for (const loser of data.conflictsOf(parsed.inputs, id)) {
            if (!loser.block) for (const tid of data.withDescendants(loser.txid)) cs.txUpdates!.push({ txid: tid, state: 'replaced' });
          }
        });
        if (cs.txs!.length || cs.txUpdates!.length) this.o.apply(cs);
      }
    }
    // Our pending transactions that left the mempool: confirmed below our scan, lost to a conflict,
    // or never sent (a crash between persist and broadcast) — those are broadcast again.
    for (const tx of pending) {
      if (inMempool?.has(tx.txid)) continue;
      const lookup = await source.tx(tx.txid);
      if (lookup?.block) {
        this.o.apply({ txUpdates: [{ txid: tx.txid, block: { height: lookup.block.height, hash: lookup.block.hash, time: lookup.block.time } }] });
        continue;
      }
      if (lookup) continue;
      const spentElsewhere = await Promise.all(
        tx.parsed.inputs.map(async (i) => {
          const spend = await source.outspend(i.txid, i.vout);
          return spend.spent && spend.txid !== tx.txid;
        }),
      );
      if (spentElsewhere.some(Boolean)) {
        this.o.apply({ txUpdates: data.withDescendants(tx.txid).map((id) => ({ txid: id, state: 'conflicted' as const })) });
      } else {
        await this.rebroadcast(tx.raw);
      }
    }
  }

  private async rebroadcast(raw: Uint8Array): Promise<void> {
    try {
      await this.o.source.broadcast(raw);
    } catch (err) {
      // A rejection (missing inputs, fee too low after a mempool change…) leaves it pending for the
      // user to bump or cancel; it is reported, not fatal to sync.
      this.o.onRebroadcastError?.(err);
    }
  }
}

/** Records a transaction we are about to broadcast, and what it replaces: persist before send. */
export function recordOutgoing(data: WalletData, tx: { txid: string; raw: Uint8Array }, now: number): Changeset {
  const parsed = readTx(tx.raw);
  const replaced = data.conflictsOf(parsed.inputs, tx.txid).filter((t) => !t.block);
  const own: WalletTx = { txid: tx.txid, raw: tx.raw, block: null, firstSeen: now, state: 'active' };
  return {
    txs: [own],
    txUpdates: replaced.flatMap((t) => data.withDescendants(t.txid)).map((txid) => ({ txid, state: 'replaced' as const })),
  };
}
