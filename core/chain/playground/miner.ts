/**
 * Block assembly for the Playground: picks mempool transactions by ancestor fee rate (Core's
 * BlockAssembler::addPackageTxs — a transaction enters with its unconfirmed ancestors, the best
 * package first) within the block weight and sigop limits, then builds the coinbase and grinds the
 * nonce against the regtest target.
 *
 * Not here: validation (the chain checks every block it is given), when to mine (the Playground).
 */
import { buildCoinbase, checkProofOfWork, merkleRoot, MINER_BLOCK_VERSION } from './block-rules.js';
import type { MempoolEntry, Mempool } from './mempool.js';
import { COINBASE_SIGOPS_RESERVE, DEFAULT_BLOCK_MAX_WEIGHT, MAX_BLOCK_SIGOPS_COST, MIN_RELAY_FEERATE, POW_BITS, blockSubsidy } from './params.js';
import { assembleBlock, headerHash, encodeHeader, type BlockHeader, type DecodedBlock, type DecodedTx } from './wire.js';

export interface Package {
  /** The transactions, parents first. */
  entries: MempoolEntry[];
  fee: bigint;
  vsize: number;
  /** sat/vB. */
  feeRate: number;
}

export interface SelectLimits {
  maxWeight: number;
  maxSigops: number;
  /** sat/kvB; packages below it stay in the mempool (Core's -blockmintxfee). */
  minFeeRate: bigint;
}

export const DEFAULT_LIMITS: SelectLimits = {
  maxWeight: DEFAULT_BLOCK_MAX_WEIGHT,
  maxSigops: MAX_BLOCK_SIGOPS_COST - COINBASE_SIGOPS_RESERVE,
  minFeeRate: MIN_RELAY_FEERATE,
};

interface Score {
  ids: string[];
  fee: bigint;
  vsize: number;
  weight: number;
  sigops: number;
  rate: number;
}

/** Packages in the order a miner takes them; a package that no longer fits is skipped, not split. */
export function selectPackages(mempool: Mempool, limits: SelectLimits = DEFAULT_LIMITS): Package[] {
  const included = new Set<string>();
  const skipped = new Set<string>();
  const ancestors = new Map<string, Set<string>>();
  const ancestorsOf = (txid: string) => {
    let a = ancestors.get(txid);
    if (!a) ancestors.set(txid, (a = mempool.ancestors(txid)));
    return a;
  };
  const score = (txid: string): Score => {
    const ids = [txid, ...ancestorsOf(txid)].filter((id) => !included.has(id));
    let fee = 0n;
    let vsize = 0;
    let weight = 0;
    let sigops = 0;
    for (const id of ids) {
      const e = mempool.get(id)!;
      fee += e.fee;
      vsize += e.vsize;
      weight += e.tx.weight;
      sigops += e.sigopCost;
    }
    return { ids, fee, vsize, weight, sigops, rate: Number(fee) / vsize };
  };
  const scores = new Map<string, Score>();
  for (const txid of mempool.entries.keys()) scores.set(txid, score(txid));

  const packages: Package[] = [];
  let weight = 0;
  let sigops = 0;
  for (;;) {
    let bestId: string | undefined;
    let best: Score | undefined;
    for (const [txid, s] of scores) {
      if (!best || s.rate > best.rate || (s.rate === best.rate && txid < bestId!)) {
        best = s;
        bestId = txid;
      }
    }
    if (!best || !bestId) break;
    if (best.fee * 1000n < limits.minFeeRate * BigInt(best.vsize)) break;
    scores.delete(bestId);
    if (weight + best.weight > limits.maxWeight || sigops + best.sigops > limits.maxSigops) {
      skipped.add(bestId);
      continue;
    }
    // Fewer in-mempool ancestors first is a valid parents-first order.
    const entries = best.ids.map((id) => mempool.get(id)!).sort((a, b) => ancestorsOf(a.tx.txid).size - ancestorsOf(b.tx.txid).size);
    packages.push({ entries, fee: best.fee, vsize: best.vsize, feeRate: best.rate });
    weight += best.weight;
    sigops += best.sigops;
    const changed = new Set<string>();
    for (const id of best.ids) {
      included.add(id);
      scores.delete(id);
      for (const d of mempool.descendants(id)) if (!included.has(d) && !skipped.has(d)) changed.add(d);
    }
    for (const id of changed) if (scores.has(id)) scores.set(id, score(id));
  }
  return packages;
}

export interface TemplateInput {
  prevHash: string;
  height: number;
  time: number;
  payout: Uint8Array;
  txs: readonly DecodedTx[];
  fees: bigint;
  /** Bumped by the caller when a block with the same contents is already known. */
  extraNonce: number;
}

/** A complete block with a valid regtest proof of work. */
export function mineBlock(t: TemplateInput): DecodedBlock {
  const coinbase = buildCoinbase(t.height, t.payout, blockSubsidy(t.height) + t.fees, t.txs, t.extraNonce);
  const txs = [coinbase, ...t.txs];
  const header: BlockHeader = {
    version: MINER_BLOCK_VERSION,
    prevHash: t.prevHash,
    merkleRoot: merkleRoot(txs.map((tx) => tx.txid)).root,
    time: t.time,
    bits: POW_BITS,
    nonce: 0,
  };
  while (!checkProofOfWork(headerHash(encodeHeader(header)), header.bits)) header.nonce++;
  return assembleBlock(header, txs);
}
