// Anti-fee-sniping locktime and sequence (Bitcoin Core DiscourageFeeSniping, src/wallet/spend.cpp),
// the transaction-building policy that goes with coin selection.
import { describe, expect, it } from 'vitest';
import {
  antiFeeSniping,
  MAX_ANTI_FEE_SNIPING_TIP_AGE,
  MAX_BIP125_RBF_SEQUENCE,
  MAX_SEQUENCE_NONFINAL,
} from '../../../core/bitcoin/fee-sniping.js';
import { seededRandom } from './coin-selection-random.js';

const NOW = 1_750_000_000;
const tip = { height: 900_000, time: NOW - 600 };

/** A random source that returns the given draws in order. */
const draws = (...values: number[]) => {
  const queue = [...values];
  const bounds: number[] = [];
  const next = (bound: number) => {
    bounds.push(bound);
    return queue.shift()!;
  };
  return Object.assign(next, { bounds });
};

describe('anti-fee-sniping nLockTime', () => {
  it('is the tip height when the 1-in-10 draw does not fire', () => {
    const rnd = draws(3);
    expect(antiFeeSniping({ tip, now: NOW, randomInt: rnd })).toEqual({ lockTime: 900_000, sequence: MAX_BIP125_RBF_SEQUENCE });
    expect(rnd.bounds).toEqual([10]);
  });
  it('goes back randrange(100) blocks when the 1-in-10 draw fires', () => {
    const rnd = draws(0, 99);
    expect(antiFeeSniping({ tip, now: NOW, randomInt: rnd }).lockTime).toBe(900_000 - 99);
    expect(rnd.bounds).toEqual([10, 100]);
  });
  it('never goes below 0', () => {
    expect(antiFeeSniping({ tip: { height: 5, time: NOW }, now: NOW, randomInt: draws(0, 50) }).lockTime).toBe(0);
  });
  it('over 20,000 draws: about 10% lower, all within 99 blocks of the tip', () => {
    const random = seededRandom(2024);
    let lower = 0;
    for (let i = 0; i < 20_000; i++) {
      const { lockTime } = antiFeeSniping({ tip, now: NOW, randomInt: random });
      expect(lockTime).toBeLessThanOrEqual(900_000);
      expect(lockTime).toBeGreaterThanOrEqual(900_000 - 99);
      if (lockTime < 900_000) lower++;
    }
    // randrange(100) can return 0 too, so ~9.9% end up strictly lower.
    expect(lower / 20_000).toBeGreaterThan(0.085);
    expect(lower / 20_000).toBeLessThan(0.113);
  });
  it('is 0 when the tip is more than 8 hours old, or during initial block download', () => {
    const rnd = draws();
    expect(antiFeeSniping({ tip: { height: 900_000, time: NOW - MAX_ANTI_FEE_SNIPING_TIP_AGE - 1 }, now: NOW, randomInt: rnd }).lockTime).toBe(0);
    expect(antiFeeSniping({ tip: { height: 900_000, time: NOW - MAX_ANTI_FEE_SNIPING_TIP_AGE }, now: NOW, randomInt: draws(1) }).lockTime).toBe(900_000);
    expect(antiFeeSniping({ tip, now: NOW, initialBlockDownload: true, randomInt: rnd }).lockTime).toBe(0);
    expect(rnd.bounds).toEqual([]);
  });
});

describe('anti-fee-sniping nSequence', () => {
  it('signals RBF with 0xfffffffd by default, 0xfffffffe without; both enforce nLockTime (not final)', () => {
    expect(antiFeeSniping({ tip, now: NOW, randomInt: draws(1) }).sequence).toBe(0xfffffffd);
    expect(antiFeeSniping({ tip, now: NOW, rbf: false, randomInt: draws(1) }).sequence).toBe(0xfffffffe);
    expect(MAX_BIP125_RBF_SEQUENCE).toBeLessThan(MAX_SEQUENCE_NONFINAL);
    expect(MAX_SEQUENCE_NONFINAL).toBeLessThan(0xffffffff);
  });
  it('names the field of an invalid tip', () => {
    expect(() => antiFeeSniping({ tip: { height: 500_000_000, time: NOW }, now: NOW, randomInt: draws(1) })).toThrow(
      '"tip.height" expected an integer between 0 and 499999999, got 500000000',
    );
    expect(() => antiFeeSniping({ tip: { height: 1.5, time: NOW }, now: NOW, randomInt: draws(1) })).toThrow('"tip.height"');
  });
});
