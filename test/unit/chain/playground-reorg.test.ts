// Reorganizations on the Playground (Core's invalidateblock / reconsiderblock and most-work chain
// selection): disconnecting returns transactions to the mempool and restores the UTXO set;
// reconsidering or a heavier fork moves the chain back; a fork block that fails when connected is
// marked invalid and the node returns to the best valid chain.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mineBlock } from '../../../core/chain/playground/miner.js';
import { callMethod } from '../../../core/chain/playground/rpc.js';
import type { DecodedTx } from '../../../core/chain/playground/wire.js';
import { key, spendKeyPath, TestNode, type Utxo } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);
const miner = key(3);

let node: TestNode;
beforeAll(() => {
  node = new TestNode();
});
afterAll(() => node.close());

const out = (tx: DecodedTx, vout: number, script: Uint8Array): Utxo => ({ txid: tx.txid, vout, value: tx.outputs[vout]!.value, script });

describe('invalidateblock / reconsiderblock', () => {
  let coin: Utxo;
  let parent: DecodedTx;
  let child: DecodedTx;
  let blockA: string;
  let blockB: string;
  let tipBefore: string;

  beforeAll(() => {
    coin = node.fund(alice.p2tr, 100_000n);
    parent = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    expect(node.pg.acceptTx(parent).ok).toBe(true);
    blockA = node.pg.generate(1, miner.p2tr)[0]!;
    child = spendKeyPath(bob, [out(parent, 0, bob.p2tr)], [{ script: alice.p2tr, value: 98_000n }]);
    expect(node.pg.acceptTx(child).ok).toBe(true);
    blockB = node.pg.generate(1, miner.p2tr)[0]!;
    node.mine(1);
    tipBefore = node.pg.chain.tip.hash;
  });

  it('invalidating the block two below the tip disconnects three blocks and returns both transactions, parent first', () => {
    const height = node.pg.chain.tipHeight;
    expect(node.pg.chain.coin(coin.txid, coin.vout)).toBeUndefined();
    expect(node.pg.chain.coin(child.txid, 0)?.value).toBe(98_000n);
    node.pg.invalidate(blockA);
    expect(node.pg.chain.tipHeight).toBe(height - 3);
    expect(node.pg.mempool.ordered().map((e) => e.tx.txid)).toEqual([parent.txid, child.txid]);
    // UTXO set as before the blocks: the funding coin is unspent again, the new outputs are gone.
    expect(node.pg.chain.coin(coin.txid, coin.vout)?.value).toBe(100_000n);
    expect(node.pg.chain.coin(parent.txid, 0)).toBeUndefined();
    expect(node.pg.chain.coin(child.txid, 0)).toBeUndefined();
    expect(callMethod(node.pg, 'gettxout', [coin.txid, coin.vout])).toBeNull();
    expect(callMethod(node.pg, 'gettxout', [coin.txid, coin.vout, false])).toMatchObject({ confirmations: expect.any(Number) });
    expect(callMethod(node.pg, 'getblockheader', [blockA])).toMatchObject({ confirmations: -1 });
    expect(node.pg.tx(parent.txid)?.block).toBeUndefined();
  });

  it('reconsidering restores the same chain and mines the transactions out of the mempool', () => {
    node.pg.reconsider(blockA);
    expect(node.pg.chain.tip.hash).toBe(tipBefore);
    expect(node.pg.mempool.size).toBe(0);
    expect(node.pg.tx(child.txid)?.block?.hash).toBe(blockB);
    expect(node.pg.chain.coin(child.txid, 0)?.value).toBe(98_000n);
  });

  it('a longer fork mined after invalidation wins over the reconsidered shorter chain; invalidating it switches back', () => {
    const oldTip = node.pg.chain.tip.hash;
    const oldHeight = node.pg.chain.tipHeight;
    node.pg.invalidate(blockB);
    expect(node.pg.mempool.ordered().map((e) => e.tx.txid)).toEqual([child.txid]);
    const fork = node.mine(3);
    expect(node.pg.chain.tipHeight).toBe(oldHeight + 1);
    expect(node.pg.mempool.size).toBe(0);
    node.pg.reconsider(blockB);
    // The old branch is valid again but has less work: the fork stays active.
    expect(node.pg.chain.tip.hash).toBe(fork[2]);
    expect(callMethod(node.pg, 'getblockheader', [oldTip])).toMatchObject({ confirmations: -1 });
    node.pg.invalidate(fork[0]!);
    expect(node.pg.chain.tip.hash).toBe(oldTip);
    expect(node.pg.tx(child.txid)?.block?.hash).toBe(blockB);
    node.pg.reconsider(fork[0]!);
    expect(node.pg.chain.tip.hash).toBe(fork[2]);
  });

  it('a transaction whose coinbase input turns immature after a reorg leaves the mempool', () => {
    const [cbBlock] = node.pg.generate(1, alice.p2tr);
    const cb = node.pg.chain.block(cbBlock!)!.txs[0]!;
    node.mine(99);
    const spend = spendKeyPath(alice, [out(cb, 0, alice.p2tr)], [{ script: bob.p2tr, value: 1_000_000_000n }]);
    expect(node.pg.acceptTx(spend).ok).toBe(true);
    const [mined] = node.pg.generate(1, miner.p2tr);
    expect(node.pg.tx(spend.txid)?.block?.hash).toBe(mined);
    node.pg.invalidate(node.pg.chain.active[node.pg.chain.tipHeight - 1]!.hash);
    expect(node.pg.mempool.get(spend.txid)).toBeUndefined();
    expect(node.pg.chain.coin(cb.txid, 0)).toBeDefined();
  });
});

describe('fork choice', () => {
  it('an equal-work fork block is kept aside ("inconclusive"); its valid child takes over', () => {
    const base = node.pg.chain.tip;
    const [a] = node.mine(1);
    node.now += 1;
    const fork1 = mineBlock({ prevHash: base.hash, height: base.height + 1, time: node.now, payout: bob.p2tr, txs: [], fees: 0n, extraNonce: 1 });
    expect(node.pg.submitBlock(fork1)).toBe('inconclusive');
    expect(node.pg.chain.tip.hash).toBe(a);
    const fork2 = mineBlock({ prevHash: fork1.hash, height: base.height + 2, time: node.now, payout: bob.p2tr, txs: [], fees: 0n, extraNonce: 1 });
    expect(node.pg.submitBlock(fork2)).toBeNull();
    expect(node.pg.chain.tip.hash).toBe(fork2.hash);
    expect(callMethod(node.pg, 'getblockheader', [a!])).toMatchObject({ confirmations: -1 });
  });

  it('a heavier fork that fails when connected is marked invalid and the node stays on its chain', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const base = node.pg.chain.tip;
    const [tip] = node.mine(1);
    const pending = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    expect(node.pg.acceptTx(pending).ok).toBe(true);
    node.now += 1;
    const fork1 = mineBlock({ prevHash: base.hash, height: base.height + 1, time: node.now, payout: bob.p2tr, txs: [], fees: 0n, extraNonce: 2 });
    expect(node.pg.submitBlock(fork1)).toBe('inconclusive');
    // Spends an output that does not exist: only connecting the block can tell.
    const bogus = spendKeyPath(alice, [{ ...coin, txid: 'ee'.repeat(32) }], [{ script: bob.p2tr, value: 99_000n }]);
    const fork2 = mineBlock({ prevHash: fork1.hash, height: base.height + 2, time: node.now, payout: bob.p2tr, txs: [bogus], fees: 0n, extraNonce: 2 });
    expect(node.pg.submitBlock(fork2)).toBe('bad-txns-inputs-missingorspent');
    expect(node.pg.chain.tip.hash).toBe(tip);
    expect(node.pg.chain.get(fork2.hash)?.failed).toBe(true);
    expect(node.pg.chain.get(fork1.hash)?.failed).toBe(false);
    expect(node.pg.mempool.get(pending.txid)).toBeDefined();
    expect(node.pg.submitBlock(fork2)).toBe('duplicate-invalid');
  });
});
