// Persist before send, proven with SIGKILL: a payment killed between "written to the wallet file"
// and "handed to the node" is still known after restart, and the next sync broadcasts it.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClient } from '../../../core/api/client.js';
import { scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { repoRoot } from '../../support/cli.js';
import { tempDir } from '../../support/core.js';

const PASSPHRASE = 'crash test passphrase';

async function open(dataDir: string) {
  const app = new TapdeskApp({ dataDir, mode: 'cli', version: 'test' });
  await app.start();
  return { app, api: createClient(app.server.local()) };
}

function runChild(args: string[]): Promise<{ signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', (_code, signal) => resolve({ signal, out }));
  });
}

describe('wallet crash safety', () => {
  it('a send killed after persisting and before broadcasting is broadcast by the next sync', async () => {
    const dataDir = tempDir('tapdesk-crash');
    let { app, api } = await open(dataDir);
    const { draftId, words } = await api.call('wallet.generateMnemonic', { words: 12 });
    const { id: walletId } = await api.call('wallet.create', { draftId, confirm: [1, 2, 3].map((position) => ({ position, word: words[position - 1]! })), name: 'Crash', passphrase: PASSPHRASE });
    const { address } = await api.call('wallet.receive', { walletId });
    await api.call('playground.faucet', { address, amount: 10_000_000 });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    await app.close();

    const payee = scriptPubKeyToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(7)]), NETWORKS.regtest);
    const child = await runChild([dataDir, walletId, PASSPHRASE, payee]);
    expect(child.signal).toBe('SIGKILL');
    expect(child.out).toContain('crashing');

    ({ app, api } = await open(dataDir));
    try {
      const pending = (await api.call('wallet.history', { walletId })).entries.filter((e) => e.status === 'pending');
      expect(pending).toHaveLength(1);
      expect((await api.call('playground.info')).mempool).toBe(0);

      await api.call('wallet.sync', { walletId });
      expect((await api.call('playground.info')).mempool).toBe(1);
      await api.call('playground.mine', { blocks: 1 });
      await api.call('wallet.sync', { walletId });
      expect(await api.call('wallet.tx', { walletId, txid: pending[0]!.txid })).toMatchObject({ status: 'confirmed', confirmations: 1 });
    } finally {
      await app.close();
    }
  });
});
