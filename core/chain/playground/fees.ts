/**
 * Fee estimates for the Playground, deterministic and derived from what the node can see: the
 * mempool projected into blocks in mining order (the fee rate of the last package that still makes
 * the first `target` blocks), and recent blocks (when every block within the target window was
 * full, the median of their lowest included fee rates). Never below the 1 sat/vB relay floor.
 * Core's estimator learns from confirmation history instead; on a devnet that history is too thin
 * to answer, so this one answers from the present.
 *
 * Not here: RPC/Esplora formatting of the result.
 */
import type { Mempool } from './mempool.js';
import { DEFAULT_LIMITS, selectPackages } from './miner.js';
import { DEFAULT_BLOCK_MAX_WEIGHT, MIN_RELAY_FEERATE } from './params.js';
import type { BlockStats } from './store.js';

/** Core's estimatesmartfee horizon. */
export const MAX_CONF_TARGET = 1008;
/** A block this full (by weight) counts as congested. */
const FULL_BLOCK_SHARE = 0.9;
/** Recent blocks looked at: a congestion signal older than this says little about the next blocks. */
export const RECENT_WINDOW = 10;

/**
 * Fee rates in sat/kvB to confirm within each of `targets` blocks. `recent` holds the stats of the
 * latest blocks, newest first (the first 10 are used). The mempool is projected once for all targets.
 */
export function estimateFeeRates(mempool: Mempool, recent: readonly BlockStats[], targets: readonly number[]): Map<number, bigint> {
  const packages = selectPackages(mempool, { ...DEFAULT_LIMITS, maxWeight: Number.MAX_SAFE_INTEGER, maxSigops: Number.MAX_SAFE_INTEGER });
  const weights = packages.map((p) => p.entries.reduce((s, e) => s + e.tx.weight, 0));
  const rates = new Map<number, bigint>();
  for (const target of targets) {
    let rate = MIN_RELAY_FEERATE;
    const capacity = target * DEFAULT_BLOCK_MAX_WEIGHT;
    let weight = 0;
    let lastFitting: number | undefined;
    for (let i = 0; i < packages.length; i++) {
      if (weight + weights[i]! > capacity) {
        // The mempool overflows the window: matching the last package that still fits gets in.
        const marginal = BigInt(Math.ceil((lastFitting ?? packages[i]!.feeRate) * 1000));
        if (marginal > rate) rate = marginal;
        break;
      }
      weight += weights[i]!;
      lastFitting = packages[i]!.feeRate;
    }
    const window = recent.slice(0, Math.min(target, RECENT_WINDOW));
    if (window.length > 0 && window.every((b) => b.weight >= FULL_BLOCK_SHARE * DEFAULT_BLOCK_MAX_WEIGHT && b.minFeeRate !== null)) {
      const mins = window.map((b) => b.minFeeRate!).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const median = mins[Math.floor(mins.length / 2)]!;
      if (median > rate) rate = median;
    }
    rates.set(target, rate);
  }
  return rates;
}
