// BIP370 test vectors (PSBTv2): every invalid encoding against its exact error, every valid one
// decoded and re-encoded byte for byte with its v2 fields read back, and every "Determining Lock
// Time" case against the nLockTime it must produce (or the conflict it must report).
import { base64, hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { readPsbtMaps } from '../../../core/bitcoin/psbt-fields.js';
import { createPsbt, decodePsbt, encodePsbt, summarizePsbt } from '../../../core/bitcoin/psbt.js';
import { psbtCases, UNTITLED } from './bip174-mediawiki-vectors.js';
import { decodeErrorOf } from '../../support/decode-error.js';

const cases = psbtCases('bip370.txt');
const invalid = cases.filter((c) => c.section === 'The following are invalid PSBTs');
const valid = cases.filter((c) => c.section === 'The following are valid PSBTs');
const timelock = cases.filter((c) => c.section.startsWith('The timelock for the following PSBTs should be computed to be'));
const noTimelock = cases.filter((c) => c.section === 'The timelock for the following PSBTs cannot be computed');

const decodeError = (input: string | Uint8Array): DecodeError => decodeErrorOf(() => decodePsbt(input), 'decodePsbt');

const INVALID_EXPECTED: readonly (readonly [string, string])[] = [
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2'],
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_TX_VERSION is not allowed in PSBTv0'],
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_FALLBACK_LOCKTIME is not allowed in PSBTv0'],
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
  ['PSBT_FIELD_NOT_ALLOWED', 'global map: PSBT_GLOBAL_UNSIGNED_TX is not allowed in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_INPUT_COUNT is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_OUTPUT_COUNT is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_TX_VERSION is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'input 0: PSBT_IN_PREVIOUS_TXID is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'input 0: PSBT_IN_OUTPUT_INDEX is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'output 0: PSBT_OUT_AMOUNT is required in PSBTv2'],
  ['PSBT_MISSING_FIELD', 'output 0: PSBT_OUT_SCRIPT is required in PSBTv2'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_REQUIRED_TIME_LOCKTIME must be >= 500000000, got 499999999'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME must be between 1 and 499999999, got 500000000'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_REQUIRED_HEIGHT_LOCKTIME must be between 1 and 499999999, got 0'],
];

// PSBT_GLOBAL_TX_MODIFIABLE as stated in each valid case's title (undefined: field absent), and
// the input's nSequence (PSBT_IN_SEQUENCE, 0xffffffff when absent).
const VALID_EXPECTED: readonly { modifiable?: number; sequence: number; lockTime: number; utxo: boolean }[] = [
  { sequence: 0xffffffff, lockTime: 0, utxo: false },
  { sequence: 0xffffffff, lockTime: 0, utxo: true },
  { sequence: 0xfffffffe, lockTime: 0, utxo: true },
  { sequence: 0xfffffffe, lockTime: 10000, utxo: true },
  { modifiable: 0b001, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b010, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b100, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b1000, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b011, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b101, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b110, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b111, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0xff, sequence: 0xffffffff, lockTime: 0, utxo: true },
  { modifiable: 0b111, sequence: 0xfffffffe, lockTime: 10000, utxo: true },
];

describe('BIP370 invalid PSBTs', () => {
  it('the BIP lists 24 invalid cases', () => expect(invalid).toHaveLength(INVALID_EXPECTED.length));
  invalid.forEach((c, i) => {
    const [code, fragment] = INVALID_EXPECTED[i]!;
    it(`BIP370 invalid ${i + 1}: ${c.name} → ${code}`, () => {
      expect(base64.encode(hex.decode(c.hex))).toBe(c.base64);
      for (const input of [c.base64, c.hex, hex.decode(c.hex)]) {
        const err = decodeError(input);
        expect(err.code).toBe(code);
        expect(err.message).toContain(fragment);
      }
    });
  });
});

describe('BIP370 valid PSBTs', () => {
  it('the BIP lists 14 valid cases', () => expect(valid).toHaveLength(VALID_EXPECTED.length));
  valid.forEach((c, i) => {
    const expected = VALID_EXPECTED[i]!;
    it(`BIP370 valid ${i + 1}: ${c.name}`, () => {
      const bytes = hex.decode(c.hex);
      expect(base64.encode(bytes)).toBe(c.base64);
      const psbt = decodePsbt(c.base64);
      expect(hex.encode(encodePsbt(psbt))).toBe(c.hex);
      const maps = readPsbtMaps(bytes);
      expect(maps.version).toBe(2);
      const modifiable = maps.global.find((r) => r.keyType === 0x06)?.value[0];
      expect(modifiable).toBe(expected.modifiable);
      const summary = summarizePsbt(psbt);
      expect(summary.psbtVersion).toBe(2);
      expect(summary.txVersion).toBe(2);
      expect(summary.lockTime).toBe(expected.lockTime);
      expect(summary.inputs).toHaveLength(1);
      expect(summary.outputs).toHaveLength(2);
      expect(summary.inputs[0]!.sequence).toBe(expected.sequence);
      expect(summary.inputs[0]!.prevout).toEqual({ txid: 'c85f81844094f9f0eec1e41f8d63e0a99e9f73dc725d7319871c9c4121d90a0b', vout: 0 });
      expect(summary.inputs[0]!.amount).toBe(expected.utxo ? 999999000n : null);
    });
  });
});

describe('BIP370 determining lock time', () => {
  it('the BIP lists 9 computable and 1 conflicting case (one printed without a title)', () => {
    expect(timelock).toHaveLength(9);
    expect(noTimelock).toHaveLength(1);
    expect(timelock.filter((c) => c.name === UNTITLED)).toHaveLength(1);
  });
  timelock.forEach((c, i) => {
    const expected = Number(/computed to be (\d+)/.exec(c.section)![1]);
    it(`BIP370 timelock ${i + 1}: ${c.name} → nLockTime ${expected}`, () => {
      const psbt = decodePsbt(c.base64);
      expect(hex.encode(encodePsbt(psbt))).toBe(c.hex);
      expect(summarizePsbt(psbt).lockTime).toBe(expected);
      expect(psbt.lockTime).toBe(expected);
    });
  });
  it('BIP370 timelock untitled case: input 1 has no locktime fields, input 2 requires time 1657048460', () => {
    const maps = readPsbtMaps(hex.decode(timelock.find((c) => c.name === UNTITLED)!.hex));
    expect(maps.inputs[0]!.some((r) => r.keyType === 0x11 || r.keyType === 0x12)).toBe(false);
    expect(hex.encode(maps.inputs[1]!.find((r) => r.keyType === 0x11)!.value)).toBe('8c8dc462');
  });
  noTimelock.forEach((c, i) => {
    it(`BIP370 timelock conflict ${i + 1}: ${c.name} → PSBT_LOCKTIME_CONFLICT`, () => {
      expect(base64.encode(hex.decode(c.hex))).toBe(c.base64);
      const err = decodeError(c.base64);
      expect(err.code).toBe('PSBT_LOCKTIME_CONFLICT');
      expect(err.message).toContain('both a height-based and a time-based locktime');
    });
  });
});

describe('BIP370 Creator', () => {
  it('writes and reads back a 3-byte PSBT_GLOBAL_INPUT_COUNT (253 inputs)', () => {
    const inputs = Array.from({ length: 253 }, (_, i) => ({ txid: i.toString(16).padStart(64, '0'), vout: i }));
    const psbt = createPsbt({ psbtVersion: 2, inputs, outputs: [{ script: hex.decode('0014c430f64c4756da310dbd1a085572ef299926272c'), amount: 1000n }] });
    const maps = readPsbtMaps(encodePsbt(psbt));
    expect(hex.encode(maps.global.find((r) => r.keyType === 0x04)!.value)).toBe('fdfd00');
    expect(maps.inputs).toHaveLength(253);
    expect(decodePsbt(encodePsbt(psbt)).inputsLength).toBe(253);
  });

  it('creates a v2 PSBT whose inputs and outputs read back through the summary', () => {
    const psbt = createPsbt({
      psbtVersion: 2,
      lockTime: 800_000,
      inputs: [{ txid: 'c85f81844094f9f0eec1e41f8d63e0a99e9f73dc725d7319871c9c4121d90a0b', vout: 3, sequence: 0xfffffffd }],
      outputs: [{ script: hex.decode('0014c430f64c4756da310dbd1a085572ef299926272c'), amount: 1000n }],
    });
    const maps = readPsbtMaps(encodePsbt(psbt));
    expect(maps.version).toBe(2);
    expect(hex.encode(maps.global.find((r) => r.keyType === 0x03)!.value)).toBe('00350c00');
    const summary = summarizePsbt(decodePsbt(encodePsbt(psbt)));
    expect(summary.inputs[0]).toMatchObject({ prevout: { txid: 'c85f81844094f9f0eec1e41f8d63e0a99e9f73dc725d7319871c9c4121d90a0b', vout: 3 }, sequence: 0xfffffffd });
    expect(summary.outputs[0]).toMatchObject({ amount: 1000n, scriptType: 'p2wpkh' });
    expect(summary.lockTime).toBe(800_000);
  });
});
