/**
 * Anti-fee-sniping: the nLockTime and nSequence a new wallet transaction gets, following Bitcoin
 * Core's DiscourageFeeSniping (src/wallet/spend.cpp). Locking to the current tip height means a
 * miner re-mining the tip cannot include the transaction, which removes one reason to reorg for
 * its fee; one time in ten the locktime goes back up to 99 blocks, so that transactions delayed
 * after signing (mixing, high-latency relays) do not stand out.
 *
 * What this is: a pure function of the chain tip, the clock and injected randomness.
 * What this is not: BIP326's taproot nSequence variant (Core does not implement it either) or
 * relative timelocks — inputs get one of the two sequences that disable BIP68.
 *
 * Spec: https://github.com/bitcoin/bitcoin/blob/master/src/wallet/spend.cpp (DiscourageFeeSniping)
 *       https://github.com/bitcoin/bips/blob/master/bip-0125.mediawiki (sequence ≤ 0xfffffffd signals RBF)
 */

/** nSequence that signals BIP125 replaceability, keeps nLockTime enforced and BIP68 off. */
export const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;
/** Highest nSequence that still enforces nLockTime (no RBF signal, BIP68 off). */
export const MAX_SEQUENCE_NONFINAL = 0xfffffffe;
/** A tip older than this (Core MAX_ANTI_FEE_SNIPING_TIP_AGE) means the wallet is lagging. */
export const MAX_ANTI_FEE_SNIPING_TIP_AGE = 8 * 60 * 60;
const LOCKTIME_THRESHOLD = 500_000_000;

export interface FeeSnipingContext {
  /** Height and block time (unix seconds) of the best block the wallet knows. */
  readonly tip: { readonly height: number; readonly time: number };
  /** Current time, unix seconds. */
  readonly now: number;
  /** The chain source is still catching up (initial block download). */
  readonly initialBlockDownload?: boolean;
  /** Signal BIP125 replaceability; default true. */
  readonly rbf?: boolean;
  /** Uniform integer in [0, bound); `node:crypto`'s `randomInt` fits. */
  readonly randomInt: (bound: number) => number;
}

export interface LockTimeAndSequence {
  readonly lockTime: number;
  /** The nSequence for every input. */
  readonly sequence: number;
}

function checkInteger(name: string, n: number, max: number): void {
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new RangeError(`"${name}" expected an integer between 0 and ${max}, got ${n}`);
}

/**
 * nLockTime = tip height (one time in ten up to 99 lower, never below 0); 0 when the wallet is in
 * initial block download or its tip is more than 8 hours old, so a lagging wallet does not leak a
 * telltale old height. Inputs get 0xfffffffd (RBF) or 0xfffffffe, both of which enforce it.
 */
export function antiFeeSniping(context: FeeSnipingContext): LockTimeAndSequence {
  checkInteger('tip.height', context.tip.height, LOCKTIME_THRESHOLD - 1);
  checkInteger('tip.time', context.tip.time, 0xffffffff);
  checkInteger('now', context.now, Number.MAX_SAFE_INTEGER);
  const sequence = context.rbf === false ? MAX_SEQUENCE_NONFINAL : MAX_BIP125_RBF_SEQUENCE;
  const current = !context.initialBlockDownload && context.tip.time >= context.now - MAX_ANTI_FEE_SNIPING_TIP_AGE;
  if (!current) return { lockTime: 0, sequence };
  let lockTime = context.tip.height;
  if (context.randomInt(10) === 0) lockTime = Math.max(0, lockTime - context.randomInt(100));
  return { lockTime, sequence };
}
