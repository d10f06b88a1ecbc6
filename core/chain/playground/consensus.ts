/**
 * Transaction-level consensus rules as Bitcoin Core 28 applies them, as pure functions over a
 * decoded transaction and the coins it spends: CheckTransaction, CheckTxInputs, IsFinalTx
 * (BIP65/BIP113 locktime), BIP68 sequence locks, sigop cost (BIP16/BIP141) and input scripts
 * (via the bitcore-backed interpreter). Failures are data: a `Rejection` carrying Core's exact
 * reject reason and debug text.
 * https://github.com/bitcoin/bips/blob/master/bip-0068.mediawiki
 *
 * Not here: block-level rules (block-rules.ts), mempool policy (policy.ts, mempool.ts).
 */
import { ScriptChecker, type SpentOutput } from './interpreter.js';
import {
  COIN,
  COINBASE_MATURITY,
  LOCKTIME_THRESHOLD,
  MAX_BLOCK_WEIGHT,
  MAX_MONEY,
  moneyRange,
  SEQUENCE_FINAL,
  SEQUENCE_LOCKTIME_DISABLE_FLAG,
  SEQUENCE_LOCKTIME_GRANULARITY,
  SEQUENCE_LOCKTIME_MASK,
  SEQUENCE_LOCKTIME_TYPE_FLAG,
  WITNESS_SCALE_FACTOR,
} from './params.js';
import { countSigOps, inputWitnessSigOps, isP2SH, p2shSigOps } from './script.js';
import type { DecodedTx, Tx } from './wire.js';

/** A refusal in Core's words: `reason` is the stable reject reason, `debug` the detail. */
export interface Rejection {
  reason: string;
  debug?: string;
  /** Core's TX_MISSING_INPUTS: testmempoolaccept prints "missing-inputs", RPC code -25. */
  missingInputs?: boolean;
}

export function rejection(reason: string, debug?: string): Rejection {
  return debug === undefined ? { reason } : { reason, debug };
}

/** TxValidationState::ToString(): "reason, debug". */
export function rejectionText(r: Rejection): string {
  return r.debug ? `${r.reason}, ${r.debug}` : r.reason;
}

/** A spendable output as the UTXO set records it. */
export interface Coin extends SpentOutput {
  /** Height of the block that created it; the next block's height for mempool outputs. */
  height: number;
  coinbase: boolean;
}

const NULL_TXID = '0'.repeat(64);

export function isCoinbase(tx: Tx): boolean {
  return tx.inputs.length === 1 && tx.inputs[0]!.txid === NULL_TXID && tx.inputs[0]!.vout === 0xffffffff;
}

/** Core's FormatMoney: at least two decimals, trailing zeros trimmed beyond. */
export function formatMoney(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  let str = `${abs / COIN}.${(abs % COIN).toString().padStart(8, '0')}`;
  str = str.replace(/(\.\d\d\d*?)0+$/, '$1');
  return (neg ? '-' : '') + str;
}

/** CFeeRate::ToString(): sat/kvB as "0.00001000 BTC/kvB". */
export function formatFeeRate(satPerKvB: bigint): string {
  return `${satPerKvB / COIN}.${(satPerKvB % COIN).toString().padStart(8, '0')} BTC/kvB`;
}

/** CFeeRate(fee, vsize): sat per 1000 vbytes, rounded down. */
export function feeRatePerKvB(fee: bigint, vsize: number): bigint {
  return vsize > 0 ? (fee * 1000n) / BigInt(vsize) : 0n;
}

/** CFeeRate::GetFee(vsize): rounded up, at least 1 sat for a non-zero rate. */
export function feeForVsize(satPerKvB: bigint, vsize: number): bigint {
  const fee = (satPerKvB * BigInt(vsize) + 999n) / 1000n;
  return fee === 0n && satPerKvB > 0n ? 1n : fee;
}

/** Core's CheckTransaction: rules that need nothing but the transaction. */
export function checkTransaction(tx: DecodedTx): Rejection | null {
  if (tx.inputs.length === 0) return rejection('bad-txns-vin-empty');
  if (tx.outputs.length === 0) return rejection('bad-txns-vout-empty');
  if (tx.baseSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) return rejection('bad-txns-oversize');
  let total = 0n;
  for (const out of tx.outputs) {
    // Amounts are int64 in Core: a value with the top bit set is negative there.
    if (out.value >= 1n << 63n) return rejection('bad-txns-vout-negative');
    if (out.value > MAX_MONEY) return rejection('bad-txns-vout-toolarge');
    total += out.value;
    if (!moneyRange(total)) return rejection('bad-txns-txouttotal-toolarge');
  }
  const seen = new Set<string>();
  for (const input of tx.inputs) {
    const key = `${input.txid}:${input.vout}`;
    if (seen.has(key)) return rejection('bad-txns-inputs-duplicate');
    seen.add(key);
  }
  if (isCoinbase(tx)) {
    const len = tx.inputs[0]!.scriptSig.length;
    if (len < 2 || len > 100) return rejection('bad-cb-length');
  } else if (tx.inputs.some((i) => i.txid === NULL_TXID && i.vout === 0xffffffff)) {
    return rejection('bad-txns-prevout-null');
  }
  return null;
}

/** Core's IsFinalTx (BIP113 passes the median time past as `blockTime`). */
export function isFinalTx(tx: Tx, blockHeight: number, blockTime: number): boolean {
  if (tx.locktime === 0) return true;
  const limit = tx.locktime < LOCKTIME_THRESHOLD ? blockHeight : blockTime;
  if (tx.locktime < limit) return true;
  return tx.inputs.every((i) => i.sequence === SEQUENCE_FINAL);
}

export interface SequenceLocks {
  /** The last height at which the transaction is still locked (-1: none). */
  minHeight: number;
  /** The last median time past at which it is still locked (-1: none). */
  minTime: number;
}

/**
 * BIP68 CalculateSequenceLocks. `coinHeights[i]` is the height of the coin input i spends;
 * `mtpAt(h)` the median time past of the active-chain block at height h.
 */
export function sequenceLocks(tx: Tx, coinHeights: readonly number[], mtpAt: (height: number) => number): SequenceLocks {
  let minHeight = -1;
  let minTime = -1;
  if (tx.version < 2) return { minHeight, minTime };
  tx.inputs.forEach((input, i) => {
    if (input.sequence & SEQUENCE_LOCKTIME_DISABLE_FLAG) return;
    const coinHeight = coinHeights[i]!;
    const value = input.sequence & SEQUENCE_LOCKTIME_MASK;
    if (input.sequence & SEQUENCE_LOCKTIME_TYPE_FLAG) {
      const coinTime = mtpAt(Math.max(coinHeight - 1, 0));
      minTime = Math.max(minTime, coinTime + value * 2 ** SEQUENCE_LOCKTIME_GRANULARITY - 1);
    } else {
      minHeight = Math.max(minHeight, coinHeight + value - 1);
    }
  });
  return { minHeight, minTime };
}

/** BIP68 EvaluateSequenceLocks for a block at `blockHeight` whose parent has median time `prevMtp`. */
export function sequenceLocksMet(locks: SequenceLocks, blockHeight: number, prevMtp: number): boolean {
  return locks.minHeight < blockHeight && locks.minTime < prevMtp;
}

/**
 * Core's Consensus::CheckTxInputs for a non-coinbase transaction whose coins were all found:
 * maturity, value ranges, outputs not above inputs. Returns the fee.
 */
export function checkTxInputs(tx: DecodedTx, coins: readonly Coin[], spendHeight: number): { fee: bigint } | Rejection {
  let valueIn = 0n;
  for (const coin of coins) {
    if (coin.coinbase && spendHeight - coin.height < COINBASE_MATURITY) {
      return rejection('bad-txns-premature-spend-of-coinbase', `tried to spend coinbase at depth ${spendHeight - coin.height}`);
    }
    valueIn += coin.value;
    if (!moneyRange(coin.value) || !moneyRange(valueIn)) return rejection('bad-txns-inputvalues-outofrange');
  }
  const valueOut = tx.outputs.reduce((s, o) => s + o.value, 0n);
  if (valueIn < valueOut) {
    return rejection('bad-txns-in-belowout', `value in (${formatMoney(valueIn)}) < value out (${formatMoney(valueOut)})`);
  }
  const fee = valueIn - valueOut;
  if (!moneyRange(fee)) return rejection('bad-txns-fee-outofrange');
  return { fee };
}

/** Core's GetLegacySigOpCount: inaccurate counts of every scriptSig and output script. */
export function legacySigOps(tx: Tx): number {
  let n = 0;
  for (const i of tx.inputs) n += countSigOps(i.scriptSig, false);
  for (const o of tx.outputs) n += countSigOps(o.script, false);
  return n;
}

/** Core's GetTransactionSigOpCost with P2SH and witness flags on. */
export function sigOpCost(tx: DecodedTx, coins: readonly SpentOutput[] | null): number {
  let cost = legacySigOps(tx) * WITNESS_SCALE_FACTOR;
  if (!coins) return cost;
  tx.inputs.forEach((input, i) => {
    const prev = coins[i]!.script;
    if (isP2SH(prev)) cost += p2shSigOps(input.scriptSig) * WITNESS_SCALE_FACTOR;
    cost += inputWitnessSigOps(input.scriptSig, prev, input.witness);
  });
  return cost;
}

/**
 * Core's CheckInputScripts. With `policy`, inputs are checked with the standard flags first; a
 * failure that the consensus flags accept is "non-mandatory-script-verify-flag (...)", anything
 * else "mandatory-script-verify-flag-failed (...)".
 */
export function checkInputScripts(tx: DecodedTx, coins: readonly SpentOutput[], policy: boolean): Rejection | null {
  let checker: ScriptChecker;
  try {
    checker = new ScriptChecker(tx, coins);
  } catch (err) {
    return rejection('mandatory-script-verify-flag-failed (unknown error)', `input could not be read by the validator: ${(err as Error).message}`);
  }
  for (let i = 0; i < tx.inputs.length; i++) {
    if (policy) {
      const standard = checker.verify(i, 'standard');
      if (!standard) continue;
      const consensus = checker.verify(i, 'consensus');
      if (!consensus) return rejection(`non-mandatory-script-verify-flag (${standard.message})`);
      return rejection(`mandatory-script-verify-flag-failed (${consensus.message})`);
    }
    const error = checker.verify(i, 'consensus');
    if (error) return rejection(`mandatory-script-verify-flag-failed (${error.message})`);
  }
  return null;
}
