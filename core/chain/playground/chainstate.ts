/**
 * The Playground's block tree and active chain: accepts blocks (Core's ProcessNewBlock path),
 * connects them against the UTXO set with every consensus rule (inputs, maturity, BIP68, sigops,
 * scripts, coinbase amount), keeps the most-work valid chain active, and reorganizes on
 * `invalidate`/`reconsider` (Core's invalidateblock/reconsiderblock): disconnect to the fork point,
 * connect the best valid branch, mark blocks that fail as invalid. Each connect or disconnect is
 * one store transaction; reorganizations report what left and joined the chain so the caller can
 * return transactions to the mempool.
 *
 * Not here: the mempool (mempool.ts), block templates (miner.ts), RPC shapes.
 */
import { basicFilter, filterHeader, GENESIS_PREV_FILTER_HEADER } from '../bip158.js';
import { blockWork, checkBlock, contextualCheckBlock, contextualCheckHeader } from './block-rules.js';
import {
  checkInputScripts,
  checkTxInputs,
  feeRatePerKvB,
  rejection,
  sequenceLocks,
  sequenceLocksMet,
  sigOpCost,
  type Coin,
  type Rejection,
} from './consensus.js';
import { ScriptCache, type ChainView } from './mempool.js';
import { blockSubsidy, GENESIS_BLOCK_HEX, MAX_BLOCK_SIGOPS_COST, MEDIAN_TIME_SPAN } from './params.js';
import { ChainStore, type BlockStats } from './store.js';
import { hex } from '@scure/base';
import { decodeBlock, decodeHeader, type BlockHeader, type DecodedBlock } from './wire.js';

export interface BlockIndex {
  hash: string;
  height: number;
  header: BlockHeader;
  headerRaw: Uint8Array;
  parent: BlockIndex | undefined;
  /** Order of arrival: among equal work, the earlier block wins (as Core's nSequenceId). */
  seq: number;
  failed: boolean;
  /** Median time past including this block (BIP113). */
  mtp: number;
  chainwork: bigint;
  nTx: number;
  size: number;
}

export interface Reorg {
  /** Blocks that left the active chain, tip first. */
  disconnected: DecodedBlock[];
  /** Blocks that joined it, in chain order. */
  connected: DecodedBlock[];
}

/** Result of offering a block, in submitblock's words: null when it became part of the active chain. */
export type SubmitResult = { result: null | string; reorg: Reorg };

function medianTimePast(entry: BlockIndex): number {
  const times: number[] = [];
  for (let e: BlockIndex | undefined = entry; e && times.length < MEDIAN_TIME_SPAN; e = e.parent) times.push(e.header.time);
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export class Chain implements ChainView {
  readonly index = new Map<string, BlockIndex>();
  readonly active: BlockIndex[] = [];
  readonly scriptCache = new ScriptCache();
  private nextSeq = 0;

  constructor(
    readonly store: ChainStore,
    private readonly clock: () => number,
  ) {
    for (const row of store.loadIndex()) {
      const header = decodeHeader(row.header);
      const parent = this.index.get(row.prev);
      this.addIndex(row.hash, row.height, header, row.header, parent, row.seq, row.failed, row.ntx, row.size);
    }
    for (const hash of store.loadActive()) this.active.push(this.index.get(hash)!);
    if (this.index.size === 0) this.initGenesis();
    // Finishes a reorganization a kill may have interrupted.
    this.activateBestChain();
  }

  get tip(): BlockIndex {
    return this.active[this.active.length - 1]!;
  }

  get tipHeight(): number {
    return this.active.length - 1;
  }

  mtpAt(height: number): number {
    return this.active[height]!.mtp;
  }

  coin(txid: string, vout: number): Coin | undefined {
    return this.store.coin(txid, vout);
  }

  hasUnspentOutputs(txid: string): boolean {
    return this.store.hasUnspentOutputs(txid);
  }

  isActive(entry: BlockIndex): boolean {
    return this.active[entry.height] === entry;
  }

  get(hash: string): BlockIndex | undefined {
    return this.index.get(hash);
  }

  block(hash: string): DecodedBlock | undefined {
    const raw = this.store.blockRaw(hash);
    return raw ? decodeBlock(raw) : undefined;
  }

  stats(hash: string): BlockStats | undefined {
    return this.store.stats(hash);
  }

  /** Best header height among blocks not known to be invalid. */
  get bestHeaderHeight(): number {
    let best = 0;
    for (const e of this.index.values()) if (!e.failed && e.height > best) best = e.height;
    return best;
  }

  private addIndex(hash: string, height: number, header: BlockHeader, headerRaw: Uint8Array, parent: BlockIndex | undefined, seq: number, failed: boolean, nTx: number, size: number): BlockIndex {
    const entry: BlockIndex = {
      hash, height, header, headerRaw, parent, seq, failed, nTx, size, mtp: 0,
      chainwork: (parent?.chainwork ?? 0n) + blockWork(header.bits),
    };
    entry.mtp = medianTimePast(entry);
    this.index.set(hash, entry);
    this.nextSeq = Math.max(this.nextSeq, seq + 1);
    return entry;
  }

  private initGenesis(): void {
    const block = decodeBlock(hex.decode(GENESIS_BLOCK_HEX));
    this.store.insertBlock(block.hash, 0, block.header.prevHash, 0, block.raw);
    const entry = this.addIndex(block.hash, 0, block.header, block.headerRaw, undefined, 0, false, block.txs.length, block.size);
    const filter = basicFilter(block.raw, []);
    // The genesis output is not spendable: Core never adds it to the UTXO set.
    this.store.connect({ block, height: 0, filter, filterHeader: filterHeader(filter, GENESIS_PREV_FILTER_HEADER), fees: 0n, minFeeRate: null }, false);
    this.active.push(entry);
  }

  /** Checks a block that would extend the active tip without storing it (Core's TestBlockValidity). */
  testBlockValidity(block: DecodedBlock): Rejection | null {
    if (block.header.prevHash !== this.tip.hash) return rejection('inconclusive-not-best-prevblk');
    return checkBlock(block) ?? this.contextualChecks(block, this.tip) ?? this.connectChecks(block, this.tip.height + 1).rejection;
  }

  private contextualChecks(block: DecodedBlock, parent: BlockIndex): Rejection | null {
    const height = parent.height + 1;
    return contextualCheckHeader(block.header, height, parent.mtp, this.clock()) ?? contextualCheckBlock(block, height, parent.mtp);
  }

  /** Core's ProcessNewBlock + submitblock's result strings; storing and connecting it is one transaction. */
  submitBlock(block: DecodedBlock): SubmitResult {
    return this.store.atomically(() => this.acceptBlock(block));
  }

  private acceptBlock(block: DecodedBlock): SubmitResult {
    const none: Reorg = { disconnected: [], connected: [] };
    const known = this.index.get(block.hash);
    if (known) return { result: known.failed ? 'duplicate-invalid' : 'duplicate', reorg: none };
    const checked = checkBlock(block);
    if (checked) return { result: checked.reason, reorg: none };
    const parent = this.index.get(block.header.prevHash);
    if (!parent) return { result: 'prev-blk-not-found', reorg: none };
    if (parent.failed) return { result: 'bad-prevblk', reorg: none };
    const contextual = this.contextualChecks(block, parent);
    if (contextual) return { result: contextual.reason, reorg: none };
    const seq = this.nextSeq;
    this.store.insertBlock(block.hash, parent.height + 1, parent.hash, seq, block.raw);
    const entry = this.addIndex(block.hash, parent.height + 1, block.header, block.headerRaw, parent, seq, false, block.txs.length, block.size);
    const failures = new Map<string, Rejection>();
    const reorg = this.activateBestChain(failures);
    const failure = failures.get(entry.hash);
    if (failure) return { result: failure.reason, reorg };
    return { result: this.isActive(entry) ? null : 'inconclusive', reorg };
  }

  /** Core's invalidateblock: the block and its descendants become invalid; the best valid chain takes over. */
  invalidate(hash: string): Reorg {
    return this.store.atomically(() => this.invalidateInner(hash));
  }

  private invalidateInner(hash: string): Reorg {
    const entry = this.index.get(hash)!;
    const disconnected: DecodedBlock[] = [];
    // Disconnect first so the mempool can take back the block's transactions, as Core does.
    while (this.isActive(entry)) disconnected.push(this.disconnectTip());
    this.markFailed(entry);
    const reorg = this.activateBestChain();
    return { disconnected: [...disconnected, ...reorg.disconnected], connected: reorg.connected };
  }

  /** Core's reconsiderblock: clears failure flags on the block, its descendants and its ancestors. */
  reconsider(hash: string): Reorg {
    return this.store.atomically(() => this.reconsiderInner(hash));
  }

  private reconsiderInner(hash: string): Reorg {
    const entry = this.index.get(hash)!;
    const cleared: string[] = [];
    const clear = (e: BlockIndex) => {
      if (!e.failed) return;
      e.failed = false;
      cleared.push(e.hash);
    };
    for (const e of this.descendants(entry)) clear(e);
    for (let e = entry.parent; e; e = e.parent) clear(e);
    this.store.setFailed(cleared, false);
    return this.activateBestChain();
  }

  /** `entry` and every block built on it, parents before children. */
  private descendants(entry: BlockIndex): BlockIndex[] {
    const byHeight = [...this.index.values()].filter((e) => e.height >= entry.height).sort((a, b) => a.height - b.height);
    const found = new Set<BlockIndex>([entry]);
    for (const e of byHeight) if (e.parent && found.has(e.parent)) found.add(e);
    return [...found];
  }

  private markFailed(entry: BlockIndex): void {
    const marked: string[] = [];
    for (const e of this.descendants(entry)) {
      if (e.failed) continue;
      e.failed = true;
      marked.push(e.hash);
    }
    this.store.setFailed(marked, true);
  }

  /** Core's candidate order: most work, then earliest arrival. */
  private bestCandidate(): BlockIndex {
    let best: BlockIndex | undefined;
    for (const e of this.index.values()) {
      if (e.failed) continue;
      if (!best || e.chainwork > best.chainwork || (e.chainwork === best.chainwork && e.seq < best.seq)) best = e;
    }
    return best!;
  }

  /** Core's ActivateBestChain: move to the most-work valid chain, marking blocks that fail. */
  activateBestChain(failures?: Map<string, Rejection>): Reorg {
    const disconnected: DecodedBlock[] = [];
    const connected: DecodedBlock[] = [];
    for (;;) {
      const best = this.bestCandidate();
      if (best === this.tip) break;
      const path: BlockIndex[] = [];
      let walk: BlockIndex | undefined = best;
      while (walk && !this.isActive(walk)) {
        path.unshift(walk);
        walk = walk.parent;
      }
      const fork = walk!;
      while (this.tip !== fork) disconnected.push(this.disconnectTip());
      for (const e of path) {
        const block = this.block(e.hash)!;
        const failure = this.connectTip(e, block);
        if (failure) {
          failures?.set(e.hash, failure);
          this.markFailed(e);
          break;
        }
        connected.push(block);
      }
    }
    return { disconnected, connected };
  }

  private disconnectTip(): DecodedBlock {
    const entry = this.tip;
    const block = this.block(entry.hash)!;
    this.store.disconnect(block, entry.height);
    this.active.pop();
    return block;
  }

  private connectTip(entry: BlockIndex, block: DecodedBlock): Rejection | null {
    const checks = this.connectChecks(block, entry.height);
    if (checks.rejection) return checks.rejection;
    const prevHeader = this.store.filter(entry.parent!.hash)!.header;
    const filter = basicFilter(block.raw, checks.spentScripts);
    this.store.connect(
      { block, height: entry.height, filter, filterHeader: filterHeader(filter, prevHeader), fees: checks.fees, minFeeRate: checks.minFeeRate },
      true,
    );
    this.active.push(entry);
    return null;
  }

  /** Core's ConnectBlock checks for `block` on top of the active tip, without writing anything. */
  private connectChecks(block: DecodedBlock, height: number): { rejection: Rejection | null; fees: bigint; minFeeRate: bigint | null; spentScripts: Uint8Array[] } {
    const created = new Map<string, Coin>();
    const spent = new Set<string>();
    const spentScripts: Uint8Array[] = [];
    const prevMtp = this.mtpAt(height - 1);
    let fees = 0n;
    let minFeeRate: bigint | null = null;
    let sigops = 0;
    const fail = (r: Rejection) => ({ rejection: r, fees, minFeeRate, spentScripts });
    for (let pos = 0; pos < block.txs.length; pos++) {
      const tx = block.txs[pos]!;
      let coins: Coin[] | null = null;
      let fee = 0n;
      if (pos > 0) {
        coins = [];
        for (const input of tx.inputs) {
          const k = `${input.txid}:${input.vout}`;
          const coin = spent.has(k) ? undefined : (created.get(k) ?? this.store.coin(input.txid, input.vout));
          if (!coin) return fail(rejection('bad-txns-inputs-missingorspent', `CheckTxInputs: inputs missing/spent in transaction ${tx.txid}`));
          coins.push(coin);
        }
        const inputs = checkTxInputs(tx, coins, height);
        if ('reason' in inputs) return fail(inputs);
        fee = inputs.fee;
        const locks = sequenceLocks(tx, coins.map((c) => c.height), (h) => this.mtpAt(h));
        if (!sequenceLocksMet(locks, height, prevMtp)) return fail(rejection('bad-txns-nonfinal', 'contains a non-BIP68-final transaction'));
      }
      sigops += sigOpCost(tx, coins);
      if (sigops > MAX_BLOCK_SIGOPS_COST) return fail(rejection('bad-blk-sigops', 'too many sigops'));
      if (coins) {
        if (!this.scriptCache.has(tx.wtxid, 'consensus')) {
          const scripts = checkInputScripts(tx, coins, false);
          if (scripts) return fail(scripts);
          this.scriptCache.add(tx.wtxid, 'consensus');
        }
        fees += fee;
        const rate = feeRatePerKvB(fee, tx.vsize);
        if (minFeeRate === null || rate < minFeeRate) minFeeRate = rate;
        tx.inputs.forEach((input, i) => {
          spent.add(`${input.txid}:${input.vout}`);
          spentScripts.push(coins[i]!.script);
        });
      }
      tx.outputs.forEach((out, vout) => created.set(`${tx.txid}:${vout}`, { value: out.value, script: out.script, height, coinbase: pos === 0 }));
    }
    const limit = fees + blockSubsidy(height);
    const paid = block.txs[0]!.outputs.reduce((s, o) => s + o.value, 0n);
    if (paid > limit) return fail(rejection('bad-cb-amount', `coinbase pays too much (actual=${paid} vs limit=${limit})`));
    return { rejection: null, fees, minFeeRate, spentScripts };
  }
}
