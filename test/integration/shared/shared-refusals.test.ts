// What a co-signer must refuse, and what must still work when PSBTs travel in parallel: a partial
// signature filed under the wrong participant, a tampered or malformed nonce, a PSBT of another
// account, a replayed signing request, a cancelled round — each a typed error with nothing signed
// (the nonce table unchanged, no partial signature added). Plus: PSBTs from several participants
// combined (BIP174 combiner), and every PSBT of the flow round-tripping byte for byte through
// @scure/btc-signer (told to keep proprietary records, as BIP174 asks of every role; with its
// default options it drops Tapdesk's spend-path record and nothing else).
import { base64 } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { regtest } from '../../../core/bitcoin/networks.js';
import { decodePsbt, encodePsbtBase64 } from '../../../core/bitcoin/psbt.js';
import { parseKeyCard } from '../../../core/musig/coordination/key-card.js';
import { decodeMusigPsbt } from '../../../core/musig/psbt-fields.js';
import { apiError, foreignAddress, fund, makeAccount, nonceRows, syncAll, threeCores, type Core } from './shared-cores.js';

type MusigKey = { participantPubkey: Uint8Array; aggregatePubkey: Uint8Array; leafHash?: Uint8Array };

function edit(psbt: string, fn: (tx: Transaction) => void): string {
  const tx = decodePsbt(psbt);
  fn(tx);
  return encodePsbtBase64(tx);
}

/** Replaces the value stored under `who`'s key in a MuSig2 map of input 0. */
function replaceEntry(tx: Transaction, field: 'musig2PubNonce' | 'musig2PartialSig', who: Uint8Array, value: Uint8Array): void {
  const entries = (tx.getInput(0)[field] ?? []) as [MusigKey, Uint8Array][];
  const next = entries.map(([k, v]): [MusigKey, Uint8Array] => [k, Buffer.from(k.participantPubkey).equals(who) ? value : v]);
  tx.updateInput(0, { [field]: undefined }, true);
  tx.updateInput(0, { [field]: next }, true);
}

function entryOf(psbt: string, field: 'musig2PubNonce' | 'musig2PartialSig', who: Uint8Array): Uint8Array {
  const entries = (decodePsbt(psbt).getInput(0)[field] ?? []) as [MusigKey, Uint8Array][];
  return entries.find(([k]) => Buffer.from(k.participantPubkey).equals(who))![1];
}

/**
 * @scure/btc-signer decodes and re-encodes the PSBT to the same bytes when it keeps proprietary
 * records; with its defaults the only difference is the dropped spend-path record.
 */
function roundTrips(psbt: string): boolean {
  const bytes = base64.decode(psbt);
  const kept = Buffer.from(Transaction.fromPSBT(bytes, { proprietary: 'ignore' }).toPSBT()).equals(Buffer.from(bytes));
  const stripped = decodePsbt(Transaction.fromPSBT(bytes).toPSBT());
  const original = decodePsbt(bytes);
  for (let i = 0; i < original.inputsLength; i++) {
    const { proprietary: _, ...rest } = original.getInput(i);
    if (JSON.stringify(stripped.getInput(i), hexOf) !== JSON.stringify(rest, hexOf)) return false;
  }
  return kept;
}

function hexOf(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? Buffer.from(value).toString('hex') : typeof value === 'bigint' ? value.toString() : value;
}

describe('shared-account refusals, combining and interop', () => {
  let alice: Core;
  let bob: Core;
  let carol: Core;
  let all: Core[];
  const key: Record<string, Uint8Array> = {};

  beforeAll(async () => {
    [alice, bob, carol] = await threeCores();
    all = [alice, bob, carol];
    await makeAccount(all, 2);
    for (const c of all) key[c.name] = parseKeyCard(c.card, regtest).publicKey;
    await fund(alice, all, 30_000_000);
    await fund(alice, all, 20_000_000);
  }, 180_000);

  afterAll(async () => {
    for (const c of [carol, bob, alice]) await c?.app.close();
  });

  const propose = async (amount = 1_000_000) =>
    (await bob.api.call('shared.propose', { walletId: bob.sharedId, recipients: [{ address: foreignAddress(5), amount }], feeRate: 2, inputs: undefined })).psbt;

  it('PSBTs built in parallel copies combine into one; every stage round-trips through @scure/btc-signer', async () => {
    const proposal = await propose();
    expect(roundTrips(proposal)).toBe(true);
    const withNonces = await Promise.all(all.map(async (c) => (await c.api.call('shared.addNonces', { walletId: c.sharedId, psbt: proposal })).psbt));
    withNonces.forEach((p) => expect(roundTrips(p)).toBe(true));
    const round1 = await alice.api.call('shared.combine', { walletId: alice.sharedId, psbts: withNonces });
    expect(round1.status.inputs.every((i) => i.participants.every((p) => p.nonce))).toBe(true);
    expect(round1.status.canSign).toBe(true);
    // BIP373 on the wire: a participants record for the key-path aggregate and for each of the three
    // subset leaves; one nonce per participant, all for the key path (the chosen one).
    const fields = decodeMusigPsbt(round1.psbt);
    const hexKeys = (ks: Uint8Array[]) => ks.map((k) => Buffer.from(k).toString('hex')).sort().join();
    expect(fields.inputs[0]!.participants.map((p) => p.participants.length).sort()).toEqual([2, 2, 2, 3]);
    expect(fields.inputs[0]!.participants.some((p) => hexKeys(p.participants) === hexKeys(all.map((c) => key[c.name]!)))).toBe(true);
    expect(fields.inputs[0]!.pubNonces).toHaveLength(3);
    expect(fields.inputs[0]!.pubNonces.every((n) => n.leafHash === null)).toBe(true);
    const signedCopies = await Promise.all(all.map(async (c) => (await c.api.call('shared.sign', { walletId: c.sharedId, psbt: round1.psbt })).psbt));
    signedCopies.forEach((p) => expect(roundTrips(p)).toBe(true));
    const round2 = await carol.api.call('shared.combine', { walletId: carol.sharedId, psbts: signedCopies });
    expect(round2.status.complete).toBe(true);
    const final = await carol.api.call('shared.finalize', { walletId: carol.sharedId, psbt: round2.psbt });
    expect(roundTrips(final.psbt)).toBe(true);
    expect(Transaction.fromRaw(Buffer.from(final.hex, 'hex')).id).toBe(final.txid);
  });

  it('a partial signature filed under the wrong participant: refused before signing, blamed at finalize', async () => {
    let psbt = await propose();
    for (const c of all) psbt = (await c.api.call('shared.addNonces', { walletId: c.sharedId, psbt })).psbt;
    for (const c of [alice, bob]) psbt = (await c.api.call('shared.sign', { walletId: c.sharedId, psbt })).psbt;
    const [fromAlice, fromBob] = [entryOf(psbt, 'musig2PartialSig', key.Alice!), entryOf(psbt, 'musig2PartialSig', key.Bob!)];
    const swapped = edit(psbt, (tx) => {
      replaceEntry(tx, 'musig2PartialSig', key.Alice!, fromBob);
      replaceEntry(tx, 'musig2PartialSig', key.Bob!, fromAlice);
    });
    const before = nonceRows(carol);
    const err = await apiError(carol.api.call('shared.sign', { walletId: carol.sharedId, psbt: swapped }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toMatch(/^INVALID_SIGNATURE: input 0: (Alice|Bob)'s partial signature does not verify$/);
    expect(nonceRows(carol)).toEqual(before);
    expect(before.at(-1)!.state).toBe('fresh');
    // The honest PSBT still completes; the swapped one cannot be finalized, naming the culprit slot.
    const honest = (await carol.api.call('shared.sign', { walletId: carol.sharedId, psbt })).psbt;
    const forged = edit(honest, (tx) => replaceEntry(tx, 'musig2PartialSig', key.Bob!, fromAlice));
    const blame = await apiError(alice.api.call('shared.finalize', { walletId: alice.sharedId, psbt: forged }));
    expect(blame.message).toBe("INVALID_SIGNATURE: input 0: Bob's partial signature does not verify");
    expect((await alice.api.call('shared.finalize', { walletId: alice.sharedId, psbt: honest })).txid).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a tampered nonce under our key is NONCE_MISMATCH; a malformed co-signer nonce is refused too; nothing signed', async () => {
    let psbt = await propose();
    for (const c of all) psbt = (await c.api.call('shared.addNonces', { walletId: c.sharedId, psbt })).psbt;
    const before = nonceRows(carol);
    const tampered = edit(psbt, (tx) => replaceEntry(tx, 'musig2PubNonce', key.Carol!, entryOf(psbt, 'musig2PubNonce', key.Alice!)));
    const err = await apiError(carol.api.call('shared.sign', { walletId: carol.sharedId, psbt: tampered }));
    expect(err.code).toBe('CONFLICT');
    expect(err.message).toMatch(/^NONCE_MISMATCH: /);
    expect(nonceRows(carol)).toEqual(before);

    // 66 bytes that are not two curve points (no point has x = 0) under Bob's key.
    const notPoints = new Uint8Array(66);
    notPoints[0] = 2;
    notPoints[33] = 2;
    const malformed = edit(psbt, (tx) => replaceEntry(tx, 'musig2PubNonce', key.Bob!, notPoints));
    const bad = await apiError(carol.api.call('shared.sign', { walletId: carol.sharedId, psbt: malformed }));
    expect(bad.code).toBe('INVALID_INPUT');
    expect(bad.message).toBe("INVALID_NONCE: input 0: Bob's public nonce is not valid");
    expect(nonceRows(carol)).toEqual(before);
    // The untampered PSBT still signs.
    expect((await carol.api.call('shared.sign', { walletId: carol.sharedId, psbt })).signed).toBe(1);
  });

  it('a PSBT of another account is WRONG_ACCOUNT, for every step, and touches no nonce', async () => {
    const other = await alice.api.call('shared.create', { name: 'Alice and Bob only', keyWalletId: alice.seedId, cards: [alice.card, bob.card], threshold: 2 });
    const { address } = await alice.api.call('wallet.receive', { walletId: other.walletId });
    await alice.api.call('playground.faucet', { address, amount: 2_000_000 });
    await alice.api.call('playground.mine', { blocks: 1 });
    await alice.api.call('wallet.sync', { walletId: other.walletId });
    await syncAll(all);
    const foreignPsbt = (await alice.api.call('shared.propose', { walletId: other.walletId, recipients: [{ address: foreignAddress(6), amount: 500_000 }], feeRate: 2 })).psbt;
    const before = nonceRows(alice);
    for (const method of ['shared.addNonces', 'shared.sign', 'shared.status', 'shared.finalize', 'shared.cancel'] as const) {
      const err = await apiError(alice.api.call(method, { walletId: alice.sharedId, psbt: foreignPsbt }));
      expect(err.code).toBe('INVALID_INPUT');
      expect(err.message).toBe('WRONG_ACCOUNT: input 0: does not spend an address of this shared account');
    }
    expect(nonceRows(alice)).toEqual(before);
    expect(nonceRows(alice, other.walletId)).toEqual([]);
  });

  it('a replayed signing request is NONCE_REUSED: one partial signature per nonce, ever', async () => {
    let psbt = await propose();
    for (const c of all) psbt = (await c.api.call('shared.addNonces', { walletId: c.sharedId, psbt })).psbt;
    const first = await bob.api.call('shared.sign', { walletId: bob.sharedId, psbt });
    expect(first.signed).toBe(1);
    const afterFirst = nonceRows(bob);
    expect(afterFirst.at(-1)!.state).toBe('used');
    const replay = await apiError(bob.api.call('shared.sign', { walletId: bob.sharedId, psbt }));
    expect(replay.code).toBe('CONFLICT');
    expect(replay.message).toMatch(/^NONCE_REUSED: input 0: our nonce for this payment already signed once/);
    expect(nonceRows(bob)).toEqual(afterFirst);
    // Signing the PSBT that already carries our partial signature is not a second signature: nothing to do.
    expect((await bob.api.call('shared.sign', { walletId: bob.sharedId, psbt: first.psbt })).signed).toBe(0);
    // A new nonce round on the replayed copy replaces the spent nonce and drops that session's partial signatures.
    const again = await bob.api.call('shared.addNonces', { walletId: bob.sharedId, psbt });
    expect(again.added).toBe(1);
    expect(entryOf(again.psbt, 'musig2PubNonce', key.Bob!)).not.toEqual(entryOf(psbt, 'musig2PubNonce', key.Bob!));
  });

  it('cancelling a round discards our unused nonce: signing with it is then NONCE_DISCARDED', async () => {
    let psbt = await propose();
    for (const c of all) psbt = (await c.api.call('shared.addNonces', { walletId: c.sharedId, psbt })).psbt;
    expect((await alice.api.call('shared.cancel', { walletId: alice.sharedId, psbt })).discarded).toBe(1);
    const after = nonceRows(alice);
    expect(after.at(-1)).toMatchObject({ state: 'discarded', sealed: null });
    const err = await apiError(alice.api.call('shared.sign', { walletId: alice.sharedId, psbt }));
    expect(err.message).toMatch(/^NONCE_DISCARDED: /);
    expect(nonceRows(alice)).toEqual(after);
    const status = await alice.api.call('shared.status', { walletId: alice.sharedId, psbt });
    expect(status.inputs[0]!.myNonce).toBe('discarded');
    expect(status.canAddNonce).toBe(true);
  });

  it('a signer set that is neither everyone nor exactly the threshold is INVALID_SIGNERS', async () => {
    const err = await apiError(alice.api.call('shared.propose', { walletId: alice.sharedId, recipients: [{ address: foreignAddress(7), amount: 1000 }], feeRate: 1, signers: [0] }));
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('INVALID_SIGNERS: choose exactly 2 signers (script path) or all 3 (key path), got 1');
    const locked = await alice.api.call('wallet.lock', { walletId: alice.seedId });
    expect(locked.locked).toBe(true);
    const psbt = await propose();
    expect((await apiError(alice.api.call('shared.addNonces', { walletId: alice.sharedId, psbt }))).code).toBe('WALLET_LOCKED');
  });
});
