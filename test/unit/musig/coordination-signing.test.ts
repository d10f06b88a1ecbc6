// The signing rounds on shared-account PSBTs, without a chain: every spend path (key path with all
// signers, each 2-of-3 subset leaf, sortedmulti_a, the recovery leaf with CSV and with CLTV)
// completes and the final transaction passes the Playground's independent bitcore-lib validator;
// who-has-done-what progresses as expected; and the nonce rules hold — a secret nonce signs at most
// once, a changed transaction or a new path needs new nonces, and no partial signature leaves
// `partialSign` unless its nonce was durably marked used.
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { decodePsbt, encodePsbt } from '../../../core/bitcoin/psbt.js';
import { SharedAccountError } from '../../../core/musig/coordination/errors.js';
import { planInputs } from '../../../core/musig/coordination/input-plan.js';
import { addNonces, finalizeInputs, signingProgress, signRound, type NonceKeeper } from '../../../core/musig/coordination/signing.js';
import { inputMusigFields } from '../../../core/musig/psbt-fields.js';
import {
  accountOf,
  independentlyValid,
  keysOf,
  people,
  person,
  plansOf,
  proposal,
  sqliteKeeper,
  testRandom,
  type AccountFixture,
  type Person,
} from './coordination-fixtures.js';

const [alice, bob, carol] = people() as [Person, Person, Person];
const trio = [alice, bob, carol];

function sharedCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SharedAccountError);
    return (err as SharedAccountError).code;
  }
  throw new Error('expected a SharedAccountError');
}

/** Runs round 1 then round 2 for `signers`, each with their own SQLite keeper. */
function runRounds(fx: AccountFixture, tx: Transaction, signers: Person[], recoveryHolder?: Person): { keepers: Map<string, NonceKeeper>; added: number; signed: number } {
  const keepers = new Map(signers.map((p) => [p.name, sqliteKeeper(p.name).keeper]));
  let added = 0;
  let signed = 0;
  for (const p of signers) added += addNonces(tx, plansOf(fx, tx), keysOf(fx, p, p === recoveryHolder), keepers.get(p.name)!, testRandom(`nonce/${p.name}`));
  for (const p of signers) signed += signRound(tx, plansOf(fx, tx), keysOf(fx, p, p === recoveryHolder), keepers.get(p.name)!);
  return { keepers, added, signed };
}

const twoOfThree = () => accountOf(trio, 2, { who: alice, lock: 'older', value: 30 });
const COINS = [
  { chain: 0 as const, index: 0, value: 100_000n },
  { chain: 1 as const, index: 4, value: 60_000n },
];

describe('every spend path completes and validates independently', () => {
  it('key path: all three sign, one 64-byte signature per input', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS, { signers: [0, 1, 2] });
    expect(runRounds(fx, tx, trio)).toMatchObject({ added: 6, signed: 6 });
    expect(signingProgress(tx, plansOf(fx, tx), fx.policy).every((i) => i.complete)).toBe(true);
    finalizeInputs(tx, plansOf(fx, tx));
    const { raw, error } = independentlyValid(tx);
    expect(error).toBeNull();
    expect(tx.getInput(0).finalScriptWitness!.map((w) => w.length)).toEqual([64]);
    expect(raw.length).toBeGreaterThan(0);
  });

  for (const pair of [[0, 1], [0, 2], [1, 2]]) {
    it(`script path: participants ${pair.join(' and ')} sign their leaf`, () => {
      const fx = twoOfThree();
      const tx = proposal(fx, COINS, { signers: pair });
      const signers = pair.map((i) => trio.find((p) => p.card.text === fx.policy.participants[i]!.text)!);
      const outsider = trio.find((p) => !signers.includes(p))!;
      // The third participant has nothing to add on this path.
      expect(addNonces(tx, plansOf(fx, tx), keysOf(fx, outsider), sqliteKeeper('outsider').keeper, testRandom('x'))).toBe(0);
      expect(runRounds(fx, tx, signers)).toMatchObject({ added: 4, signed: 4 });
      finalizeInputs(tx, plansOf(fx, tx));
      expect(independentlyValid(tx).error).toBeNull();
      expect(tx.getInput(0).finalScriptWitness!.map((w) => w.length)).toEqual([64, 34, 97]);
    });
  }

  it('recovery (CSV): the recovery key alone, nSequence = 30, no nonce round', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS, 'recovery', { sequence: 30 });
    expect(runRounds(fx, tx, [alice], alice)).toMatchObject({ added: 0, signed: 2 });
    expect(signRound(tx, plansOf(fx, tx), keysOf(fx, bob), sqliteKeeper('bob').keeper)).toBe(0);
    finalizeInputs(tx, plansOf(fx, tx));
    expect(independentlyValid(tx).error).toBeNull();
    expect(tx.getInput(0).finalScriptWitness!.map((w) => w.length)).toEqual([64, 37, 97]);
  });

  it('recovery (CSV) one block early fails the independent validator', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), 'recovery', { sequence: 29 });
    runRounds(fx, tx, [alice], alice);
    finalizeInputs(tx, plansOf(fx, tx));
    expect(independentlyValid(tx).error).toBe('input 0: SCRIPT_ERR_UNSATISFIED_LOCKTIME');
  });

  it('recovery (CLTV) by an outside key after a date: nLockTime = T', () => {
    const dana = person('Dana');
    const fx = accountOf(trio, 2, { who: dana, lock: 'after', value: 1_798_761_600 });
    const tx = proposal(fx, COINS, 'recovery', { lockTime: 1_798_761_600 });
    const progress = signingProgress(tx, plansOf(fx, tx), fx.policy)[0]!;
    expect(progress.participants.find((p) => p.who === 'recovery')).toMatchObject({ role: 'signer', signature: false });
    runRounds(fx, tx, [dana], dana);
    finalizeInputs(tx, plansOf(fx, tx));
    expect(independentlyValid(tx).error).toBeNull();
  });

  it('3 of 6 over sortedmulti_a: any three add plain signatures; the witness has three signatures and three empty slots', () => {
    const six = [...trio, person('Dave'), person('Erin'), person('Frank')];
    const fx = accountOf(six, 3, null);
    expect(fx.policy.layout).toBe('sortedmulti_a');
    const tx = proposal(fx, COINS, { signers: [1, 3, 5] });
    const chosen = [six[0]!, six[2]!, six[4]!, six[5]!];
    runRounds(fx, tx, chosen);
    expect(signingProgress(tx, plansOf(fx, tx), fx.policy)[0]!.participants.filter((p) => p.signature)).toHaveLength(4);
    finalizeInputs(tx, plansOf(fx, tx));
    expect(independentlyValid(tx).error).toBeNull();
    const witness = tx.getInput(0).finalScriptWitness!;
    expect(witness.slice(0, 6).map((w) => w.length).sort()).toEqual([0, 0, 0, 64, 64, 64]);
  });
});

describe('who has done what', () => {
  it('progress moves from nothing to nonces to partial signatures, per participant and input', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const keeper = sqliteKeeper('alice').keeper;
    const me = keysOf(fx, alice);
    const view = () => signingProgress(tx, plansOf(fx, tx), fx.policy, { participant: me.participant, keeper })[0]!;
    expect(view()).toMatchObject({ complete: false, myNonce: 'none' });
    addNonces(tx, plansOf(fx, tx), me, keeper, testRandom('a'));
    expect(view().myNonce).toBe('fresh');
    expect(view().participants.map((p) => p.nonce)).toEqual([0, 1, 2].map((i) => i === me.participant));
    expect(sharedCode(() => signRound(tx, plansOf(fx, tx), me, keeper))).toBe('NONCE_MISSING');
    // Bob and Carol complete round 1 and sign at once; Alice's round 2 comes last.
    expect(runRounds(fx, tx, [bob, carol]).signed).toBe(2);
    expect(view().participants.map((p) => p.partialSig)).toEqual([0, 1, 2].map((i) => i !== me.participant));
    expect(signRound(tx, plansOf(fx, tx), me, keeper)).toBe(1);
    expect(view()).toMatchObject({ myNonce: 'used' });
    expect(view()).toMatchObject({ complete: true });
    expect(view().participants.every((p) => p.partialSig)).toBe(true);
  });

  it('finalizing before every partial signature is in is INCOMPLETE, naming who is missing', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const keepers = new Map(trio.map((p) => [p.name, sqliteKeeper(p.name).keeper]));
    for (const p of trio) addNonces(tx, plansOf(fx, tx), keysOf(fx, p), keepers.get(p.name)!, testRandom(p.name));
    for (const p of [alice, bob]) signRound(tx, plansOf(fx, tx), keysOf(fx, p), keepers.get(p.name)!);
    try {
      finalizeInputs(tx, plansOf(fx, tx));
      throw new Error('expected INCOMPLETE');
    } catch (err) {
      expect(err).toMatchObject({ code: 'INCOMPLETE', participant: keysOf(fx, carol).participant, input: 0 });
    }
  });
});

describe('nonce rules', () => {
  it('a partial signature is released only after commitUsed: a failing commit releases nothing', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const keepers = new Map(trio.map((p) => [p.name, sqliteKeeper(p.name).keeper]));
    for (const p of trio) addNonces(tx, plansOf(fx, tx), keysOf(fx, p), keepers.get(p.name)!, testRandom(p.name));
    const real = keepers.get('Alice')!;
    const refusing: NonceKeeper = { ...real, commitUsed: () => { throw new Error('disk full'); } };
    const before = bytesToHex(encodePsbt(tx));
    expect(() => signRound(tx, plansOf(fx, tx), keysOf(fx, alice), refusing)).toThrow('disk full');
    expect(bytesToHex(encodePsbt(tx))).toBe(before);
    expect(inputMusigFields(tx.getInput(0)).partialSigs).toHaveLength(0);
  });

  it('two racing signing requests with the same nonce: the second commit refuses (NONCE_REUSED)', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const { keeper } = sqliteKeeper('alice');
    const keepers = new Map([['Alice', keeper], ['Bob', sqliteKeeper('b').keeper], ['Carol', sqliteKeeper('c').keeper]]);
    for (const p of trio) addNonces(tx, plansOf(fx, tx), keysOf(fx, p), keepers.get(p.name)!, testRandom(p.name));
    const copy = decodePsbt(encodePsbt(tx));
    // Both requests pass their checks before either commits (as two callers racing would).
    let raced = false;
    const racing: NonceKeeper = {
      ...keeper,
      commitUsed: (pub) => {
        if (!raced) {
          raced = true;
          signRound(copy, plansOf(fx, copy), keysOf(fx, alice), keeper);
        }
        keeper.commitUsed(pub);
      },
    };
    expect(sharedCode(() => signRound(tx, plansOf(fx, tx), keysOf(fx, alice), racing))).toBe('NONCE_REUSED');
    expect(inputMusigFields(tx.getInput(0)).partialSigs).toHaveLength(0);
    expect(inputMusigFields(copy.getInput(0)).partialSigs).toHaveLength(1);
  });

  it('every refusal leaves the PSBT byte for byte as it was, and the nonce records as they were', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const stores = new Map(trio.map((p) => [p.name, sqliteKeeper(p.name)]));
    for (const p of trio) addNonces(tx, plansOf(fx, tx), keysOf(fx, p), stores.get(p.name)!.keeper, testRandom(p.name));
    signRound(tx, plansOf(fx, tx), keysOf(fx, bob), stores.get('Bob')!.keeper);
    const alices = stores.get('Alice')!;
    const refused = (mutate: (t: Transaction) => void, expected: string, who: Person = alice, keeper = alices.keeper) => {
      const copy = decodePsbt(encodePsbt(tx));
      mutate(copy);
      const before = bytesToHex(encodePsbt(copy));
      const rows = JSON.stringify(alices.store.nonces());
      expect(sharedCode(() => signRound(copy, plansOf(fx, copy), keysOf(fx, who), keeper))).toBe(expected);
      expect(bytesToHex(encodePsbt(copy))).toBe(before);
      expect(JSON.stringify(alices.store.nonces())).toBe(rows);
    };
    const entries = (t: Transaction) => inputMusigFields(t.getInput(0));
    const key = (p: Person) => bytesToHex(p.card.publicKey);
    const replace = (t: Transaction, field: 'musig2PubNonce' | 'musig2PartialSig', who: Person, value: Uint8Array) => {
      const list = (t.getInput(0)[field] ?? []) as [{ participantPubkey: Uint8Array; aggregatePubkey: Uint8Array; leafHash?: Uint8Array }, Uint8Array][];
      t.updateInput(0, { [field]: undefined }, true);
      t.updateInput(0, { [field]: list.map(([k, v]) => [k, bytesToHex(k.participantPubkey) === key(who) ? value : v]) }, true);
    };
    const nonceOf = (t: Transaction, p: Person) => entries(t).pubNonces.find((n) => bytesToHex(n.participant) === key(p))!.pubNonce;
    // A tampered nonce under Alice's key.
    refused((t) => replace(t, 'musig2PubNonce', alice, nonceOf(t, carol)), 'NONCE_MISMATCH');
    // Bob's partial signature replaced by a wrong one.
    refused((t) => replace(t, 'musig2PartialSig', bob, new Uint8Array(32).fill(1)), 'INVALID_SIGNATURE');
    // A replay: Alice signs once, then the same unsigned copy is sent again.
    signRound(decodePsbt(encodePsbt(tx)), plansOf(fx, tx), keysOf(fx, alice), alices.keeper);
    refused(() => {}, 'NONCE_REUSED');
    // Another account's PSBT.
    const other = accountOf([alice, bob], 2, null);
    const foreign = proposal(other, COINS.slice(0, 1), { signers: [0, 1] });
    const before = bytesToHex(encodePsbt(foreign));
    expect(sharedCode(() => signRound(foreign, plansOf(fx, foreign), keysOf(fx, alice), alices.keeper))).toBe('WRONG_ACCOUNT');
    expect(bytesToHex(encodePsbt(foreign))).toBe(before);
  });

  it('a changed transaction (same txid, other input amount) is MESSAGE_CHANGED', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const { keeper } = sqliteKeeper('a');
    const others = new Map([['Bob', sqliteKeeper('b').keeper], ['Carol', sqliteKeeper('c').keeper]]);
    addNonces(tx, plansOf(fx, tx), keysOf(fx, alice), keeper, testRandom('a'));
    for (const p of [bob, carol]) addNonces(tx, plansOf(fx, tx), keysOf(fx, p), others.get(p.name)!, testRandom(p.name));
    const prev = tx.getInput(0).witnessUtxo!;
    tx.updateInput(0, { witnessUtxo: { script: prev.script, amount: prev.amount + 1n } }, true);
    expect(sharedCode(() => signRound(tx, plansOf(fx, tx), keysOf(fx, alice), keeper))).toBe('MESSAGE_CHANGED');
  });

  it('round 1 again on a copy where our nonce already signed replaces it and drops that session\'s partial signatures', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const ks = new Map(trio.map((p) => [p.name, sqliteKeeper(p.name).keeper]));
    for (const p of trio) addNonces(tx, plansOf(fx, tx), keysOf(fx, p), ks.get(p.name)!, testRandom(p.name));
    const copy = decodePsbt(encodePsbt(tx));
    signRound(tx, plansOf(fx, tx), keysOf(fx, bob), ks.get('Bob')!);
    signRound(copy, plansOf(fx, copy), keysOf(fx, alice), ks.get('Alice')!);
    const bobKey = bytesToHex(bob.card.publicKey);
    const bobNonce = inputMusigFields(copy.getInput(0)).pubNonces.find((n) => bytesToHex(n.participant) === bobKey)!.pubNonce;
    expect(ks.get('Bob')!.state(bobNonce)!.state).toBe('used');
    expect(addNonces(copy, plansOf(fx, copy), keysOf(fx, bob), ks.get('Bob')!, testRandom('bob again'))).toBe(1);
    const fields = inputMusigFields(copy.getInput(0));
    expect(fields.partialSigs).toHaveLength(0);
    expect(fields.pubNonces).toHaveLength(3);
    expect(bytesToHex(fields.pubNonces.find((n) => bytesToHex(n.participant) === bobKey)!.pubNonce)).not.toBe(bytesToHex(bobNonce));
  });

  it('round 1 twice is idempotent while our nonce is fresh', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS, { signers: [0, 1, 2] });
    const { keeper } = sqliteKeeper('a');
    expect(addNonces(tx, plansOf(fx, tx), keysOf(fx, alice), keeper, testRandom('a'))).toBe(2);
    const once = bytesToHex(encodePsbt(tx));
    expect(addNonces(tx, plansOf(fx, tx), keysOf(fx, alice), keeper, testRandom('b'))).toBe(0);
    expect(bytesToHex(encodePsbt(tx))).toBe(once);
  });

  it('round 1 on another copy of the same payment puts our existing fresh nonce in it: one session, one nonce', () => {
    const fx = twoOfThree();
    const first = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const second = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    expect(second.id).toBe(first.id);
    const { keeper, store } = sqliteKeeper('a');
    expect(addNonces(first, plansOf(fx, first), keysOf(fx, alice), keeper, testRandom('a'))).toBe(1);
    expect(addNonces(second, plansOf(fx, second), keysOf(fx, alice), keeper, testRandom('b'))).toBe(1);
    const nonceOf = (tx: Transaction) => bytesToHex(inputMusigFields(tx.getInput(0)).pubNonces[0]!.pubNonce);
    expect(nonceOf(second)).toBe(nonceOf(first));
    expect(store.nonces()).toHaveLength(1);
    // A copy whose message changed (same txid, other input amount) gets a new nonce; the old one is discarded.
    const changed = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const prev = changed.getInput(0).witnessUtxo!;
    changed.updateInput(0, { witnessUtxo: { script: prev.script, amount: prev.amount + 5n } }, true);
    expect(addNonces(changed, plansOf(fx, changed), keysOf(fx, alice), keeper, testRandom('c'))).toBe(1);
    expect(nonceOf(changed)).not.toBe(nonceOf(first));
    expect(store.nonces().map((n) => n.state)).toEqual(['discarded', 'fresh']);
  });

  it('a PSBT that changes path (re-proposed for two signers) discards our nonces of the old path', () => {
    const fx = twoOfThree();
    const keyPath = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const { keeper, store } = sqliteKeeper('a');
    addNonces(keyPath, plansOf(fx, keyPath), keysOf(fx, alice), keeper, testRandom('a'));
    const me = keysOf(fx, alice).participant!;
    const partner = me === 0 ? 1 : 0;
    const leaf = proposal(fx, COINS.slice(0, 1), { signers: [me, partner] });
    expect(leaf.id).toBe(keyPath.id);
    expect(addNonces(leaf, plansOf(fx, leaf), keysOf(fx, alice), keeper, testRandom('b'))).toBe(1);
    expect(store.nonces().map((n) => n.state)).toEqual(['discarded', 'fresh']);
  });

  it('a watching computer or a locked key wallet cannot sign', () => {
    const fx = twoOfThree();
    const tx = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    const me = keysOf(fx, alice);
    expect(sharedCode(() => addNonces(tx, plansOf(fx, tx), { ...me, participantKey: null }, sqliteKeeper('x').keeper, testRandom('x')))).toBe('NOT_A_PARTICIPANT');
    expect(sharedCode(() => addNonces(tx, plansOf(fx, tx), { ...me, participantKey: bob.master.derive(bob.card.key.origin.path) }, sqliteKeeper('y').keeper, testRandom('y')))).toBe(
      'NOT_A_PARTICIPANT',
    );
  });

  it('the proposal names its spend path; plans read it, or the leaf scripts of a PSBT made elsewhere, and refuse what they cannot place', () => {
    const fx = twoOfThree();
    const leafPsbt = proposal(fx, COINS.slice(0, 1), { signers: [0, 2] });
    // Every leaf and every MuSig2 aggregate is in the PSBT; the record picks one.
    expect(leafPsbt.getInput(0).tapLeafScript).toHaveLength(4);
    expect(inputMusigFields(leafPsbt.getInput(0)).participants).toHaveLength(4);
    expect(plansOf(fx, leafPsbt)[0]!.path).toEqual({ kind: 'musig-leaf', leaf: 1, signers: [0, 2] });
    expect(plansOf(fx, proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] }))[0]!.path.kind).toBe('key');

    const withoutRecord = (tx: Transaction, keep: number[]) => {
      const scripts = tx.getInput(0).tapLeafScript!;
      tx.updateInput(0, { proprietary: undefined, tapLeafScript: undefined }, true);
      if (keep.length) tx.updateInput(0, { tapLeafScript: keep.map((j) => scripts[j]!) }, true);
      return tx;
    };
    expect(plansOf(fx, withoutRecord(proposal(fx, COINS.slice(0, 1), { signers: [1, 2] }), [2]))[0]!.path).toEqual({ kind: 'musig-leaf', leaf: 2, signers: [1, 2] });
    expect(plansOf(fx, withoutRecord(proposal(fx, COINS.slice(0, 1), { signers: [1, 2] }), []))[0]!.path.kind).toBe('key');
    expect(sharedCode(() => plansOf(fx, withoutRecord(proposal(fx, COINS.slice(0, 1), { signers: [1, 2] }), [0, 1])))).toBe('UNSUPPORTED_PSBT');

    const badRecord = proposal(fx, COINS.slice(0, 1), { signers: [0, 1] });
    const key = badRecord.getInput(0).proprietary![0]![0];
    const record = (value: Uint8Array) => {
      badRecord.updateInput(0, { proprietary: undefined }, true);
      badRecord.updateInput(0, { proprietary: [[key, value]] }, true);
    };
    record(Uint8Array.of(1, ...new Uint8Array(32).fill(9)));
    expect(sharedCode(() => plansOf(fx, badRecord))).toBe('UNSUPPORTED_PSBT');
    record(Uint8Array.of(7));
    expect(sharedCode(() => plansOf(fx, badRecord))).toBe('UNSUPPORTED_PSBT');

    const other = accountOf([alice, bob], 2, null);
    expect(sharedCode(() => planInputs(proposal(other, COINS.slice(0, 1), { signers: [0, 1] }), { policy: fx.policy, outputs: fx.account }))).toBe('WRONG_ACCOUNT');
    const anyoneCanPay = proposal(fx, COINS.slice(0, 1), { signers: [0, 1, 2] });
    anyoneCanPay.updateInput(0, { sighashType: 0x81 }, true);
    expect(sharedCode(() => plansOf(fx, anyoneCanPay))).toBe('UNSUPPORTED_PSBT');
  });
});
