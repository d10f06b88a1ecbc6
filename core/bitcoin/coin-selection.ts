/**
 * Coin selection as Bitcoin Core does it: candidate input sets from Branch-and-Bound (changeless),
 * CoinGrinder (lightest input set, at feerates above 3× the long-term feerate), Knapsack and
 * Single-Random-Draw, each scored by Core's waste metric, the least wasteful kept. Effective values,
 * cost of change, dust-avoiding change, coin control (must-include, frozen), send-max and several
 * recipients are handled; randomness is injected (pass `node:crypto`'s `randomInt`).
 *
 * What this is: a pure function from coins, recipients and feerates to a selection (inputs, change,
 * fee, waste, algorithm), with the four algorithms exported for testing against Core's own cases.
 * What this is not: UTXO eligibility (confirmations, ancestors — the caller passes spendable coins),
 * address-reuse grouping (each coin is its own group), subtract-fee-from-outputs, or transaction
 * building (core/wallet orders inputs and outputs and sets locktime/sequence, see fee-sniping.ts).
 * One deliberate difference from Core: Knapsack sees only coins worth more than their input fee,
 * like the other algorithms (Core keeps feeding it uneconomic coins, which only add fees).
 *
 * Sources (Bitcoin Core, src/wallet): coinselection.cpp (SelectCoinsBnB, CoinGrinder,
 * KnapsackSolver, SelectCoinsSRD, RecalculateWaste, GenerateChangeTarget), spend.cpp
 * (ChooseSelectionResult, SelectCoins, CreateTransactionInternal), policy.cpp (GetDustThreshold).
 * Murch, "An Evaluation of Coin Selection Strategies" (2016), for Branch-and-Bound.
 */
import { hasWitness, type InputSpend, inputWeight, outputWeight, overheadWeight, transactionWeight, weightToVsize } from './tx-size.js';

/** Core's TOTAL_TRIES for Branch-and-Bound and CoinGrinder. */
export const SELECTION_TRIES = 100_000;
/** Lower and upper bound of the random change target (Core CHANGE_LOWER / CHANGE_UPPER). */
export const CHANGE_LOWER = 50_000;
export const CHANGE_UPPER = 1_000_000;
/** MAX_STANDARD_TX_WEIGHT: larger transactions are not relayed. */
export const MAX_STANDARD_TX_WEIGHT = 400_000;
const MAX_MONEY = 21_000_000n * 100_000_000n;

/** Uniform integer in [0, bound); `node:crypto`'s `randomInt` fits. */
export type RandomInt = (bound: number) => number;

// ---- fees and dust ----------------------------------------------------------------------------

/** Fee in satoshis for `vbytes` at `satPerKvb`, rounded up as CFeeRate::GetFee does. */
export function feeFor(satPerKvb: number, vbytes: number): number {
  return Math.ceil((satPerKvb * vbytes) / 1000);
}

function satPerKvb(name: string, satPerVb: number): number {
  if (!Number.isFinite(satPerVb) || satPerVb < 0 || satPerVb > 1_000_000)
    throw new RangeError(`"${name}" expected a feerate in sat/vB between 0 and 1000000, got ${satPerVb}`);
  return Math.round(satPerVb * 1000);
}

function isWitnessProgram(script: Uint8Array): boolean {
  const version = script[0];
  const push = script[1];
  if (version === undefined || push === undefined) return false;
  const versionOk = version === 0x00 || (version >= 0x51 && version <= 0x60);
  return versionOk && push >= 2 && push <= 40 && script.length === push + 2;
}

/**
 * Smallest amount an output to `script` may carry to be relayed (Core GetDustThreshold): the cost,
 * at the dust relay feerate, of the output plus the input that would later spend it. OP_RETURN
 * outputs have none.
 */
export function dustThreshold(script: Uint8Array, dustRelayFeeRate = 3): bigint {
  if (script[0] === 0x6a) return 0n;
  const outputBytes = outputWeight(script.length) / 4;
  // Spending input: outpoint + sequence + scriptSig length (41), plus a 107-byte P2PKH-like
  // satisfaction, counted at a quarter for witness programs (integer division, as in Core).
  const spendBytes = isWitnessProgram(script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return BigInt(feeFor(satPerKvb('dustRelayFeeRate', dustRelayFeeRate), outputBytes + spendBytes));
}

// ---- the algorithms, over Core's OutputGroup view of a coin -----------------------------------

/** A selectable unit as Core's algorithms see it (one coin here: Tapdesk does not group). */
export interface SelectionGroup {
  /** Value minus the fee to spend it at the target feerate; what the algorithms add up. */
  readonly effectiveValue: number;
  /** Fee to spend it at the target feerate. */
  readonly fee: number;
  /** Fee to spend it at the long-term feerate. */
  readonly longTermFee: number;
  /** Weight of the signed input. */
  readonly weight: number;
}

/** `tries`: selections evaluated (Branch-and-Bound, CoinGrinder), coins drawn (SRD), 1 (Knapsack). */
export type AlgorithmOutcome<G> =
  | { readonly ok: true; readonly selected: readonly G[]; readonly tries: number }
  | { readonly ok: false; readonly maxWeightExceeded: boolean };

const noSolution = (maxWeightExceeded: boolean) => ({ ok: false, maxWeightExceeded }) as const;

/**
 * Branch-and-Bound: depth-first search, largest effective value first, for an input set whose
 * effective value lands in [target, target + costOfChange] — a changeless transaction — with the
 * least waste; stops after {@link SELECTION_TRIES} nodes.
 */
export function branchAndBound<G extends SelectionGroup>(
  pool: readonly G[],
  target: number,
  costOfChange: number,
  maxWeight: number,
): AlgorithmOutcome<G> {
  let available = 0;
  for (const g of pool) available += g.effectiveValue;
  if (available < target) return noSolution(false);
  // Descending effective value; on ties the one with less waste (fee − long-term fee) first.
  const utxos = [...pool].sort((a, b) => b.effectiveValue - a.effectiveValue || a.fee - a.longTermFee - (b.fee - b.longTermFee));
  const feeRateHigh = utxos[0]!.fee > utxos[0]!.longTermFee;

  let value = 0;
  let waste = 0;
  let weight = 0;
  const selection: number[] = [];
  let best: number[] = [];
  let bestWaste = Number.MAX_SAFE_INTEGER;
  let weightExceeded = false;
  let index = 0;
  let tries = 0;
  for (; tries < SELECTION_TRIES; tries++, index++) {
    let backtrack = false;
    if (value + available < target || value > target + costOfChange || (waste > bestWaste && feeRateHigh)) {
      backtrack = true;
    } else if (weight > maxWeight) {
      weightExceeded = true;
      backtrack = true;
    } else if (value >= target) {
      // In range: the excess goes to fees, so it counts as waste. Adding more can only burn more.
      const total = waste + (value - target);
      if (total <= bestWaste) {
        best = [...selection];
        bestWaste = total;
      }
      backtrack = true;
    }

    if (backtrack) {
      if (!selection.length) break;
      // Return skipped UTXOs to the lookahead, then take the omission branch of the last included one.
      for (--index; index > selection[selection.length - 1]!; --index) available += utxos[index]!.effectiveValue;
      const u = utxos[index]!;
      value -= u.effectiveValue;
      waste -= u.fee - u.longTermFee;
      weight -= u.weight;
      selection.pop();
    } else {
      const u = utxos[index]!;
      available -= u.effectiveValue;
      const previous = utxos[index - 1];
      // An omitted predecessor of equal value and fee makes including this one a repeat search.
      const equivalentToOmitted =
        selection.length > 0 && index - 1 !== selection[selection.length - 1] && previous!.effectiveValue === u.effectiveValue && previous!.fee === u.fee;
      if (!equivalentToOmitted) {
        selection.push(index);
        value += u.effectiveValue;
        waste += u.fee - u.longTermFee;
        weight += u.weight;
      }
    }
  }
  if (!best.length) return noSolution(weightExceeded);
  return { ok: true, selected: best.map((i) => utxos[i]!), tries };
}

/**
 * CoinGrinder: branch-and-bound search for the lowest-weight input set whose effective value
 * covers target + changeTarget (a transaction with change); ties go to the smaller amount.
 * `tries` counts evaluated selections, as Core's GetSelectionsEvaluated.
 */
export function coinGrinder<G extends SelectionGroup>(
  pool: readonly G[],
  target: number,
  changeTarget: number,
  maxWeight: number,
): AlgorithmOutcome<G> {
  const utxos = [...pool].sort((a, b) => b.effectiveValue - a.effectiveValue || a.weight - b.weight);
  const n = utxos.length;
  // lookahead[i]: total effective value after i; minTailWeight[i]: lightest weight after i.
  const lookahead = new Array<number>(n);
  const minTailWeight = new Array<number>(n);
  let total = 0;
  let minWeight = Number.MAX_SAFE_INTEGER;
  for (let i = n - 1; i >= 0; i--) {
    lookahead[i] = total;
    minTailWeight[i] = minWeight;
    total += utxos[i]!.effectiveValue;
    minWeight = Math.min(minWeight, utxos[i]!.weight);
  }
  const totalTarget = target + changeTarget;
  if (total < totalTarget) return noSolution(false);

  const selection: number[] = [];
  let best: number[] = [];
  let amount = 0;
  let bestAmount = Number.MAX_SAFE_INTEGER;
  let weight = 0;
  let bestWeight = maxWeight;
  let weightExceeded = false;
  let next = 0;
  let tries = 0;
  const deselectLast = () => {
    const u = utxos[selection.pop()!]!;
    amount -= u.effectiveValue;
    weight -= u.weight;
  };
  for (let done = false; !done; ) {
    let shift = false;
    let cut = false;
    const u = utxos[next]!;
    amount += u.effectiveValue;
    weight += u.weight;
    selection.push(next);
    next++;
    tries++;

    const tail = selection[selection.length - 1]!;
    if (amount + lookahead[tail]! < totalTarget) {
      cut = true;
    } else if (weight > bestWeight) {
      if (weight > maxWeight) weightExceeded = true;
      // Heavier than the best already: adding only adds weight.
      if (utxos[tail]!.weight <= minTailWeight[tail]!) cut = true;
      else shift = true;
    } else if (amount >= totalTarget) {
      shift = true;
      if (weight < bestWeight || (weight === bestWeight && amount < bestAmount)) {
        best = [...selection];
        bestWeight = weight;
        bestAmount = amount;
      }
    } else if (best.length) {
      // Even the lightest remaining UTXOs, at this one's value, would need too much weight.
      const tailValue = utxos[tail]!.effectiveValue;
      const needed = Math.ceil((totalTarget - amount) / tailValue);
      if (weight + minTailWeight[tail]! * needed > bestWeight) {
        if (utxos[tail]!.weight <= minTailWeight[tail]!) cut = true;
        else shift = true;
      }
    }

    if (tries >= SELECTION_TRIES) break;
    if (next === n) cut = true;
    if (cut) {
      deselectLast();
      shift = true;
    }
    while (shift) {
      if (!selection.length) {
        done = true;
        break;
      }
      next = selection[selection.length - 1]! + 1;
      deselectLast();
      shift = false;
      // Skip clones of the UTXO just omitted: same value (and so, by the sort, no lighter).
      while (utxos[next - 1]!.effectiveValue === utxos[next]?.effectiveValue) {
        if (next >= n - 1) {
          shift = true;
          break;
        }
        next++;
      }
    }
  }
  if (!best.length) return noSolution(weightExceeded);
  return { ok: true, selected: best.map((i) => utxos[i]!), tries };
}

function shuffle<T>(items: T[], randomInt: RandomInt): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Single-Random-Draw: adds randomly ordered UTXOs until target + CHANGE_LOWER + changeFee is
 * covered; over the weight limit, the least valuable ones picked so far are dropped.
 */
export function singleRandomDraw<G extends SelectionGroup>(
  pool: readonly G[],
  target: number,
  changeFee: number,
  randomInt: RandomInt,
  maxWeight: number,
): AlgorithmOutcome<G> {
  const goal = target + CHANGE_LOWER + changeFee;
  const heap = new MinHeap<G>((a, b) => a.effectiveValue - b.effectiveValue);
  let value = 0;
  let weight = 0;
  let weightExceeded = false;
  let tries = 0;
  for (const g of shuffle([...pool], randomInt)) {
    tries++;
    heap.push(g);
    value += g.effectiveValue;
    weight += g.weight;
    if (weight > maxWeight) {
      weightExceeded = true;
      do {
        const dropped = heap.pop()!;
        value -= dropped.effectiveValue;
        weight -= dropped.weight;
      } while (heap.size && weight > maxWeight);
    }
    if (value >= goal) return { ok: true, selected: heap.items(), tries };
  }
  return noSolution(weightExceeded);
}

/**
 * Core's ApproximateBestSubset: randomized subset sum, 1000 rounds of two passes. Coin flips come
 * 30 to a random draw, as Core's randbool() takes bits from a buffered 64-bit word.
 */
function approximateBestSubset(groups: readonly SelectionGroup[], totalLower: number, target: number, randomInt: RandomInt, maxWeight: number) {
  const n = groups.length;
  const values = Float64Array.from(groups, (g) => g.effectiveValue);
  const weights = Float64Array.from(groups, (g) => g.weight);
  const best = new Uint8Array(n).fill(1);
  const included = new Uint8Array(n);
  let bestValue = totalLower;
  let bits = 0;
  let bitsLeft = 0;
  for (let rep = 0; rep < 1000 && bestValue !== target; rep++) {
    included.fill(0);
    let total = 0;
    let weight = 0;
    let reached = false;
    for (let pass = 0; pass < 2 && !reached; pass++) {
      for (let i = 0; i < n; i++) {
        if (pass === 0) {
          if (bitsLeft === 0) {
            bits = randomInt(0x40000000);
            bitsLeft = 30;
          }
          const heads = bits & 1;
          bits >>>= 1;
          bitsLeft--;
          if (!heads) continue;
        } else if (included[i]) continue;
        total += values[i]!;
        weight += weights[i]!;
        included[i] = 1;
        if (total >= target && weight <= maxWeight) {
          reached = true;
          if (total < bestValue) {
            bestValue = total;
            best.set(included);
          }
          total -= values[i]!;
          weight -= weights[i]!;
          included[i] = 0;
        }
      }
    }
  }
  return { best, bestValue };
}

/**
 * Knapsack: an exact match if one UTXO or all smaller ones give it, otherwise the better of a
 * randomized subset sum (aiming at target, then target + changeTarget) and the smallest single
 * UTXO above target + changeTarget.
 */
export function knapsack<G extends SelectionGroup>(
  pool: readonly G[],
  target: number,
  changeTarget: number,
  randomInt: RandomInt,
  maxWeight: number,
): AlgorithmOutcome<G> {
  let weightExceeded = false;
  let lowestLarger: G | undefined;
  const applicable: G[] = [];
  let totalLower = 0;
  for (const g of shuffle([...pool], randomInt)) {
    if (g.weight > maxWeight) {
      weightExceeded = true;
      continue;
    }
    if (g.effectiveValue === target) return { ok: true, selected: [g], tries: 1 };
    if (g.effectiveValue < target + changeTarget) {
      applicable.push(g);
      totalLower += g.effectiveValue;
    } else if (!lowestLarger || g.effectiveValue < lowestLarger.effectiveValue) {
      lowestLarger = g;
    }
  }
  const weightOf = (gs: readonly G[]) => gs.reduce((w, g) => w + g.weight, 0);
  if (totalLower === target) {
    if (weightOf(applicable) <= maxWeight) return { ok: true, selected: applicable, tries: 1 };
    weightExceeded = true;
  }
  if (totalLower < target) return lowestLarger ? { ok: true, selected: [lowestLarger], tries: 1 } : noSolution(weightExceeded);

  applicable.sort((a, b) => b.effectiveValue - a.effectiveValue || a.fee - a.longTermFee - (b.fee - b.longTermFee));
  let { best, bestValue } = approximateBestSubset(applicable, totalLower, target, randomInt, maxWeight);
  if (bestValue !== target && totalLower >= target + changeTarget)
    ({ best, bestValue } = approximateBestSubset(applicable, totalLower, target + changeTarget, randomInt, maxWeight));
  if (lowestLarger && ((bestValue !== target && bestValue < target + changeTarget) || lowestLarger.effectiveValue <= bestValue))
    return { ok: true, selected: [lowestLarger], tries: 1 };
  const selected = applicable.filter((_, i) => best[i]);
  if (weightOf(selected) > maxWeight) return lowestLarger ? { ok: true, selected: [lowestLarger], tries: 1 } : noSolution(true);
  return { ok: true, selected, tries: 1 };
}

/** Core's GenerateChangeTarget: a random change budget that hides which output is the payment. */
export function changeTarget(paymentValue: number, changeFee: number, randomInt: RandomInt): number {
  if (paymentValue <= CHANGE_LOWER / 2) return changeFee + CHANGE_LOWER;
  const upper = Math.min(paymentValue * 2, CHANGE_UPPER);
  return changeFee + randomInt(upper - CHANGE_LOWER) + CHANGE_LOWER;
}

/**
 * Core's waste metric (RecalculateWaste): Σ(fee − long-term fee) of the inputs, plus the cost of
 * change when the excess over `target` (minus `changeFee`) reaches `minViableChange`, else the
 * excess itself, which goes to the miner. Also returns that change amount (0: none).
 */
export function selectionWaste(
  selected: readonly SelectionGroup[],
  target: number,
  minViableChange: number,
  costOfChange: number,
  changeFee: number,
): { waste: number; change: number } {
  let waste = 0;
  let effective = 0;
  for (const g of selected) {
    waste += g.fee - g.longTermFee;
    effective += g.effectiveValue;
  }
  const change = effective - target - changeFee;
  if (change >= minViableChange) return { waste: waste + costOfChange, change };
  return { waste: waste + (effective - target), change: 0 };
}

class MinHeap<T> {
  private readonly heap: T[] = [];
  constructor(private readonly less: (a: T, b: T) => number) {}
  get size(): number {
    return this.heap.length;
  }
  items(): T[] {
    return [...this.heap];
  }
  push(item: T): void {
    const h = this.heap;
    h.push(item);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (this.less(h[i]!, h[parent]!) >= 0) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }
  pop(): T | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last !== undefined) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!) < 0) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!) < 0) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

// ---- the wallet-facing selection --------------------------------------------------------------

/** A UTXO the wallet can spend. */
export interface Coin {
  readonly txid: string;
  readonly vout: number;
  readonly value: bigint;
  /** How it will be signed, which fixes its input size (`tx-size.ts`). */
  readonly spend: InputSpend;
  /** Coin control: never picked automatically, and refused as a must-include input. */
  readonly frozen?: boolean;
}

export interface Recipient {
  readonly script: Uint8Array;
  /** Satoshis, or 'max' for the one recipient that receives everything left (send-max). */
  readonly amount: bigint | 'max';
}

export interface SelectionRequest {
  /** Spendable coins (eligibility by confirmations and ancestry is the caller's call). */
  readonly coins: readonly Coin[];
  readonly recipients: readonly Recipient[];
  /** Target feerate, sat/vB (precision 0.001). */
  readonly feeRate: number;
  /** Feerate expected to be enough to spend coins later (Core -consolidatefeerate), sat/vB; default 10. */
  readonly longTermFeeRate?: number;
  /** Feerate below which change is not worth creating (Core -discardfee), sat/vB; default 10. */
  readonly discardFeeRate?: number;
  /** Dust relay feerate, sat/vB; default 3. */
  readonly dustRelayFeeRate?: number;
  /** The change output the wallet would add: its script and how it would later be spent. */
  readonly change: { readonly script: Uint8Array; readonly spend: InputSpend };
  /** Coin control: outpoints that must be spent, in this order. */
  readonly mustInclude?: readonly { readonly txid: string; readonly vout: number }[];
  /** Coin control: false spends only `mustInclude`. Default true. */
  readonly allowOtherInputs?: boolean;
  /** Weight limit of the transaction; default MAX_STANDARD_TX_WEIGHT. */
  readonly maxWeight?: number;
  readonly randomInt: RandomInt;
}

export type SelectionAlgorithm = 'bnb' | 'cg' | 'knapsack' | 'srd' | 'manual' | 'send-max';

export interface CoinSelection {
  readonly algorithm: SelectionAlgorithm;
  /** Must-include coins first, in their order, then the chosen ones (order carries no meaning). */
  readonly inputs: readonly Coin[];
  /** Amount per recipient, in request order, with 'max' resolved. */
  readonly amounts: readonly bigint[];
  /** Change amount, or null for a changeless transaction (sub-dust change goes to the fee). */
  readonly change: bigint | null;
  readonly fee: bigint;
  /** Weight and vsize of the signed transaction, change output included when there is change. */
  readonly weight: number;
  readonly vsize: number;
  /** Core's waste metric of the chosen inputs, in satoshis. */
  readonly waste: bigint;
}

export type CoinSelectionErrorCode = 'INSUFFICIENT_FUNDS' | 'AMOUNT_BELOW_DUST' | 'MAX_WEIGHT_EXCEEDED' | 'COIN_NOT_FOUND' | 'COIN_FROZEN';

/** Why no selection could be made; `missing` (sats of effective value) for INSUFFICIENT_FUNDS. */
export class CoinSelectionError extends Error {
  override readonly name = 'CoinSelectionError';
  constructor(
    readonly code: CoinSelectionErrorCode,
    message: string,
    readonly missing?: bigint,
  ) {
    super(message);
  }
}

interface Candidate extends SelectionGroup {
  readonly coin: Coin;
}

interface Params {
  readonly rate: number;
  readonly longTermRate: number;
  readonly changeWeight: number;
  readonly changeFee: number;
  readonly costOfChange: number;
  readonly minViableChange: number;
}

function toSats(name: string, amount: bigint): number {
  if (typeof amount !== 'bigint' || amount < 0n || amount > MAX_MONEY)
    throw new RangeError(`"${name}" expected bigint satoshis between 0 and 21e14, got ${String(amount)}`);
  return Number(amount);
}

function candidate(coin: Coin, index: number, rate: number, longTermRate: number): Candidate {
  // Inside a segwit transaction a non-witness input also carries a one-byte empty witness.
  const weight = inputWeight(coin.spend) + (hasWitness(coin.spend) ? 0 : 1);
  const vbytes = weightToVsize(weight);
  const value = toSats(`coins[${index}].value`, coin.value);
  const fee = feeFor(rate, vbytes);
  return { coin, fee, longTermFee: feeFor(longTermRate, vbytes), effectiveValue: value - fee, weight };
}

const outpoint = (o: { txid: string; vout: number }) => `${o.txid}:${o.vout}`;

/**
 * Chooses inputs paying `recipients` at `feeRate`, as Bitcoin Core's wallet would: fixed amounts
 * run Branch-and-Bound, Knapsack, CoinGrinder (feerate > 3× long-term) and Single-Random-Draw and
 * keep the least waste; a 'max' recipient spends every selectable coin worth its input fee.
 * Throws {@link CoinSelectionError} when it cannot.
 */
export function selectCoins(request: SelectionRequest): CoinSelection {
  const rate = satPerKvb('feeRate', request.feeRate);
  const longTermRate = satPerKvb('longTermFeeRate', request.longTermFeeRate ?? 10);
  const discardRate = satPerKvb('discardFeeRate', request.discardFeeRate ?? 10);
  const dustRelayFeeRate = request.dustRelayFeeRate ?? 3;
  if (!request.recipients.length) throw new RangeError('"recipients" expected at least one recipient, got 0');
  const maxCount = request.recipients.filter((r) => r.amount === 'max').length;
  if (maxCount > 1) throw new RangeError(`"recipients" expected at most one 'max' amount, got ${maxCount}`);
  request.recipients.forEach((r, i) => {
    if (r.amount === 'max') return;
    toSats(`recipients[${i}].amount`, r.amount);
    const dust = dustThreshold(r.script, dustRelayFeeRate);
    if (r.amount < dust) throw new CoinSelectionError('AMOUNT_BELOW_DUST', `recipient ${i}: ${r.amount} sat is below the dust threshold of ${dust} sat`);
  });

  const candidates = request.coins.map((coin, i) => candidate(coin, i, rate, longTermRate));
  const byOutpoint = new Map(candidates.map((c) => [outpoint(c.coin), c]));
  const preset = (request.mustInclude ?? []).map((o) => {
    const c = byOutpoint.get(outpoint(o));
    if (!c) throw new CoinSelectionError('COIN_NOT_FOUND', `must-include coin ${outpoint(o)} is not among the coins`);
    if (c.coin.frozen) throw new CoinSelectionError('COIN_FROZEN', `must-include coin ${outpoint(o)} is frozen`);
    return c;
  });
  const presetIds = new Set(preset.map((c) => outpoint(c.coin)));
  const others = request.allowOtherInputs === false ? [] : candidates.filter((c) => !c.coin.frozen && !presetIds.has(outpoint(c.coin)));

  const maxWeight = request.maxWeight ?? MAX_STANDARD_TX_WEIGHT;
  if (maxCount) return sendMax(request, preset, others, { rate, maxWeight, dustRelayFeeRate });

  const outputScripts = request.recipients.map((r) => r.script);
  // Overhead and outputs, counted for the largest input count this request could reach (its
  // CompactSize) and with the segwit marker: an upper bound, so fees are never short.
  const noInputsWeight =
    overheadWeight(preset.length + others.length, outputScripts.length, true) + outputScripts.reduce((w, s) => w + outputWeight(s.length), 0);
  const noInputsFee = feeFor(rate, weightToVsize(noInputsWeight));

  const changeWeight = outputWeight(request.change.script.length);
  const changeFee = feeFor(rate, weightToVsize(changeWeight));
  const changeSpendVbytes = weightToVsize(inputWeight(request.change.spend));
  const changeSpendFee = feeFor(discardRate, changeSpendVbytes);
  const params: Params = {
    rate,
    longTermRate,
    changeWeight,
    changeFee,
    costOfChange: changeSpendFee + changeFee,
    // At least dust (at the discard feerate) and more than it costs to spend later.
    minViableChange: Math.max(changeSpendFee + 1, Number(dustThreshold(request.change.script, request.discardFeeRate ?? 10))),
  };
  const amounts = request.recipients.map((r) => r.amount as bigint);
  const recipientsSum = amounts.reduce((s, a) => s + Number(a), 0);
  const target = recipientsSum + noInputsFee;
  if (target === 0 && !preset.length)
    throw new RangeError('"recipients" expected a non-zero amount, a non-zero feerate or a must-include coin; nothing would be spent');
  const presetValue = preset.reduce((s, c) => s + c.effectiveValue, 0);
  const remaining = target - presetValue;

  let algorithm: SelectionAlgorithm = 'manual';
  let chosen: readonly Candidate[] = [];
  if (remaining > 0) {
    if (request.allowOtherInputs === false)
      throw new CoinSelectionError('INSUFFICIENT_FUNDS', `the must-include coins fall ${remaining} sat short (effective value)`, BigInt(remaining));
    const positive = others.filter((c) => c.effectiveValue > 0);
    const available = positive.reduce((s, c) => s + c.effectiveValue, 0);
    if (available < remaining)
      throw new CoinSelectionError('INSUFFICIENT_FUNDS', `${remaining - available} sat of effective value missing`, BigInt(remaining - available));
    const paymentValue = Math.floor(recipientsSum / request.recipients.length);
    const best = chooseSelection(positive, remaining, params, changeTarget(paymentValue, changeFee, request.randomInt), request.randomInt, maxWeight - noInputsWeight);
    algorithm = best.algorithm;
    chosen = best.selected;
  }
  const inputs = [...preset, ...chosen];
  const inputsWeight = inputs.reduce((w, c) => w + c.weight, 0);
  if (inputsWeight + noInputsWeight > maxWeight)
    throw new CoinSelectionError('MAX_WEIGHT_EXCEEDED', `the selected inputs weigh ${inputsWeight} WU, over the transaction limit of ${maxWeight} WU`);
  const { waste, change } = selectionWaste(inputs, target, params.minViableChange, params.costOfChange, changeFee);
  return finish(request, inputs, amounts, change > 0, algorithm, waste, params);
}

/** Core's ChooseSelectionResult: every applicable algorithm, least waste wins, then more inputs. */
function chooseSelection(
  pool: readonly Candidate[],
  target: number,
  params: Params,
  minChangeTarget: number,
  randomInt: RandomInt,
  maxSelectionWeight: number,
): { algorithm: SelectionAlgorithm; selected: readonly Candidate[] } {
  if (maxSelectionWeight <= 0)
    throw new CoinSelectionError('MAX_WEIGHT_EXCEEDED', 'the outputs alone exceed the transaction weight limit');
  const outcomes: [SelectionAlgorithm, AlgorithmOutcome<Candidate>][] = [['bnb', branchAndBound(pool, target, params.costOfChange, maxSelectionWeight)]];
  // The other algorithms may add change, whose weight comes out of the budget.
  const withChangeWeight = maxSelectionWeight - params.changeWeight;
  outcomes.push(['knapsack', knapsack(pool, target, minChangeTarget, randomInt, withChangeWeight)]);
  if (params.rate > 3 * params.longTermRate) outcomes.push(['cg', coinGrinder(pool, target, minChangeTarget, withChangeWeight)]);
  outcomes.push(['srd', singleRandomDraw(pool, target, params.changeFee, randomInt, withChangeWeight)]);

  let best: { algorithm: SelectionAlgorithm; selected: readonly Candidate[]; waste: number } | null = null;
  let weightExceeded = false;
  for (const [algorithm, outcome] of outcomes) {
    if (!outcome.ok) {
      weightExceeded ||= outcome.maxWeightExceeded;
      continue;
    }
    const { waste } = selectionWaste(outcome.selected, target, params.minViableChange, params.costOfChange, params.changeFee);
    if (!best || waste < best.waste || (waste === best.waste && outcome.selected.length > best.selected.length))
      best = { algorithm, selected: outcome.selected, waste };
  }
  if (!best) {
    if (weightExceeded)
      throw new CoinSelectionError('MAX_WEIGHT_EXCEEDED', 'every input set that pays the recipients exceeds the transaction weight limit; consolidate first');
    throw new CoinSelectionError('INSUFFICIENT_FUNDS', 'no input set pays the recipients', 0n);
  }
  return best;
}

/**
 * Builds the result from the exact weight: the fee its vsize needs, and the change takes what the
 * rounded-up per-part estimates left over (as Core does); change that ends up below the viable
 * minimum is dropped to the fee.
 */
function finish(
  request: SelectionRequest,
  inputs: readonly Candidate[],
  amounts: readonly bigint[],
  wantChange: boolean,
  algorithm: SelectionAlgorithm,
  waste: number,
  params: Params,
): CoinSelection {
  const spends = inputs.map((c) => c.coin.spend);
  const recipientScripts = request.recipients.map((r) => r.script.length);
  const inValue = inputs.reduce((s, c) => s + c.coin.value, 0n);
  const outValue = amounts.reduce((s, a) => s + a, 0n);
  let change: bigint | null = null;
  let weight = transactionWeight(spends, recipientScripts);
  if (wantChange) {
    const withChange = transactionWeight(spends, [...recipientScripts, request.change.script.length]);
    const amount = inValue - outValue - BigInt(feeFor(params.rate, weightToVsize(withChange)));
    if (amount >= BigInt(params.minViableChange)) {
      change = amount;
      weight = withChange;
    }
  }
  const vsize = weightToVsize(weight);
  const fee = inValue - outValue - (change ?? 0n);
  const feeNeeded = BigInt(feeFor(params.rate, vsize));
  if (fee < feeNeeded) throw new Error(`coin selection: fee ${fee} sat below the ${feeNeeded} sat its size needs`);
  return { algorithm, inputs: inputs.map((c) => c.coin), amounts, change, fee, weight, vsize, waste: BigInt(waste) };
}

function sendMax(
  request: SelectionRequest,
  preset: readonly Candidate[],
  others: readonly Candidate[],
  ctx: { rate: number; maxWeight: number; dustRelayFeeRate: number },
): CoinSelection {
  // Every coin that pays for itself; must-include coins even if they do not.
  const inputs = [...preset, ...others.filter((c) => c.effectiveValue > 0)];
  const weight = transactionWeight(
    inputs.map((c) => c.coin.spend),
    request.recipients.map((r) => r.script.length),
  );
  if (weight > ctx.maxWeight)
    throw new CoinSelectionError('MAX_WEIGHT_EXCEEDED', `spending all ${inputs.length} coins weighs ${weight} WU, over the limit of ${ctx.maxWeight} WU`);
  const vsize = weightToVsize(weight);
  const fee = BigInt(feeFor(ctx.rate, vsize));
  const inValue = inputs.reduce((s, c) => s + c.coin.value, 0n);
  const fixed = request.recipients.reduce((s, r) => s + (r.amount === 'max' ? 0n : r.amount), 0n);
  const maxAt = request.recipients.findIndex((r) => r.amount === 'max');
  const rest = inValue - fixed - fee;
  const dust = dustThreshold(request.recipients[maxAt]!.script, ctx.dustRelayFeeRate);
  if (rest <= 0n) throw new CoinSelectionError('INSUFFICIENT_FUNDS', `the coins fall ${dust - rest} sat short of a non-dust 'max' output`, dust - rest);
  if (rest < dust) throw new CoinSelectionError('AMOUNT_BELOW_DUST', `recipient ${maxAt}: the remaining ${rest} sat are below the dust threshold of ${dust} sat`);
  const waste = inputs.reduce((s, c) => s + c.fee - c.longTermFee, 0);
  return {
    algorithm: 'send-max',
    inputs: inputs.map((c) => c.coin),
    amounts: request.recipients.map((r) => (r.amount === 'max' ? rest : r.amount)),
    change: null,
    fee,
    weight,
    vsize,
    waste: BigInt(waste),
  };
}
