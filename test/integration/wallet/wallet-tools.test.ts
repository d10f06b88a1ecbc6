// The rest of the saver's toolbox on the Playground: coin control and freezing, send-max, cancel and
// CPFP for stuck sends, labels (BIP329) out and back in, descriptor export, and a watch-only copy
// that builds a PSBT the seed wallet signs (the air-gapped/hardware flow).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, createClient, type Client } from '../../../core/api/client.js';
import { scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { decodePsbt } from '../../../core/bitcoin/psbt.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { tempDir } from '../../support/core.js';

const PASSPHRASE = 'toolbox passphrase';
const payee = (n: number) => scriptPubKeyToAddress(new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(n)]), NETWORKS.regtest);

async function apiError(p: Promise<unknown>): Promise<ApiCallError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCallError);
  return err as ApiCallError;
}

describe('wallet tools on the Playground', () => {
  let app: TapdeskApp;
  let api: Client;
  let walletId: string;
  const coins: string[] = [];

  beforeAll(async () => {
    app = new TapdeskApp({ dataDir: tempDir('tapdesk-tools'), mode: 'cli', version: 'test', validateResults: true });
    await app.start();
    api = createClient(app.server.local());
    const { draftId, words } = await api.call('wallet.generateMnemonic', { words: 12 });
    ({ id: walletId } = await api.call('wallet.create', { draftId, confirm: [2, 4, 8].map((position) => ({ position, word: words[position - 1]! })), name: 'Tools', passphrase: PASSPHRASE }));
    for (const amount of [1_000_000, 2_000_000, 3_000_000]) {
      const { address } = await api.call('wallet.receive', { walletId });
      await api.call('playground.faucet', { address, amount });
    }
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    coins.push(...(await api.call('wallet.utxos', { walletId })).sort((a, b) => a.value - b.value).map((u) => u.outpoint));
  });
  afterAll(async () => {
    await app.close();
  });

  it('frozen coins are not spendable and are never picked automatically', async () => {
    await api.call('wallet.setFrozen', { walletId, outpoints: [coins[2]!], frozen: true });
    expect(await api.call('wallet.balance', { walletId })).toMatchObject({ spendable: 3_000_000, frozen: 3_000_000, total: 6_000_000 });
    const err = await apiError(api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(1), amount: 3_500_000 }], feeRate: 1 }));
    expect(err.code).toBe('INSUFFICIENT_FUNDS');
    expect(err.message).toMatch(/sats short/);
    await api.call('wallet.setFrozen', { walletId, outpoints: [coins[2]!], frozen: false });
  });

  it('coin control spends exactly the chosen coins, frozen ones included when chosen', async () => {
    await api.call('wallet.setFrozen', { walletId, outpoints: [coins[0]!], frozen: true });
    const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(2), amount: 500_000 }], feeRate: 1, inputs: [coins[0]!] });
    expect(draft.inputs.map((i) => i.outpoint)).toEqual([coins[0]]);
    expect(draft.algorithm).toBe('manual');
    await api.call('wallet.setFrozen', { walletId, outpoints: [coins[0]!], frozen: false });
  });

  it('send-max spends every coin to one output with no change', async () => {
    const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(3), amount: 'max' }], feeRate: 2 });
    expect(draft.inputs).toHaveLength(3);
    expect(draft.outputs).toHaveLength(1);
    expect(draft.outputs[0]!.value + draft.fee).toBe(6_000_000);
  });

  it('cancels an unconfirmed send by paying the same coins back to the wallet', async () => {
    const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(4), amount: 700_000 }], feeRate: 1, inputs: [coins[0]!] });
    const { txid } = await api.call('wallet.send', { walletId, psbt: draft.psbt });
    const cancel = await api.call('wallet.cancelTx', { walletId, txid, feeRate: 5 });
    expect(cancel.replaces).toEqual([txid]);
    expect(cancel.outputs).toHaveLength(1);
    expect(cancel.outputs[0]!.change).toBe(true);
    const { txid: cancelTxid } = await api.call('wallet.send', { walletId, psbt: cancel.psbt });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    const history = (await api.call('wallet.history', { walletId })).entries;
    expect(history.find((e) => e.txid === txid)?.status).toBe('replaced');
    expect(history.find((e) => e.txid === cancelTxid)).toMatchObject({ status: 'confirmed', net: -cancel.fee });
  });

  it('CPFP: a child of our low-fee send brings the package to the target fee rate', async () => {
    const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(5), amount: 400_000 }], feeRate: 1 });
    const { txid } = await api.call('wallet.send', { walletId, psbt: draft.psbt });
    const parent = await api.call('wallet.tx', { walletId, txid });
    expect(parent.canCpfp).toBe(true);
    const child = await api.call('wallet.cpfp', { walletId, txid, feeRate: 20 });
    const childVsize = child.vsize;
    const packageRate = (parent.fee! + child.fee) / (parent.vsize + childVsize);
    expect(packageRate).toBeGreaterThanOrEqual(19.9);
    await api.call('wallet.send', { walletId, psbt: child.psbt });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    expect((await api.call('wallet.tx', { walletId, txid })).status).toBe('confirmed');
  });

  it('labels round-trip through BIP329 JSONL, with frozen coins as spendable:false', async () => {
    const [utxo] = await api.call('wallet.utxos', { walletId });
    await api.call('wallet.setLabel', { walletId, type: 'output', ref: utxo!.outpoint, label: 'emergency fund' });
    await api.call('wallet.setFrozen', { walletId, outpoints: [utxo!.outpoint], frozen: true });
    const { jsonl, count } = await api.call('wallet.exportLabels', { walletId });
    expect(count).toBeGreaterThan(0);
    expect(jsonl.split('\n').map((l) => (l ? JSON.parse(l) : null)).filter(Boolean)).toContainEqual({ type: 'output', ref: utxo!.outpoint, label: 'emergency fund', spendable: false });

    await api.call('wallet.setLabel', { walletId, type: 'output', ref: utxo!.outpoint, label: '' });
    await api.call('wallet.setFrozen', { walletId, outpoints: [utxo!.outpoint], frozen: false });
    expect(await api.call('wallet.importLabels', { walletId, jsonl: jsonl + '{"type":"xpub","ref":"tpubD6NzVbkrYhZ4WaWSyoBvQwbpLkojyoTZPRsgXELWz3Popb3qkjcJyJUGLnL4qHHoQvao8ESaAstxYSnhyswJ76uZPStJRJCTKvosUCJZL5B","label":"ignored"}\n' })).toEqual({ imported: count, ignored: 1 });
    const after = (await api.call('wallet.utxos', { walletId })).find((u) => u.outpoint === utxo!.outpoint)!;
    expect(after).toMatchObject({ label: 'emergency fund', frozen: true });

    const bad = await apiError(api.call('wallet.importLabels', { walletId, jsonl: '{"type":"tx","ref":"nope"}\n' }));
    expect(bad.code).toBe('INVALID_INPUT');
  });

  it('exports descriptors for Bitcoin Core and Sparrow', async () => {
    const core = await api.call('wallet.exportDescriptors', { walletId, format: 'core' });
    const entries = JSON.parse(core.content) as { desc: string; internal: boolean; active: boolean }[];
    expect(entries.map((e) => [e.internal, e.active])).toEqual([
      [false, true],
      [true, true],
    ]);
    expect(entries[0]!.desc).toMatch(/^tr\(\[[0-9a-f]{8}\/86h\/1h\/0h\]tpub\w+\/0\/\*\)#[a-z0-9]{8}$/);
    expect(entries[1]!.desc).toMatch(/\/1\/\*\)#[a-z0-9]{8}$/);
    const sparrow = await api.call('wallet.exportDescriptors', { walletId, format: 'sparrow' });
    expect(sparrow.content).toContain('/<0;1>/*)#');
  });

  it('a watch-only copy builds a PSBT that the seed wallet signs and either broadcasts', async () => {
    const [seed] = await api.call('wallet.list');
    const watch = await api.call('wallet.importWatchOnly', { name: 'Watch', descriptor: seed!.descriptor });
    expect(watch).toMatchObject({ kind: 'watch', locked: false, fingerprint: seed!.fingerprint });
    await api.call('wallet.sync', { walletId: watch.id });
    // Same coins; freezing is per wallet, so compare totals.
    expect((await api.call('wallet.balance', { walletId: watch.id })).total).toBe((await api.call('wallet.balance', { walletId })).total);

    const draft = await api.call('wallet.prepareSend', { walletId: watch.id, recipients: [{ address: payee(6), amount: 100_000 }], feeRate: 2 });
    expect((await apiError(api.call('wallet.send', { walletId: watch.id, psbt: draft.psbt }))).code).toBe('CONFLICT');
    const analysis = await api.call('wallet.analyzePsbt', { walletId, psbt: draft.psbt });
    expect(analysis).toMatchObject({ complete: false, signable: draft.inputs.length });
    const signed = await api.call('wallet.signPsbt', { walletId, psbt: draft.psbt });
    expect(signed).toMatchObject({ complete: true, signed: draft.inputs.length });
    expect(decodePsbt(signed.psbt).getInput(0).tapKeySig).toHaveLength(64);
    const { txid } = await api.call('wallet.broadcast', { walletId: watch.id, psbt: signed.psbt });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    expect((await api.call('wallet.tx', { walletId, txid })).status).toBe('confirmed');
  });
});
