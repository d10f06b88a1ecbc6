/**
 * The wallet's view of its transactions as plain data, and the pure functions that answer from it:
 * which outputs are ours, which are spent, balances, coins and history. Nothing here does I/O;
 * sync and the store produce and keep the data, this module only reads it.
 *
 * A transaction is `active` unless it lost to a conflicting spend: `replaced` (we replaced it, RBF
 * or cancel) or `conflicted` (a conflicting transaction confirmed). Inactive transactions stay for
 * the history but neither fund nor spend anything.
 */
import { readTx, type BlockTx } from '../chain/block.js';

export const COINBASE_MATURITY = 100;
const NULL_TXID = '0'.repeat(64);

export type Chain = 0 | 1;

export interface OwnedScript {
  /** scriptPubKey, hex */
  spk: string;
  chain: Chain;
  index: number;
}

export interface BlockRef {
  height: number;
  hash: string;
  time: number;
}

export type TxState = 'active' | 'replaced' | 'conflicted';

export interface WalletTx {
  txid: string;
  raw: Uint8Array;
  block: BlockRef | null;
  /** Seconds since epoch when we first saw it (broadcast or mempool). */
  firstSeen: number;
  state: TxState;
}

export interface ParsedTx extends WalletTx {
  parsed: BlockTx;
  coinbase: boolean;
}

export interface Coin {
  txid: string;
  vout: number;
  value: bigint;
  script: OwnedScript;
  block: BlockRef | null;
  coinbase: boolean;
}

export function outpointKey(txid: string, vout: number): string {
  return `${txid}:${vout}`;
}

export function parseWalletTx(tx: WalletTx): ParsedTx {
  const parsed = readTx(tx.raw);
  const first = parsed.inputs[0];
  return { ...tx, parsed, coinbase: parsed.inputs.length === 1 && first?.txid === NULL_TXID && first.vout === 0xffffffff };
}

/** Everything derived from the transactions and owned scripts, computed once per change. */
export class TxGraph {
  readonly txs: ReadonlyMap<string, ParsedTx>;
  /** Our outputs in active transactions, keyed by outpoint. */
  readonly owned = new Map<string, Coin>();
  /** Outpoint (ours or not) → txid of the active transaction spending it. */
  readonly spentBy = new Map<string, string>();

  constructor(
    txs: Iterable<ParsedTx>,
    private readonly scripts: ReadonlyMap<string, OwnedScript>,
  ) {
    this.txs = new Map([...txs].map((t) => [t.txid, t]));
    for (const tx of this.txs.values()) {
      if (tx.state !== 'active') continue;
      tx.parsed.outputs.forEach((out, vout) => {
        const script = scripts.get(Buffer.from(out.script).toString('hex'));
        if (script) this.owned.set(outpointKey(tx.txid, vout), { txid: tx.txid, vout, value: out.value, script, block: tx.block, coinbase: tx.coinbase });
      });
      if (!tx.coinbase) for (const input of tx.parsed.inputs) this.spentBy.set(outpointKey(input.txid, input.vout), tx.txid);
    }
  }

  isMine(spkHex: string): OwnedScript | undefined {
    return this.scripts.get(spkHex);
  }

  /** Unspent outputs of ours (spent by a pending transaction counts as spent). */
  unspent(): Coin[] {
    return [...this.owned.entries()].filter(([key]) => !this.spentBy.has(key)).map(([, coin]) => coin);
  }

  /** Does this transaction touch the wallet: pays one of our scripts or spends one of our coins? */
  isRelevant(tx: BlockTx): boolean {
    return tx.outputs.some((o) => this.scripts.has(Buffer.from(o.script).toString('hex'))) || tx.inputs.some((i) => this.owned.has(outpointKey(i.txid, i.vout)));
  }

  /** Sum of our coins spent by `tx` (its inputs that are ours) and whether every input is ours. */
  debit(tx: ParsedTx): { value: bigint; allMine: boolean; anyMine: boolean } {
    let value = 0n;
    let mine = 0;
    for (const input of tx.parsed.inputs) {
      const coin = this.ownedIncludingInactive(input.txid, input.vout);
      if (coin) {
        value += coin.value;
        mine++;
      }
    }
    return { value, allMine: mine === tx.parsed.inputs.length && mine > 0, anyMine: mine > 0 };
  }

  credit(tx: ParsedTx): bigint {
    return tx.parsed.outputs.reduce((sum, o) => (this.scripts.has(Buffer.from(o.script).toString('hex')) ? sum + o.value : sum), 0n);
  }

  /** An output of any known transaction that pays us (used for fees of replaced transactions too). */
  ownedIncludingInactive(txid: string, vout: number): Coin | undefined {
    const active = this.owned.get(outpointKey(txid, vout));
    if (active) return active;
    const tx = this.txs.get(txid);
    const out = tx?.parsed.outputs[vout];
    if (!tx || !out) return undefined;
    const script = this.scripts.get(Buffer.from(out.script).toString('hex'));
    return script ? { txid, vout, value: out.value, script, block: tx.block, coinbase: tx.coinbase } : undefined;
  }

  /** Fee when every input's value is known to us (our sends), else null. */
  fee(tx: ParsedTx): bigint | null {
    if (tx.coinbase) return null;
    let inputs = 0n;
    for (const input of tx.parsed.inputs) {
      const prev = this.txs.get(input.txid)?.parsed.outputs[input.vout];
      if (!prev) return null;
      inputs += prev.value;
    }
    return inputs - tx.parsed.outputs.reduce((s, o) => s + o.value, 0n);
  }
}

export function confirmations(block: BlockRef | null, tipHeight: number): number {
  return block ? Math.max(0, tipHeight - block.height + 1) : 0;
}

export function isImmature(coin: Coin, tipHeight: number): boolean {
  return coin.coinbase && confirmations(coin.block, tipHeight) < COINBASE_MATURITY;
}

export interface BalanceBreakdown {
  spendable: bigint;
  confirmed: bigint;
  unconfirmed: bigint;
  immature: bigint;
  frozen: bigint;
  total: bigint;
}

export function balance(graph: TxGraph, tipHeight: number, frozen: ReadonlySet<string>): BalanceBreakdown {
  const b: BalanceBreakdown = { spendable: 0n, confirmed: 0n, unconfirmed: 0n, immature: 0n, frozen: 0n, total: 0n };
  for (const coin of graph.unspent()) {
    b.total += coin.value;
    if (isImmature(coin, tipHeight)) b.immature += coin.value;
    else if (!coin.block) {
      b.unconfirmed += coin.value;
      // Change of our own sends is spendable before it confirms (Core's "trusted" coins).
      const parent = graph.txs.get(coin.txid);
      if (parent && graph.debit(parent).allMine && !frozen.has(outpointKey(coin.txid, coin.vout))) b.spendable += coin.value;
    } else {
      b.confirmed += coin.value;
      if (frozen.has(outpointKey(coin.txid, coin.vout))) b.frozen += coin.value;
      else b.spendable += coin.value;
    }
  }
  return b;
}
