/**
 * The Playground node: a regtest chain, its mempool and a faucet in one object, persisted in one
 * SQLite file. It is what the RPC and Esplora servers answer from, and it can be driven in-process
 * (tests, benchmarks). Time comes from an injectable clock, so a chain mined with a fixed clock,
 * payout script and faucet key is the same chain every run.
 *
 * Keeps the mempool consistent with the chain: mined and conflicting transactions leave it when
 * blocks connect; after a reorganization the transactions of disconnected blocks come back
 * (Core's MaybeUpdateMempoolForReorg) and everything is revalidated against the new tip.
 *
 * Not here: wire protocols (rpc.ts, esplora.ts, server.ts).
 */
import { randomBytes } from 'node:crypto';
import { hex } from '@scure/base';
import type { Coin, Rejection } from './consensus.js';
import { Chain, type Reorg } from './chainstate.js';
import { FaucetWallet, type FaucetCoin } from './faucet.js';
import { estimateFeeRates, MAX_CONF_TARGET, RECENT_WINDOW } from './fees.js';
import { Mempool, type AcceptOutcome, type MempoolEntry } from './mempool.js';
import { mineBlock, selectPackages } from './miner.js';
import { COINBASE_MATURITY } from './params.js';
import { ChainStore, type Txo } from './store.js';
import type { DecodedBlock, DecodedTx } from './wire.js';
import { decodeTx } from './wire.js';
import { rejection } from './consensus.js';

export interface PlaygroundOptions {
  /** The SQLite file holding the chain; created with a fresh regtest genesis when missing. */
  file: string;
  /** Seconds since the epoch; inject a fixed or stepping clock for a reproducible chain. */
  clock?: () => number;
  /** 32-byte secret of the faucet key; by default a random one is generated once and kept in the file. */
  faucetKey?: Uint8Array;
  /** Core's -mempoolfullrbf, on by default as in Core 28. */
  fullRbf?: boolean;
}

export interface TxInfo {
  tx: DecodedTx;
  /** Set when the transaction is in a block of the active chain. */
  block?: { hash: string; height: number; time: number; pos: number };
  /** Set when it is in the mempool. */
  mempool?: MempoolEntry;
}

/** Blocks the faucet may mine to itself while looking for mature coins before giving up. */
const FAUCET_MAX_BLOCKS = 1_000;

export class Playground {
  readonly chain: Chain;
  readonly mempool: Mempool;
  readonly faucetWallet: FaucetWallet;
  readonly now: () => number;
  private readonly store: ChainStore;

  constructor(opts: PlaygroundOptions) {
    this.now = opts.clock ?? (() => Math.floor(Date.now() / 1000));
    this.store = new ChainStore(opts.file);
    try {
      this.chain = new Chain(this.store, this.now);
      this.mempool = new Mempool(opts.fullRbf ?? true);
      this.faucetWallet = new FaucetWallet(opts.faucetKey ?? this.storedFaucetKey());
      this.reloadMempool(this.store.loadMempool().map((r) => ({ tx: decodeTx(r.raw), time: r.time, returning: false })));
    } catch (err) {
      this.store.close();
      throw err;
    }
  }

  close(): void {
    this.store.close();
  }

  private storedFaucetKey(): Uint8Array {
    let key = this.store.setting('faucet_key');
    if (!key) {
      key = hex.encode(randomBytes(32));
      this.store.setSetting('faucet_key', key);
    }
    return hex.decode(key);
  }

  // ------------------------------------------------------------------------------------------
  // Mempool

  /** Accept-to-mempool; with `test`, only reports what would happen. */
  acceptTx(tx: DecodedTx, test = false): AcceptOutcome {
    const outcome = this.mempool.accept(this.chain, tx, { time: this.now(), test });
    if (outcome.ok && !test) {
      this.store.mempoolRemove(outcome.replaced.map((e) => e.tx.txid));
      this.store.mempoolAdd(tx.txid, tx.raw, this.mempool.get(tx.txid)!.time);
    }
    return outcome;
  }

  /**
   * testmempoolaccept: one transaction against the mempool, or a package (each may spend the ones
   * before it) against a scratch copy. After the first failure the rest are not validated (null).
   */
  testAccept(txs: readonly DecodedTx[]): (AcceptOutcome | null)[] {
    if (txs.length === 1) return [this.acceptTx(txs[0]!, true)];
    const scratch = this.mempool.clone();
    const results: (AcceptOutcome | null)[] = [];
    let failed = false;
    for (const tx of txs) {
      if (failed) {
        results.push(null);
        continue;
      }
      const outcome = scratch.accept(this.chain, tx, { time: this.now() });
      failed = !outcome.ok;
      results.push(outcome);
    }
    return results;
  }

  /** Rebuilds the mempool from `candidates` (in order) against the current tip and persists it. */
  private reloadMempool(candidates: { tx: DecodedTx; time: number; returning: boolean }[]): void {
    this.mempool.clear();
    for (const c of candidates) {
      this.mempool.accept(this.chain, c.tx, { time: c.time, bypassFeeRate: c.returning });
    }
    this.store.mempoolReplaceAll(this.mempool.ordered().map((e) => ({ txid: e.tx.txid, raw: e.tx.raw, time: e.time })));
  }

  private applyReorg(reorg: Reorg): void {
    if (reorg.disconnected.length === 0) {
      for (const block of reorg.connected) this.store.mempoolRemove(this.mempool.removeForBlock(block));
      return;
    }
    const mined = new Set(reorg.connected.flatMap((b) => b.txs.map((t) => t.txid)));
    const now = this.now();
    // Oldest disconnected block first, so parents return before their children.
    const returning = [...reorg.disconnected]
      .reverse()
      .flatMap((b) => b.txs.slice(1))
      .filter((tx) => !mined.has(tx.txid))
      .map((tx) => ({ tx, time: now, returning: true }));
    const staying = this.mempool.ordered().map((e) => ({ tx: e.tx, time: e.time, returning: false }));
    this.reloadMempool([...returning, ...staying]);
  }

  // ------------------------------------------------------------------------------------------
  // Blocks

  /** Mines `count` blocks paying `payout`, each filled from the mempool by ancestor fee rate. */
  generate(count: number, payout: Uint8Array): string[] {
    const hashes: string[] = [];
    for (let i = 0; i < count; i++) {
      const txs = selectPackages(this.mempool).flatMap((p) => p.entries);
      const fees = txs.reduce((s, e) => s + e.fee, 0n);
      const block = this.mine(payout, txs.map((e) => e.tx), fees);
      const { result, reorg } = this.chain.submitBlock(block);
      if (result !== null) throw new Error(`the Playground mined a block it rejects (${result}); this is a bug`);
      this.applyReorg(reorg);
      hashes.push(block.hash);
    }
    return hashes;
  }

  private mine(payout: Uint8Array, txs: readonly DecodedTx[], fees: bigint): DecodedBlock {
    const tip = this.chain.tip;
    const time = Math.max(tip.mtp + 1, this.now());
    for (let extraNonce = 0; ; extraNonce++) {
      const block = mineBlock({ prevHash: tip.hash, height: tip.height + 1, time, payout, txs, fees, extraNonce });
      // A block identical to one seen before (say, re-mined after invalidateblock) gets a new coinbase.
      if (!this.chain.get(block.hash)) return block;
    }
  }

  /**
   * Core's generateblock: exactly `txs`, in order, on the tip; the coinbase claims the subsidy only,
   * as Core's does. Returns the block, or Core's TestBlockValidity rejection.
   */
  generateBlock(payout: Uint8Array, txs: readonly DecodedTx[], submit: boolean): { block: DecodedBlock } | { rejection: Rejection } {
    const block = this.mine(payout, txs, 0n);
    const invalid = this.chain.testBlockValidity(block);
    if (invalid) return { rejection: invalid };
    if (submit) {
      const { result, reorg } = this.chain.submitBlock(block);
      this.applyReorg(reorg);
      if (result !== null) return { rejection: rejection(result) };
    }
    return { block };
  }

  /** submitblock: null when the block joined the active chain, else Core's result string. */
  submitBlock(block: DecodedBlock): string | null {
    const { result, reorg } = this.chain.submitBlock(block);
    this.applyReorg(reorg);
    return result;
  }

  invalidate(hash: string): void {
    this.applyReorg(this.chain.invalidate(hash));
  }

  reconsider(hash: string): void {
    this.applyReorg(this.chain.reconsider(hash));
  }

  // ------------------------------------------------------------------------------------------
  // Fees and faucet

  /** sat/kvB to confirm within each target (clamped to 1..1008), from one projection of the mempool. */
  feeRates(targets: readonly number[]): Map<number, bigint> {
    const clamped = targets.map((t) => Math.min(Math.max(1, t), MAX_CONF_TARGET));
    const recent = [];
    for (let h = this.chain.tipHeight; h > 0 && recent.length < RECENT_WINDOW; h--) {
      const stats = this.chain.stats(this.chain.active[h]!.hash);
      if (stats) recent.push(stats);
    }
    const rates = estimateFeeRates(this.mempool, recent, clamped);
    return new Map(targets.map((t, i) => [t, rates.get(clamped[i]!)!]));
  }

  /** sat/kvB to confirm within `target` blocks. */
  feeRate(target: number): bigint {
    return this.feeRates([target]).get(target)!;
  }

  /**
   * Pays `amount` to `to` from the faucet key and broadcasts it (unconfirmed). When the faucet has
   * no spendable coins it mines blocks to itself until a coinbase matures (101 the first time).
   */
  faucet(to: Uint8Array, amount: bigint): string {
    if (amount <= 0n) throw new RangeError(`"amount" expected a positive amount, got ${amount}`);
    const rate = this.feeRate(1);
    for (let mined = 0; mined <= FAUCET_MAX_BLOCKS; ) {
      const tx = this.faucetWallet.pay(this.faucetCoins(), to, amount, rate);
      if (tx) {
        const outcome = this.acceptTx(tx);
        if (outcome.ok) return tx.txid;
        if (outcome.rejection.reason !== 'too-long-mempool-chain') {
          throw new Error(`faucet transaction rejected: ${outcome.rejection.reason}`);
        }
      }
      const blocks = this.hasFaucetCoinbase() ? 1 : COINBASE_MATURITY + 1;
      this.generate(blocks, this.faucetWallet.script);
      mined += blocks;
    }
    throw new RangeError(`"amount" ${amount} is more than the faucet could mine in ${FAUCET_MAX_BLOCKS} blocks`);
  }

  private hasFaucetCoinbase(): boolean {
    return this.store.txosByScript(this.faucetWallet.script).some((t) => t.coinbase && !t.spent);
  }

  /** Spendable faucet coins: confirmed and mature first (largest first), then unconfirmed change. */
  private faucetCoins(): FaucetCoin[] {
    const nextHeight = this.chain.tipHeight + 1;
    const confirmed = this.store
      .txosByScript(this.faucetWallet.script)
      .filter((t) => !t.spent && !this.mempool.spender(t.txid, t.vout))
      .filter((t) => !t.coinbase || nextHeight - t.height >= COINBASE_MATURITY)
      .sort((a, b) => (a.value > b.value ? -1 : a.value < b.value ? 1 : 0));
    const script = hex.encode(this.faucetWallet.script);
    const unconfirmed: FaucetCoin[] = [];
    for (const e of this.mempool.ordered()) {
      e.tx.outputs.forEach((o, vout) => {
        if (hex.encode(o.script) === script && !this.mempool.spender(e.tx.txid, vout)) unconfirmed.push({ txid: e.tx.txid, vout, value: o.value });
      });
    }
    return [...confirmed, ...unconfirmed];
  }

  // ------------------------------------------------------------------------------------------
  // Lookups

  /** A transaction from the mempool or the active chain. */
  tx(txid: string): TxInfo | undefined {
    const entry = this.mempool.get(txid);
    if (entry) return { tx: entry.tx, mempool: entry };
    const at = this.store.txLocation(txid);
    if (!at) return undefined;
    const tx = decodeTx(this.store.txRaw(txid)!);
    const block = this.chain.get(at.block)!;
    return { tx, block: { hash: at.block, height: at.height, time: block.header.time, pos: at.pos } };
  }

  /** The output `txid:vout` of the active chain or the mempool, spent or not. */
  output(txid: string, vout: number): (Coin & { txid: string; vout: number }) | undefined {
    const entry = this.mempool.get(txid);
    if (entry) {
      const out = entry.tx.outputs[vout];
      return out ? { txid, vout, value: out.value, script: out.script, height: this.chain.tipHeight + 1, coinbase: false } : undefined;
    }
    return this.store.txo(txid, vout);
  }

  /** Who spends `txid:vout`: a mempool transaction, or a block transaction with its height. */
  outspend(txid: string, vout: number): { txid: string; vin: number; height?: number } | undefined {
    const txo = this.store.txo(txid, vout);
    if (txo?.spent) return { txid: txo.spent.txid, vin: txo.spent.vin, height: txo.spent.height };
    return this.mempool.spender(txid, vout);
  }

  /** Confirmed outputs paying `script`, spent or not. */
  outputsTo(script: Uint8Array): Txo[] {
    return this.store.txosByScript(script);
  }

  /** Raw block bytes by hash (any block the Playground has stored). */
  blockRaw(hash: string): Uint8Array | undefined {
    return this.store.blockRaw(hash);
  }

  filter(hash: string): { filter: Uint8Array; header: string } | undefined {
    return this.store.filter(hash);
  }
}
