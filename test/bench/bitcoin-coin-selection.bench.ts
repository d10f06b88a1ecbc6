// Coin selection over a 400-UTXO wallet: Bitcoin Core's algorithms as ported in
// core/bitcoin/coin-selection.ts, against Core's own figure for that size (~17 ms per selection,
// quoted, not measured here) and against a naive largest-first selection measured in this run.
import { type Coin, feeFor, selectCoins } from '../../core/bitcoin/coin-selection.js';
import { inputWeight, outputWeight, overheadWeight, weightToVsize } from '../../core/bitcoin/tx-size.js';
import { seededRandom } from '../unit/bitcoin/coin-selection-random.js';
import type { createBench as CreateBench, Sample } from './harness.js';

const P2TR = new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(3)]);
const KEY_PATH = { type: 'p2tr-key' } as const;
const CORE_REPORTED_MS = 17;

function wallet(size: number, seed: number): Coin[] {
  const random = seededRandom(seed);
  // Exponentially distributed values around 0.01 BTC, as in Core's SelectCoins_test.
  return Array.from({ length: size }, (_, i) => ({
    txid: i.toString(16).padStart(64, '0'),
    vout: 0,
    value: BigInt(Math.max(1000, Math.floor(-Math.log(1 - random(1_000_000) / 1_000_001) * 1_000_000))),
    spend: KEY_PATH,
  }));
}

/** Largest first until the amount and the fee of what is picked so far are covered. */
function largestFirst(coins: readonly Coin[], amount: bigint, satPerKvb: number): Coin[] {
  const sorted = [...coins].sort((a, b) => (b.value > a.value ? 1 : b.value < a.value ? -1 : 0));
  const picked: Coin[] = [];
  let total = 0n;
  for (const coin of sorted) {
    picked.push(coin);
    total += coin.value;
    const weight = overheadWeight(picked.length, 2, true) + picked.length * inputWeight(KEY_PATH) + 2 * outputWeight(34);
    if (total >= amount + BigInt(feeFor(satPerKvb, weightToVsize(weight)))) return picked;
  }
  throw new Error('largest-first: insufficient funds');
}

export default async function (createBench: typeof CreateBench): Promise<void> {
  const b = createBench('Coin selection, 400 UTXOs (BnB + Knapsack + SRD, + CoinGrinder above 3× long-term feerate)');
  const coins = wallet(400, 7);
  const balance = coins.reduce((s, c) => s + c.value, 0n);
  b.line(`wallet: 400 P2TR UTXOs, ${balance} sat; paying 10% of the balance to one P2TR output`);
  const amount = balance / 10n;
  const core: Sample = { name: `Bitcoin Core (reported, ${CORE_REPORTED_MS} ms)`, ops: 1000 / CORE_REPORTED_MS, perOpMs: CORE_REPORTED_MS };

  for (const feeRate of [5, 50]) {
    const random = seededRandom(feeRate);
    let last = '';
    const ours = b.measure(
      `selectCoins at ${feeRate} sat/vB`,
      () => {
        const r = selectCoins({ coins, recipients: [{ script: P2TR, amount }], feeRate, change: { script: P2TR, spend: KEY_PATH }, randomInt: random });
        last = `${r.algorithm}, ${r.inputs.length} inputs, fee ${r.fee} sat, waste ${r.waste}`;
      },
      { seconds: 3 },
    );
    b.line(`last selection: ${last}`);
    const naive = b.measure(`largest-first at ${feeRate} sat/vB`, () => largestFirst(coins, amount, feeRate * 1000), { seconds: 1 });
    b.ratio(`Tapdesk vs Bitcoin Core's reported figure at ${feeRate} sat/vB`, ours, core);
    b.ratio(`Tapdesk vs largest-first at ${feeRate} sat/vB`, ours, naive);
  }
}
