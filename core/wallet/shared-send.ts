/**
 * A shared-account payment proposal as a PSBT: the wallet's coin selection (Core's algorithms,
 * change at a random position, the caller's anti-fee-sniping locktime) with each input sized for
 * the path the chosen signers will use — a key-path signature when everyone signs, the subset's
 * leaf script and control block otherwise — and the recovery path's timelock built in: inputs
 * carry nSequence = N for `older(N)` (BIP68; only coins with N confirmations qualify), the
 * transaction nLockTime = T for `after(T)`.
 *
 * Pure: randomness, the tip and the locktime come in; nothing is signed, stored or sent here.
 * Not here: the PSBT fields themselves (core/musig/coordination/proposal.ts).
 */
import { Transaction } from '@scure/btc-signer';
import { ApiError } from '../api/errors.js';
import type { Coin as SelectionCoin, CoinSelection, RandomInt } from '../bitcoin/coin-selection.js';
import { PSBT_TX_OPTIONS } from '../bitcoin/psbt.js';
import { SharedAccountError } from '../musig/coordination/errors.js';
import { LOCKTIME_THRESHOLD, type SharedPolicy } from '../musig/coordination/policy.js';
import { proposeChange, proposeInput } from '../musig/coordination/proposal.js';
import { describeTimelock } from '../musig/coordination/policy-words.js';
import { choosePath, spendEstimate, type PathChoice, type SpendPath } from '../musig/coordination/spend-path.js';
import type { Account } from './account.js';
import { RBF_SEQUENCE, selectOrExplain, spendableCoins, type PaymentOutput } from './send.js';
import { confirmations, outpointKey, type Coin } from './tx-graph.js';
import type { WalletData } from './wallet-data.js';

const CHANGE_SPEND = { type: 'p2tr-key' } as const;

export interface SharedSendContext {
  data: WalletData;
  account: Account;
  policy: SharedPolicy;
  /** Index on the change chain for the change output. */
  changeIndex: number;
  /** Anti-fee-sniping nLockTime for the key and threshold paths. */
  lockTime: number;
  /** Chain tip: which coins a relative lock has matured, whether an absolute one has passed. */
  tip: { height: number; time: number };
  randomInt: RandomInt;
  frozen: ReadonlySet<string>;
}

export interface SharedPayment {
  outputs: readonly PaymentOutput[];
  feeRate: number;
  /** Coin control: exactly these outpoints. */
  inputs?: readonly string[];
  choice: PathChoice;
}

export interface SharedBuilt {
  psbt: Transaction;
  selection: CoinSelection;
  changeIndex: number | null;
  path: SpendPath;
}

/** Coins the path may spend now; the recovery path only once its timelock allows. */
function eligible(ctx: SharedSendContext, path: SpendPath): Coin[] {
  const coins = spendableCoins(ctx.data);
  if (path.kind !== 'recovery') return coins;
  const { lock, value } = ctx.policy.recovery!;
  const when = describeTimelock(lock, value);
  if (lock === 'older') {
    const ripe = coins.filter((c) => confirmations(c.block, ctx.tip.height) >= value);
    if (ripe.length === 0) throw new SharedAccountError('TIMELOCK_NOT_MET', `the recovery key can spend a coin ${when} it confirmed; no coin is that old yet`);
    return ripe;
  }
  // A transaction with nLockTime T is final in the next block when T is below its height (or, for
  // a time, below the median time past, which lags the tip's time: checked by the node at broadcast).
  const passed = value < LOCKTIME_THRESHOLD ? ctx.tip.height >= value : ctx.tip.time > value;
  if (!passed) throw new SharedAccountError('TIMELOCK_NOT_MET', `the recovery key can spend ${when}; that is not reached yet`);
  return coins;
}

/** Builds the proposal PSBT (unsigned; every field a co-signer needs is in it). */
export function buildSharedPayment(ctx: SharedSendContext, p: SharedPayment): SharedBuilt {
  const path = choosePath(ctx.policy, p.choice);
  const coins = eligible(ctx, path);
  const byKey = new Map(coins.map((c) => [outpointKey(c.txid, c.vout), c]));
  const toSelection = (c: Coin): SelectionCoin => ({
    txid: c.txid,
    vout: c.vout,
    value: c.value,
    spend: spendEstimate(ctx.policy, path, ctx.account.output(c.script.chain, c.script.index)),
    frozen: ctx.frozen.has(outpointKey(c.txid, c.vout)) && !p.inputs?.includes(outpointKey(c.txid, c.vout)),
  });
  const mustInclude = p.inputs?.map((o) => {
    const coin = byKey.get(o);
    if (!coin) throw new ApiError('INVALID_INPUT', `coin ${o} is not a coin this path can spend now (spent, immature, unknown, or not past the recovery delay)`);
    return { txid: coin.txid, vout: coin.vout };
  });
  const changeScript = ctx.account.script(1, ctx.changeIndex);
  const selection = selectOrExplain({
    coins: coins.map(toSelection),
    recipients: p.outputs.map((o) => ({ script: o.script, amount: o.amount })),
    feeRate: p.feeRate,
    change: { script: changeScript, spend: CHANGE_SPEND },
    ...(mustInclude && { mustInclude, allowOtherInputs: false }),
    randomInt: ctx.randomInt,
  }, ' in the shared account');
  const recovery = path.kind === 'recovery' ? ctx.policy.recovery! : null;
  const sequence = recovery?.lock === 'older' ? recovery.value : RBF_SEQUENCE;
  const lockTime = recovery?.lock === 'after' ? recovery.value : ctx.lockTime;
  const psbt = new Transaction({ ...PSBT_TX_OPTIONS, version: 2, lockTime });
  selection.inputs.forEach((input, i) => {
    const coin = byKey.get(outpointKey(input.txid, input.vout))!;
    const output = ctx.account.output(coin.script.chain, coin.script.index);
    psbt.addInput({ txid: input.txid, index: input.vout, sequence, witnessUtxo: { script: output.scriptPubKey, amount: coin.value } });
    proposeInput(psbt, i, output, path);
  });
  const outputs: { script: Uint8Array; amount: bigint; change: boolean }[] = p.outputs.map((o, i) => ({ script: o.script, amount: selection.amounts[i]!, change: false }));
  let changeIndex: number | null = null;
  if (selection.change !== null) {
    // A random position, so the change cannot be told apart by where it sits.
    changeIndex = ctx.randomInt(outputs.length + 1);
    outputs.splice(changeIndex, 0, { script: changeScript, amount: selection.change, change: true });
  }
  outputs.forEach((o, i) => {
    psbt.addOutput({ script: o.script, amount: o.amount });
    if (o.change) proposeChange(psbt, i, ctx.account.output(1, ctx.changeIndex));
  });
  return { psbt, selection, changeIndex, path };
}
