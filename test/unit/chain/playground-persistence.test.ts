// Persistence of the Playground: a restarted node resumes the same chain, mempool, invalid-block
// marks and faucet key from its SQLite file; and a node killed with SIGKILL while mining reopens to
// a consistent chain (every block connect is one transaction), then keeps mining.
import { hex } from '@scure/base';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Playground } from '../../../core/chain/playground/playground.js';
import { callMethod } from '../../../core/chain/playground/rpc.js';
import { key, spendKeyPath, TestNode } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('restart', () => {
  let node: TestNode;
  beforeAll(() => {
    node = new TestNode();
  });
  afterAll(() => node.close());

  it('resumes the same chain, mempool (with entry times), failed blocks and filters', () => {
    const coin = node.fund(alice.p2tr, 100_000n);
    const [doomed] = node.mine(1);
    node.pg.invalidate(doomed!);
    const pending = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    node.now += 60;
    expect(node.pg.acceptTx(pending).ok).toBe(true);
    const entryTime = node.pg.mempool.get(pending.txid)!.time;
    const tip = node.pg.chain.tip.hash;
    const height = node.pg.chain.tipHeight;
    const filter = callMethod(node.pg, 'getblockfilter', [tip]);
    const faucet = node.pg.faucetWallet.address;

    node.now += 3600;
    const pg = node.restart();
    expect(pg.chain.tip.hash).toBe(tip);
    expect(pg.chain.tipHeight).toBe(height);
    expect(pg.mempool.ordered().map((e) => [e.tx.txid, e.time])).toEqual([[pending.txid, entryTime]]);
    expect(pg.chain.get(doomed!)?.failed).toBe(true);
    expect(callMethod(pg, 'getblockfilter', [tip])).toEqual(filter);
    expect(pg.faucetWallet.address).toBe(faucet);
    expect(pg.chain.coin(coin.txid, coin.vout)?.value).toBe(100_000n);
    node.mine(1);
    expect(pg.mempool.size).toBe(0);
    expect(pg.tx(pending.txid)?.block?.height).toBe(height + 1);
  });

  it('keeps a generated faucet key in the file when none is given', () => {
    const first = node.restart({ faucetKey: undefined as unknown as Uint8Array }).faucetWallet.address;
    const second = node.restart({ faucetKey: undefined as unknown as Uint8Array }).faucetWallet.address;
    expect(second).toBe(first);
    expect(first).not.toBe(node.restart().faucetWallet.address);
  });
});

describe('SIGKILL while mining', () => {
  let node: TestNode;
  beforeAll(() => {
    node = new TestNode();
    node.pg.close();
  });
  afterAll(() => node.close());

  const payout = Uint8Array.from([0x51, 0x20, ...new Uint8Array(32).fill(9)]);

  it('reopens to a consistent chain and keeps mining', { timeout: 120_000 }, async () => {
    const child = join(node.dir, 'miner.mts');
    writeFileSync(
      child,
      `import { Playground } from ${JSON.stringify(join(root, 'core/chain/playground/playground.ts'))};
const pg = new Playground({ file: process.argv[2], faucetKey: new Uint8Array(32).fill(0x42) });
const payout = Uint8Array.from([0x51, 0x20, ...new Uint8Array(32).fill(9)]);
for (;;) {
  pg.generate(1, payout);
  process.stdout.write(pg.chain.tipHeight + '\\n');
}
`,
    );
    const proc = spawn(process.execPath, ['--import', 'tsx', child, node.file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const reached = await new Promise<number>((resolve, reject) => {
      let last = 0;
      proc.stdout.on('data', (d: Buffer) => {
        const lines = d.toString().trim().split('\n');
        last = Number(lines[lines.length - 1]);
        // Kill mid-stream, while blocks are being written.
        if (last >= 40) {
          proc.kill('SIGKILL');
          resolve(last);
        }
      });
      proc.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') reject(new Error(`miner exited early (${code}): ${stderr}`));
      });
    });
    await new Promise((r) => proc.once('close', r));

    const pg = new Playground({ file: node.file, faucetKey: new Uint8Array(32).fill(0x42) });
    try {
      const height = pg.chain.tipHeight;
      expect(height).toBeGreaterThanOrEqual(reached);
      for (let h = 1; h <= height; h++) {
        expect(pg.chain.active[h]!.parent).toBe(pg.chain.active[h - 1]);
        expect(pg.filter(pg.chain.active[h]!.hash)).toBeDefined();
      }
      // One unspent coinbase output per block, each at its block's height.
      const coinbases = pg.outputsTo(payout);
      expect(coinbases.length).toBe(height);
      expect(coinbases.every((t) => !t.spent && t.coinbase)).toBe(true);
      expect(coinbases.map((t) => t.height)).toEqual(Array.from({ length: height }, (_, i) => i + 1));
      const [next] = pg.generate(1, payout);
      expect(pg.chain.tip.hash).toBe(next);
      expect(hex.encode(pg.blockRaw(next!)!.subarray(4, 36).reverse())).toBe(pg.chain.active[height]!.hash);
    } finally {
      pg.close();
    }
  });
});
