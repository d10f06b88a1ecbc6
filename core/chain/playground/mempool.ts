/**
 * The Playground's mempool: Bitcoin Core 28's accept-to-memory-pool checks in Core's order
 * (PreChecks, full-RBF ReplacementChecks, policy then consensus script checks), chains of
 * unconfirmed transactions with Core's ancestor/descendant limits, and removal when blocks connect.
 * Every refusal carries Core's reject reason and debug text.
 * https://github.com/bitcoin/bitcoin/blob/v28.0/doc/policy/mempool-replacements.md
 *
 * Not here: persistence (the Playground writes rows after each change), mining order (miner.ts),
 * size-based eviction and expiry (a devnet mempool is never full, so "mempool min fee not met"
 * does not occur), package RBF and TRUC (v3) rules.
 */
import {
  checkInputScripts,
  checkTransaction,
  checkTxInputs,
  feeForVsize,
  feeRatePerKvB,
  formatFeeRate,
  formatMoney,
  isCoinbase,
  isFinalTx,
  rejection,
  sequenceLocks,
  sequenceLocksMet,
  sigOpCost,
  type Coin,
  type Rejection,
} from './consensus.js';
import {
  ANCESTOR_LIMIT,
  ANCESTOR_SIZE_LIMIT_VB,
  DESCENDANT_LIMIT,
  DESCENDANT_SIZE_LIMIT_VB,
  INCREMENTAL_RELAY_FEERATE,
  MAX_BIP125_RBF_SEQUENCE,
  MAX_REPLACEMENT_CANDIDATES,
  MAX_STANDARD_TX_SIGOPS_COST,
  MIN_RELAY_FEERATE,
  MIN_STANDARD_TX_NONWITNESS_SIZE,
} from './params.js';
import { checkStandardTx, inputsStandard, policyVsize, witnessStandard } from './policy.js';
import type { DecodedBlock, DecodedTx } from './wire.js';

/** What the mempool needs to know about the active chain. */
export interface ChainView {
  readonly tipHeight: number;
  /** Median time past of the active block at `height`. */
  mtpAt(height: number): number;
  /** Unspent output of the active chain. */
  coin(txid: string, vout: number): Coin | undefined;
  hasUnspentOutputs(txid: string): boolean;
  /** wtxids whose scripts passed: "standard" implies "consensus". */
  readonly scriptCache: ScriptCache;
}

/** Core's script execution cache: spent outputs are fixed by the outpoints, so a wtxid suffices. */
export class ScriptCache {
  private readonly map = new Map<string, 'standard' | 'consensus'>();
  constructor(private readonly capacity = 100_000) {}
  has(wtxid: string, level: 'standard' | 'consensus'): boolean {
    const got = this.map.get(wtxid);
    return got === 'standard' || (got !== undefined && level === 'consensus');
  }
  add(wtxid: string, level: 'standard' | 'consensus'): void {
    if (this.map.get(wtxid) === 'standard') return;
    this.map.delete(wtxid);
    this.map.set(wtxid, level);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}

export interface MempoolEntry {
  tx: DecodedTx;
  fee: bigint;
  /** Sigop-adjusted virtual size, as Core's mempool counts it. */
  vsize: number;
  sigopCost: number;
  /** Seconds since epoch when it entered. */
  time: number;
  /** Tip height when it entered. */
  height: number;
  coins: Coin[];
  parents: Set<string>;
  children: Set<string>;
  seq: number;
}

export type AcceptOutcome =
  | { ok: true; txid: string; wtxid: string; vsize: number; fee: bigint; replaced: MempoolEntry[] }
  | { ok: false; txid: string; wtxid: string; rejection: Rejection };

export interface AcceptOptions {
  time: number;
  /** Validate only (testmempoolaccept): nothing changes. */
  test?: boolean;
  /** Skip the fee-rate floor, as Core does for transactions returning from disconnected blocks. */
  bypassFeeRate?: boolean;
}

const key = (txid: string, vout: number): string => `${txid}:${vout}`;

export class Mempool {
  readonly entries = new Map<string, MempoolEntry>();
  private readonly spentBy = new Map<string, string>();
  private seq = 0;
  /** Counts additions and removals (getrawmempool's mempool_sequence). */
  sequence = 0;

  constructor(readonly fullRbf: boolean = true) {}

  get size(): number {
    return this.entries.size;
  }

  get(txid: string): MempoolEntry | undefined {
    return this.entries.get(txid);
  }

  /** The mempool transaction spending `txid:vout`, if any. */
  spender(txid: string, vout: number): { txid: string; vin: number } | undefined {
    const spender = this.spentBy.get(key(txid, vout));
    if (!spender) return undefined;
    const vin = this.entries.get(spender)!.tx.inputs.findIndex((i) => i.txid === txid && i.vout === vout);
    return { txid: spender, vin };
  }

  /** Entries in the order they entered. */
  ordered(): MempoolEntry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** A copy to validate packages against without touching this one. */
  clone(): Mempool {
    const copy = new Mempool(this.fullRbf);
    for (const [txid, e] of this.entries) copy.entries.set(txid, { ...e, parents: new Set(e.parents), children: new Set(e.children) });
    for (const [k, v] of this.spentBy) copy.spentBy.set(k, v);
    copy.seq = this.seq;
    copy.sequence = this.sequence;
    return copy;
  }

  ancestors(txid: string): Set<string> {
    return this.walk(txid, (e) => e.parents);
  }

  descendants(txid: string): Set<string> {
    return this.walk(txid, (e) => e.children);
  }

  private walk(txid: string, next: (e: MempoolEntry) => Set<string>): Set<string> {
    const out = new Set<string>();
    const todo = [...next(this.entries.get(txid)!)];
    while (todo.length > 0) {
      const id = todo.pop()!;
      if (out.has(id)) continue;
      out.add(id);
      todo.push(...next(this.entries.get(id)!));
    }
    return out;
  }

  /** BIP125 signalling, directly or through an unconfirmed ancestor (informational under full RBF). */
  signalsReplaceability(txid: string): boolean {
    const signals = (id: string) => this.entries.get(id)!.tx.inputs.some((i) => i.sequence <= MAX_BIP125_RBF_SEQUENCE);
    return signals(txid) || [...this.ancestors(txid)].some(signals);
  }

  accept(chain: ChainView, tx: DecodedTx, opts: AcceptOptions): AcceptOutcome {
    const { txid, wtxid } = tx;
    const fail = (r: Rejection): AcceptOutcome => ({ ok: false, txid, wtxid, rejection: r });
    const consensus = checkTransaction(tx);
    if (consensus) return fail(consensus);
    if (isCoinbase(tx)) return fail(rejection('coinbase'));
    const standard = checkStandardTx(tx);
    if (standard) return fail(standard);
    if (tx.baseSize < MIN_STANDARD_TX_NONWITNESS_SIZE) return fail(rejection('tx-size-small'));
    const nextHeight = chain.tipHeight + 1;
    const tipMtp = chain.mtpAt(chain.tipHeight);
    if (!isFinalTx(tx, nextHeight, tipMtp)) return fail(rejection('non-final'));
    const existing = this.entries.get(txid);
    if (existing) {
      return fail(rejection(existing.tx.wtxid === wtxid ? 'txn-already-in-mempool' : 'txn-same-nonwitness-data-in-mempool'));
    }

    const conflicts = new Set<string>();
    for (const input of tx.inputs) {
      const spender = this.spentBy.get(key(input.txid, input.vout));
      if (!spender) continue;
      const signals = this.entries.get(spender)!.tx.inputs.some((i) => i.sequence <= MAX_BIP125_RBF_SEQUENCE);
      if (!this.fullRbf && !signals) return fail(rejection('txn-mempool-conflict'));
      conflicts.add(spender);
    }

    const coins: Coin[] = [];
    const parents = new Set<string>();
    for (const input of tx.inputs) {
      const parent = this.entries.get(input.txid);
      const out = parent?.tx.outputs[input.vout];
      if (parent && out) {
        coins.push({ value: out.value, script: out.script, height: nextHeight, coinbase: false });
        parents.add(input.txid);
        continue;
      }
      const coin = parent ? undefined : chain.coin(input.txid, input.vout);
      if (!coin) {
        if (chain.hasUnspentOutputs(txid)) return fail(rejection('txn-already-known'));
        return fail({ reason: 'bad-txns-inputs-missingorspent', missingInputs: true });
      }
      coins.push(coin);
    }

    const locks = sequenceLocks(tx, coins.map((c) => c.height), (h) => chain.mtpAt(h));
    if (!sequenceLocksMet(locks, nextHeight, tipMtp)) return fail(rejection('non-BIP68-final'));
    const inputs = checkTxInputs(tx, coins, nextHeight);
    if ('reason' in inputs) return fail(inputs);
    const fee = inputs.fee;
    if (!inputsStandard(tx, coins)) return fail(rejection('bad-txns-nonstandard-inputs'));
    if (!witnessStandard(tx, coins)) return fail(rejection('bad-witness-nonstandard'));
    const sigopCost = sigOpCost(tx, coins);
    if (sigopCost > MAX_STANDARD_TX_SIGOPS_COST) return fail(rejection('bad-txns-too-many-sigops', String(sigopCost)));
    const vsize = policyVsize(tx.weight, sigopCost);
    if (!opts.bypassFeeRate) {
      const minFee = feeForVsize(MIN_RELAY_FEERATE, vsize);
      if (fee < minFee) return fail(rejection('min relay fee not met', `${fee} < ${minFee}`));
    }

    const ancestors = new Set<string>(parents);
    for (const p of parents) for (const a of this.ancestors(p)) ancestors.add(a);
    const limits = this.checkLimits(ancestors, vsize);
    if (limits) return fail(limits);
    for (const c of conflicts) {
      if (ancestors.has(c)) return fail(rejection('bad-txns-spends-conflicting-tx', `${txid} spends conflicting transaction ${c}`));
    }

    let replaced: MempoolEntry[] = [];
    if (conflicts.size > 0) {
      const rbf = this.replacementChecks(tx, fee, vsize, conflicts);
      if ('reason' in rbf) return fail(rbf);
      replaced = rbf;
    }

    if (!chain.scriptCache.has(wtxid, 'standard')) {
      const scripts = checkInputScripts(tx, coins, true);
      if (scripts) return fail(scripts);
      chain.scriptCache.add(wtxid, 'standard');
    }

    if (!opts.test) {
      for (const r of replaced) this.removeEntry(r.tx.txid);
      const entry: MempoolEntry = { tx, fee, vsize, sigopCost, time: opts.time, height: chain.tipHeight, coins, parents, children: new Set(), seq: ++this.seq };
      this.entries.set(txid, entry);
      this.sequence++;
      for (const p of parents) this.entries.get(p)!.children.add(txid);
      for (const input of tx.inputs) this.spentBy.set(key(input.txid, input.vout), txid);
    }
    return { ok: true, txid, wtxid, vsize, fee, replaced };
  }

  /** Core's CalculateAncestorsAndCheckLimits with the default limits. */
  private checkLimits(ancestors: Set<string>, vsize: number): Rejection | null {
    const chain = (debug: string) => rejection('too-long-mempool-chain', debug);
    let ancestorSize = vsize;
    for (const a of ancestors) {
      const entry = this.entries.get(a)!;
      ancestorSize += entry.vsize;
      if (ancestorSize > ANCESTOR_SIZE_LIMIT_VB) return chain(`exceeds ancestor size limit [limit: ${ANCESTOR_SIZE_LIMIT_VB}]`);
      const descendants = this.descendants(a);
      let descendantSize = entry.vsize;
      for (const d of descendants) descendantSize += this.entries.get(d)!.vsize;
      if (descendantSize + vsize > DESCENDANT_SIZE_LIMIT_VB) return chain(`exceeds descendant size limit for tx ${a} [limit: ${DESCENDANT_SIZE_LIMIT_VB}]`);
      if (descendants.size + 1 + 1 > DESCENDANT_LIMIT) return chain(`too many descendants for tx ${a} [limit: ${DESCENDANT_LIMIT}]`);
    }
    if (ancestors.size + 1 > ANCESTOR_LIMIT) return chain(`too many unconfirmed ancestors [limit: ${ANCESTOR_LIMIT}]`);
    return null;
  }

  /** Full-RBF replacement (BIP125 rules 2–6 as Core 28 applies them); returns what would be evicted. */
  private replacementChecks(tx: DecodedTx, fee: bigint, vsize: number, conflicts: Set<string>): MempoolEntry[] | Rejection {
    const txid = tx.txid;
    const direct = [...conflicts].map((c) => this.entries.get(c)!);
    const newRate = feeRatePerKvB(fee, vsize);
    for (const c of direct) {
      const oldRate = feeRatePerKvB(c.fee, c.vsize);
      if (newRate <= oldRate) {
        return rejection('insufficient fee', `rejecting replacement ${txid}; new feerate ${formatFeeRate(newRate)} <= old feerate ${formatFeeRate(oldRate)}`);
      }
    }
    let candidates = 0;
    const all = new Set<string>();
    for (const c of direct) {
      const descendants = this.descendants(c.tx.txid);
      candidates += descendants.size + 1;
      all.add(c.tx.txid);
      for (const d of descendants) all.add(d);
    }
    if (candidates > MAX_REPLACEMENT_CANDIDATES) {
      return rejection('too many potential replacements', `rejecting replacement ${txid}; too many potential replacements (${candidates} > ${MAX_REPLACEMENT_CANDIDATES})`);
    }
    const parentsOfConflicts = new Set(direct.flatMap((c) => c.tx.inputs.map((i) => i.txid)));
    for (let j = 0; j < tx.inputs.length; j++) {
      const parent = tx.inputs[j]!.txid;
      if (!parentsOfConflicts.has(parent) && this.entries.has(parent)) {
        return rejection('replacement-adds-unconfirmed', `replacement ${txid} adds unconfirmed input, idx ${j}`);
      }
    }
    const evicted = [...all].map((id) => this.entries.get(id)!);
    const originalFees = evicted.reduce((s, e) => s + e.fee, 0n);
    if (fee < originalFees) {
      return rejection('insufficient fee', `rejecting replacement ${txid}, less fees than conflicting txs; ${formatMoney(fee)} < ${formatMoney(originalFees)}`);
    }
    const additional = fee - originalFees;
    const relayFee = feeForVsize(INCREMENTAL_RELAY_FEERATE, vsize);
    if (additional < relayFee) {
      return rejection('insufficient fee', `rejecting replacement ${txid}, not enough additional fees to relay; ${formatMoney(additional)} < ${formatMoney(relayFee)}`);
    }
    return evicted;
  }

  private removeEntry(txid: string): MempoolEntry | undefined {
    const entry = this.entries.get(txid);
    if (!entry) return undefined;
    this.entries.delete(txid);
    this.sequence++;
    for (const input of entry.tx.inputs) {
      const k = key(input.txid, input.vout);
      if (this.spentBy.get(k) === txid) this.spentBy.delete(k);
    }
    for (const p of entry.parents) this.entries.get(p)?.children.delete(txid);
    for (const c of entry.children) this.entries.get(c)?.parents.delete(txid);
    return entry;
  }

  /** Removes `txid` and everything that spends it; returns what was removed. */
  removeWithDescendants(txid: string): MempoolEntry[] {
    if (!this.entries.has(txid)) return [];
    const ids = [txid, ...this.descendants(txid)];
    return ids.map((id) => this.removeEntry(id)).filter((e): e is MempoolEntry => e !== undefined);
  }

  /** Core's removeForBlock: mined transactions leave, and so does whatever conflicts with them. */
  removeForBlock(block: DecodedBlock): string[] {
    const removed: string[] = [];
    for (const tx of block.txs) {
      if (this.removeEntry(tx.txid)) removed.push(tx.txid);
      for (const input of tx.inputs) {
        const spender = this.spentBy.get(key(input.txid, input.vout));
        if (spender && spender !== tx.txid) removed.push(...this.removeWithDescendants(spender).map((e) => e.tx.txid));
      }
    }
    return removed;
  }

  clear(): MempoolEntry[] {
    const all = this.ordered();
    this.sequence += all.length;
    this.entries.clear();
    this.spentBy.clear();
    return all;
  }
}
