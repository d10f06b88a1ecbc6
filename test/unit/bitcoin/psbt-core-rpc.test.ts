// Bitcoin Core's functional-test PSBT data (test/functional/data/rpc_psbt.json): every invalid
// PSBT against our exact error, every error-with-message case against the code and field our
// decoder names for Core's message, every valid PSBT decoded and re-encoded, and the creator,
// signer, combiner, finalizer and extractor cases through this module's API.
import { base64, hex } from '@scure/base';
import { Address, OutScript, TEST_NETWORK, WIF } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { readPsbtMaps } from '../../../core/bitcoin/psbt-fields.js';
import { type SignOutcome, signEcdsaInput } from '../../../core/bitcoin/psbt-sign.js';
import {
  combinePsbts,
  createPsbt,
  decodePsbt,
  encodePsbt,
  encodePsbtBase64,
  extractTransaction,
  finalizePsbt,
  PsbtError,
  summarizePsbt,
} from '../../../core/bitcoin/psbt.js';
import { vectorJson } from '../../support/vectors.js';
import { decodeErrorOf } from '../../support/decode-error.js';

interface CoreData {
  invalid: string[];
  invalid_with_msg: [string, string][];
  valid: string[];
  creator: { inputs: { txid: string; vout: number }[]; outputs: Record<string, number>[]; version: number; result: string }[];
  signer: { privkeys: string[]; psbt: string; result: string }[];
  combiner: { combine: string[]; result: string }[];
  finalizer: { finalize: string; result: string }[];
  extractor: { extract: string; result: string }[];
}

const core = vectorJson<CoreData>('bitcoin-core-rpc_psbt.json');

const decodeError = (psbt: string): DecodeError => decodeErrorOf(() => decodePsbt(psbt), 'decodePsbt');

// [code, fragment of our message] for each entry of "invalid", in file order. Entries 0-17, 28-38
// and 42-62 are the BIP174/370/371 invalid vectors; the rest are Core's own.
const INVALID_EXPECTED: readonly (readonly [string, string])[] = [
  ['PSBT_BAD_MAGIC', 'data does not start with the PSBT magic 70736274ff'],
  ['PSBT_TRUNCATED', 'data ends before output map 0 of 2'],
  ['PSBT_TX_NOT_UNSIGNED', 'PSBT_GLOBAL_UNSIGNED_TX input 0 has a non-empty scriptSig'],
  ['PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_UNSIGNED_TX is required in PSBTv0'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x00'],
  ['PSBT_BAD_KEY', 'global map: PSBT_GLOBAL_UNSIGNED_TX key must be empty'],
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
  // Core's copy of BIP174's case also garbles the value length; the key is rejected first, as in Core.
  ['PSBT_BAD_KEY', 'output 1: PSBT_OUT_WITNESS_SCRIPT key must be empty'],
  ['PSBT_BAD_ENCODING', 'PSBT text is neither hex nor valid base64'],
  ['PSBT_UNSUPPORTED_VERSION', 'PSBT_GLOBAL_VERSION 1 is not supported (0 or 2)'],
  ['PSBT_DUPLICATE_KEY', 'output 0: duplicate key 0x01'],
  ['PSBT_DUPLICATE_KEY', 'output 0: duplicate key 0x00'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x01'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x03'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x04'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x05'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x07'],
  ['PSBT_DUPLICATE_KEY', 'input 0: duplicate key 0x08'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_INTERNAL_KEY must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_KEY_SIG must be 64 or 65 bytes, got 63'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_KEY_SIG must be 64 or 65 bytes, got 66'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_BIP32_DERIVATION must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_VALUE', 'output 1: PSBT_OUT_TAP_INTERNAL_KEY must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_KEY', 'output 1: PSBT_OUT_TAP_BIP32_DERIVATION must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_SCRIPT_SIG key data must be an x-only key and a leaf hash (64 bytes), got 65'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_SCRIPT_SIG must be 64 or 65 bytes, got 66'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_SCRIPT_SIG must be 64 or 65 bytes, got 57'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_LEAF_SCRIPT control block must be 33 + 32m bytes (m <= 128), got 98'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_LEAF_SCRIPT control block must be 33 + 32m bytes (m <= 128), got 96'],
  ['PSBT_UTXO_MISMATCH', 'input 0: PSBT_IN_NON_WITNESS_UTXO hashes to f61b1742ca13176464adb3cb66050c00787bb3a4eead37e985f2df1e37718126'],
  ['PSBT_UTXO_MISMATCH', 'input 0: PSBT_IN_NON_WITNESS_UTXO has no output 33554432'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_LEAF_SCRIPT control block must be 33 + 32m bytes (m <= 128), got 96'],
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2'],
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_TX_VERSION is not allowed in PSBTv0'],
  ['PSBT_BAD_ENCODING', 'PSBT text is neither hex nor valid base64'],
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_INPUT_COUNT is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_OUTPUT_COUNT is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_TX_MODIFIABLE is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'input 0: PSBT_IN_PREVIOUS_TXID is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'input 0: PSBT_IN_OUTPUT_INDEX is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'input 0: PSBT_IN_SEQUENCE is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'input 0: PSBT_IN_REQUIRED_TIME_LOCKTIME is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'input 0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'output 0: PSBT_OUT_AMOUNT is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'output 0: PSBT_OUT_SCRIPT is not allowed in PSBTv0'],
  ['PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_INPUT_COUNT is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_OUTPUT_COUNT is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'input 0: PSBT_IN_PREVIOUS_TXID is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'input 0: PSBT_IN_OUTPUT_INDEX is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'output 0: PSBT_OUT_AMOUNT is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'output 0: PSBT_OUT_SCRIPT is required in PSBTv2'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_REQUIRED_TIME_LOCKTIME must be >= 500000000, got 499999999'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME must be between 1 and 499999999, got 500000000'],
];

// Core's message → [our code, fragment of our message naming the same field and fault].
const WITH_MSG_EXPECTED: Record<string, readonly (readonly [string, string])[]> = {
  'Input Taproot BIP32 keypath has an invalid length': [['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_BIP32_DERIVATION leaf hash count']],
  'Output Taproot tree must not be empty': [['PSBT_BAD_VALUE', 'output 0: PSBT_OUT_TAP_TREE must not be empty']],
  'Size of key was not 34 for the type Input MuSig2 Participants Pubkeys': [
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS key data must be 33 bytes, got 32'],
  ],
  'Input musig2 aggregate pubkey is invalid': [
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS aggregate pubkey is invalid'],
    ['PSBT_BAD_KEY', 'input 5: PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS aggregate pubkey is invalid'],
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS aggregate pubkey is invalid'],
  ],
  'Input musig2 participant pubkey is invalid': [['PSBT_BAD_VALUE', 'input 0: PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS participant pubkey 0 is invalid']],
  'Input musig2 participants pubkeys value size is not a multiple of 33': [
    ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS value size is not a multiple of 33, got 4'],
  ],
  'Size of key was not 34 for the type Output MuSig2 Participants Pubkeys': [
    ['PSBT_BAD_KEY', 'output 0: PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS key data must be 33 bytes, got 32'],
  ],
  'Output musig2 participant pubkey is invalid': [['PSBT_BAD_VALUE', 'output 0: PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS participant pubkey 0 is invalid']],
  'Input musig2 pubnonce key is not expected size': [
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PUB_NONCE key data must be 66 or 98 bytes, got 65'],
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PUB_NONCE key data must be 66 or 98 bytes, got 65'],
  ],
  'Input musig2 pubnonce value is not 66 bytes': [['PSBT_BAD_VALUE', 'input 0: PSBT_IN_MUSIG2_PUB_NONCE must be 66 bytes, got 65']],
  'Input musig2 partial sig key is not expected size': [
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PARTIAL_SIG key data must be 66 or 98 bytes, got 97'],
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PARTIAL_SIG key data must be 66 or 98 bytes, got 97'],
  ],
  'Size of value was not the stated size': [['PSBT_BAD_VALUE', 'input 0: PSBT_IN_MUSIG2_PARTIAL_SIG must be 32 bytes, got 31']],
  'musig2 participant pubkey is invalid': [
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PUB_NONCE participant pubkey is invalid'],
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PARTIAL_SIG participant pubkey is invalid'],
  ],
  'musig2 aggregate pubkey is invalid': [
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PUB_NONCE aggregate pubkey is invalid'],
    ['PSBT_BAD_KEY', 'input 0: PSBT_IN_MUSIG2_PARTIAL_SIG aggregate pubkey is invalid'],
  ],
  'PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2': [['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2']],
  'PSBT_GLOBAL_TX_VERSION is required in PSBTv2': [['PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_TX_VERSION is required in PSBTv2']],
  'Required height based locktime is invalid (0)': [
    ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME must be between 1 and 499999999, got 0'],
  ],
};

/** Each map's records as sorted "key=value" hex strings: equality regardless of record order. */
function recordsPerMap(bytes: Uint8Array): string[][] {
  const maps = readPsbtMaps(bytes);
  return [maps.global, ...maps.inputs, ...maps.outputs].map((records) =>
    records.map((r) => `${r.keyType.toString(16)}${hex.encode(r.keyData)}=${hex.encode(r.value)}`).sort(),
  );
}

describe('Bitcoin Core rpc_psbt.json: invalid', () => {
  it('holds 63 invalid PSBTs', () => expect(core.invalid).toHaveLength(INVALID_EXPECTED.length));
  core.invalid.forEach((psbt, i) => {
    const [code, fragment] = INVALID_EXPECTED[i]!;
    it(`Core invalid ${i}: ${code} (${fragment})`, () => {
      const err = decodeError(psbt);
      expect(err.code).toBe(code);
      expect(err.message).toContain(fragment);
    });
  });
});

describe('Bitcoin Core rpc_psbt.json: invalid_with_msg', () => {
  it('holds 23 cases, all with a message mapped here', () => {
    expect(core.invalid_with_msg).toHaveLength(23);
    expect(core.invalid_with_msg.reduce((n, [, msg]) => n + (WITH_MSG_EXPECTED[msg] ? 1 : 0), 0)).toBe(23);
  });
  const seen: Record<string, number> = {};
  core.invalid_with_msg.forEach(([psbt, msg], i) => {
    const n = (seen[msg] = (seen[msg] ?? -1) + 1);
    const [code, fragment] = WITH_MSG_EXPECTED[msg]![n]!;
    it(`Core invalid_with_msg ${i}: "${msg}" → ${code}`, () => {
      const err = decodeError(psbt);
      expect(err.code).toBe(code);
      expect(err.message).toContain(fragment);
    });
  });
});

describe('Bitcoin Core rpc_psbt.json: valid', () => {
  it('holds 48 valid PSBTs', () => expect(core.valid).toHaveLength(48));
  core.valid.forEach((psbt, i) => {
    it(`Core valid ${i}: decodes, keeps every record, re-encodes`, () => {
      const bytes = base64.decode(psbt);
      const decoded = decodePsbt(psbt);
      const again = encodePsbt(decoded);
      if (i === 6) {
        // The only non-byte-exact case: an explicit PSBT_GLOBAL_VERSION 0 (written before the
        // unsigned tx), which means the same as its absence; btc-signer omits it when encoding v0.
        expect(hex.encode(bytes)).toContain('01fb0400000000');
        expect(hex.encode(again)).toBe(hex.encode(bytes).replace('01fb0400000000', ''));
      } else {
        expect(base64.encode(again)).toBe(psbt);
      }
      // Newer fields (MuSig2, silent payments, …) do not trip the summary either.
      const summary = summarizePsbt(decoded);
      expect(summary.inputs).toHaveLength(decoded.inputsLength);
      expect(summary.outputs).toHaveLength(decoded.outputsLength);
    });
  });
});

describe('Bitcoin Core rpc_psbt.json: roles', () => {
  it('Core creator 0: createpsbt of two outpoints and two bech32 outputs', () => {
    const [c] = core.creator;
    const regtest = { ...TEST_NETWORK, bech32: 'bcrt' };
    const outputs = c!.outputs.flatMap((o) =>
      Object.entries(o).map(([address, btc]) => ({ script: OutScript.encode(Address(regtest).decode(address)), amount: BigInt(Math.round(btc * 1e8)) })),
    );
    const psbt = createPsbt({ inputs: c!.inputs, outputs, psbtVersion: c!.version === 2 ? 2 : 0 });
    expect(encodePsbtBase64(psbt)).toBe(c!.result);
  });

  // Per signer case: the outcome of signing each input with each key, in key-major order. Core's
  // signer leaves inputs it must not sign untouched; ours reports why (psbt-check issue codes).
  const SIGNER_OUTCOMES: readonly (readonly string[])[] = [
    ['signed', 'not-our-key', 'not-our-key', 'signed'],
    ['signed', 'not-our-key', 'not-our-key', 'signed'],
    ['refused:WITNESS_UTXO_FOR_NON_WITNESS_INPUT', 'not-our-key'],
    ['refused:REDEEM_SCRIPT_MISMATCH', 'not-our-key', 'refused:REDEEM_SCRIPT_MISMATCH', 'already-signed'],
    ['already-signed', 'refused:REDEEM_SCRIPT_MISMATCH', 'not-our-key', 'refused:REDEEM_SCRIPT_MISMATCH'],
    ['already-signed', 'refused:WITNESS_SCRIPT_MISMATCH', 'not-our-key', 'refused:WITNESS_SCRIPT_MISMATCH'],
  ];
  core.signer.forEach((c, n) => {
    it(`Core signer ${n}: ${c.privkeys.length} key(s) over every input give Core's PSBT (low-R signatures)`, () => {
      const psbt = decodePsbt(c.psbt);
      const outcomes: string[] = [];
      for (const wif of c.privkeys) {
        const key = WIF(TEST_NETWORK).decode(wif);
        for (let i = 0; i < psbt.inputsLength; i++) {
          try {
            outcomes.push(signEcdsaInput(psbt, i, key) satisfies SignOutcome);
          } catch (err) {
            expect(err).toBeInstanceOf(PsbtError);
            expect((err as PsbtError).code).toBe('PSBT_SIGN_REFUSED');
            outcomes.push(`refused:${/: ([A-Z_]+): /.exec((err as PsbtError).message)![1]}`);
          }
        }
      }
      expect(outcomes).toEqual(SIGNER_OUTCOMES[n]);
      expect(encodePsbtBase64(psbt)).toBe(c.result);
    });
  });

  it('Core combiner 0: same records as Core (Core orders partial signatures by key hash)', () => {
    const [c] = core.combiner;
    const combined = encodePsbt(combinePsbts(c!.combine.map((p) => decodePsbt(p))));
    expect(recordsPerMap(combined)).toEqual(recordsPerMap(base64.decode(c!.result)));
    expect(combined).toHaveLength(base64.decode(c!.result).length);
  });

  it('Core finalizer 0', () => {
    const [c] = core.finalizer;
    const psbt = decodePsbt(c!.finalize);
    finalizePsbt(psbt);
    expect(encodePsbtBase64(psbt)).toBe(c!.result);
  });

  it('Core extractor 0', () => {
    const [c] = core.extractor;
    expect(hex.encode(extractTransaction(decodePsbt(c!.extract)))).toBe(c!.result);
  });
});
