// The saver's whole path on the Playground, through the public API only: create → receive →
// batch send → RBF bump → confirm → restore elsewhere → same balance and history; plus reorgs,
// wrong passphrases and bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, createClient, type Client } from '../../../core/api/client.js';
import { scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { tempDir } from '../../support/core.js';

const PASSPHRASE = 'correct horse battery staple';

/** A regtest address that is not ours: P2WPKH, P2TR or P2WSH with a recognizable program. */
function foreign(prefixHex: string, length: number, fill: number): string {
  return scriptPubKeyToAddress(new Uint8Array([...Buffer.from(prefixHex, 'hex'), ...new Uint8Array(length).fill(fill)]), NETWORKS.regtest);
}

async function openApp(dataDir = tempDir('tapdesk-wallet')): Promise<{ app: TapdeskApp; api: Client }> {
  const app = new TapdeskApp({ dataDir, mode: 'cli', version: 'test', validateResults: true });
  await app.start();
  return { app, api: createClient(app.server.local()) };
}

async function apiError(p: Promise<unknown>): Promise<ApiCallError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCallError);
  return err as ApiCallError;
}

async function newWallet(api: Client, name = 'Savings') {
  const { draftId, words } = await api.call('wallet.generateMnemonic', { words: 12 });
  const confirm = [1, 6, 12].map((position) => ({ position, word: words[position - 1]! }));
  const wallet = await api.call('wallet.create', { draftId, confirm, name, passphrase: PASSPHRASE });
  return { wallet, words };
}

describe('on-chain wallet on the Playground', () => {
  let app: TapdeskApp;
  let api: Client;
  let walletId: string;
  let words: string[];
  let other: { app: TapdeskApp; api: Client } | null = null;

  beforeAll(async () => {
    ({ app, api } = await openApp());
    ({ wallet: { id: walletId }, words } = await newWallet(api));
  });
  afterAll(async () => {
    await other?.app.close();
    await app.close();
  });

  it('creates an unlocked BIP86 wallet whose backup was confirmed', async () => {
    const [summary] = await api.call('wallet.list');
    expect(summary).toMatchObject({ id: walletId, name: 'Savings', network: 'regtest', kind: 'seed', locked: false, backupConfirmed: true, gapLimit: 20 });
    expect(summary!.descriptor).toMatch(/^tr\(\[[0-9a-f]{8}\/86h\/1h\/0h\]tpub[1-9A-HJ-NP-Za-km-z]+\/<0;1>\/\*\)#[a-z0-9]{8}$/);
  });

  it('refuses a creation whose confirmation words are wrong', async () => {
    const { draftId, words: w } = await api.call('wallet.generateMnemonic', { words: 24 });
    expect(w).toHaveLength(24);
    const err = await apiError(api.call('wallet.create', { draftId, confirm: [1, 2, 3].map((position) => ({ position, word: position === 2 ? 'zoo' : w[position - 1]! })), name: 'x', passphrase: PASSPHRASE }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain('#2');
  });

  it('receives test coins, sees them unconfirmed, then confirmed after a block', async () => {
    const first = await api.call('wallet.receive', { walletId, label: 'from the faucet' });
    expect(first.address).toMatch(/^bcrt1p/);
    expect(first.uri).toBe(`bitcoin:${first.address}?label=from%20the%20faucet`);
    const second = await api.call('wallet.receive', { walletId });
    expect(second.address).not.toBe(first.address);

    await api.call('playground.faucet', { address: first.address, amount: 150_000_000 });
    await api.call('wallet.sync', { walletId });
    expect(await api.call('wallet.balance', { walletId })).toMatchObject({ unconfirmed: 150_000_000, confirmed: 0, spendable: 0 });

    await api.call('playground.mine', { blocks: 1 });
    const { balance } = await api.call('wallet.sync', { walletId });
    expect(balance).toMatchObject({ confirmed: 150_000_000, spendable: 150_000_000, unconfirmed: 0, total: 150_000_000 });
    const utxos = await api.call('wallet.utxos', { walletId });
    expect(utxos).toHaveLength(1);
    expect(utxos[0]).toMatchObject({ value: 150_000_000, address: first.address, confirmations: 1, label: 'from the faucet', spendable: true });
  });

  let batchTxid = '';
  it('sends a batch of three payments with change, then bumps its fee (RBF)', async () => {
    expect(await api.call('wallet.checkAddress', { walletId, address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080' })).toEqual({ valid: true, type: 'p2wpkh', mine: false, used: false });
    const recipients = [
      { address: foreign('0014', 20, 1), amount: 10_000_000, label: 'rent' },
      { address: foreign('5120', 32, 2), amount: 20_000_000, label: 'tools' },
      { address: foreign('0020', 32, 3), amount: 30_000_000, label: 'wages' },
    ];
    const draft = await api.call('wallet.prepareSend', { walletId, recipients, feeRate: 2 });
    expect(draft.outputs.filter((o) => !o.change).map((o) => [o.address, o.value, o.label])).toEqual(recipients.map((r) => [r.address, r.amount, r.label]));
    const change = draft.outputs.find((o) => o.change)!;
    expect(change.value).toBe(150_000_000 - 60_000_000 - draft.fee);
    expect(draft.feeRate).toBeGreaterThanOrEqual(2);
    expect(draft.inputs).toHaveLength(1);

    const { txid } = await api.call('wallet.send', { walletId, psbt: draft.psbt });
    batchTxid = txid;
    const [entry] = (await api.call('wallet.history', { walletId })).entries;
    expect(entry).toMatchObject({ txid, status: 'pending', net: -(60_000_000 + draft.fee), fee: draft.fee, canBump: true });

    const bump = await api.call('wallet.bumpFee', { walletId, txid, feeRate: 10 });
    expect(bump.replaces).toEqual([txid]);
    expect(bump.fee).toBeGreaterThan(draft.fee);
    expect(bump.outputs.filter((o) => !o.change).map((o) => o.value).sort()).toEqual([10_000_000, 20_000_000, 30_000_000]);
    const bumped = await api.call('wallet.send', { walletId, psbt: bump.psbt });
    const history = (await api.call('wallet.history', { walletId })).entries;
    expect(history.find((e) => e.txid === txid)?.status).toBe('replaced');
    expect(history.find((e) => e.txid === bumped.txid)?.status).toBe('pending');
    batchTxid = bumped.txid;

    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    const after = (await api.call('wallet.history', { walletId })).entries;
    expect(after.find((e) => e.txid === batchTxid)).toMatchObject({ status: 'confirmed', confirmations: 1, fee: bump.fee });
    expect((await api.call('wallet.balance', { walletId })).total).toBe(150_000_000 - 60_000_000 - bump.fee);
  });

  it('restoring the same seed in a new data directory finds the same balance and history', async () => {
    other = await openApp();
    // Point the second app at the same Playground: the first app's node over RPC.
    const pg = await api.call('playground.info');
    await other.api.call('settings.set', { chain: { kind: 'bitcoind', url: pg.rpcUrl, network: 'regtest', auth: { kind: 'cookie', cookieFile: pg.cookieFile } } });
    const restored = await other.api.call('wallet.restore', { mnemonic: words.join(' '), name: 'Restored', passphrase: 'another passphrase' });
    await other.api.call('wallet.sync', { walletId: restored.id });
    expect(await other.api.call('wallet.balance', { walletId: restored.id })).toEqual(await api.call('wallet.balance', { walletId }));
    const theirs = (await other.api.call('wallet.history', { walletId: restored.id })).entries.filter((e) => e.status === 'confirmed');
    const ours = (await api.call('wallet.history', { walletId })).entries.filter((e) => e.status === 'confirmed');
    expect(theirs.map((e) => [e.txid, e.net, e.height])).toEqual(ours.map((e) => [e.txid, e.net, e.height]));
  });

  it('a reorg that removes the block paying the wallet takes the payment back to unconfirmed', async () => {
    const { address } = await api.call('wallet.receive', { walletId });
    const { txid } = await api.call('playground.faucet', { address, amount: 5_000_000 });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    const confirmedAt = (await api.call('wallet.tx', { walletId, txid })).height;
    expect(confirmedAt).not.toBeNull();

    await api.call('playground.reorg', { blocks: 1, replace: false });
    await api.call('wallet.sync', { walletId });
    expect(await api.call('wallet.tx', { walletId, txid })).toMatchObject({ status: 'pending', height: null });

    await api.call('playground.mine', { blocks: 2 });
    await api.call('wallet.sync', { walletId });
    const tx = await api.call('wallet.tx', { walletId, txid });
    expect(tx.status).toBe('confirmed');
    expect(tx.confirmations).toBe(2);
  });

  it('a wrong passphrase is a typed error and leaves the wallet locked', async () => {
    await api.call('wallet.lock', { walletId });
    const err = await apiError(api.call('wallet.unlock', { walletId, passphrase: 'not it at all' }));
    expect(err.code).toBe('WRONG_PASSPHRASE');
    expect((await api.call('wallet.list')).find((w) => w.id === walletId)?.locked).toBe(true);
    const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', amount: 10_000 }], feeRate: 1 });
    expect((await apiError(api.call('wallet.send', { walletId, psbt: draft.psbt }))).code).toBe('WALLET_LOCKED');
    await api.call('wallet.unlock', { walletId, passphrase: PASSPHRASE });
  });

  it('an invalid or wrong-network address and a corrupt PSBT are typed errors', async () => {
    const bad = await apiError(api.call('wallet.prepareSend', { walletId, recipients: [{ address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081', amount: 10_000 }], feeRate: 1 }));
    expect(bad.code).toBe('INVALID_INPUT');
    const mainnet = await apiError(api.call('wallet.checkAddress', { walletId, address: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' }));
    expect(mainnet.code).toBe('INVALID_INPUT');
    expect(mainnet.message).toContain('is for mainnet');
    const psbt = await apiError(api.call('wallet.analyzePsbt', { walletId, psbt: 'cHNidP8BAHECAAAAAf//garbage' }));
    expect(psbt.code).toBe('INVALID_INPUT');
  });
});
