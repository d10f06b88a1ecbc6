// Mining on the Playground: regtest subsidy and its 150-block halving, coinbase maturity (100),
// BIP34 heights and BIP141 witness commitments in every block, block weight (the miner stops at
// Core's 3,996,000 default; consensus refuses more than 4,000,000), selection by ancestor fee rate
// (CPFP packages), and the fee estimates derived from the mempool and recent blocks.
import { Script } from '@scure/btc-signer/script.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { witnessCommitment, witnessCommitmentIndex } from '../../../core/chain/playground/block-rules.js';
import { blockSubsidy, COIN, DEFAULT_BLOCK_MAX_WEIGHT, MAX_BLOCK_WEIGHT } from '../../../core/chain/playground/params.js';
import { callMethod } from '../../../core/chain/playground/rpc.js';
import { pushInt } from '../../../core/chain/playground/script.js';
import { finalizeTx, type DecodedTx } from '../../../core/chain/playground/wire.js';
import { key, spendKeyPath, TestNode, type Utxo } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);
const miner = key(3);

let node: TestNode;
beforeAll(() => {
  node = new TestNode();
});
afterAll(() => node.close());

/** A transaction spending `coin` to bob paying exactly `rate` sat/vB (vsize is fixed by the shape). */
function atRate(coin: Utxo, rate: number, outputs = 1): DecodedTx {
  const shape = (fee: bigint) => {
    const each = (coin.value - fee) / BigInt(outputs);
    return Array.from({ length: outputs }, () => ({ script: bob.p2tr, value: each }));
  };
  const draft = spendKeyPath(alice, [coin], shape(0n));
  return spendKeyPath(alice, [coin], shape(BigInt(rate * draft.vsize) + (coin.value - (coin.value / BigInt(outputs)) * BigInt(outputs))));
}

describe('subsidy, maturity, coinbase contents', () => {
  it('coinbase pays 50 BTC + fees until height 149, 25 BTC from 150 (regtest halving interval)', () => {
    expect(blockSubsidy(149)).toBe(50n * COIN);
    expect(blockSubsidy(150)).toBe(25n * COIN);
    expect(blockSubsidy(300)).toBe(1_250_000_000n);
    const coin = node.fund(alice.p2tr, 1_000_000n);
    const tx = atRate(coin, 3);
    expect(node.pg.acceptTx(tx).ok).toBe(true);
    const [hash] = node.pg.generate(1, miner.p2tr);
    const block = node.pg.chain.block(hash!)!;
    const height = node.pg.chain.tipHeight;
    expect(block.txs.map((t) => t.txid)).toEqual([block.txs[0]!.txid, tx.txid]);
    expect(block.txs[0]!.outputs[0]!.value).toBe(blockSubsidy(height) + BigInt(3 * tx.vsize));
    node.mine(149 - node.pg.chain.tipHeight);
    expect(node.pg.chain.block(node.pg.chain.tip.hash)!.txs[0]!.outputs[0]!.value).toBe(50n * COIN);
    node.mine(1);
    expect(node.pg.chain.tipHeight).toBe(150);
    expect(node.pg.chain.block(node.pg.chain.tip.hash)!.txs[0]!.outputs[0]!.value).toBe(25n * COIN);
  });

  it('every coinbase starts with its BIP34 height and commits to the witness merkle root', () => {
    for (const h of [1, 16, 17, 128, 150]) {
      const block = node.pg.chain.block(node.pg.chain.active[h]!.hash)!;
      const cb = block.txs[0]!;
      const push = pushInt(h);
      expect(cb.inputs[0]!.scriptSig.subarray(0, push.length), `height ${h}`).toEqual(push);
      const at = witnessCommitmentIndex(cb);
      expect(at).toBe(1);
      expect(cb.outputs[at]!.script.subarray(6)).toEqual(witnessCommitment(block.txs, cb.inputs[0]!.witness[0]!));
    }
  });

  it('a coinbase output is spendable exactly 100 blocks later', () => {
    const [hash] = node.pg.generate(1, alice.p2tr);
    const height = node.pg.chain.tipHeight;
    const cb = node.pg.chain.block(hash!)!.txs[0]!;
    const spend = spendKeyPath(alice, [{ txid: cb.txid, vout: 0, value: cb.outputs[0]!.value, script: alice.p2tr }], [{ script: bob.p2tr, value: COIN }]);
    node.mine(98);
    const early = node.pg.acceptTx(spend, true);
    expect(early.ok ? null : early.rejection).toEqual({ reason: 'bad-txns-premature-spend-of-coinbase', debug: 'tried to spend coinbase at depth 99' });
    node.mine(1);
    expect(node.pg.chain.tipHeight + 1 - height).toBe(100);
    expect(node.pg.acceptTx(spend).ok).toBe(true);
    node.mine(1);
  });
});

describe('selection by ancestor fee rate', () => {
  it('takes the best package first: a 50 sat/vB child lifts its 1 sat/vB parent above a 10 sat/vB transaction', () => {
    const coins = [node.fund(alice.p2tr, 200_000n), node.fund(alice.p2tr, 200_000n), node.fund(alice.p2tr, 200_000n)];
    const parent = atRate(coins[0]!, 1);
    const child = atRate({ txid: parent.txid, vout: 0, value: parent.outputs[0]!.value, script: bob.p2tr }, 50);
    const medium = atRate(coins[1]!, 10);
    const high = atRate(coins[2]!, 30);
    // The child is signed by alice's key over bob's output: re-sign with bob.
    const bobChild = spendKeyPath(bob, [{ txid: parent.txid, vout: 0, value: parent.outputs[0]!.value, script: bob.p2tr }], child.outputs);
    for (const tx of [parent, medium, high, bobChild]) expect(node.pg.acceptTx(tx).ok, tx.txid).toBe(true);
    const [hash] = node.pg.generate(1, miner.p2tr);
    const order = node.pg.chain.block(hash!)!.txs.slice(1).map((t) => t.txid);
    expect(order).toEqual([high.txid, parent.txid, bobChild.txid, medium.txid]);
    expect(node.pg.mempool.size).toBe(0);
  });

  it('fills blocks up to 3,996,000 weight, keeps the rest for the next block, and estimates fees from it', () => {
    const outputs = 2300;
    const big = Array.from({ length: 11 }, (_, i) => atRate(node.fund(alice.p2tr, 2_000_000n), i + 1, outputs));
    for (const tx of big) {
      expect(tx.weight).toBeLessThanOrEqual(400_000);
      expect(node.pg.acceptTx(tx).ok).toBe(true);
    }
    const fits = Math.floor(DEFAULT_BLOCK_MAX_WEIGHT / big[0]!.weight);
    expect(fits).toBe(10);
    // Mempool projection: the tenth best (≈2 sat/vB) is the last that makes the next block.
    const tenth = node.pg.mempool.get(big[1]!.txid)!;
    const tenthRate = BigInt(Math.ceil((Number(tenth.fee) / tenth.vsize) * 1000));
    expect(tenthRate).toBeGreaterThanOrEqual(2_000n);
    expect(tenthRate).toBeLessThan(2_100n);
    expect(node.pg.feeRate(1)).toBe(tenthRate);
    expect(node.pg.feeRate(2)).toBe(1_000n);
    expect(callMethod(node.pg, 'estimatesmartfee', [1])).toMatchObject({ blocks: 2 });

    const [first] = node.pg.generate(1, miner.p2tr);
    const block = node.pg.chain.block(first!)!;
    expect(block.txs.length).toBe(1 + fits);
    expect(block.weight).toBeLessThanOrEqual(DEFAULT_BLOCK_MAX_WEIGHT);
    expect(node.pg.mempool.size).toBe(1);
    expect(node.pg.mempool.get(big[0]!.txid)).toBeDefined();
    // Recent blocks: the last block was full and its cheapest transaction paid ≈2 sat/vB.
    expect(node.pg.chain.stats(first!)!.minFeeRate).toBe((tenth.fee * 1000n) / BigInt(tenth.vsize));
    expect(node.pg.feeRate(1)).toBe((tenth.fee * 1000n) / BigInt(tenth.vsize));
    expect(node.pg.feeRate(2)).toBe(1_000n);
    node.pg.generate(1, miner.p2tr);
    expect(node.pg.mempool.size).toBe(0);
  });

  it('consensus refuses a block over 4,000,000 weight: bad-blk-weight', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    // A taproot annex is consensus-valid witness data of any size: enough of it breaks the limit.
    const annex = new Uint8Array(MAX_BLOCK_WEIGHT).fill(0x50);
    const heavy = finalizeTx({ ...tx, inputs: [{ ...tx.inputs[0]!, witness: [tx.inputs[0]!.witness[0]!, annex] }] });
    const result = node.pg.generateBlock(miner.p2tr, [heavy], false);
    expect('rejection' in result && result.rejection).toEqual({ reason: 'bad-blk-weight', debug: 'ContextualCheckBlock : weight limit failed' });
  });

  it('leaves transactions below 1 sat/vB out (returned from a disconnected block, Core’s -blockmintxfee)', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const cheap = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 100_000n - 50n }]);
    const result = node.pg.generateBlock(miner.p2tr, [cheap], true);
    expect('block' in result).toBe(true);
    node.pg.invalidate(node.pg.chain.tip.hash);
    expect(node.pg.mempool.get(cheap.txid)).toBeDefined();
    const [hash] = node.pg.generate(1, miner.p2tr);
    expect(node.pg.chain.block(hash!)!.txs.length).toBe(1);
    expect(node.pg.mempool.get(cheap.txid)).toBeDefined();
  });

  it('OP_RETURN outputs never become coins', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const tx = spendKeyPath(alice, [coin], [{ script: Script.encode(['RETURN', new Uint8Array(10)]), value: 0n }, { script: bob.p2tr, value: 99_000n }]);
    expect(node.pg.acceptTx(tx).ok).toBe(true);
    node.mine(1);
    expect(node.pg.chain.coin(tx.txid, 0)).toBeUndefined();
    expect(node.pg.chain.coin(tx.txid, 1)?.value).toBe(99_000n);
  });
});

describe('determinism', () => {
  it('two nodes with the same clock, faucet key and requests build the same chain, hash for hash', () => {
    const build = () => {
      const n = new TestNode();
      try {
        const coin = n.fund(alice.p2tr, 250_000n);
        expect(n.pg.acceptTx(spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 240_000n }])).ok).toBe(true);
        n.mine(2);
        return n.pg.chain.active.map((e) => e.hash);
      } finally {
        n.close();
      }
    };
    const first = build();
    expect(first.length).toBeGreaterThan(100);
    expect(build()).toEqual(first);
  });
});
