// Shared-account fixtures for the coordination tests: three participants (and an outside recovery
// key) from fixed seeds, their key cards, accounts built from a policy, a PSBT spending fake coins
// of the account, and an independent check of the final transaction with the Playground's
// bitcore-lib validator (not the code that signed it).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtendedKey } from '../../../core/bitcoin/hdkey.js';
import { regtest } from '../../../core/bitcoin/networks.js';
import { createPsbt, extractTransaction, inputPrevout, updatePsbtInput } from '../../../core/bitcoin/psbt.js';
import { ScriptChecker } from '../../../core/chain/playground/interpreter.js';
import { decodeTx } from '../../../core/chain/playground/wire.js';
import { makeKeyCard, type KeyCard } from '../../../core/musig/coordination/key-card.js';
import { planInputs, type InputPlan } from '../../../core/musig/coordination/input-plan.js';
import { NonceVault } from '../../../core/musig/coordination/nonce-vault.js';
import { policyDescriptor, sharedPolicy, type Recovery, type SharedPolicy } from '../../../core/musig/coordination/policy.js';
import { proposeChange, proposeInput } from '../../../core/musig/coordination/proposal.js';
import type { MyKeys, NonceKeeper } from '../../../core/musig/coordination/signing.js';
import { choosePath, type PathChoice } from '../../../core/musig/coordination/spend-path.js';
import { openDatabase } from '../../../core/store/database.js';
import { SharedStore, sharedComponent } from '../../../core/store/shared-store.js';
import { accountFromDescriptor, type Account } from '../../../core/wallet/account.js';

/** Deterministic bytes for tests (never for real keys). */
export function testRandom(label: string): (length: number) => Uint8Array {
  let counter = 0;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i += 32) out.set(sha256(utf8ToBytes(`${label}/${counter++}`)).subarray(0, Math.min(32, length - i)), i);
    return out;
  };
}

export const NAMES = ['Alice', 'Bob', 'Carol'] as const;

export interface Person {
  name: string;
  master: ExtendedKey;
  card: KeyCard;
}

export function person(name: string, account = 0): Person {
  const master = ExtendedKey.fromSeed(sha256(utf8ToBytes(`tapdesk test seed ${name}`)), regtest);
  return { name, master, card: makeKeyCard(master, name, account) };
}

export const people = (): Person[] => NAMES.map((n) => person(n));

export interface AccountFixture {
  policy: SharedPolicy;
  account: Account;
  /** Participant index (canonical order) of each person, by name. */
  index: (name: string) => number;
}

export function accountOf(persons: Person[], threshold: number, recovery: { who: Person; lock: 'older' | 'after'; value: number } | null): AccountFixture {
  const rec: Recovery | null = recovery ? { key: recovery.who.card, lock: recovery.lock, value: recovery.value } : null;
  const policy = sharedPolicy({ network: regtest, participants: persons.map((p) => p.card), threshold, recovery: rec });
  const account = accountFromDescriptor(policyDescriptor(policy));
  return { policy, account, index: (name) => policy.participants.findIndex((c) => c.name === name) };
}

export function keysOf(fx: AccountFixture, p: Person, recoveryHolder = false): MyKeys {
  const participant = fx.policy.participants.findIndex((c) => c.text === p.card.text);
  const accountKey = p.master.derive(p.card.key.origin.path);
  return { participant: participant >= 0 ? participant : null, participantKey: participant >= 0 ? accountKey : null, recoveryKey: recoveryHolder ? accountKey : null };
}

/** A SQLite-backed keeper in a fresh temp wallet file, sealed by a vault of its own "process". */
export function sqliteKeeper(label: string): { keeper: NonceKeeper; store: SharedStore; vault: NonceVault; file: string } {
  const file = join(mkdtempSync(join(tmpdir(), 'tapdesk-nonces-')), 'wallet.sqlite');
  const db = openDatabase(file, [sharedComponent]);
  const store = SharedStore.attach(file, db);
  const vault = new NonceVault(testRandom(`vault/${label}/${file}`));
  return { keeper: store.nonceKeeper(vault, testRandom(`seal/${label}`)), store, vault, file };
}

export interface Coin {
  chain: 0 | 1;
  index: number;
  value: bigint;
}

/** A PSBT spending fake coins of the account to `pay` plus change at chain 1 index 0, along `choice`. */
export function proposal(fx: AccountFixture, coins: Coin[], choice: PathChoice, opts: { sequence?: number; lockTime?: number; pay?: bigint } = {}): Transaction {
  const path = choosePath(fx.policy, choice);
  const total = coins.reduce((s, c) => s + c.value, 0n);
  const pay = opts.pay ?? 40_000n;
  const tx = createPsbt({
    lockTime: opts.lockTime ?? 0,
    inputs: coins.map((c, i) => ({ txid: bytesToHex(sha256(utf8ToBytes(`coin ${c.chain}/${c.index}/${i}`))), vout: i, sequence: opts.sequence ?? 0xfffffffd })),
    outputs: [
      { script: Uint8Array.from([0x00, 0x14, ...new Uint8Array(20).fill(7)]), amount: pay },
      { script: fx.account.script(1, 0), amount: total - pay - 1_000n },
    ],
  });
  coins.forEach((c, i) => {
    const output = fx.account.output(c.chain, c.index);
    updatePsbtInput(tx, i, { witnessUtxo: { script: output.scriptPubKey, amount: c.value } });
    proposeInput(tx, i, output, path);
  });
  proposeChange(tx, 1, fx.account.output(1, 0));
  return tx;
}

export function plansOf(fx: AccountFixture, tx: Transaction): InputPlan[] {
  return planInputs(tx, { policy: fx.policy, outputs: fx.account });
}

/** Extracts the final transaction and validates every input with bitcore-lib (standard flags). */
export function independentlyValid(tx: Transaction): { raw: Uint8Array; error: string | null } {
  const spent = Array.from({ length: tx.inputsLength }, (_, i) => {
    const prev = inputPrevout(tx.getInput(i))!;
    return { value: prev.amount, script: prev.script };
  });
  const raw = extractTransaction(tx);
  const failure = new ScriptChecker(decodeTx(raw), spent).verifyAll('standard');
  return { raw, error: failure ? `input ${failure.input}: ${failure.error.code}` : null };
}
