// Timelocks on the Playground: BIP113 median time past (the median of the last 11 block times) is
// what time-based nLockTime and BIP68 time locks compare against, not the clock or the tip's own
// time; nLockTime by height and the all-final-sequences escape; BIP68 relative locks by height and
// by 512-second units, at their exact boundaries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callMethod } from '../../../core/chain/playground/rpc.js';
import { SEQUENCE_LOCKTIME_TYPE_FLAG } from '../../../core/chain/playground/params.js';
import { key, spendKeyPath, TestNode, type Utxo } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);

let node: TestNode;
beforeAll(() => {
  node = new TestNode();
});
afterAll(() => node.close());

function outcome(tx: ReturnType<typeof spendKeyPath>) {
  const r = node.pg.acceptTx(tx, true);
  return r.ok ? 'accepted' : r.rejection.reason;
}

const pay = (coin: Utxo) => [{ script: bob.p2tr, value: coin.value - 1_000n }];

describe('BIP113 median time past', () => {
  it('is the median of the last 11 block times, as getblockheader reports it', () => {
    node.mine(5);
    const times = [3, 900, 20, 600, 45, 7, 300, 1200, 60, 90, 150];
    for (const step of times) {
      node.now += step;
      node.pg.generate(1, alice.p2tr);
    }
    const tip = node.pg.chain.tip;
    const last11: number[] = [];
    for (let e: typeof tip | undefined = tip; e && last11.length < 11; e = e.parent) last11.push(e.header.time);
    const median = [...last11].sort((a, b) => a - b)[5]!;
    expect(tip.mtp).toBe(median);
    expect(callMethod(node.pg, 'getblockheader', [tip.hash])).toMatchObject({ mediantime: median, time: tip.header.time });
    expect(median).toBeLessThan(tip.header.time);
  });

  it('time-based nLockTime is final only once it is below the tip’s median time past, whatever the clock says', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const mtp = node.pg.chain.tip.mtp;
    node.now = mtp + 100_000;
    const at = (locktime: number) => spendKeyPath(alice, [coin], pay(coin), { locktime, sequence: 0xfffffffe });
    expect(outcome(at(mtp - 1))).toBe('accepted');
    expect(outcome(at(mtp))).toBe('non-final');
    // Even a lock far below the clock and the tip's time waits for the median.
    expect(outcome(at(mtp + 1))).toBe('non-final');
    // Final sequences disable nLockTime entirely.
    expect(outcome(spendKeyPath(alice, [coin], pay(coin), { locktime: mtp + 50_000, sequence: 0xffffffff }))).toBe('accepted');
  });

  it('height-based nLockTime is final when below the next block’s height', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const next = node.pg.chain.tipHeight + 1;
    expect(outcome(spendKeyPath(alice, [coin], pay(coin), { locktime: next - 1, sequence: 0 }))).toBe('accepted');
    expect(outcome(spendKeyPath(alice, [coin], pay(coin), { locktime: next, sequence: 0 }))).toBe('non-final');
  });
});

describe('BIP68 relative locks', () => {
  it('by height: nSequence n needs n confirmations of the spent output', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const coinHeight = node.pg.tx(coin.txid)!.block!.height;
    const tx = spendKeyPath(alice, [coin], pay(coin), { sequence: 5 });
    while (node.pg.chain.tipHeight + 1 < coinHeight + 5) {
      expect(outcome(tx)).toBe('non-BIP68-final');
      node.mine(1);
    }
    expect(node.pg.chain.tipHeight + 1 - coinHeight).toBe(5);
    expect(outcome(tx)).toBe('accepted');
  });

  it('version 1 transactions and the disable flag ignore relative locks', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    expect(outcome(spendKeyPath(alice, [coin], pay(coin), { sequence: 100, version: 1 }))).toBe('accepted');
    expect(outcome(spendKeyPath(alice, [coin], pay(coin), { sequence: (0x80000000 | 100) >>> 0 }))).toBe('accepted');
    expect(outcome(spendKeyPath(alice, [coin], pay(coin), { sequence: 100 }))).toBe('non-BIP68-final');
  });

  it('by time: one 512-second unit after the median time past before the coin’s block', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const coinHeight = node.pg.tx(coin.txid)!.block!.height;
    const start = node.pg.chain.active[coinHeight - 1]!.mtp;
    const tx = spendKeyPath(alice, [coin], pay(coin), { sequence: SEQUENCE_LOCKTIME_TYPE_FLAG | 1 });
    expect(outcome(tx)).toBe('non-BIP68-final');
    // Locked while the tip's median time past is at most start + 512 − 1.
    while (node.pg.chain.tip.mtp <= start + 511) {
      expect(outcome(tx)).toBe('non-BIP68-final');
      node.now += 97;
      node.pg.generate(1, alice.p2tr);
    }
    expect(outcome(tx)).toBe('accepted');
  });
});
