// A 2-of-3 MuSig2 shared account with a 30-block recovery leaf, run by three Tapdesk cores (three
// data directories) on one Playground, through the public API only and with PSBTs as the only
// thing that travels between them: create from key cards, the same addresses everywhere, pay with
// all three (key path), pay with two (script path), and after 30 blocks spend with the recovery
// key alone. Every spend is validated by the Playground's independent script interpreter and must
// confirm. Also: Bitcoin Core import JSON, round trips through @scure/btc-signer, and the refusals
// (wrong participant's partial signature, tampered nonce, another account's PSBT, a replayed
// signing request) leaving the PSBT and the nonce table unchanged.
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDescriptor, parseDescriptor } from '../../../core/bitcoin/descriptor/index.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { PSBT_TX_OPTIONS } from '../../../core/bitcoin/psbt.js';
import { apiError, foreignAddress as foreign, syncAll, threeCores, type Core } from './shared-cores.js';

const NAMES = ['Alice', 'Bob', 'Carol'] as const;

/** Each participant adds their round-1 part to the PSBT in turn, then their round-2 part. */
async function cosign(signers: Core[], psbt: string): Promise<string> {
  let current = psbt;
  for (const c of signers) current = (await c.api.call('shared.addNonces', { walletId: c.sharedId, psbt: current })).psbt;
  for (const c of signers) current = (await c.api.call('shared.sign', { walletId: c.sharedId, psbt: current })).psbt;
  return current;
}

const byName = <T extends { name: string }>(ps: readonly T[]): T[] => [...ps].sort((a, b) => a.name.localeCompare(b.name));

describe('2-of-3 MuSig2 shared account with a 30-block recovery leaf, three cores on one Playground', () => {
  let alice: Core;
  let bob: Core;
  let carol: Core;
  let all: Core[];

  beforeAll(async () => {
    [alice, bob, carol] = await threeCores();
    all = [alice, bob, carol];
  }, 120_000);

  afterAll(async () => {
    for (const c of [carol, bob, alice]) await c?.app.close();
  });

  const sync = () => syncAll(all);

  it('key cards are BIP87 account keys of each seed', async () => {
    for (const c of all) {
      const card = JSON.parse(c.card) as { tapdesk: string; name: string; key: string; network: string };
      expect(card).toMatchObject({ tapdesk: 'key-card', name: c.name, network: 'regtest' });
      expect(card.key).toMatch(/^\[[0-9a-f]{8}\/87h\/1h\/0h\]tpub[1-9A-HJ-NP-Za-km-z]+$/);
    }
  });

  it('Alice builds the account from the three cards; Bob and Carol import her setup file and see the same descriptor and checksum', async () => {
    const cards = [carol.card, alice.card, bob.card];
    const recovery = { card: alice.card, delay: { kind: 'blocks' as const, blocks: 30 } };
    const preview = await alice.api.call('shared.preview', { cards, threshold: 2, recovery });
    const created = await alice.api.call('shared.create', { name: 'Family savings', keyWalletId: alice.seedId, cards, threshold: 2, recovery });
    alice.sharedId = created.walletId;
    expect(created.policy).toBe('Any 2 of Alice, Bob, Carol; after 30 blocks (~5 hours), Alice alone');
    expect(created.descriptor).toBe(preview.descriptor);
    expect(created.descriptor.slice(-8)).toBe(created.checksum);
    expect(created.layout).toBe('musig-leaves');
    expect(created.participants.filter((p) => p.me).map((p) => p.name)).toEqual(['Alice']);
    expect(created.recovery).toMatchObject({ name: 'Alice', me: true, delay: { kind: 'blocks', blocks: 30 }, words: 'after 30 blocks (~5 hours)' });

    const { content } = await alice.api.call('shared.exportSetup', { walletId: alice.sharedId });
    for (const c of [bob, carol]) {
      const joined = await c.api.call('shared.import', { keyWalletId: c.seedId, setup: content });
      c.sharedId = joined.walletId;
      expect(joined.descriptor).toBe(created.descriptor);
      expect(joined.checksum).toBe(created.checksum);
      expect(joined.policy).toBe(created.policy);
      expect(joined.participants.filter((p) => p.me).map((p) => p.name)).toEqual([c.name]);
      expect(joined.recovery?.me).toBe(false);
    }
    // Carol's card order did not matter: the canonical order is KeySort of the keys.
    expect(created.participants.map((p) => p.index)).toEqual([0, 1, 2]);
    expect(await bob.api.call('shared.list')).toHaveLength(1);
  });

  it('the descriptor parses back identically and exports as Bitcoin Core importdescriptors JSON', async () => {
    const account = await alice.api.call('shared.get', { walletId: alice.sharedId });
    expect(formatDescriptor(parseDescriptor(account.descriptor, NETWORKS.regtest, { requireChecksum: true }))).toBe(account.descriptor);
    expect(account.descriptor).toMatch(/^tr\(musig\(\[[0-9a-f]{8}\/87h\/1h\/0h\]tpub\w+,\[[0-9a-f]{8}\/87h\/1h\/0h\]tpub\w+,\[[0-9a-f]{8}\/87h\/1h\/0h\]tpub\w+\)\/<0;1>\/\*,\{\{pk\(musig\(/);
    expect(account.descriptor).toContain('and_v(v:pk(');
    expect(account.descriptor).toContain('/<0;1>/*),older(30))');
    const core = await alice.api.call('shared.exportDescriptors', { walletId: alice.sharedId, format: 'core' });
    const entries = JSON.parse(core.content) as { desc: string; active: boolean; internal: boolean; range: number[]; timestamp: number | string }[];
    expect(entries.map((e) => [e.active, e.internal, e.range])).toEqual([
      [true, false, [0, 999]],
      [true, true, [0, 999]],
    ]);
    expect(entries[0]!.desc).not.toContain('<0;1>');
    expect(entries[0]!.desc).toMatch(/^tr\(musig\([^)]*\)\/0\/\*,.*\/0\/\*\),older\(30\)\)\}\}\)#[a-z0-9]{8}$/);
    expect(entries[1]!.desc).toMatch(/^tr\(musig\([^)]*\)\/1\/\*,.*\/1\/\*\),older\(30\)\)\}\}\)#[a-z0-9]{8}$/);
    for (const e of entries) expect(formatDescriptor(parseDescriptor(e.desc, NETWORKS.regtest, { requireChecksum: true }))).toBe(e.desc);
  });

  let firstAddress = '';
  it('every participant derives the same receive addresses', async () => {
    const addresses = await Promise.all(all.map(async (c) => [(await c.api.call('wallet.receive', { walletId: c.sharedId })).address, (await c.api.call('wallet.receive', { walletId: c.sharedId })).address]));
    expect(addresses[1]).toEqual(addresses[0]);
    expect(addresses[2]).toEqual(addresses[0]);
    expect(addresses[0]![0]).toMatch(/^bcrt1p/);
    firstAddress = addresses[0]![0]!;
  });

  it('receives test coins; all three see the same balance', async () => {
    await alice.api.call('playground.faucet', { address: firstAddress, amount: 100_000_000 });
    await alice.api.call('playground.faucet', { address: firstAddress, amount: 50_000_000 });
    await alice.api.call('playground.mine', { blocks: 1 });
    await sync();
    for (const c of all) expect(await c.api.call('wallet.balance', { walletId: c.sharedId })).toMatchObject({ confirmed: 150_000_000, spendable: 150_000_000 });
  });

  let keyPathTxid = '';
  it('pays a supplier with all three signing: key path, each PSBT hop a file, confirmed on the Playground', async () => {
    const proposal = await bob.api.call('shared.propose', { walletId: bob.sharedId, recipients: [{ address: foreign(1), amount: 20_000_000 }], feeRate: 2 });
    expect(proposal.status.path).toBe('Key path: Alice, Bob and Carol sign together (looks like a single-key payment)');
    expect(proposal.status.inputs.every((i) => i.path === 'key')).toBe(true);
    expect(proposal.status.next).toBe('Waiting for nonces from Alice, Bob and Carol (round 1)');
    expect(proposal.status.outputs.filter((o) => o.change)).toHaveLength(1);
    // Everyone sees the same payment (who has done what, per participant, per input).
    const seenByCarol = await carol.api.call('shared.status', { walletId: carol.sharedId, psbt: proposal.psbt });
    expect(seenByCarol.txid).toBe(proposal.status.txid);
    expect(seenByCarol.canAddNonce).toBe(true);
    expect(seenByCarol.canSign).toBe(false);

    let psbt = proposal.psbt;
    for (const c of all) {
      const r = await c.api.call('shared.addNonces', { walletId: c.sharedId, psbt });
      expect(r.added).toBe(proposal.status.inputs.length);
      psbt = r.psbt;
    }
    const ready = await alice.api.call('shared.status', { walletId: alice.sharedId, psbt });
    expect(ready.canSign).toBe(true);
    expect(ready.inputs.flatMap((i) => byName(i.participants).map((p) => [p.name, p.role, p.nonce, p.partialSig]))).toEqual(
      ready.inputs.flatMap(() => NAMES.map((n) => [n, 'signer', true, false])),
    );
    expect(ready.inputs.every((i) => i.myNonce === 'fresh')).toBe(true);
    expect(ready.next).toBe('Waiting for partial signatures from Alice, Bob and Carol (round 2)');
    for (const c of all) psbt = (await c.api.call('shared.sign', { walletId: c.sharedId, psbt })).psbt;
    const signed = await carol.api.call('shared.status', { walletId: carol.sharedId, psbt });
    expect(signed.complete).toBe(true);

    const { txid } = await carol.api.call('shared.broadcast', { walletId: carol.sharedId, psbt });
    keyPathTxid = txid;
    await alice.api.call('playground.mine', { blocks: 1 });
    await sync();
    for (const c of all) {
      const tx = await c.api.call('wallet.tx', { walletId: c.sharedId, txid });
      expect(tx).toMatchObject({ status: 'confirmed', confirmations: 1 });
    }
    // On chain it is a single 64-byte signature: indistinguishable from a single-key spend.
    const raw = Transaction.fromRaw(Buffer.from((await alice.api.call('wallet.tx', { walletId: alice.sharedId, txid })).hex, 'hex'));
    for (let i = 0; i < raw.inputsLength; i++) expect(raw.getInput(i).finalScriptWitness!.map((w) => w.length)).toEqual([64]);
  });

  it('pays with only Alice and Bob: the script path of their leaf, confirmed', async () => {
    const account = await alice.api.call('shared.get', { walletId: alice.sharedId });
    const idx = (n: string) => account.participants.find((p) => p.name === n)!.index;
    const proposal = await alice.api.call('shared.propose', { walletId: alice.sharedId, recipients: [{ address: foreign(2), amount: 10_000_000 }], feeRate: 3, signers: [idx('Alice'), idx('Bob')] });
    expect(proposal.status.path).toBe('Script path: Alice and Bob sign together');
    expect(proposal.status.inputs.every((i) => i.path === 'musig-leaf')).toBe(true);
    const carolRole = proposal.status.inputs[0]!.participants.find((p) => p.name === 'Carol')!;
    expect(carolRole.role).toBe('idle');
    // Carol is not on this path: she has nothing to add.
    const carolTry = await carol.api.call('shared.addNonces', { walletId: carol.sharedId, psbt: proposal.psbt });
    expect(carolTry.added).toBe(0);
    expect(carolTry.status.canAddNonce).toBe(false);

    const psbt = await cosign([bob, alice], proposal.psbt);
    const { txid } = await bob.api.call('shared.broadcast', { walletId: bob.sharedId, psbt });
    await alice.api.call('playground.mine', { blocks: 1 });
    await sync();
    const tx = await carol.api.call('wallet.tx', { walletId: carol.sharedId, txid });
    expect(tx).toMatchObject({ status: 'confirmed', confirmations: 1 });
    const raw = Transaction.fromRaw(Buffer.from(tx.hex, 'hex'));
    // signature, leaf script <32-byte key> OP_CHECKSIG, control block of a depth-2 leaf.
    expect(raw.getInput(0).finalScriptWitness!.map((w) => w.length)).toEqual([64, 34, 33 + 2 * 32]);
  });

  it('refuses the recovery path before 30 blocks, then after 30 blocks the recovery key alone spends, confirmed', async () => {
    const early = await apiError(alice.api.call('shared.propose', { walletId: alice.sharedId, recipients: [{ address: foreign(3), amount: 'max' }], feeRate: 2, recovery: true }));
    expect(early.code).toBe('CONFLICT');
    expect(early.message).toMatch(/^TIMELOCK_NOT_MET: /);
    // Bob's key is not the recovery key: he cannot even propose a recovery spend he could sign, but anyone may propose one.
    await alice.api.call('playground.mine', { blocks: 30 });
    await sync();
    const proposal = await bob.api.call('shared.propose', { walletId: bob.sharedId, recipients: [{ address: foreign(3), amount: 'max' }], feeRate: 2, recovery: true });
    expect(proposal.status.path).toBe('Recovery: Alice alone, after 30 blocks (~5 hours)');
    const tx = base64.decode(proposal.psbt);
    const decoded = Transaction.fromPSBT(tx, PSBT_TX_OPTIONS);
    for (let i = 0; i < decoded.inputsLength; i++) expect(decoded.getInput(i).sequence).toBe(30);
    expect((await bob.api.call('shared.sign', { walletId: bob.sharedId, psbt: proposal.psbt })).signed).toBe(0);
    const signed = await alice.api.call('shared.sign', { walletId: alice.sharedId, psbt: proposal.psbt });
    expect(signed.signed).toBe(proposal.status.inputs.length);
    expect(signed.status.complete).toBe(true);
    const { txid } = await alice.api.call('shared.broadcast', { walletId: alice.sharedId, psbt: signed.psbt });
    await alice.api.call('playground.mine', { blocks: 1 });
    await sync();
    expect(await carol.api.call('wallet.tx', { walletId: carol.sharedId, txid })).toMatchObject({ status: 'confirmed', confirmations: 1 });
    expect((await bob.api.call('wallet.balance', { walletId: bob.sharedId })).total).toBe(0);
    expect(keyPathTxid).toMatch(/^[0-9a-f]{64}$/);
  });

  it('removing the account\'s wallet file removes the shared account too', async () => {
    await carol.api.call('wallet.delete', { walletId: carol.sharedId, confirmName: 'Family savings' });
    expect(await carol.api.call('shared.list')).toEqual([]);
    expect((await apiError(carol.api.call('shared.get', { walletId: carol.sharedId }))).code).toBe('NOT_FOUND');
  });
});
