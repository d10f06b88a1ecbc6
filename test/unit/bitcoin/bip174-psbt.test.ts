// BIP174 test vectors (v0 PSBTs): every invalid encoding against its exact error, every valid one
// decoded from bytes, hex and base64 and re-encoded byte for byte, the "Fails Signer checks" cases
// against the signer's refusal, and the role walkthrough (Creator → Updater → Signer → Combiner →
// Finalizer → Extractor, plus the unknown-key Combiner) through this module's API.
import { HDKey } from '@scure/bip32';
import { base64, hex } from '@scure/base';
import { RawTx, TEST_NETWORK, Transaction, WIF } from '@scure/btc-signer';
import { sha256x2 } from '@scure/btc-signer/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { checkPsbtInputs } from '../../../core/bitcoin/psbt-check.js';
import { readPsbtMaps } from '../../../core/bitcoin/psbt-fields.js';
import { signEcdsaInput } from '../../../core/bitcoin/psbt-sign.js';
import {
  combinePsbts,
  createPsbt,
  decodePsbt,
  encodePsbt,
  extractTransaction,
  finalizePsbt,
  PsbtError,
  summarizePsbt,
  updatePsbtInput,
  updatePsbtOutput,
} from '../../../core/bitcoin/psbt.js';
import { vectorText } from '../../support/vectors.js';
import { psbtCases, walkthroughEncodings } from './bip174-mediawiki-vectors.js';

const cases = psbtCases('bip174.txt');
const invalid = cases.filter((c) => c.section === 'The following are invalid PSBTs');
const valid = cases.filter((c) => c.section === 'The following are valid PSBTs');
const signerChecks = cases.filter((c) => c.section === 'Fails Signer checks');

function expectDecodeError(input: string | Uint8Array, code: string, fragment: string): void {
  try {
    decodePsbt(input);
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe(code);
    expect((err as DecodeError).message).toContain(fragment);
    return;
  }
  expect.fail('decodePsbt accepted an invalid PSBT');
}

// [code, fragment of the message] per invalid case, in the BIP's order.
const INVALID_EXPECTED: readonly (readonly [string, string])[] = [
  ['PSBT_BAD_MAGIC', 'does not start with the PSBT magic'],
  ['PSBT_TRUNCATED', 'data ends before output map 0 of 2'],
  ['PSBT_TX_NOT_UNSIGNED', 'PSBT_GLOBAL_UNSIGNED_TX input 0 has a non-empty scriptSig'],
  ['PSBT_MISSING_FIELD', 'PSBT_GLOBAL_UNSIGNED_TX is required in PSBTv0'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x00'],
  ['PSBT_BAD_KEY', 'PSBT_GLOBAL_UNSIGNED_TX key must be empty'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_WITNESS_UTXO key must be empty'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_PARTIAL_SIG must be 33 or 65 bytes, got 32'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_REDEEM_SCRIPT key must be empty'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_WITNESS_SCRIPT key must be empty'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_BIP32_DERIVATION must be 33 or 65 bytes, got 32'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_NON_WITNESS_UTXO key must be empty'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_FINAL_SCRIPTSIG key must be empty'],
  ['PSBT_BAD_KEY', 'input 1: PSBT_IN_FINAL_SCRIPTWITNESS key must be empty'],
  ['PSBT_BAD_KEY', 'output 0: PSBT_OUT_BIP32_DERIVATION must be 33 or 65 bytes, got 32'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_SIGHASH_TYPE key must be empty'],
  ['PSBT_BAD_KEY', 'output 0: PSBT_OUT_REDEEM_SCRIPT key must be empty'],
  ['PSBT_BAD_KEY', 'output 1: PSBT_OUT_WITNESS_SCRIPT key must be empty'],
  ['PSBT_TX_NOT_UNSIGNED', 'PSBT_GLOBAL_UNSIGNED_TX uses the witness serialization'],
  ['PSBT_BAD_VALUE', 'PSBT_GLOBAL_UNSIGNED_TX does not parse'],
];

// Facts a reviewer would read off each valid PSBT: per input [script type, status, UTXO kind], the
// outputs' script types, and the fee (null when an input's amount is unknown).
const VALID_EXPECTED: readonly {
  inputs: readonly (readonly [string | null, string, string])[];
  outputs: readonly string[];
  fee: bigint | null;
  lockTime: number;
}[] = [
  { inputs: [['p2pkh', 'unsigned', 'non-witness']], outputs: ['p2pkh', 'p2sh'], fee: 301n, lockTime: 1257139 },
  { inputs: [[null, 'finalized', 'none'], ['p2sh-p2wpkh', 'unsigned', 'witness']], outputs: ['p2pkh', 'p2pkh'], fee: null, lockTime: 0 },
  { inputs: [['p2pkh', 'unsigned', 'non-witness']], outputs: ['p2pkh', 'p2sh'], fee: 301n, lockTime: 1257139 },
  { inputs: [['p2pkh', 'unsigned', 'non-witness'], ['p2sh-p2wpkh', 'unsigned', 'witness']], outputs: ['p2pkh', 'p2pkh'], fee: 90341n, lockTime: 0 },
  { inputs: [['p2sh-p2wsh', 'signed', 'witness']], outputs: ['p2pkh'], fee: 1013n, lockTime: 0 },
  { inputs: [['p2wsh', 'unsigned', 'witness']], outputs: ['p2wpkh'], fee: 10000n, lockTime: 0 },
  { inputs: [[null, 'unsigned', 'none']], outputs: ['op_return'], fee: null, lockTime: 0 },
  { inputs: [['p2wpkh', 'signed', 'witness'], ['p2wpkh', 'signed', 'witness']], outputs: ['p2pkh', 'p2wpkh'], fee: 100000n, lockTime: 0 },
  { inputs: [], outputs: [], fee: 0n, lockTime: 0 },
  { inputs: [], outputs: ['p2pkh', 'p2sh'], fee: -199999699n, lockTime: 1257139 },
];

describe('BIP174 invalid PSBTs', () => {
  it('the BIP lists 20 invalid cases', () => expect(invalid).toHaveLength(INVALID_EXPECTED.length));
  invalid.forEach((c, i) => {
    const [code, fragment] = INVALID_EXPECTED[i]!;
    it(`BIP174 invalid ${i + 1}: ${c.name} → ${code}`, () => {
      expect(base64.encode(hex.decode(c.hex))).toBe(c.base64);
      expectDecodeError(c.base64, code, fragment);
      expectDecodeError(c.hex, code, fragment);
      expectDecodeError(hex.decode(c.hex), code, fragment);
    });
  });
});

describe('BIP174 valid PSBTs', () => {
  it('the BIP lists 10 valid cases', () => expect(valid).toHaveLength(VALID_EXPECTED.length));
  valid.forEach((c, i) => {
    it(`BIP174 valid ${i + 1}: ${c.name}`, () => {
      const bytes = hex.decode(c.hex);
      expect(base64.encode(bytes)).toBe(c.base64);
      for (const input of [c.base64, c.hex, bytes]) expect(hex.encode(encodePsbt(decodePsbt(input)))).toBe(c.hex);
      const summary = summarizePsbt(decodePsbt(bytes));
      const expected = VALID_EXPECTED[i]!;
      expect(summary.psbtVersion).toBe(0);
      expect(summary.lockTime).toBe(expected.lockTime);
      expect(summary.inputs.map((x) => [x.scriptType, x.status, x.utxo])).toEqual(expected.inputs);
      expect(summary.outputs.map((x) => x.scriptType)).toEqual(expected.outputs);
      expect(summary.fee).toBe(expected.fee);
      // The txid of the unsigned transaction, recomputed from the global map.
      const unsigned = decodePsbt(bytes).unsignedTx;
      expect(summary.unsignedTxid).toBe(hex.encode(sha256x2(unsigned).reverse()));
    });
  });

  it('BIP174 valid 7 keeps its unknown input record (key type 0xf0 with key data) through a round trip', () => {
    const c = valid[6]!;
    expect(c.name).toBe('PSBT with unknown types in the inputs.');
    const [record] = readPsbtMaps(encodePsbt(decodePsbt(c.hex))).inputs[0]!;
    expect(record!.keyType).toBe(0xf0);
    expect(hex.encode(record!.keyData)).toBe('010203040506070809');
    expect(hex.encode(record!.value)).toBe('0102030405060708090a0b0c0d0e0f');
  });

  it('BIP174 valid 8 carries a PSBT_GLOBAL_XPUB of depth 3 with origin 27569c50/49h/0h/0h', () => {
    const xpubs = readPsbtMaps(encodePsbt(decodePsbt(valid[7]!.hex))).global.filter((r) => r.keyType === 0x01);
    expect(xpubs).toHaveLength(1);
    expect(xpubs[0]!.keyData).toHaveLength(78);
    expect(xpubs[0]!.keyData[4]).toBe(3);
    expect(hex.encode(xpubs[0]!.value)).toBe('27569c50310000800000008000000080');
    expect(summarizePsbt(decodePsbt(valid[7]!.hex)).inputs.map((i) => i.derivations[0])).toEqual([
      { pubkey: '03309680f33c7de38ea6a47cd4ecd66f1f5a49747c6ffb8808ed09039243e3ad5c', fingerprint: '27569c50', path: "m/49'/0'/0'/0/1" },
      { pubkey: '02c777161f73d0b7c72b9ee7bde650293d13f095bc7656ad1f525da5fd2e10b110', fingerprint: '27569c50', path: "m/49'/0'/0'/0/0" },
    ]);
  });
});

describe('BIP174 "Fails Signer checks"', () => {
  const expected = [
    { input: 0, code: 'WITNESS_UTXO_FOR_NON_WITNESS_INPUT' },
    { input: 0, code: 'REDEEM_SCRIPT_MISMATCH' },
    { input: 1, code: 'REDEEM_SCRIPT_MISMATCH' },
    { input: 1, code: 'WITNESS_SCRIPT_MISMATCH' },
  ];
  it('the BIP lists 4 signer-check cases', () => expect(signerChecks).toHaveLength(4));
  signerChecks.forEach((c, i) => {
    const { input, code } = expected[i]!;
    it(`BIP174 signer check ${i + 1}: ${c.name} → ${code} on input ${input}`, () => {
      const psbt = decodePsbt(c.base64);
      expect(hex.encode(encodePsbt(psbt))).toBe(c.hex);
      const issues = checkPsbtInputs(psbt).filter((x) => x.input === input);
      expect(issues.map((x) => x.code)).toContain(code);
      let refused: unknown;
      try {
        signEcdsaInput(psbt, input, new Uint8Array(32).fill(1));
      } catch (err) {
        refused = err;
      }
      expect(refused).toBeInstanceOf(PsbtError);
      expect((refused as PsbtError).code).toBe('PSBT_SIGN_REFUSED');
      expect((refused as PsbtError).message).toContain(code);
    });
  });
});

describe('BIP174 role walkthrough', () => {
  const text = vectorText('bip174.txt');
  const steps = walkthroughEncodings('bip174.txt', 'The private keys in the tests below');
  const [creator, updater, updaterSighash, signer1, signer2, combiner, finalizer, extractor, unknownA, unknownB, unknownCombined] = steps;
  const tt = (re: RegExp) => [...text.matchAll(re)].map((m) => m.slice(1));
  const master = HDKey.fromExtendedKey(/<pre>(tprv[1-9A-HJ-NP-Za-km-z]+)<\/pre>/.exec(text)![1]!, { private: 0x04358394, public: 0x043587cf });

  it('has the 11 encodings of the walkthrough', () => {
    expect(steps).toHaveLength(11);
    expect(master.fingerprint.toString(16)).toBe('d90c6a4f');
  });

  const created = () => {
    const outputs = tt(/\* scriptPubKey: <tt>([0-9a-f]+)<\/tt>, Amount: <tt>([0-9.]+)<\/tt>/g).map(([script, btc]) => ({
      script: hex.decode(script!),
      amount: BigInt(Math.round(Number(btc) * 1e8)),
    }));
    const inputs = tt(/\* TXID: <tt>([0-9a-f]{64})<\/tt>, Index: <tt>(\d+)<\/tt>/g).map(([txid, vout]) => ({ txid: txid!, vout: Number(vout) }));
    return createPsbt({ inputs, outputs });
  };

  const updated = () => {
    const psbt = created();
    const [multisigRedeem, p2wshRedeem] = tt(/^\*\* <tt>(5221[0-9a-f]+52ae|0020[0-9a-f]{64})<\/tt>$/gm).map(([s]) => hex.decode(s!));
    const [witnessScript] = tt(/Witness Scripts:\n\*\* <tt>([0-9a-f]+)<\/tt>/g).map(([s]) => hex.decode(s!));
    const prevTxs = tt(/^\*\* <pre>(02000000[0-9a-f]+)<\/pre>$/gm).map(([s]) => hex.decode(s!));
    const keys = tt(/Key: <tt>([0-9a-f]{66})<\/tt>, Derivation Path: <tt>([^<]+)<\/tt>/g).map(([pub, path]) => ({ pub: hex.decode(pub!), path: path! }));
    const txidOf = (raw: Uint8Array) => {
      const tx = RawTx.decode(raw);
      return hex.encode(sha256x2(RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined })).reverse());
    };
    // Input 0 spends the legacy P2SH multisig (full previous transaction), input 1 the P2SH-P2WSH.
    const legacyPrev = prevTxs.find((raw) => txidOf(raw) === '75ddabb27b8845f5247975c8a5ba7c6f336c4570708ebe230caf6db5217ae858')!;
    const segwitPrev = prevTxs.find((raw) => txidOf(raw) === '1dea7cd05979072a3578cab271c02244ea8a090bbb46aa680a65ecd027048d83')!;
    const bip32 = (i: number): [Uint8Array, { fingerprint: number; path: number[] }] => [
      keys[i]!.pub,
      { fingerprint: master.fingerprint, path: pathIndexes(keys[i]!.path) },
    ];
    updatePsbtInput(psbt, 0, { nonWitnessUtxo: legacyPrev, redeemScript: multisigRedeem!, bip32Derivation: [bip32(0), bip32(1)] });
    updatePsbtInput(psbt, 1, {
      witnessUtxo: RawTx.decode(segwitPrev).outputs[1]!,
      redeemScript: p2wshRedeem!,
      witnessScript: witnessScript!,
      bip32Derivation: [bip32(2), bip32(3)],
    });
    updatePsbtOutput(psbt, 0, { bip32Derivation: [bip32(4)] });
    updatePsbtOutput(psbt, 1, { bip32Derivation: [bip32(5)] });
    // Each public key is the one derived from the master key at its path.
    for (const k of keys) expect(hex.encode(master.derive(k.path).publicKey!)).toBe(hex.encode(k.pub));
    return psbt;
  };

  const withSighash = () => {
    const psbt = updated();
    updatePsbtInput(psbt, 0, { sighashType: 1 });
    updatePsbtInput(psbt, 1, { sighashType: 1 });
    return psbt;
  };

  // BIP174's signers use plain RFC6979: signer 2's input-0 signature has a 33-byte R, which
  // Core-style low-R grinding would never produce.
  const signedWith = (wifs: string[]) => {
    const psbt = withSighash();
    for (const wif of wifs) {
      const key = WIF(TEST_NETWORK).decode(wif);
      const outcomes = [0, 1].map((i) => signEcdsaInput(psbt, i, key, { grindLowR: false }));
      expect(outcomes.filter((o) => o === 'signed')).toHaveLength(1);
    }
    return psbt;
  };
  const signerKeys = (heading: string) =>
    tt(new RegExp(`${heading}[^\\n]*\\n((?:\\* <tt>[^\\n]+\\n)+)`, 'g')).flatMap(([block]) => [...block!.matchAll(/<tt>(c[1-9A-HJ-NP-Za-km-z]{51})<\/tt>/g)].map((m) => m[1]!));

  it('Creator: two inputs, two outputs, empty maps', () => {
    expect(hex.encode(encodePsbt(created()))).toBe(creator!.hex);
  });

  it('Updater: UTXOs, redeem/witness scripts and BIP32 derivations', () => {
    expect(hex.encode(encodePsbt(updated()))).toBe(updater!.hex);
  });

  it('Updater: SIGHASH_ALL on both inputs', () => {
    expect(hex.encode(encodePsbt(withSighash()))).toBe(updaterSighash!.hex);
  });

  it('Signer 1 (keys m/0h/0h/0h, m/0h/0h/2h): one RFC6979 signature per input', () => {
    const keys = signerKeys('a signer that supports SIGHASH_ALL');
    expect(keys).toHaveLength(2);
    expect(hex.encode(encodePsbt(signedWith(keys)))).toBe(signer1!.hex);
  });

  it('Signer 2 (keys m/0h/0h/1h, m/0h/0h/3h)', () => {
    const keys = signerKeys('a signer with the following keys');
    expect(keys).toHaveLength(2);
    expect(hex.encode(encodePsbt(signedWith(keys)))).toBe(signer2!.hex);
  });

  it('Combiner: both signers\' PSBTs (same records; partial signatures in key order)', () => {
    const combined = encodePsbt(combinePsbts([decodePsbt(signer1!.hex), decodePsbt(signer2!.hex)]));
    // BIP174 leaves key order within a map free. The BIP's combiner lists input 1's partial
    // signatures in Bitcoin Core's order (by HASH160 of the key); btc-signer sorts by key bytes.
    expect(recordsPerMap(combined)).toEqual(recordsPerMap(hex.decode(combiner!.hex)));
    expect(combined).toHaveLength(hex.decode(combiner!.hex).length);
  });

  it('Input Finalizer: final scriptSig / witness, signing data removed', () => {
    const psbt = decodePsbt(combiner!.hex);
    finalizePsbt(psbt);
    expect(hex.encode(encodePsbt(psbt))).toBe(finalizer!.hex);
    expect(summarizePsbt(psbt).finalized).toBe(true);
  });

  it('Transaction Extractor: the network transaction', () => {
    expect(hex.encode(extractTransaction(decodePsbt(finalizer!.hex)))).toBe(extractor!.hex);
    expect(extractor!.base64).toBeNull();
    expect(() => extractTransaction(decodePsbt(combiner!.hex))).toThrow(PsbtError);
  });

  it('Combiner with unknown key-value pairs orders keys lexicographically', () => {
    const combined = combinePsbts([decodePsbt(unknownA!.base64!), decodePsbt(unknownB!.base64!)]);
    expect(hex.encode(encodePsbt(combined))).toBe(unknownCombined!.hex);
    expect(base64.encode(encodePsbt(combined))).toBe(unknownCombined!.base64);
  });

  it('Combiner refuses PSBTs of different transactions', () => {
    let err: unknown;
    try {
      combinePsbts([decodePsbt(creator!.hex), decodePsbt(unknownA!.hex)]);
    } catch (e) {
      err = e;
    }
    expect((err as PsbtError).code).toBe('PSBT_COMBINE_MISMATCH');
  });

  it('the walkthrough\'s unsigned transaction is unchanged by every role', () => {
    const ids = [creator, updater, updaterSighash, signer1, signer2, combiner, finalizer].map((s) => decodePsbt(s!.hex).unsignedTx);
    for (const id of ids) expect(hex.encode(id)).toBe(hex.encode(ids[0]!));
    expect(Transaction.fromRaw(hex.decode(extractor!.hex)).outputsLength).toBe(2);
  });
});

function pathIndexes(path: string): number[] {
  return path
    .split('/')
    .slice(1)
    .map((p) => (p.endsWith("'") ? Number(p.slice(0, -1)) + 0x80000000 : Number(p)));
}

/** Each map's records as sorted "key=value" hex strings: equality regardless of record order. */
function recordsPerMap(bytes: Uint8Array): string[][] {
  const maps = readPsbtMaps(bytes);
  return [maps.global, ...maps.inputs, ...maps.outputs].map((records) =>
    records.map((r) => `${r.keyType.toString(16)}${hex.encode(r.keyData)}=${hex.encode(r.value)}`).sort(),
  );
}
