/**
 * Building unsigned transactions as PSBTs: payments (Core's coin selection, change at a random
 * position, anti-fee-sniping locktime given by the caller), fee bumps by replacement (RBF), cancels
 * (the same coins back to us), and child-pays-for-parent. Inputs and change carry their BIP32/BIP371
 * origins so any signer — ours, a hardware wallet, a co-signer — can sign and check change.
 * Pure: randomness and the locktime come in; nothing is signed, stored or sent here.
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Transaction } from '@scure/btc-signer';
import { ApiError } from '../api/errors.js';
import { CoinSelectionError, selectCoins, type Coin as SelectionCoin, type CoinSelection, type RandomInt, type Recipient as SelectionRecipient } from '../bitcoin/coin-selection.js';
import { PSBT_TX_OPTIONS } from '../bitcoin/psbt.js';
import type { Account } from './account.js';
import { outpointKey, type Chain, type Coin, type ParsedTx } from './tx-graph.js';
import type { WalletData } from './wallet-data.js';

/** Signals replaceability (BIP125) and enables nLockTime. */
export const RBF_SEQUENCE = 0xfffffffd;
const P2TR_KEY_SPEND = { type: 'p2tr-key' } as const;
/** Core's default incremental relay feerate, sat/vB: a replacement pays at least this much more per vbyte. */
export const INCREMENTAL_RELAY_FEERATE = 1;

export interface PaymentOutput {
  script: Uint8Array;
  amount: bigint | 'max';
}

export interface Built {
  psbt: Transaction;
  selection: CoinSelection;
  /** Output index of our change, or null. */
  changeIndex: number | null;
  replaces: string[];
}

interface BuildContext {
  data: WalletData;
  account: Account;
  /** The change address's chain index to use (next unused on the change chain). */
  changeIndex: number;
  lockTime: number;
  randomInt: RandomInt;
}

function toSelectionCoin(c: Coin, frozen: ReadonlySet<string>): SelectionCoin {
  return { txid: c.txid, vout: c.vout, value: c.value, spend: P2TR_KEY_SPEND, frozen: frozen.has(outpointKey(c.txid, c.vout)) };
}

/** BIP371 fields for one of our keys at chain/index: internal key and its derivation. */
function tapOrigin(account: Account, chain: Chain, index: number) {
  const out = account.output(chain, index);
  const key = out.keys[0];
  if (!key || !out.taproot) throw new Error('the account is not a single-key taproot account');
  const xonly = key.pubkey;
  return {
    tapInternalKey: xonly,
    tapBip32Derivation: [[xonly, { hashes: [], der: { fingerprint: key.origin.fingerprint, path: [...key.origin.path] } }]] as [Uint8Array, { hashes: Uint8Array[]; der: { fingerprint: number; path: number[] } }][],
  };
}

function assemble(ctx: BuildContext, selection: CoinSelection, outputs: readonly { script: Uint8Array }[], replaces: string[], sequence = RBF_SEQUENCE): Built {
  const { data, account } = ctx;
  const graph = data.graph();
  const psbt = new Transaction({ ...PSBT_TX_OPTIONS, version: 2, lockTime: ctx.lockTime });
  for (const input of selection.inputs) {
    const coin = graph.ownedIncludingInactive(input.txid, input.vout);
    if (!coin) throw new Error(`coin ${input.txid}:${input.vout} is not ours`);
    const script = hexToBytes(coin.script.spk);
    psbt.addInput({ txid: input.txid, index: input.vout, sequence, witnessUtxo: { script, amount: coin.value }, ...tapOrigin(account, coin.script.chain, coin.script.index) });
  }
  const final: { script: Uint8Array; amount: bigint; change: boolean }[] = outputs.map((o, i) => ({ script: o.script, amount: selection.amounts[i]!, change: false }));
  let changeIndex: number | null = null;
  if (selection.change !== null) {
    // A random position, so the change cannot be told apart by where it sits.
    changeIndex = ctx.randomInt(final.length + 1);
    final.splice(changeIndex, 0, { script: account.script(1, ctx.changeIndex), amount: selection.change, change: true });
  }
  for (const o of final) psbt.addOutput({ script: o.script, amount: o.amount, ...(o.change ? tapOrigin(account, 1, ctx.changeIndex) : {}) });
  return { psbt, selection, changeIndex, replaces };
}

/** Coin selection with its failures said for the user (`where`: "" or " in the shared account"). */
export function selectOrExplain(request: Parameters<typeof selectCoins>[0], where = ''): CoinSelection {
  try {
    return selectCoins(request);
  } catch (err) {
    if (!(err instanceof CoinSelectionError)) throw err;
    if (err.code === 'INSUFFICIENT_FUNDS') {
      throw new ApiError('INSUFFICIENT_FUNDS', `not enough spendable funds${where}: ${err.missing ?? 0n} sats short at this fee rate (incoming unconfirmed, immature and frozen coins are not used)`);
    }
    throw new ApiError('INVALID_INPUT', err.message);
  }
}

/** Coins a payment may use: mature, not spent by a pending tx, confirmed or our own change. */
export function spendableCoins(data: WalletData): Coin[] {
  const graph = data.graph();
  const tip = data.tip?.height ?? 0;
  return graph.unspent().filter((c) => {
    if (c.coinbase && (!c.block || tip - c.block.height + 1 < 100)) return false;
    if (c.block) return true;
    const parent = graph.txs.get(c.txid);
    return !!parent && graph.debit(parent).allMine;
  });
}

export function buildPayment(
  ctx: BuildContext & { frozen: ReadonlySet<string> },
  p: { outputs: readonly PaymentOutput[]; feeRate: number; inputs?: readonly string[] },
): Built {
  const coins = spendableCoins(ctx.data);
  let mustInclude: { txid: string; vout: number }[] | undefined;
  let pool = coins.map((c) => toSelectionCoin(c, ctx.frozen));
  if (p.inputs) {
    const twice = p.inputs.find((o, i) => p.inputs!.indexOf(o) !== i);
    if (twice) throw new ApiError('INVALID_INPUT', `coin ${twice} is listed twice`);
    const byKey = new Map(coins.map((c) => [outpointKey(c.txid, c.vout), c]));
    mustInclude = p.inputs.map((o) => {
      const coin = byKey.get(o);
      if (!coin) throw new ApiError('INVALID_INPUT', `coin ${o} is not a spendable coin of this wallet (spent, immature or unknown)`);
      return { txid: coin.txid, vout: coin.vout };
    });
    // Coin control: the listed coins exactly, frozen ones included because the user chose them.
    pool = pool.map((c) => (p.inputs!.includes(outpointKey(c.txid, c.vout)) ? { ...c, frozen: false } : c));
  }
  const selection = selectOrExplain({
    coins: pool,
    recipients: p.outputs.map((o): SelectionRecipient => ({ script: o.script, amount: o.amount })),
    feeRate: p.feeRate,
    change: { script: ctx.account.script(1, ctx.changeIndex), spend: P2TR_KEY_SPEND },
    ...(mustInclude && { mustInclude, allowOtherInputs: false }),
    randomInt: ctx.randomInt,
  });
  return assemble(ctx, selection, p.outputs, []);
}

function pendingOwnTx(data: WalletData, txid: string): ParsedTx {
  const tx = data.txs.get(txid);
  if (!tx) throw new ApiError('NOT_FOUND', `transaction ${txid} is not in this wallet`);
  if (tx.block) throw new ApiError('CONFLICT', 'this transaction is already confirmed');
  if (tx.state !== 'active') throw new ApiError('CONFLICT', `this transaction was already ${tx.state}`);
  if (!data.graph().debit(tx).allMine) throw new ApiError('CONFLICT', 'only transactions whose inputs are all ours can be replaced');
  return tx;
}

function feeRateOf(data: WalletData, tx: ParsedTx): { fee: bigint; vsize: number } {
  const fee = data.graph().fee(tx);
  if (fee === null) throw new ApiError('CONFLICT', 'the fee of this transaction is unknown');
  const vsize = Transaction.fromRaw(tx.raw, PSBT_TX_OPTIONS).vsize;
  return { fee, vsize };
}

/** The coins `tx` spends, as selection coins (they are ours: checked by pendingOwnTx). */
function inputsOf(data: WalletData, tx: ParsedTx): SelectionCoin[] {
  const graph = data.graph();
  return tx.parsed.inputs.map((i) => {
    const coin = graph.ownedIncludingInactive(i.txid, i.vout)!;
    return { txid: coin.txid, vout: coin.vout, value: coin.value, spend: P2TR_KEY_SPEND };
  });
}

function checkReplacementFee(old: { fee: bigint; vsize: number }, selection: CoinSelection, feeRate: number): void {
  const oldRate = Number(old.fee) / old.vsize;
  if (feeRate <= oldRate) throw new ApiError('INVALID_INPUT', `the new fee rate must be above the current ${oldRate.toFixed(2)} sat/vB`);
  // BIP125 rules 3 and 4 as Core applies them: more absolute fee, plus relay of the new size.
  const minFee = old.fee + BigInt(Math.ceil(INCREMENTAL_RELAY_FEERATE * selection.vsize));
  if (selection.fee < minFee) throw new ApiError('INVALID_INPUT', `a replacement must pay at least ${minFee} sats; raise the fee rate`);
}

/**
 * RBF: same recipients (the change shrinks, or more confirmed coins are added), higher fee rate.
 * Like Core's bumpfee, a transaction with descendants in the wallet is not bumped: replacing it
 * would silently drop the descendants' payments (bump the child instead, or use CPFP).
 */
export function buildBump(ctx: BuildContext & { frozen: ReadonlySet<string> }, txid: string, feeRate: number): Built {
  const { data } = ctx;
  const tx = pendingOwnTx(data, txid);
  const descendants = data.withDescendants(txid).slice(1);
  if (descendants.length) {
    throw new ApiError('CONFLICT', `a later transaction (${descendants.join(', ')}) spends this one's outputs; bump that one instead, or speed both up with CPFP`);
  }
  const graph = data.graph();
  const payments = tx.parsed.outputs.filter((o) => graph.isMine(bytesToHex(o.script))?.chain !== 1);
  // Everything it sent went back to us (a cancel, a CPFP child): bumping it is cancelling it again.
  if (payments.length === 0) return buildCancel(ctx, txid, feeRate);
  const old = feeRateOf(data, tx);
  const originals = inputsOf(data, tx);
  // BIP125 rule 2: a replacement may add only confirmed inputs.
  const extra = spendableCoins(data).filter((c) => c.block !== null && !originals.some((o) => o.txid === c.txid && o.vout === c.vout));
  const selection = selectOrExplain({
    coins: [...originals, ...extra.map((c) => toSelectionCoin(c, ctx.frozen))],
    recipients: payments.map((o) => ({ script: o.script, amount: o.value })),
    feeRate,
    change: { script: ctx.account.script(1, ctx.changeIndex), spend: P2TR_KEY_SPEND },
    mustInclude: originals,
    randomInt: ctx.randomInt,
  });
  checkReplacementFee(old, selection, feeRate);
  return assemble(ctx, selection, payments.map((o) => ({ script: o.script })), [txid]);
}

/** Cancel: every coin of the original back to one change address of ours, at a higher fee rate. */
export function buildCancel(ctx: BuildContext, txid: string, feeRate: number): Built {
  const { data } = ctx;
  const tx = pendingOwnTx(data, txid);
  const descendants = data.withDescendants(txid).slice(1);
  if (descendants.length) {
    throw new ApiError('CONFLICT', `a later transaction (${descendants.join(', ')}) spends this one's outputs; cancel that one first`);
  }
  const old = feeRateOf(data, tx);
  const originals = inputsOf(data, tx);
  const home = ctx.account.script(1, ctx.changeIndex);
  const selection = selectOrExplain({
    coins: originals,
    recipients: [{ script: home, amount: 'max' }],
    feeRate,
    change: { script: home, spend: P2TR_KEY_SPEND },
    mustInclude: originals,
    allowOtherInputs: false,
    randomInt: ctx.randomInt,
  });
  checkReplacementFee(old, selection, feeRate);
  // The single output is ours: build it as change (with its derivation) rather than a payment.
  const asChange: CoinSelection = { ...selection, amounts: [], change: selection.amounts[0]! };
  return assemble(ctx, asChange, [], [txid]);
}

/**
 * CPFP: a child spending our unconfirmed output(s) of `txid` back to us, with a fee that brings
 * the parent+child package to `feeRate`.
 */
export function buildCpfp(ctx: BuildContext, txid: string, feeRate: number, parentFee: bigint | null): Built {
  const { data } = ctx;
  const parent = data.txs.get(txid);
  if (!parent) throw new ApiError('NOT_FOUND', `transaction ${txid} is not in this wallet`);
  if (parent.block) throw new ApiError('CONFLICT', 'this transaction is already confirmed');
  const graph = data.graph();
  const ours = graph.unspent().filter((c) => c.txid === txid);
  if (ours.length === 0) throw new ApiError('CONFLICT', 'this transaction has no unspent output of ours to build a child from');
  const parentVsize = Transaction.fromRaw(parent.raw, PSBT_TX_OPTIONS).vsize;
  if (parentFee === null) {
    throw new ApiError('CONFLICT', 'the blockchain source does not know this transaction’s fee (it is not in its mempool); ask the sender to bump it');
  }
  const coins = ours.map((c) => ({ txid: c.txid, vout: c.vout, value: c.value, spend: P2TR_KEY_SPEND }));
  const home = ctx.account.script(1, ctx.changeIndex);
  const childAt = (rate: number) =>
    selectOrExplain({ coins, recipients: [{ script: home, amount: 'max' }], feeRate: rate, change: { script: home, spend: P2TR_KEY_SPEND }, mustInclude: coins, allowOtherInputs: false, randomInt: ctx.randomInt });
  const probe = childAt(1);
  const needed = feeRate * (parentVsize + probe.vsize) - Number(parentFee);
  const childRate = Math.max(1, Math.ceil((needed / probe.vsize) * 1000) / 1000);
  if (childRate <= Number(parentFee) / parentVsize && needed <= 0) {
    throw new ApiError('INVALID_INPUT', `the parent already pays ${(Number(parentFee) / parentVsize).toFixed(2)} sat/vB; choose a higher target`);
  }
  const selection = childAt(childRate);
  const asChange: CoinSelection = { ...selection, amounts: [], change: selection.amounts[0]! };
  return assemble(ctx, asChange, [], []);
}
