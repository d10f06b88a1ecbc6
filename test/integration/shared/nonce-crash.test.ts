// Nonce safety across a crash: Alice's core runs as a real child process (`tapdesk serve`), makes
// her MuSig2 nonce for a payment, and is killed with SIGKILL before any partial signature exists.
// After a restart the stored nonce is unusable (discarded, its sealed secret gone), signing with
// the PSBT that carries it is refused with NONCE_DISCARDED, and only a new nonce round lets the
// payment complete — with no nonce ever used twice. Bob's core runs in this process and hosts the
// Playground that Alice's core reaches over RPC, so the chain survives her crash.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, createClient, createRawApi, type Client } from '../../../core/api/client.js';
import { scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { connectWebSocket } from '../../../core/host/ws-transport.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { openDatabase } from '../../../core/store/database.js';
import type { NonceRow } from '../../../core/store/shared-store.js';
import { repoRoot } from '../../support/cli.js';
import { tempDir } from '../../support/core.js';

const PASSPHRASE = 'correct horse battery staple';

interface ChildCore {
  child: ChildProcess;
  api: Client;
  close(): void;
}

/** `tapdesk serve` from the sources (tsx), as a separate process; resolves once its API answers. */
async function spawnCore(dataDir: string): Promise<ChildCore> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'core', 'host', 'cli.ts'), 'serve', '--data', dataDir], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`core did not start in time:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/open: http/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`core exited (${code}) before serving:\n${output}`)));
  });
  const endpoint = JSON.parse(readFileSync(join(dataDir, 'endpoint.json'), 'utf8')) as { wsUrl: string; token: string };
  const raw = createRawApi(await connectWebSocket(endpoint.wsUrl, endpoint.token));
  return { child, api: createClient(raw), close: () => raw.close() };
}

function kill9(core: ChildCore): Promise<void> {
  return new Promise((resolve) => {
    core.close();
    core.child.once('exit', () => resolve());
    core.child.kill('SIGKILL');
  });
}

function nonceRows(dataDir: string, walletId: string): NonceRow[] {
  const db = openDatabase(join(dataDir, 'wallets', `${walletId}.sqlite`), [], { readonly: true });
  try {
    return db.prepare('SELECT * FROM musig_nonces ORDER BY created_at, rowid').all() as NonceRow[];
  } finally {
    db.close();
  }
}

async function apiError(p: Promise<unknown>): Promise<ApiCallError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCallError);
  return err as ApiCallError;
}

async function seedWallet(api: Client, name: string): Promise<string> {
  const { draftId, words } = await api.call('wallet.generateMnemonic', { words: 12 });
  return (await api.call('wallet.create', { draftId, confirm: [1, 6, 12].map((position) => ({ position, word: words[position - 1]! })), name, passphrase: PASSPHRASE })).id;
}

describe('kill -9 between "nonce created" and "partial signature released"', () => {
  const aliceDir = tempDir('tapdesk-crash-alice');
  let bobApp: TapdeskApp;
  let bob: Client;
  let alice: ChildCore;
  let aliceSeed = '';
  let aliceShared = '';
  let bobShared = '';
  let proposal = '';
  let withAliceNonce = '';
  let aliceNonce = '';

  beforeAll(async () => {
    bobApp = new TapdeskApp({ dataDir: tempDir('tapdesk-crash-bob'), mode: 'cli', version: 'test', validateResults: true });
    await bobApp.start();
    bob = createClient(bobApp.server.local());
    alice = await spawnCore(aliceDir);
  }, 120_000);

  afterAll(async () => {
    if (alice && alice.child.exitCode === null) await kill9(alice);
    await bobApp?.close();
  });

  it('sets up a 2-of-2 account between Alice (child process) and Bob, funded on the Playground', async () => {
    const pg = await bob.call('playground.info');
    await alice.api.call('settings.set', { chain: { kind: 'bitcoind', url: pg.rpcUrl, network: 'regtest', auth: { kind: 'cookie', cookieFile: pg.cookieFile } } });
    aliceSeed = await seedWallet(alice.api, 'Alice keys');
    const bobSeed = await seedWallet(bob, 'Bob keys');
    const cards = [(await alice.api.call('shared.keyCard', { walletId: aliceSeed, name: 'Alice' })).card, (await bob.call('shared.keyCard', { walletId: bobSeed, name: 'Bob' })).card];
    const account = await bob.call('shared.create', { name: 'Workshop', keyWalletId: bobSeed, cards, threshold: 2 });
    bobShared = account.walletId;
    expect(account.policy).toBe('Both Alice and Bob');
    const { content } = await bob.call('shared.exportSetup', { walletId: bobShared });
    aliceShared = (await alice.api.call('shared.import', { keyWalletId: aliceSeed, setup: content })).walletId;
    const { address } = await bob.call('wallet.receive', { walletId: bobShared });
    await bob.call('playground.faucet', { address, amount: 10_000_000 });
    await bob.call('playground.mine', { blocks: 1 });
    await bob.call('wallet.sync', { walletId: bobShared });
    await alice.api.call('wallet.sync', { walletId: aliceShared });
    expect((await alice.api.call('wallet.balance', { walletId: aliceShared })).confirmed).toBe(10_000_000);
  });

  it('Alice makes her nonce: stored fresh and sealed in her wallet file, its public half in the PSBT', async () => {
    const to = scriptPubKeyToAddress(new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(9)]), NETWORKS.regtest);
    proposal = (await bob.call('shared.propose', { walletId: bobShared, recipients: [{ address: to, amount: 1_000_000 }], feeRate: 2 })).psbt;
    const r = await alice.api.call('shared.addNonces', { walletId: aliceShared, psbt: proposal });
    expect(r.added).toBe(1);
    withAliceNonce = r.psbt;
    const rows = nonceRows(aliceDir, aliceShared);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'fresh', input: 0 });
    expect(rows[0]!.sealed).not.toBeNull();
    aliceNonce = rows[0]!.pubnonce;
    expect(r.status.inputs[0]!.myNonce).toBe('fresh');
  });

  it('after SIGKILL and a restart the nonce is discarded: its secret is gone and the state says so', async () => {
    await kill9(alice);
    // Straight from disk, before any new process touched it: still "fresh" but sealed under a key that died.
    expect(nonceRows(aliceDir, aliceShared)[0]).toMatchObject({ pubnonce: aliceNonce, state: 'fresh' });
    alice = await spawnCore(aliceDir);
    await alice.api.call('wallet.unlock', { walletId: aliceSeed, passphrase: PASSPHRASE });
    const status = await alice.api.call('shared.status', { walletId: aliceShared, psbt: withAliceNonce });
    expect(status.inputs[0]!.myNonce).toBe('discarded');
    expect(status.canAddNonce).toBe(true);
    const [row] = nonceRows(aliceDir, aliceShared);
    expect(row).toMatchObject({ pubnonce: aliceNonce, state: 'discarded', sealed: null });
  });

  it('signing with the old nonce is refused (NONCE_DISCARDED) and changes nothing', async () => {
    const bothNonces = (await bob.call('shared.addNonces', { walletId: bobShared, psbt: withAliceNonce })).psbt;
    const before = nonceRows(aliceDir, aliceShared);
    const err = await apiError(alice.api.call('shared.sign', { walletId: aliceShared, psbt: bothNonces }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/^NONCE_DISCARDED: /);
    expect(nonceRows(aliceDir, aliceShared)).toEqual(before);
    withAliceNonce = bothNonces;
  });

  it('a new nonce round completes the payment, and no nonce was ever used twice', async () => {
    const fresh = await alice.api.call('shared.addNonces', { walletId: aliceShared, psbt: withAliceNonce });
    expect(fresh.added).toBe(1);
    let psbt = (await alice.api.call('shared.sign', { walletId: aliceShared, psbt: fresh.psbt })).psbt;
    psbt = (await bob.call('shared.sign', { walletId: bobShared, psbt })).psbt;
    const { txid } = await bob.call('shared.broadcast', { walletId: bobShared, psbt });
    await bob.call('playground.mine', { blocks: 1 });
    await bob.call('wallet.sync', { walletId: bobShared });
    expect(await bob.call('wallet.tx', { walletId: bobShared, txid })).toMatchObject({ status: 'confirmed', confirmations: 1 });
    const rows = nonceRows(aliceDir, aliceShared);
    expect(rows.map((r) => r.state)).toEqual(['discarded', 'used']);
    expect(rows[1]!.pubnonce).not.toBe(aliceNonce);
    expect(rows.every((r) => r.sealed === null)).toBe(true);
  });
});
