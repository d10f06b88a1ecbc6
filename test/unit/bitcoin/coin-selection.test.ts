// Coin selection behaviour at the wallet-facing API (selectCoins): dust rules, coin control,
// send-max, several recipients, change handling; and properties over random wallets checked with
// fast-check — conservation of value, feerate met, no dust change, Branch-and-Bound changeless and
// inside its window, CoinGrinder minimal in weight.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  branchAndBound,
  type Coin,
  CoinSelectionError,
  coinGrinder,
  dustThreshold,
  feeFor,
  type SelectionGroup,
  selectCoins,
  type SelectionRequest,
} from '../../../core/bitcoin/coin-selection.js';
import { type InputSpend, transactionWeight, weightToVsize } from '../../../core/bitcoin/tx-size.js';
import { seededRandom } from './coin-selection-random.js';

const P2TR = new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(7)]);
const P2WPKH = new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(8)]);
const P2PKH = new Uint8Array([0x76, 0xa9, 0x14, ...new Uint8Array(20).fill(9), 0x88, 0xac]);
const P2SH = new Uint8Array([0xa9, 0x14, ...new Uint8Array(20).fill(10), 0x87]);
const P2WSH = new Uint8Array([0x00, 0x20, ...new Uint8Array(32).fill(11)]);
const OP_RETURN = new Uint8Array([0x6a, 0x04, 1, 2, 3, 4]);
const KEY_PATH: InputSpend = { type: 'p2tr-key' };

const coin = (n: number, value: bigint, spend: InputSpend = KEY_PATH, frozen = false): Coin => ({
  txid: n.toString(16).padStart(64, '0'),
  vout: n % 3,
  value,
  spend,
  ...(frozen ? { frozen } : {}),
});

const request = (over: Partial<SelectionRequest> & Pick<SelectionRequest, 'coins' | 'recipients'>): SelectionRequest => ({
  feeRate: 5,
  change: { script: P2TR, spend: KEY_PATH },
  randomInt: seededRandom(11),
  ...over,
});

function selectionError(fn: () => unknown): CoinSelectionError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CoinSelectionError);
    return err as CoinSelectionError;
  }
  return expect.fail('expected a CoinSelectionError');
}

describe('dust', () => {
  it('Core GetDustThreshold at 3 sat/vB: P2TR 330, P2WSH 330, P2WPKH 294, P2SH 540, P2PKH 546, OP_RETURN 0', () => {
    expect([P2TR, P2WSH, P2WPKH, P2SH, P2PKH, OP_RETURN].map((s) => dustThreshold(s))).toEqual([330n, 330n, 294n, 540n, 546n, 0n]);
    expect(dustThreshold(P2TR, 10)).toBe(1100n);
  });
  it('refuses a recipient amount below dust, naming the recipient and threshold; accepts exactly dust', () => {
    const coins = [coin(1, 100_000n)];
    const err = selectionError(() => selectCoins(request({ coins, recipients: [{ script: P2WPKH, amount: 1000n }, { script: P2TR, amount: 329n }] })));
    expect(err.code).toBe('AMOUNT_BELOW_DUST');
    expect(err.message).toBe('recipient 1: 329 sat is below the dust threshold of 330 sat');
    expect(selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 330n }] })).amounts).toEqual([330n]);
  });
  it('drops change that would be below the viable minimum into the fee (changeless)', () => {
    // 100,000 in, 99,000 out: after ~0.8k of fees the leftover is below the change minimum.
    const r = selectCoins(request({ coins: [coin(1, 100_000n)], recipients: [{ script: P2TR, amount: 99_000n }], feeRate: 5 }));
    expect(r.change).toBeNull();
    expect(r.fee).toBe(1000n);
    expect(r.fee).toBeGreaterThanOrEqual(BigInt(feeFor(5000, r.vsize)));
  });
});

describe('selection', () => {
  it('pays several recipients and returns change, with the exact fee for the final size', () => {
    const coins = [coin(1, 50_000n), coin(2, 80_000n), coin(3, 200_000n), coin(4, 1_000_000n)];
    const r = selectCoins(request({ coins, recipients: [{ script: P2WPKH, amount: 120_000n }, { script: P2PKH, amount: 30_000n }], feeRate: 7.5 }));
    expect(r.amounts).toEqual([120_000n, 30_000n]);
    expect(r.change).not.toBeNull();
    const spends = r.inputs.map((c) => c.spend);
    expect(r.weight).toBe(transactionWeight(spends, [22, 25, 34]));
    expect(r.fee).toBe(BigInt(feeFor(7500, weightToVsize(r.weight))));
    expect(r.inputs.reduce((s, c) => s + c.value, 0n)).toBe(150_000n + r.fee + r.change!);
  });

  it('Branch-and-Bound finds a changeless exact match and reports its waste', () => {
    // 60,000 + 40,000 sat at 20 sat/vB: each key-path input (58 vB) costs 1,160 sat; pay so that
    // they match exactly. Above the long-term feerate fewer inputs waste less, so BnB wins.
    const coins = [coin(1, 60_000n), coin(2, 40_000n), coin(3, 500_000n), coin(4, 7_000n)];
    const noInputs = (8 + 1 + 1) * 4 + 2 + 43 * 4;
    const amount = 100_000 - 2 * feeFor(20_000, 58) - feeFor(20_000, weightToVsize(noInputs));
    const r = selectCoins(request({ coins, recipients: [{ script: P2TR, amount: BigInt(amount) }], feeRate: 20 }));
    expect(r.algorithm).toBe('bnb');
    expect(r.change).toBeNull();
    expect(r.inputs.map((c) => c.value).sort()).toEqual([40_000n, 60_000n]);
    // waste = Σ(fee − long-term fee) = 2 × (1160 − 580) at the 10 sat/vB default long-term feerate.
    expect(r.waste).toBe(BigInt(2 * (feeFor(20_000, 58) - feeFor(10_000, 58))));
  });

  it('reports insufficient funds with the missing effective value', () => {
    const err = selectionError(() => selectCoins(request({ coins: [coin(1, 10_000n), coin(2, 20_000n)], recipients: [{ script: P2TR, amount: 40_000n }], feeRate: 1 })));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    const effective = 30_000 - 2 * feeFor(1000, 58);
    const target = 40_000 + feeFor(1000, weightToVsize((8 + 1 + 1) * 4 + 2 + 43 * 4));
    expect(err.missing).toBe(BigInt(target - effective));
    expect(err.message).toBe(`${target - effective} sat of effective value missing`);
  });

  it('ignores coins worth less than their input fee', () => {
    const dusty = [coin(1, 500n, { type: 'p2pkh' }), coin(2, 50_000n)];
    const r = selectCoins(request({ coins: dusty, recipients: [{ script: P2TR, amount: 10_000n }], feeRate: 20 }));
    expect(r.inputs.map((c) => c.value)).toEqual([50_000n]);
  });

  it('rejects a transaction over the weight limit', () => {
    // 942 sat of effective value each: 1,700,000 sat needs over 1,800 inputs of 230 WU.
    const coins = Array.from({ length: 2000 }, (_, i) => coin(i, 1000n));
    const err = selectionError(() => selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 1_700_000n }], feeRate: 1 })));
    expect(err.code).toBe('MAX_WEIGHT_EXCEEDED');
  });
});

describe('coin control', () => {
  const coins = [coin(1, 30_000n), coin(2, 70_000n, KEY_PATH, true), coin(3, 90_000n), coin(4, 25_000n)];
  it('never selects a frozen coin, even when it would be the best fit', () => {
    const r = selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 69_000n }] }));
    expect(r.inputs.some((c) => c.frozen)).toBe(false);
  });
  it('spends must-include coins first and in order, adding others as needed', () => {
    const r = selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 60_000n }], mustInclude: [coins[3]!, coins[0]!] }));
    expect(r.inputs.slice(0, 2)).toEqual([coins[3], coins[0]]);
    expect(r.inputs).toHaveLength(3);
  });
  it('with allowOtherInputs false spends only the must-include coins (algorithm "manual")', () => {
    const r = selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 10_000n }], mustInclude: [coins[2]!], allowOtherInputs: false }));
    expect(r.algorithm).toBe('manual');
    expect(r.inputs).toEqual([coins[2]]);
    const err = selectionError(() => selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 95_000n }], mustInclude: [coins[2]!], allowOtherInputs: false })));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.missing).toBeGreaterThan(5000n);
  });
  it('refuses a frozen or unknown must-include coin', () => {
    expect(selectionError(() => selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 1000n }], mustInclude: [coins[1]!] }))).code).toBe('COIN_FROZEN');
    expect(selectionError(() => selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 1000n }], mustInclude: [{ txid: 'ff'.repeat(32), vout: 0 }] }))).code).toBe(
      'COIN_NOT_FOUND',
    );
  });
});

describe('send-max', () => {
  const coins = [coin(1, 30_000n), coin(2, 70_000n, KEY_PATH, true), coin(3, 90_000n), coin(4, 300n, { type: 'p2pkh' })];
  it('spends every unfrozen coin worth its fee, no change, everything left to the max recipient', () => {
    const r = selectCoins(request({ coins, recipients: [{ script: P2WPKH, amount: 'max' }], feeRate: 3 }));
    expect(r.algorithm).toBe('send-max');
    expect(r.inputs).toEqual([coins[0], coins[2]]);
    expect(r.change).toBeNull();
    expect(r.weight).toBe(transactionWeight([KEY_PATH, KEY_PATH], [22]));
    expect(r.fee).toBe(BigInt(feeFor(3000, r.vsize)));
    expect(r.amounts).toEqual([120_000n - r.fee]);
  });
  it('pays fixed recipients first and gives the max recipient the rest', () => {
    const r = selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 50_000n }, { script: P2WPKH, amount: 'max' }], feeRate: 3 }));
    expect(r.amounts[0]).toBe(50_000n);
    expect(r.amounts[1]).toBe(120_000n - 50_000n - r.fee);
  });
  it('refuses a max output that would be dust, and more than one max recipient', () => {
    // 1000 sat at 7 sat/vB: 777 sat of fee leave 223 sat, under P2TR's 330-sat dust threshold.
    const err = selectionError(() => selectCoins(request({ coins: [coin(1, 1000n)], recipients: [{ script: P2TR, amount: 'max' }], feeRate: 7 })));
    expect(err.code).toBe('AMOUNT_BELOW_DUST');
    expect(err.message).toBe('recipient 0: the remaining 223 sat are below the dust threshold of 330 sat');
    expect(() => selectCoins(request({ coins, recipients: [{ script: P2TR, amount: 'max' }, { script: P2TR, amount: 'max' }] }))).toThrow(
      `"recipients" expected at most one 'max' amount, got 2`,
    );
  });
});

describe('validation', () => {
  it('names the field of a bad feerate or amount', () => {
    expect(() => selectCoins(request({ coins: [], recipients: [{ script: P2TR, amount: 1000n }], feeRate: -1 }))).toThrow(
      '"feeRate" expected a feerate in sat/vB between 0 and 1000000, got -1',
    );
    expect(() => selectCoins(request({ coins: [], recipients: [{ script: P2TR, amount: -5n }] }))).toThrow(
      '"recipients[0].amount" expected bigint satoshis between 0 and 21e14, got -5',
    );
    expect(() => selectCoins(request({ coins: [], recipients: [] }))).toThrow('"recipients" expected at least one recipient, got 0');
  });
});

// ---- properties -------------------------------------------------------------------------------

const spendArb: fc.Arbitrary<InputSpend> = fc.constantFrom<InputSpend>(
  { type: 'p2tr-key' },
  { type: 'p2wpkh' },
  { type: 'p2sh-p2wpkh' },
  { type: 'p2pkh' },
  { type: 'p2tr-script', stackItemLengths: [64, 64], leafScriptLength: 70, controlBlockLength: 65 },
);
const walletArb = fc.record({
  values: fc.array(fc.tuple(fc.bigInt({ min: 1000n, max: 5_000_000n }), spendArb, fc.boolean()), { minLength: 1, maxLength: 25 }),
  amounts: fc.array(fc.bigInt({ min: 330n, max: 3_000_000n }), { minLength: 1, maxLength: 3 }),
  feeRate: fc.integer({ min: 0, max: 200_000 }).map((x) => x / 1000),
  longTermFeeRate: fc.integer({ min: 1, max: 30 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  max: fc.boolean(),
});

describe('properties of selectCoins over random wallets', () => {
  it('value is conserved, the feerate is met, change is never dust, frozen coins stay put', () => {
    fc.assert(
      fc.property(walletArb, ({ values, amounts, feeRate, longTermFeeRate, seed, max }) => {
        const coins = values.map(([v, spend, frozen], i) => coin(i, v, spend, frozen && i % 4 === 0));
        const recipients = amounts.map((amount, i) => ({ script: i % 2 ? P2WPKH : P2TR, amount: max && i === 0 ? ('max' as const) : amount }));
        let r;
        try {
          r = selectCoins({ coins, recipients, feeRate, longTermFeeRate, change: { script: P2TR, spend: KEY_PATH }, randomInt: seededRandom(seed) });
        } catch (err) {
          expect(err).toBeInstanceOf(CoinSelectionError);
          const code = (err as CoinSelectionError).code;
          expect(['INSUFFICIENT_FUNDS', 'AMOUNT_BELOW_DUST']).toContain(code);
          if (code === 'INSUFFICIENT_FUNDS') expect((err as CoinSelectionError).missing! > 0n).toBe(true);
          return;
        }
        const inValue = r.inputs.reduce((s, c) => s + c.value, 0n);
        const outValue = r.amounts.reduce((s, a) => s + a, 0n);
        expect(inValue).toBe(outValue + r.fee + (r.change ?? 0n));
        expect(r.fee).toBeGreaterThanOrEqual(BigInt(feeFor(Math.round(feeRate * 1000), r.vsize)));
        if (r.change !== null) {
          expect(r.change).toBeGreaterThanOrEqual(dustThreshold(P2TR, 10));
          expect(r.fee).toBe(BigInt(feeFor(Math.round(feeRate * 1000), r.vsize)));
        }
        const outputs = recipients.map((x) => x.script.length).concat(r.change === null ? [] : [34]);
        expect(r.weight).toBe(transactionWeight(r.inputs.map((c) => c.spend), outputs));
        expect(r.vsize).toBe(weightToVsize(r.weight));
        expect(r.inputs.some((c) => c.frozen)).toBe(false);
        expect(new Set(r.inputs.map((c) => `${c.txid}:${c.vout}`)).size).toBe(r.inputs.length);
        if (r.algorithm === 'bnb' || r.algorithm === 'send-max') expect(r.change).toBeNull();
      }),
      { numRuns: 300 },
    );
  });
});

const groupArb = fc
  .tuple(fc.integer({ min: 1, max: 2_000_000 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 200, max: 900 }))
  .map(([effectiveValue, fee, longTermFee, weight]): SelectionGroup => ({ effectiveValue, fee, longTermFee, weight }));

describe('properties of the algorithms', () => {
  it('Branch-and-Bound results are changeless: effective value in [target, target + cost of change]', () => {
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 14 }), fc.integer({ min: 1, max: 5_000_000 }), fc.integer({ min: 0, max: 5000 }), (pool, target, cost) => {
        const out = branchAndBound(pool, target, cost, 400_000);
        if (!out.ok) return;
        const value = out.selected.reduce((s, g) => s + g.effectiveValue, 0);
        expect(value).toBeGreaterThanOrEqual(target);
        expect(value).toBeLessThanOrEqual(target + cost);
      }),
      { numRuns: 500 },
    );
  });

  it('CoinGrinder finds the lightest input set covering target + change target (checked by brute force)', () => {
    fc.assert(
      fc.property(fc.array(groupArb, { minLength: 1, maxLength: 10 }), fc.integer({ min: 1, max: 4_000_000 }), (pool, target) => {
        let lightest = Number.POSITIVE_INFINITY;
        for (let mask = 1; mask < 1 << pool.length; mask++) {
          let value = 0;
          let weight = 0;
          pool.forEach((g, i) => {
            if (mask & (1 << i)) {
              value += g.effectiveValue;
              weight += g.weight;
            }
          });
          if (value >= target + 50_000) lightest = Math.min(lightest, weight);
        }
        const out = coinGrinder(pool, target, 50_000, 400_000);
        if (!out.ok) {
          expect(lightest).toBe(Number.POSITIVE_INFINITY);
          return;
        }
        expect(out.selected.reduce((w, g) => w + g.weight, 0)).toBe(lightest);
      }),
      { numRuns: 300 },
    );
  });
});
