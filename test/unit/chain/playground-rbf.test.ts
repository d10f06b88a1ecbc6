// Replacement (full RBF, as Bitcoin Core 28 applies BIP125 rules 2–6 by default): what replaces and
// what it evicts, and each refusal with Core's reason and debug text; with -mempoolfullrbf off, only
// signalling transactions are replaceable ("txn-mempool-conflict" otherwise).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatFeeRate, formatMoney } from '../../../core/chain/playground/consensus.js';
import { callMethod, RpcError } from '../../../core/chain/playground/rpc.js';
import type { DecodedTx } from '../../../core/chain/playground/wire.js';
import { hex } from '@scure/base';
import { key, spendKeyPath, TestNode, type Output, type Utxo } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);
const carol = key(3);
const FINAL = { sequence: 0xffffffff };

let node: TestNode;
beforeAll(() => {
  node = new TestNode();
});
afterAll(() => node.close());

/** A spend of `coin` paying `fee` in total, the rest to `to` (split over `n` outputs). */
function spend(coin: Utxo, fee: bigint, to = bob.p2tr, n = 1, shape = FINAL): DecodedTx {
  const each = (coin.value - fee) / BigInt(n);
  const outputs: Output[] = Array.from({ length: n }, (_, i) => ({ script: to, value: i === 0 ? coin.value - fee - each * BigInt(n - 1) : each }));
  return spendKeyPath(coin.script === bob.p2tr ? bob : alice, [coin], outputs, shape);
}

function accept(tx: DecodedTx) {
  const outcome = node.pg.acceptTx(tx);
  if (!outcome.ok) throw new Error(`${tx.txid}: ${outcome.rejection.reason} ${outcome.rejection.debug ?? ''}`);
  return outcome;
}

function refuse(tx: DecodedTx) {
  const outcome = node.pg.acceptTx(tx);
  if (outcome.ok) throw new Error(`accepted ${tx.txid}`);
  return outcome.rejection;
}

const rate = (tx: DecodedTx, fee: bigint) => (fee * 1000n) / BigInt(tx.vsize);

describe('full-RBF replacement', () => {
  it('a higher fee and fee rate replaces a non-signalling transaction and evicts it', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const original = spend(coin, 500n);
    accept(original);
    const replacement = spend(coin, 1_000n, carol.p2tr);
    const outcome = accept(replacement);
    expect(outcome.replaced.map((e) => e.tx.txid)).toEqual([original.txid]);
    expect(node.pg.mempool.get(original.txid)).toBeUndefined();
    expect(node.pg.mempool.get(replacement.txid)?.fee).toBe(1_000n);
    expect(callMethod(node.pg, 'getrawmempool', [])).toContain(replacement.txid);
  });

  it('evicts the descendants too, and must pay for all of them', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const parent = spend(coin, 500n);
    accept(parent);
    const child = spend({ txid: parent.txid, vout: 0, value: parent.outputs[0]!.value, script: bob.p2tr }, 2_000n, carol.p2tr);
    accept(child);
    const tooCheap = spend(coin, 2_000n, carol.p2tr);
    expect(refuse(tooCheap)).toEqual({
      reason: 'insufficient fee',
      debug: `rejecting replacement ${tooCheap.txid}, less fees than conflicting txs; ${formatMoney(2_000n)} < ${formatMoney(2_500n)}`,
    });
    const enough = spend(coin, 2_500n + 200n, carol.p2tr);
    expect(accept(enough).replaced.map((e) => e.tx.txid).sort()).toEqual([parent.txid, child.txid].sort());
    expect(node.pg.mempool.size).toBe(1);
  });

  it('rule 6: a fee rate not above the original’s is "insufficient fee" with both rates', () => {
    node.mine(1);
    const coin = node.fund(alice.p2tr, 100_000n);
    const original = spend(coin, 1_000n);
    accept(original);
    const same = spend(coin, 1_000n, carol.p2tr);
    expect(refuse(same)).toEqual({
      reason: 'insufficient fee',
      debug: `rejecting replacement ${same.txid}; new feerate ${formatFeeRate(rate(same, 1_000n))} <= old feerate ${formatFeeRate(rate(original, 1_000n))}`,
    });
    expect(formatFeeRate(rate(original, 1_000n))).toMatch(/^0\.0000\d{4} BTC\/kvB$/);
  });

  it('rule 3: a higher fee rate with a lower absolute fee is "less fees than conflicting txs"', () => {
    const coin = node.fund(alice.p2tr, 200_000n);
    const original = spend(coin, 3_000n, bob.p2tr, 40);
    accept(original);
    const smaller = spend(coin, 2_000n, carol.p2tr);
    expect(rate(smaller, 2_000n)).toBeGreaterThan(rate(original, 3_000n));
    expect(refuse(smaller)).toEqual({
      reason: 'insufficient fee',
      debug: `rejecting replacement ${smaller.txid}, less fees than conflicting txs; 0.00002 < 0.00003`,
    });
  });

  it('rule 4: additional fees below the incremental relay fee × size are "not enough additional fees to relay"', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const original = spend(coin, 1_000n);
    accept(original);
    const bump = spend(coin, 1_050n, carol.p2tr);
    expect(refuse(bump)).toEqual({
      reason: 'insufficient fee',
      debug: `rejecting replacement ${bump.txid}, not enough additional fees to relay; 0.0000005 < ${formatMoney(BigInt(bump.vsize))}`,
    });
    expect(accept(spend(coin, 1_000n + BigInt(bump.vsize), carol.p2tr)).replaced).toHaveLength(1);
  });

  it('rule 2: a replacement may not add unconfirmed inputs', () => {
    const a = node.fund(alice.p2tr, 100_000n);
    const b = node.fund(alice.p2tr, 100_000n);
    const original = spend(a, 500n);
    accept(original);
    const other = spend(b, 500n, bob.p2tr);
    accept(other);
    const unconfirmed: Utxo = { txid: other.txid, vout: 0, value: other.outputs[0]!.value, script: bob.p2tr };
    const mixed = spendKeyPath([alice, bob], [a, unconfirmed], [{ script: carol.p2tr, value: 190_000n }], FINAL);
    expect(refuse(mixed)).toEqual({ reason: 'replacement-adds-unconfirmed', debug: `replacement ${mixed.txid} adds unconfirmed input, idx 1` });
  });

  it('a replacement spending what it replaces: bad-txns-spends-conflicting-tx', () => {
    const a = node.fund(alice.p2tr, 100_000n);
    const original = spendKeyPath(alice, [a], [{ script: alice.p2tr, value: 99_000n }], FINAL);
    accept(original);
    const own: Utxo = { txid: original.txid, vout: 0, value: 99_000n, script: alice.p2tr };
    // Spends `a` again (conflicting with `original`) and `original`'s own output.
    const conflicting = spendKeyPath(alice, [a, own], [{ script: carol.p2tr, value: 190_000n }], FINAL);
    expect(refuse(conflicting)).toEqual({ reason: 'bad-txns-spends-conflicting-tx', debug: `${conflicting.txid} spends conflicting transaction ${original.txid}` });
  });

  it('rule 5: more than 100 transactions to evict is "too many potential replacements"', () => {
    const funding = node.fund(alice.p2tr, 20_000_000n);
    const fan = spendKeyPath(alice, [funding], Array.from({ length: 101 }, () => ({ script: alice.p2tr, value: 190_000n })), FINAL);
    accept(fan);
    node.mine(1);
    const coins: Utxo[] = fan.outputs.map((o, vout) => ({ txid: fan.txid, vout, value: o.value, script: alice.p2tr }));
    for (const c of coins) accept(spend(c, 300n));
    expect(node.pg.mempool.size).toBeGreaterThanOrEqual(101);
    const sweep = spendKeyPath(alice, coins, [{ script: carol.p2tr, value: 101n * 190_000n - 2_000_000n }], FINAL);
    expect(refuse(sweep)).toEqual({
      reason: 'too many potential replacements',
      debug: `rejecting replacement ${sweep.txid}; too many potential replacements (101 > 100)`,
    });
  });

  it('sendrawtransaction reports a refused replacement as RPC error -26 with reason and detail', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    accept(spend(coin, 1_000n));
    const same = spend(coin, 1_000n, carol.p2tr);
    try {
      callMethod(node.pg, 'sendrawtransaction', [hex.encode(same.raw)]);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RpcError);
      expect((err as RpcError).code).toBe(-26);
      expect((err as RpcError).message).toMatch(new RegExp(`^insufficient fee, rejecting replacement ${same.txid}; new feerate`));
    }
  });
});

describe('with -mempoolfullrbf=0', () => {
  let strict: TestNode;
  beforeAll(() => {
    strict = new TestNode({ fullRbf: false });
  });
  afterAll(() => strict.close());

  it('a non-signalling original cannot be replaced: txn-mempool-conflict', () => {
    const coin = strict.fund(alice.p2tr, 100_000n);
    const original = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], FINAL);
    expect(strict.pg.acceptTx(original).ok).toBe(true);
    const replacement = spendKeyPath(alice, [coin], [{ script: carol.p2tr, value: 90_000n }], FINAL);
    const outcome = strict.pg.acceptTx(replacement);
    expect(outcome.ok ? null : outcome.rejection).toEqual({ reason: 'txn-mempool-conflict' });
  });

  it('a BIP125-signalling original (nSequence 0xfffffffd) can be', () => {
    const coin = strict.fund(alice.p2tr, 100_000n);
    const original = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], { sequence: 0xfffffffd });
    expect(strict.pg.acceptTx(original).ok).toBe(true);
    expect(callMethod(strict.pg, 'getmempoolentry', [original.txid])).toMatchObject({ 'bip125-replaceable': true });
    const replacement = spendKeyPath(alice, [coin], [{ script: carol.p2tr, value: 90_000n }], FINAL);
    expect(strict.pg.acceptTx(replacement)).toMatchObject({ ok: true });
    expect(strict.pg.mempool.get(original.txid)).toBeUndefined();
  });
});
