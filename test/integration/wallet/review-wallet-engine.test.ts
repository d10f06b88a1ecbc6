// Code-review findings on the on-chain wallet engine, each shown on the Playground: every test
// states the correct behaviour for a bug the review demonstrated (and failed before its fix).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, createClient, type Client } from '../../../core/api/client.js';
import { scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { ExtendedKey } from '../../../core/bitcoin/hdkey.js';
import { mnemonicToSeed } from '../../../core/bitcoin/mnemonic.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { decodePsbt, encodePsbtBase64 } from '../../../core/bitcoin/psbt.js';
import { ChainError } from '../../../core/chain/source.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { openDatabase } from '../../../core/store/database.js';
import { walletComponent } from '../../../core/store/wallet-store.js';
import { bip86Account } from '../../../core/wallet/account.js';
import { tempDir } from '../../support/core.js';
import { join } from 'node:path';

const PASSPHRASE = 'review passphrase';
const payee = (n: number) => scriptPubKeyToAddress(new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(n)]), NETWORKS.regtest);

async function codeOf(p: Promise<unknown>): Promise<string> {
  return p.then(
    () => 'ok',
    (e: unknown) => (e instanceof ApiCallError ? e.code : `thrown: ${String(e)}`),
  );
}

async function startApp(dataDir = tempDir('tapdesk-review')) {
  const app = new TapdeskApp({ dataDir, mode: 'cli', version: 'test', validateResults: true });
  await app.start();
  return { app, api: createClient(app.server.local()), dataDir };
}

async function newWallet(api: Client): Promise<{ walletId: string; words: string[] }> {
  const { draftId, words } = await api.call('wallet.generateMnemonic', { words: 12 });
  const { id } = await api.call('wallet.create', { draftId, confirm: [1, 2, 3].map((position) => ({ position, word: words[position - 1]! })), name: 'Review', passphrase: PASSPHRASE });
  return { walletId: id, words };
}

/** A fresh seed wallet holding one confirmed coin per amount; coins are returned smallest first. */
async function fundedWallet(api: Client, amounts: number[]): Promise<{ walletId: string; coins: string[] }> {
  const { walletId } = await newWallet(api);
  for (const amount of amounts) {
    const { address } = await api.call('wallet.receive', { walletId });
    await api.call('playground.faucet', { address, amount });
  }
  await api.call('playground.mine', { blocks: 1 });
  await api.call('wallet.sync', { walletId });
  const coins = (await api.call('wallet.utxos', { walletId })).sort((a, b) => a.value - b.value).map((u) => u.outpoint);
  expect(coins).toHaveLength(amounts.length);
  return { walletId, coins };
}

function receiveAddress(words: string[] | string, index: number): string {
  const phrase = Array.isArray(words) ? words.join(' ') : words;
  return bip86Account(ExtendedKey.fromSeed(mnemonicToSeed(phrase), NETWORKS.regtest)).output(0, index).address!;
}

describe('review: sends, replacements and typed errors', () => {
  let app: TapdeskApp;
  let api: Client;

  beforeAll(async () => {
    ({ app, api } = await startApp());
  });
  afterAll(async () => {
    await app.close();
  });

  // wallet-handlers.ts:38 nextChangeIndex = lastUsed(1)+1 is computed from broadcast txs only, so two
  // drafts prepared before either is sent share the change index; both broadcast (different coins).
  it('two drafts prepared before either is sent do not share a change address', async () => {
    const { walletId, coins } = await fundedWallet(api, [1_000_000, 2_000_000]);
    const a = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(1), amount: 100_000 }], feeRate: 1, inputs: [coins[0]!] });
    const b = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(2), amount: 100_000 }], feeRate: 1, inputs: [coins[1]!] });
    await api.call('wallet.send', { walletId, psbt: a.psbt });
    await api.call('wallet.send', { walletId, psbt: b.psbt });
    const changeA = a.outputs.find((o) => o.change)!.address;
    const changeB = b.outputs.find((o) => o.change)!.address;
    expect(changeB).not.toBe(changeA);
  });

  // wallet-handlers.ts:98-113 + sync.ts:343 recordOutgoing: a draft reviewed as a plain payment
  // (replaces: []) silently replaces an earlier send that spent the same coin.
  it('a draft reviewed as a plain payment does not silently replace an earlier send', async () => {
    const { walletId } = await fundedWallet(api, [1_000_000]);
    const a = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(3), amount: 100_000 }], feeRate: 1 });
    const b = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(4), amount: 200_000 }], feeRate: 5 });
    expect(b.replaces).toEqual([]);
    const { txid } = await api.call('wallet.send', { walletId, psbt: a.psbt });
    await codeOf(api.call('wallet.send', { walletId, psbt: b.psbt }));
    // The payment to payee(3) the user sent must still be pending, not replaced by a draft that never said so.
    expect((await api.call('wallet.tx', { walletId, txid })).status).toBe('pending');
  });

  // send.ts:169-188 buildBump: replaces withDescendants(txid) but keeps only the original's payments,
  // so a later payment funded by the original's change is evicted and never re-created.
  it('bumping a send whose change funded a later payment does not drop that payment', async () => {
    const { walletId } = await fundedWallet(api, [1_000_000]);
    const a = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(5), amount: 100_000 }], feeRate: 1 });
    const { txid: parent } = await api.call('wallet.send', { walletId, psbt: a.psbt });
    const b = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(6), amount: 200_000 }], feeRate: 1 });
    expect(b.inputs[0]!.outpoint.startsWith(parent)).toBe(true);
    const { txid: child } = await api.call('wallet.send', { walletId, psbt: b.psbt });
    const bump = await api.call('wallet.bumpFee', { walletId, txid: parent, feeRate: 10 }).catch((e: unknown) => e);
    if (bump instanceof ApiCallError) return; // refusing (as Core's bumpfee does for txs with descendants) is correct
    expect(bump).toMatchObject({ replaces: [parent, child] });
    await api.call('wallet.send', { walletId, psbt: (bump as { psbt: string }).psbt });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId });
    // The draft listed only txids; payee(6) is paid by nothing now.
    expect((await api.call('wallet.tx', { walletId, txid: child })).status).not.toBe('replaced');
  });

  // send.ts:177 buildBump takes `extra` coins from spendableCoins(), which includes unconfirmed change
  // of other pending sends: Core refuses such a replacement (BIP125 rule 2, replacement-adds-unconfirmed).
  it('a fee bump never adds an unconfirmed input (BIP125 rule 2)', async () => {
    const { walletId, coins } = await fundedWallet(api, [1_000_000, 2_000_000]);
    const other = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(7), amount: 100_000 }], feeRate: 1, inputs: [coins[1]!] });
    await api.call('wallet.send', { walletId, psbt: other.psbt });
    const max = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(8), amount: 'max' }], feeRate: 1, inputs: [coins[0]!] });
    const { txid } = await api.call('wallet.send', { walletId, psbt: max.psbt });
    const bump = await api.call('wallet.bumpFee', { walletId, txid, feeRate: 5 }).catch((e: unknown) => e);
    if (bump instanceof ApiCallError) {
      expect(bump.code).toBe('INSUFFICIENT_FUNDS');
      return;
    }
    expect(await codeOf(api.call('wallet.send', { walletId, psbt: (bump as { psbt: string }).psbt }))).toBe('ok');
  });

  // send.ts:174 + coin-selection.ts:591: a tx whose outputs are all on the change chain (a cancel, a
  // CPFP child) shows canBump, and bumping it asks selectCoins for zero recipients: RangeError → INTERNAL.
  it('bumping a cancel transaction is a typed error or a draft, never INTERNAL', async () => {
    const { walletId } = await fundedWallet(api, [1_000_000]);
    const a = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(9), amount: 100_000 }], feeRate: 1 });
    const { txid } = await api.call('wallet.send', { walletId, psbt: a.psbt });
    const cancel = await api.call('wallet.cancelTx', { walletId, txid, feeRate: 5 });
    const { txid: cancelTxid } = await api.call('wallet.send', { walletId, psbt: cancel.psbt });
    expect((await api.call('wallet.tx', { walletId, txid: cancelTxid })).canBump).toBe(true);
    expect(await codeOf(api.call('wallet.bumpFee', { walletId, txid: cancelTxid, feeRate: 10 }))).not.toBe('INTERNAL');
  });

  // send.ts:116-122 / coin-selection.ts:603: coin-control outpoints are not de-duplicated, so one
  // coin counts twice: the draft pays 1.5M from a 1M coin, and sending it records a tx (shown in the
  // history as conflicted, net -1.5M) before the node refuses bad-txns-inputs-duplicate.
  it('coin control with the same outpoint twice is refused before any draft is built', async () => {
    const { walletId, coins } = await fundedWallet(api, [1_000_000]);
    const draft = api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(16), amount: 1_500_000 }], feeRate: 1, inputs: [coins[0]!, coins[0]!] });
    expect(['INVALID_PARAMS', 'INVALID_INPUT']).toContain(await codeOf(draft));
  });

  // psbt.ts PsbtError is not mapped by node/errors.ts toApiError: a user's PSBT mistake is INTERNAL.
  it('combining two unrelated PSBTs is INVALID_INPUT, not INTERNAL', async () => {
    const { walletId } = await fundedWallet(api, [1_000_000]);
    const a = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(10), amount: 100_000 }], feeRate: 1 });
    const b = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(11), amount: 200_000 }], feeRate: 1 });
    expect(await codeOf(api.call('wallet.combinePsbts', { walletId, psbts: [a.psbt, b.psbt] }))).toBe('INVALID_INPUT');
  });

  it('signing a PSBT whose input asks for SIGHASH_NONE is refused as INVALID_INPUT, not INTERNAL', async () => {
    const { walletId } = await fundedWallet(api, [1_000_000]);
    const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(12), amount: 100_000 }], feeRate: 1 });
    const tx = decodePsbt(draft.psbt);
    tx.updateInput(0, { sighashType: 0x02 });
    expect(await codeOf(api.call('wallet.signPsbt', { walletId, psbt: encodePsbtBase64(tx) }))).toBe('INVALID_INPUT');
  });

  // wallet-handlers.ts:106-109: any broadcast error, including a timeout after the node accepted
  // the tx, marks it 'conflicted'; sync never looks at it again (sync.ts:284 and :287), so its coin
  // shows spendable while the payment sits in the mempool.
  it('a broadcast that timed out after the node accepted it stays pending', async () => {
    const { walletId } = await fundedWallet(api, [1_000_000]);
    const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(13), amount: 100_000 }], feeRate: 1 });
    const source = app.chain.source();
    const real = source.broadcast.bind(source);
    source.broadcast = async (raw: Uint8Array) => {
      await real(raw);
      throw new ChainError('TIMEOUT', 'the node did not answer in time');
    };
    try {
      expect(await codeOf(api.call('wallet.send', { walletId, psbt: draft.psbt }))).toBe('CHAIN_UNAVAILABLE');
    } finally {
      source.broadcast = real;
    }
    await api.call('wallet.sync', { walletId });
    const sent = (await api.call('wallet.history', { walletId })).entries.filter((e) => e.net < 0);
    expect(sent.map((e) => e.status)).toEqual(['pending']);
  });

  // sync.ts:168-173 + :252-260: a coin found by the gap rescan was spent in a block the main pass
  // scanned after its script was derived; relevantTxs() skipped that spend (the coin was not known
  // yet) and the rescan covers only blocks before the derivation, so the spent coin shows unspent.
  it('restore: a coin revealed by the gap rescan and spent later is not counted', async () => {
    const { words } = await api.call('wallet.generateMnemonic', { words: 12 });
    const phrase = words.join(' ');
    const sender = await api.call('wallet.restore', { mnemonic: phrase, name: 'Sender', passphrase: PASSPHRASE });
    await api.call('wallet.setGapLimit', { walletId: sender.id, gapLimit: 40 });
    await api.call('playground.faucet', { address: receiveAddress(phrase, 25), amount: 2_000_000 });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('playground.faucet', { address: receiveAddress(phrase, 6), amount: 1_000_000 });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('wallet.sync', { walletId: sender.id });
    const coin25 = (await api.call('wallet.utxos', { walletId: sender.id })).find((u) => u.index === 25)!;
    const max = await api.call('wallet.prepareSend', { walletId: sender.id, recipients: [{ address: payee(14), amount: 'max' }], feeRate: 1, inputs: [coin25.outpoint] });
    await api.call('wallet.send', { walletId: sender.id, psbt: max.psbt });
    await api.call('playground.mine', { blocks: 1 });

    const restored = await api.call('wallet.restore', { mnemonic: phrase, name: 'Restored', passphrase: PASSPHRASE });
    const { balance } = await api.call('wallet.sync', { walletId: restored.id });
    expect(balance.total).toBe(1_000_000);
  });
});

describe('review: sync after a transient error', () => {
  // Its own Playground: other wallets' background syncs must not consume the injected failure.
  let app: TapdeskApp;
  let api: Client;

  beforeAll(async () => {
    ({ app, api } = await startApp());
  });
  afterAll(async () => {
    await app.close();
  });

  // sync.ts:184 `missed` lives only in the WalletSync object; a failed sync drops it (wallet-service.ts:412)
  // and the next run resumes from the committed window, so the rescan of earlier blocks never happens.
  it('restore: a transient source error mid-scan does not lose the gap rescan', async () => {
    const { words } = await api.call('wallet.generateMnemonic', { words: 12 });
    const phrase = words.join(' ');
    await api.call('playground.faucet', { address: receiveAddress(phrase, 25), amount: 2_000_000 });
    await api.call('playground.mine', { blocks: 1 });
    await api.call('playground.faucet', { address: receiveAddress(phrase, 6), amount: 1_000_000 });
    const { height } = await api.call('playground.mine', { blocks: 1 });
    await api.call('playground.mine', { blocks: 70 });
    const source = app.chain.source();
    const failAt = await source.blockHash(height + 33); // in a later 32-block window than the coin to #6
    const real = source.blockFilter.bind(source);
    let failed = false;
    source.blockFilter = async (hash: string) => {
      if (hash === failAt && !failed) {
        failed = true;
        throw new ChainError('TIMEOUT', 'the node did not answer in time');
      }
      return real(hash);
    };
    try {
      const restored = await api.call('wallet.restore', { mnemonic: phrase, name: 'Flaky', passphrase: PASSPHRASE });
      await api.call('wallet.sync', { walletId: restored.id }).catch(() => {});
      expect(failed).toBe(true);
      const { balance } = await api.call('wallet.sync', { walletId: restored.id });
      expect(balance.total).toBe(3_000_000);
    } finally {
      source.blockFilter = real;
    }
  });
});

describe('review: crash safety', () => {
  // sync.ts:309-327: after a crash between persisting a fee bump (original marked 'replaced') and
  // broadcasting it, the next sync finds the bump's inputs spent by the original, marks the bump
  // 'conflicted' instead of broadcasting it, and the original stays 'replaced': no active tx spends
  // the coin, which is in fact spent by the original in the mempool.
  it('a fee bump killed between persist and broadcast is broadcast by the next sync', async () => {
    let { app, api, dataDir } = await startApp();
    let bumpTxid = '';
    let walletId = '';
    let original = '';
    try {
      ({ walletId } = await fundedWallet(api, [1_000_000]));
      const a = await api.call('wallet.prepareSend', { walletId, recipients: [{ address: payee(15), amount: 100_000 }], feeRate: 1 });
      ({ txid: original } = await api.call('wallet.send', { walletId, psbt: a.psbt }));
      const bump = await api.call('wallet.bumpFee', { walletId, txid: original, feeRate: 5 });
      const source = app.chain.source();
      // The "crash": the bump never reaches the node; the process stops with it written to disk.
      source.broadcast = () => new Promise<string>(() => {});
      void api.call('wallet.send', { walletId, psbt: bump.psbt }).catch(() => {});
      for (let i = 0; i < 100 && !bumpTxid; i++) {
        await new Promise((r) => setTimeout(r, 20));
        bumpTxid = (await api.call('wallet.history', { walletId })).entries.find((e) => e.txid !== original && e.status === 'pending' && e.net < 0)?.txid ?? '';
      }
      expect(bumpTxid).not.toBe('');
    } finally {
      await app.close();
    }
    ({ app, api } = await startApp(dataDir));
    try {
      await api.call('wallet.sync', { walletId });
      const status = async (txid: string) => (await api.call('wallet.tx', { walletId, txid })).status;
      expect([await status(original), await status(bumpTxid)]).toEqual(['replaced', 'pending']);
    } finally {
      await app.close();
    }
  });

  // wallet-service.ts:209-230 importWatchOnly writes the final file directly (no tmp+rename as for
  // seed wallets): a crash after the migration and before the meta row leaves a file with no meta,
  // and wallet.list (wallet-service.ts:155) then fails with INTERNAL for every wallet.
  it('a half-created wallet file does not make wallet.list fail', async () => {
    const dataDir = tempDir('tapdesk-review-list');
    const app = new TapdeskApp({ dataDir, mode: 'cli', version: 'test' });
    const api = createClient(app.server.local());
    try {
      openDatabase(join(dataDir, 'wallets', 'w-0123456789ab.sqlite'), [walletComponent]).close();
      expect(await codeOf(api.call('wallet.list'))).toBe('ok');
    } finally {
      await app.close();
    }
  });
});
