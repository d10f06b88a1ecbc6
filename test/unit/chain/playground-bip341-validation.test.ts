// Proves the Playground's independent script validator (bitcore-lib behind interpreter.ts) before
// anything relies on it: the BIP341 keyPathSpending vector validates input by input and fails when
// one signature byte changes; then spends built by @scure/btc-signer + @noble/curves (the wallet's
// own libraries) are accepted — P2TR key path, P2TR script path (CHECKSIGADD 2-of-3, CSV, CLTV,
// hashlock leaves), P2WPKH — and broken ones are refused with Core's script errors.
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Script } from '@scure/btc-signer/script.js';
import { describe, expect, it } from 'vitest';
import { ScriptChecker, type SpentOutput } from '../../../core/chain/playground/interpreter.js';
import { decodeTx, encodeTx, type DecodedTx } from '../../../core/chain/playground/wire.js';
import { vectorJson } from '../../support/vectors.js';
import { key, spendKeyPath, spendScriptPath, spendWpkh, tapTree, withWitness, type Utxo } from './playground-fixtures.js';

interface KeyPathVector {
  given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
  inputSpending: { given: { txinIndex: number; hashType: number }; expected: { witness: string[] } }[];
  auxiliary: { fullySignedTx: string };
}

const vector = vectorJson<{ keyPathSpending: KeyPathVector[] }>('bip341-wallet-test-vectors.json').keyPathSpending[0]!;
const spent: SpentOutput[] = vector.given.utxosSpent.map((u) => ({ script: hex.decode(u.scriptPubKey), value: BigInt(u.amountSats) }));
const signed = decodeTx(hex.decode(vector.auxiliary.fullySignedTx));

/** The signed vector transaction with byte `at` of input `input`'s first witness item changed. */
function tampered(input: number, at: number, value?: number): DecodedTx {
  const item = Uint8Array.from(signed.inputs[input]!.witness[0]!);
  item[at] = value ?? item[at]! ^ 0x01;
  return withWitness(signed, input, 0, item);
}

describe('BIP341 keyPathSpending vector through the Playground validator', () => {
  it('the fully signed transaction is the unsigned one with the vector’s witnesses', () => {
    const unsigned = decodeTx(hex.decode(vector.given.rawUnsignedTx));
    expect(signed.inputs.map((i) => [i.txid, i.vout, i.sequence])).toEqual(unsigned.inputs.map((i) => [i.txid, i.vout, i.sequence]));
    expect(signed.outputs).toEqual(unsigned.outputs);
    expect([signed.version, signed.locktime]).toEqual([unsigned.version, unsigned.locktime]);
    for (const s of vector.inputSpending) {
      expect(signed.inputs[s.given.txinIndex]!.witness.map((w) => hex.encode(w))).toEqual(s.expected.witness);
    }
  });

  const checker = new ScriptChecker(signed, spent);
  spent.forEach((s, i) => {
    const type = s.script[0] === 0x51 ? 'P2TR key path' : s.script[0] === 0x00 ? 'P2WPKH' : 'P2PKH';
    it(`BIP341 keyPathSpending input ${i} (${type}) validates at consensus and standard level`, () => {
      expect(checker.verify(i, 'consensus')).toBeNull();
      expect(checker.verify(i, 'standard')).toBeNull();
    });
  });

  for (const s of vector.inputSpending) {
    const i = s.given.txinIndex;
    it(`BIP341 keyPathSpending input ${i} (hashType 0x${s.given.hashType.toString(16)}): one flipped signature byte fails`, () => {
      const broken = new ScriptChecker(tampered(i, 10), spent);
      expect(broken.verify(i, 'consensus')).toEqual({ code: 'SCRIPT_ERR_SCHNORR_SIG', message: 'Invalid Schnorr signature' });
      // The other inputs commit to the same transaction data, not to this witness: still valid.
      const other = i === 0 ? 1 : 0;
      expect(broken.verify(other, 'consensus')).toBeNull();
    });
  }

  it('an undefined hash type byte (0x04) is SCHNORR_SIG_HASHTYPE', () => {
    const input = vector.inputSpending.find((s) => s.expected.witness[0]!.length === 130)!.given.txinIndex;
    const checker = new ScriptChecker(tampered(input, 64, 0x04), spent);
    expect(checker.verify(input, 'consensus')?.code).toBe('SCRIPT_ERR_SCHNORR_SIG_HASHTYPE');
  });

  it('a different defined hash type (the signature then covers another message) is SCHNORR_SIG', () => {
    const s = vector.inputSpending.find((x) => x.given.hashType === 0x03)!;
    const checker = new ScriptChecker(tampered(s.given.txinIndex, 64, 0x01), spent);
    expect(checker.verify(s.given.txinIndex, 'consensus')?.code).toBe('SCRIPT_ERR_SCHNORR_SIG');
  });

  it('a changed output amount breaks every SIGHASH_ALL/DEFAULT signature', () => {
    const outputs = signed.outputs.map((o, n) => (n === 0 ? { ...o, value: o.value - 1n } : o));
    const changed = decodeTx(encodeTx({ ...signed, outputs }));
    const checker = new ScriptChecker(changed, spent);
    for (const s of vector.inputSpending.filter((x) => [0x00, 0x01, 0x81].includes(x.given.hashType))) {
      expect(checker.verify(s.given.txinIndex, 'consensus')?.code, `input ${s.given.txinIndex}`).toBe('SCRIPT_ERR_SCHNORR_SIG');
    }
  });
});

// Spends built by the wallet's libraries. The outputs they spend are synthetic: a script check needs
// only the transaction and the outputs it spends.
const alice = key(1);
const bob = key(2);
const carol = key(3);
const dest = key(9);
const FAKE_TXID = 'aa'.repeat(32);
const coin = (script: Uint8Array, value = 100_000n): Utxo => ({ txid: FAKE_TXID, vout: 0, value, script });
const pay = [{ script: dest.p2tr, value: 90_000n }];

function check(tx: DecodedTx, prev: Utxo) {
  const checker = new ScriptChecker(tx, [{ script: prev.script, value: prev.value }]);
  return { consensus: checker.verify(0, 'consensus'), standard: checker.verify(0, 'standard') };
}

const multisigLeaf = Script.encode([alice.xonly, 'CHECKSIG', bob.xonly, 'CHECKSIGADD', carol.xonly, 'CHECKSIGADD', 2, 'NUMEQUAL']);
const csvLeaf = Script.encode([10, 'CHECKSEQUENCEVERIFY', 'DROP', alice.xonly, 'CHECKSIG']);
const cltvLeaf = Script.encode([500, 'CHECKLOCKTIMEVERIFY', 'DROP', alice.xonly, 'CHECKSIG']);
const preimage = new Uint8Array(32).fill(0x5a);
const hashlockLeaf = Script.encode(['SHA256', sha256(preimage), 'EQUALVERIFY', bob.xonly, 'CHECKSIG']);
const tree = tapTree(dest.xonly, [multisigLeaf, csvLeaf, cltvLeaf, hashlockLeaf]);
const [multisig, csv, cltv, hashlock] = tree.leaves as [(typeof tree.leaves)[0], (typeof tree.leaves)[0], (typeof tree.leaves)[0], (typeof tree.leaves)[0]];
const treeCoin = coin(tree.script);
const EMPTY = new Uint8Array();

describe('spends signed by @scure/btc-signer, validated by bitcore-lib', () => {
  it('P2TR key path (BIP86 key) is valid', () => {
    const prev = coin(alice.p2tr);
    expect(check(spendKeyPath(alice, [prev], pay), prev)).toEqual({ consensus: null, standard: null });
  });

  it('P2TR key path signed by another key fails with SCHNORR_SIG', () => {
    const prev = coin(alice.p2tr);
    const forged = spendKeyPath(bob, [{ ...prev, script: bob.p2tr }], pay);
    expect(check(forged, prev).consensus?.message).toBe('Invalid Schnorr signature');
  });

  it('P2WPKH (ECDSA, SIGHASH_ALL) is valid', () => {
    const prev = coin(alice.p2wpkh);
    expect(check(spendWpkh(alice, [prev], pay), prev)).toEqual({ consensus: null, standard: null });
  });

  it('P2WPKH with a corrupted DER signature fails (NULLFAIL by policy, EVAL_FALSE by consensus)', () => {
    const prev = coin(alice.p2wpkh);
    const tx = spendWpkh(alice, [prev], pay);
    const sig = Uint8Array.from(tx.inputs[0]!.witness[0]!);
    sig[sig.length - 5]! ^= 0x01;
    const result = check(withWitness(tx, 0, 0, sig), prev);
    expect(result.consensus?.code).toBe('SCRIPT_ERR_EVAL_FALSE');
    expect(result.standard?.code).toBe('SCRIPT_ERR_SIG_NULLFAIL');
  });

  it('P2TR script path: CHECKSIGADD 2-of-3 leaf with alice and carol signing is valid', () => {
    const tx = spendScriptPath(treeCoin, multisig, pay, (sign) => [sign(carol), EMPTY, sign(alice)]);
    expect(check(tx, treeCoin)).toEqual({ consensus: null, standard: null });
  });

  it('P2TR script path: CHECKSIGADD 2-of-3 leaf with one signature fails', () => {
    const tx = spendScriptPath(treeCoin, multisig, pay, (sign) => [EMPTY, EMPTY, sign(alice)]);
    expect(check(tx, treeCoin).consensus?.code).toBe('SCRIPT_ERR_EVAL_FALSE');
  });

  it('P2TR script path: CHECKSIGADD leaf with a wrong signature fails with SCHNORR_SIG', () => {
    const tx = spendScriptPath(treeCoin, multisig, pay, (sign) => [sign(carol), EMPTY, sign(bob)]);
    expect(check(tx, treeCoin).consensus?.code).toBe('SCRIPT_ERR_SCHNORR_SIG');
  });

  it('P2TR script path: CSV leaf (10 blocks) is valid with nSequence 10', () => {
    const tx = spendScriptPath(treeCoin, csv, pay, (sign) => [sign(alice)], { sequence: 10 });
    expect(check(tx, treeCoin)).toEqual({ consensus: null, standard: null });
  });

  it('P2TR script path: CSV leaf with nSequence 9 fails with UNSATISFIED_LOCKTIME', () => {
    const tx = spendScriptPath(treeCoin, csv, pay, (sign) => [sign(alice)], { sequence: 9 });
    expect(check(tx, treeCoin).consensus).toEqual({ code: 'SCRIPT_ERR_UNSATISFIED_LOCKTIME', message: 'Locktime requirement not satisfied' });
  });

  it('P2TR script path: CLTV leaf (height 500) is valid with nLockTime 500 and fails with 499', () => {
    const ok = spendScriptPath(treeCoin, cltv, pay, (sign) => [sign(alice)], { locktime: 500, sequence: 0xfffffffe });
    expect(check(ok, treeCoin).consensus).toBeNull();
    const early = spendScriptPath(treeCoin, cltv, pay, (sign) => [sign(alice)], { locktime: 499, sequence: 0xfffffffe });
    expect(check(early, treeCoin).consensus?.code).toBe('SCRIPT_ERR_UNSATISFIED_LOCKTIME');
  });

  it('P2TR script path: hashlock leaf is valid with the preimage and fails with another', () => {
    const ok = spendScriptPath(treeCoin, hashlock, pay, (sign) => [sign(bob), preimage]);
    expect(check(ok, treeCoin)).toEqual({ consensus: null, standard: null });
    const wrong = spendScriptPath(treeCoin, hashlock, pay, (sign) => [sign(bob), new Uint8Array(32)]);
    expect(check(wrong, treeCoin).consensus?.code).toBe('SCRIPT_ERR_EQUALVERIFY');
  });

  it('P2TR script path with a control block for another leaf fails with WITNESS_PROGRAM_MISMATCH', () => {
    const tx = spendScriptPath(treeCoin, { script: hashlock.script, controlBlock: csv.controlBlock }, pay, (sign) => [sign(bob), preimage]);
    expect(check(tx, treeCoin).consensus?.code).toBe('SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH');
  });

  it('a tapscript leaf using OP_CHECKMULTISIG is refused with TAPSCRIPT_CHECKMULTISIG', () => {
    const leaf = Script.encode([0, alice.xonly, 1, 'CHECKMULTISIG']);
    const t = tapTree(dest.xonly, [leaf]);
    const prev = coin(t.script);
    const tx = spendScriptPath(prev, t.leaves[0]!, pay, () => [EMPTY]);
    expect(check(tx, prev).consensus).toEqual({ code: 'SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG', message: 'OP_CHECKMULTISIG(VERIFY) is not available in tapscript' });
  });

  it('a witness v2 spend is consensus-valid but refused by policy (upgradable witness program)', () => {
    const prev = coin(Uint8Array.from([0x52, 0x20, ...new Uint8Array(32).fill(7)]));
    const spend = decodeTx(encodeTx({ version: 2, locktime: 0, outputs: [{ script: dest.p2tr, value: 90_000n }], inputs: [{ txid: prev.txid, vout: 0, scriptSig: EMPTY, sequence: 0xffffffff, witness: [Uint8Array.of(1)] }] }));
    const result = check(spend, prev);
    expect(result.consensus).toBeNull();
    expect(result.standard).toEqual({ code: 'SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM', message: 'Witness version reserved for soft-fork upgrades' });
  });
});
