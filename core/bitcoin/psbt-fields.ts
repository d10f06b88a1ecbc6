/**
 * PSBT wire framing and per-field shape rules: reads the magic and the key-value maps of a v0 or v2
 * PSBT and rejects, with a specific {@link DecodeError} code naming the field, everything BIP174,
 * BIP370, BIP371 and BIP373 declare invalid at the encoding level — truncation, duplicate keys,
 * fields of the wrong version, missing required fields, wrong key or value sizes, keys that are not
 * curve points, locktime rules, and previous-transaction data that does not match the outpoint.
 *
 * What this is: the pre-validation layer in front of @scure/btc-signer's decoder, so that callers
 * get stable codes (and the spec's error cases get the spec's reasons) instead of library messages.
 * What this is not: a PSBT object model — `psbt.ts` hands the validated bytes to btc-signer and
 * works with its `Transaction`. Unknown key types pass through untouched (BIP174: must be kept).
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0174.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0370.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0371.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0373.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0375.mediawiki (silent-payment field sizes)
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { hex } from '@scure/base';
import { RawTx } from '@scure/btc-signer';
import { RawOldTx } from '@scure/btc-signer/script.js';
import { sha256x2 } from '@scure/btc-signer/utils.js';
import { DecodeError } from './errors.js';

/** Error codes of PSBT decoding; `PSBT_INVALID` covers anything without a more specific code. */
export type PsbtDecodeCode =
  | 'PSBT_BAD_ENCODING'
  | 'PSBT_BAD_MAGIC'
  | 'PSBT_TRUNCATED'
  | 'PSBT_DUPLICATE_KEY'
  | 'PSBT_UNSUPPORTED_VERSION'
  | 'PSBT_FIELD_NOT_ALLOWED'
  | 'PSBT_MISSING_FIELD'
  | 'PSBT_TX_NOT_UNSIGNED'
  | 'PSBT_BAD_KEY'
  | 'PSBT_BAD_VALUE'
  | 'PSBT_UTXO_MISMATCH'
  | 'PSBT_LOCKTIME_CONFLICT'
  | 'PSBT_INVALID';

const PSBT_MAGIC = [0x70, 0x73, 0x62, 0x74, 0xff] as const;
const LOCKTIME_THRESHOLD = 500_000_000;

/** One key-value record as it appears on the wire. */
export interface PsbtRecord {
  readonly keyType: number;
  readonly keyData: Uint8Array;
  readonly value: Uint8Array;
}

/** A PSBT split into its maps, after every framing and field-shape rule has passed. */
export interface PsbtMaps {
  readonly version: 0 | 2;
  readonly global: readonly PsbtRecord[];
  readonly inputs: readonly (readonly PsbtRecord[])[];
  readonly outputs: readonly (readonly PsbtRecord[])[];
}

type MapKind = 'global' | 'input' | 'output';

function fail(code: PsbtDecodeCode, message: string): never {
  throw new DecodeError(code, message);
}

/** What a Reader is reading, which decides the code of its errors. */
type ReaderContext = 'framing' | 'key' | 'value';
const SHORT_CODE = { framing: 'PSBT_TRUNCATED', key: 'PSBT_BAD_KEY', value: 'PSBT_BAD_VALUE' } as const;
const MALFORMED_CODE = { framing: 'PSBT_INVALID', key: 'PSBT_BAD_KEY', value: 'PSBT_BAD_VALUE' } as const;

class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly context: ReaderContext = 'framing',
  ) {}
  get done(): boolean {
    return this.pos >= this.bytes.length;
  }
  byte(where: string): number {
    const b = this.bytes[this.pos];
    if (b === undefined) fail(SHORT_CODE[this.context], `${where}: data ends early`);
    this.pos++;
    return b;
  }
  /** Canonical CompactSize, as Bitcoin Core's ReadCompactSize(range_check) requires. */
  compactSize(where: string): number {
    const first = this.byte(where);
    if (first < 0xfd) return first;
    const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
    const raw = this.take(width, where);
    let n = 0;
    for (let i = width - 1; i >= 0; i--) n = n * 256 + raw[i]!;
    const min = first === 0xfd ? 0xfd : first === 0xfe ? 0x10000 : 0x100000000;
    if (n < min) fail(MALFORMED_CODE[this.context], `${where}: non-canonical CompactSize`);
    return n;
  }
  take(n: number, where: string): Uint8Array {
    if (this.pos + n > this.bytes.length) fail(SHORT_CODE[this.context], `${where}: ${n} bytes run past the end of the data`);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

function compactSizeOf(bytes: Uint8Array, where: string): number {
  const r = new Reader(bytes, 'value');
  const n = r.compactSize(where);
  if (!r.done) fail('PSBT_BAD_VALUE', `${where} has trailing bytes`);
  return n;
}

/** Checks applied while a map is read: the key before its value is read, then the value. */
interface RecordChecks {
  key(keyType: number, keyData: Uint8Array): void;
  value(record: PsbtRecord): void;
}

const NO_CHECKS: RecordChecks = { key: () => undefined, value: () => undefined };

/**
 * Reads one map. Each key is checked before its value is read, as Bitcoin Core's parser does, so
 * a malformed key is reported as such even when the bytes after it are garbage too.
 */
function readMap(r: Reader, where: string, checks: RecordChecks = NO_CHECKS): PsbtRecord[] {
  const records: PsbtRecord[] = [];
  const seen = new Set<string>();
  for (;;) {
    const keyLength = r.compactSize(`${where}: key length`);
    if (keyLength === 0) return records;
    const key = r.take(keyLength, `${where}: key`);
    const id = hex.encode(key);
    if (seen.has(id)) fail('PSBT_DUPLICATE_KEY', `${where}: duplicate key 0x${id}`);
    seen.add(id);
    const keyReader = new Reader(key, 'key');
    const keyType = keyReader.compactSize(`${where}: key type`);
    const keyData = key.subarray(keyReader.pos);
    checks.key(keyType, keyData);
    const valueLength = r.compactSize(`${where}: value length of key 0x${id}`);
    const record = { keyType, keyData, value: r.take(valueLength, `${where}: value of key 0x${id}`) };
    checks.value(record);
    records.push(record);
  }
}

// ---- field shape rules ------------------------------------------------------------------------

type Check = (bytes: Uint8Array, name: string) => void;

const exact =
  (...lengths: number[]): Check =>
  (b, name) => {
    if (!lengths.includes(b.length)) fail('PSBT_BAD_VALUE', `${name} must be ${lengths.join(' or ')} bytes, got ${b.length}`);
  };

function isPoint(bytes: Uint8Array): boolean {
  try {
    secp256k1.Point.fromBytes(bytes);
    return true;
  } catch {
    return false;
  }
}

function isXOnly(bytes: Uint8Array): boolean {
  try {
    schnorr.utils.lift_x(bytesToNumberBE(bytes));
    return true;
  } catch {
    return false;
  }
}

const pubkey = (lengths: number[], code: 'PSBT_BAD_KEY' | 'PSBT_BAD_VALUE'): Check => (b, name) => {
  if (!lengths.includes(b.length)) fail(code, `${name} must be ${lengths.join(' or ')} bytes, got ${b.length}`);
  if (!isPoint(b)) fail(code, `${name} is not a valid public key`);
};
const xOnly = (code: 'PSBT_BAD_KEY' | 'PSBT_BAD_VALUE'): Check => (b, name) => {
  if (b.length !== 32) fail(code, `${name} must be a 32-byte x-only public key, got ${b.length} bytes`);
  if (!isXOnly(b)) fail(code, `${name} is not a valid x-only public key`);
};
const anyKey: Check = () => undefined;
const emptyKey: Check = (b, name) => {
  if (b.length) fail('PSBT_BAD_KEY', `${name} key must be empty, got ${b.length} bytes of key data`);
};
const keyBytes =
  (n: number): Check =>
  (b, name) => {
    if (b.length !== n) fail('PSBT_BAD_KEY', `${name} key data must be ${n} bytes, got ${b.length}`);
  };

const bip32Path: Check = (b, name) => {
  if (b.length < 4 || b.length % 4) fail('PSBT_BAD_VALUE', `${name} must be a fingerprint and 4-byte path elements, got ${b.length} bytes`);
};
const tapBip32Path: Check = (b, name) => {
  const r = new Reader(b, 'value');
  const hashes = r.compactSize(`${name} leaf hash count`);
  if (b.length < r.pos + hashes * 32) fail('PSBT_BAD_VALUE', `${name} lists ${hashes} leaf hashes but is ${b.length} bytes`);
  bip32Path(b.subarray(r.pos + hashes * 32), name);
};
const controlBlock: Check = (b, name) => {
  if (b.length < 33 || (b.length - 33) % 32 || b.length > 33 + 128 * 32)
    fail('PSBT_BAD_KEY', `${name} control block must be 33 + 32m bytes (m <= 128), got ${b.length}`);
};
const tapScriptSigKey: Check = (b, name) => {
  if (b.length !== 64) fail('PSBT_BAD_KEY', `${name} key data must be an x-only key and a leaf hash (64 bytes), got ${b.length}`);
  if (!isXOnly(b.subarray(0, 32))) fail('PSBT_BAD_KEY', `${name} key is not a valid x-only public key`);
};
const musigKey: Check = (b, name) => {
  if (b.length !== 66 && b.length !== 98) fail('PSBT_BAD_KEY', `${name} key data must be 66 or 98 bytes, got ${b.length}`);
  if (!isPoint(b.subarray(0, 33))) fail('PSBT_BAD_KEY', `${name} participant pubkey is invalid`);
  if (!isPoint(b.subarray(33, 66))) fail('PSBT_BAD_KEY', `${name} aggregate pubkey is invalid`);
};
const musigAggregateKey: Check = (b, name) => {
  if (b.length !== 33) fail('PSBT_BAD_KEY', `${name} key data must be 33 bytes, got ${b.length}`);
  if (!isPoint(b)) fail('PSBT_BAD_KEY', `${name} aggregate pubkey is invalid`);
};
/** Whole keys are checked before the size, the order Bitcoin Core reports them in. */
const musigParticipants: Check = (b, name) => {
  for (let i = 0; i + 33 <= b.length; i += 33)
    if (!isPoint(b.subarray(i, i + 33))) fail('PSBT_BAD_VALUE', `${name} participant pubkey ${i / 33} is invalid`);
  if (b.length % 33) fail('PSBT_BAD_VALUE', `${name} value size is not a multiple of 33, got ${b.length}`);
};
const nonEmpty: Check = (b, name) => {
  if (!b.length) fail('PSBT_BAD_VALUE', `${name} must not be empty`);
};
const witnessStack: Check = (b, name) => {
  const r = new Reader(b, 'value');
  const items = r.compactSize(`${name} item count`);
  for (let i = 0; i < items; i++) r.take(r.compactSize(`${name} item ${i}`), `${name} item ${i}`);
  if (!r.done) fail('PSBT_BAD_VALUE', `${name} has trailing bytes after ${items} items`);
};
const txOut: Check = (b, name) => {
  const r = new Reader(b, 'value');
  r.take(8, `${name} amount`);
  r.take(r.compactSize(`${name} script length`), `${name} script`);
  if (!r.done) fail('PSBT_BAD_VALUE', `${name} has trailing bytes`);
};
const compactSizeValue: Check = (b, name) => {
  compactSizeOf(b, name);
};
const tapTree: Check = (b, name) => {
  if (!b.length) fail('PSBT_BAD_VALUE', `${name} must not be empty`);
  const r = new Reader(b, 'value');
  while (!r.done) {
    const depth = r.byte(`${name} depth`);
    if (depth > 128) fail('PSBT_BAD_VALUE', `${name} leaf depth ${depth} exceeds 128`);
    r.byte(`${name} leaf version`);
    r.take(r.compactSize(`${name} script length`), `${name} script`);
  }
};
const requiredTime: Check = (b, name) => {
  exact(4)(b, name);
  const t = u32(b);
  if (t < LOCKTIME_THRESHOLD) fail('PSBT_BAD_VALUE', `${name} must be >= ${LOCKTIME_THRESHOLD}, got ${t}`);
};
const requiredHeight: Check = (b, name) => {
  exact(4)(b, name);
  const h = u32(b);
  if (h === 0 || h >= LOCKTIME_THRESHOLD) fail('PSBT_BAD_VALUE', `${name} must be between 1 and ${LOCKTIME_THRESHOLD - 1}, got ${h}`);
};
const anyValue: Check = () => undefined;

function u32(b: Uint8Array): number {
  return (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0;
}

interface FieldRule {
  readonly name: string;
  readonly key: Check;
  readonly value: Check;
  /** PSBT versions that may carry the field (BIP370 "Versions Allowing Inclusion"). */
  readonly versions: readonly (0 | 2)[];
  /** Required in every PSBTv2 map of its kind (BIP370 "Versions Requiring Inclusion"). */
  readonly requiredInV2?: boolean;
}

const BOTH = [0, 2] as const;
const V0 = [0] as const;
const V2 = [2] as const;
const rule = (name: string, key: Check, value: Check, versions: readonly (0 | 2)[] = BOTH, requiredInV2 = false): FieldRule => ({
  name,
  key,
  value,
  versions,
  requiredInV2,
});

const xpubKey: Check = (b, name) => {
  if (b.length !== 78) fail('PSBT_BAD_KEY', `${name} key data must be a 78-byte extended public key, got ${b.length}`);
  if (!isPoint(b.subarray(45))) fail('PSBT_BAD_KEY', `${name} extended key holds an invalid public key`);
};

const GLOBAL_FIELDS: ReadonlyMap<number, FieldRule> = new Map([
  [0x00, rule('PSBT_GLOBAL_UNSIGNED_TX', emptyKey, anyValue, V0)],
  [0x01, rule('PSBT_GLOBAL_XPUB', xpubKey, bip32Path)],
  [0x02, rule('PSBT_GLOBAL_TX_VERSION', emptyKey, exact(4), V2, true)],
  [0x03, rule('PSBT_GLOBAL_FALLBACK_LOCKTIME', emptyKey, exact(4), V2)],
  [0x04, rule('PSBT_GLOBAL_INPUT_COUNT', emptyKey, compactSizeValue, V2, true)],
  [0x05, rule('PSBT_GLOBAL_OUTPUT_COUNT', emptyKey, compactSizeValue, V2, true)],
  [0x06, rule('PSBT_GLOBAL_TX_MODIFIABLE', emptyKey, exact(1), V2)],
  [0x07, rule('PSBT_GLOBAL_SP_ECDH_SHARE', pubkey([33], 'PSBT_BAD_KEY'), pubkey([33], 'PSBT_BAD_VALUE'), V2)],
  [0x08, rule('PSBT_GLOBAL_SP_DLEQ', pubkey([33], 'PSBT_BAD_KEY'), exact(64), V2)],
  [0xfb, rule('PSBT_GLOBAL_VERSION', emptyKey, exact(4))],
  [0xfc, rule('PSBT_GLOBAL_PROPRIETARY', anyKey, anyValue)],
]);

const INPUT_FIELDS: ReadonlyMap<number, FieldRule> = new Map([
  [0x00, rule('PSBT_IN_NON_WITNESS_UTXO', emptyKey, anyValue)],
  [0x01, rule('PSBT_IN_WITNESS_UTXO', emptyKey, txOut)],
  [0x02, rule('PSBT_IN_PARTIAL_SIG', pubkey([33, 65], 'PSBT_BAD_KEY'), nonEmpty)],
  [0x03, rule('PSBT_IN_SIGHASH_TYPE', emptyKey, exact(4))],
  [0x04, rule('PSBT_IN_REDEEM_SCRIPT', emptyKey, anyValue)],
  [0x05, rule('PSBT_IN_WITNESS_SCRIPT', emptyKey, anyValue)],
  [0x06, rule('PSBT_IN_BIP32_DERIVATION', pubkey([33, 65], 'PSBT_BAD_KEY'), bip32Path)],
  [0x07, rule('PSBT_IN_FINAL_SCRIPTSIG', emptyKey, anyValue)],
  [0x08, rule('PSBT_IN_FINAL_SCRIPTWITNESS', emptyKey, witnessStack)],
  [0x09, rule('PSBT_IN_POR_COMMITMENT', emptyKey, anyValue)],
  [0x0a, rule('PSBT_IN_RIPEMD160', keyBytes(20), anyValue)],
  [0x0b, rule('PSBT_IN_SHA256', keyBytes(32), anyValue)],
  [0x0c, rule('PSBT_IN_HASH160', keyBytes(20), anyValue)],
  [0x0d, rule('PSBT_IN_HASH256', keyBytes(32), anyValue)],
  [0x0e, rule('PSBT_IN_PREVIOUS_TXID', emptyKey, exact(32), V2, true)],
  [0x0f, rule('PSBT_IN_OUTPUT_INDEX', emptyKey, exact(4), V2, true)],
  [0x10, rule('PSBT_IN_SEQUENCE', emptyKey, exact(4), V2)],
  [0x11, rule('PSBT_IN_REQUIRED_TIME_LOCKTIME', emptyKey, requiredTime, V2)],
  [0x12, rule('PSBT_IN_REQUIRED_HEIGHT_LOCKTIME', emptyKey, requiredHeight, V2)],
  [0x13, rule('PSBT_IN_TAP_KEY_SIG', emptyKey, exact(64, 65))],
  [0x14, rule('PSBT_IN_TAP_SCRIPT_SIG', tapScriptSigKey, exact(64, 65))],
  [0x15, rule('PSBT_IN_TAP_LEAF_SCRIPT', controlBlock, nonEmpty)],
  [0x16, rule('PSBT_IN_TAP_BIP32_DERIVATION', xOnly('PSBT_BAD_KEY'), tapBip32Path)],
  [0x17, rule('PSBT_IN_TAP_INTERNAL_KEY', emptyKey, xOnly('PSBT_BAD_VALUE'))],
  [0x18, rule('PSBT_IN_TAP_MERKLE_ROOT', emptyKey, exact(32))],
  [0x1a, rule('PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS', musigAggregateKey, musigParticipants)],
  [0x1b, rule('PSBT_IN_MUSIG2_PUB_NONCE', musigKey, exact(66))],
  [0x1c, rule('PSBT_IN_MUSIG2_PARTIAL_SIG', musigKey, exact(32))],
  [0x1d, rule('PSBT_IN_SP_ECDH_SHARE', pubkey([33], 'PSBT_BAD_KEY'), pubkey([33], 'PSBT_BAD_VALUE'), V2)],
  [0x1e, rule('PSBT_IN_SP_DLEQ', pubkey([33], 'PSBT_BAD_KEY'), exact(64), V2)],
  [0xfc, rule('PSBT_IN_PROPRIETARY', anyKey, anyValue)],
]);

const OUTPUT_FIELDS: ReadonlyMap<number, FieldRule> = new Map([
  [0x00, rule('PSBT_OUT_REDEEM_SCRIPT', emptyKey, anyValue)],
  [0x01, rule('PSBT_OUT_WITNESS_SCRIPT', emptyKey, anyValue)],
  [0x02, rule('PSBT_OUT_BIP32_DERIVATION', pubkey([33, 65], 'PSBT_BAD_KEY'), bip32Path)],
  [0x03, rule('PSBT_OUT_AMOUNT', emptyKey, exact(8), V2, true)],
  [0x04, rule('PSBT_OUT_SCRIPT', emptyKey, anyValue, V2, true)],
  [0x05, rule('PSBT_OUT_TAP_INTERNAL_KEY', emptyKey, xOnly('PSBT_BAD_VALUE'))],
  [0x06, rule('PSBT_OUT_TAP_TREE', emptyKey, tapTree)],
  [0x07, rule('PSBT_OUT_TAP_BIP32_DERIVATION', xOnly('PSBT_BAD_KEY'), tapBip32Path)],
  [0x08, rule('PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS', musigAggregateKey, musigParticipants)],
  [0x09, rule('PSBT_OUT_SP_V0_INFO', emptyKey, exact(66), V2)],
  [0x0a, rule('PSBT_OUT_SP_V0_LABEL', emptyKey, exact(4), V2)],
  [0xfc, rule('PSBT_OUT_PROPRIETARY', anyKey, anyValue)],
]);

const FIELDS: Record<MapKind, ReadonlyMap<number, FieldRule>> = { global: GLOBAL_FIELDS, input: INPUT_FIELDS, output: OUTPUT_FIELDS };

/** BIP174/370 name of a key type in a map, or a hex label for unknown types. */
export function psbtFieldName(kind: MapKind, keyType: number): string {
  return FIELDS[kind].get(keyType)?.name ?? `unknown ${kind} key type 0x${keyType.toString(16)}`;
}

function fieldChecks(kind: MapKind, version: 0 | 2, where: string): RecordChecks {
  return {
    key(keyType, keyData) {
      const field = FIELDS[kind].get(keyType);
      if (!field) return;
      if (!field.versions.includes(version)) fail('PSBT_FIELD_NOT_ALLOWED', `${where}: ${field.name} is not allowed in PSBTv${version}`);
      field.key(keyData, `${where}: ${field.name}`);
    },
    value(record) {
      const field = FIELDS[kind].get(record.keyType);
      field?.value(record.value, `${where}: ${field.name}`);
    },
  };
}

function checkRequired(kind: MapKind, records: readonly PsbtRecord[], version: 0 | 2, where: string): void {
  if (version !== 2) return;
  for (const [keyType, field] of FIELDS[kind])
    if (field.requiredInV2 && !records.some((r) => r.keyType === keyType))
      fail('PSBT_MISSING_FIELD', `${where}: ${field.name} is required in PSBTv2`);
}

/** Reads an input or output map, checking each record on arrival and required fields at its end. */
function readCheckedMap(r: Reader, kind: MapKind, version: 0 | 2, where: string): PsbtRecord[] {
  const records = readMap(r, where, fieldChecks(kind, version, where));
  checkRequired(kind, records, version, where);
  return records;
}

function find(records: readonly PsbtRecord[], keyType: number): Uint8Array | undefined {
  return records.find((r) => r.keyType === keyType && r.keyData.length === 0)?.value;
}

interface UnsignedShape {
  readonly inputs: number;
  readonly outputs: number;
  /** Previous outpoints (txid in display order), for checking non-witness UTXOs. */
  readonly prevouts: readonly { readonly txid: string; readonly index: number }[];
}

function unsignedTxShape(value: Uint8Array): UnsignedShape {
  let tx;
  try {
    tx = RawOldTx.decode(value);
  } catch (err) {
    if (isWitnessSerialized(value))
      fail('PSBT_TX_NOT_UNSIGNED', 'PSBT_GLOBAL_UNSIGNED_TX uses the witness serialization (marker 0x00, flag 0x01)');
    fail('PSBT_BAD_VALUE', `PSBT_GLOBAL_UNSIGNED_TX does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  tx.inputs.forEach((input, i) => {
    if (input.finalScriptSig.length) fail('PSBT_TX_NOT_UNSIGNED', `PSBT_GLOBAL_UNSIGNED_TX input ${i} has a non-empty scriptSig`);
  });
  return {
    inputs: tx.inputs.length,
    outputs: tx.outputs.length,
    prevouts: tx.inputs.map((input) => ({ txid: hex.encode(input.txid), index: input.index })),
  };
}

/**
 * Whether the bytes are exactly one BIP144 witness-serialized transaction (the signed form BIP174
 * forbids for PSBT_GLOBAL_UNSIGNED_TX). Parsed structurally: btc-signer rejects the all-empty
 * witnesses such a PSBT typically carries.
 */
function isWitnessSerialized(value: Uint8Array): boolean {
  if (value[4] !== 0x00 || value[5] !== 0x01) return false;
  try {
    const r = new Reader(value, 'value');
    r.pos = 6;
    const inputs = r.compactSize('inputs');
    for (let i = 0; i < inputs; i++) {
      r.take(36, 'outpoint');
      r.take(r.compactSize('scriptSig'), 'scriptSig');
      r.take(4, 'sequence');
    }
    const outputs = r.compactSize('outputs');
    for (let i = 0; i < outputs; i++) {
      r.take(8, 'amount');
      r.take(r.compactSize('script'), 'script');
    }
    for (let i = 0; i < inputs; i++) {
      const items = r.compactSize('witness');
      for (let j = 0; j < items; j++) r.take(r.compactSize('item'), 'item');
    }
    r.take(4, 'locktime');
    return r.done && inputs > 0;
  } catch {
    return false;
  }
}

/** Display-order txid of a serialized transaction, witness data excluded (BIP141). */
function txidOf(raw: Uint8Array): { txid: string; outputs: readonly { amount: bigint; script: Uint8Array }[] } {
  const tx = RawTx.decode(raw);
  const stripped = RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined });
  return { txid: hex.encode(sha256x2(stripped).reverse()), outputs: tx.outputs };
}

function checkUtxos(input: readonly PsbtRecord[], prevout: { txid: string; index: number }, where: string): void {
  const full = find(input, 0x00);
  if (!full) return;
  let parsed;
  try {
    parsed = txidOf(full);
  } catch (err) {
    fail('PSBT_BAD_VALUE', `${where}: PSBT_IN_NON_WITNESS_UTXO does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (parsed.txid !== prevout.txid)
    fail('PSBT_UTXO_MISMATCH', `${where}: PSBT_IN_NON_WITNESS_UTXO hashes to ${parsed.txid}, but the input spends ${prevout.txid}`);
  const spent = parsed.outputs[prevout.index];
  if (!spent) fail('PSBT_UTXO_MISMATCH', `${where}: PSBT_IN_NON_WITNESS_UTXO has no output ${prevout.index}`);
  const witnessUtxo = find(input, 0x01);
  if (!witnessUtxo) return;
  const amount = new DataView(witnessUtxo.buffer, witnessUtxo.byteOffset, 8).getBigUint64(0, true);
  const script = witnessUtxo.subarray(8 + compactLength(witnessUtxo.subarray(8)));
  if (amount !== spent.amount || hex.encode(script) !== hex.encode(spent.script))
    fail('PSBT_UTXO_MISMATCH', `${where}: PSBT_IN_WITNESS_UTXO differs from output ${prevout.index} of PSBT_IN_NON_WITNESS_UTXO`);
}

function compactLength(b: Uint8Array): number {
  const first = b[0]!;
  return first < 0xfd ? 1 : first === 0xfd ? 3 : first === 0xfe ? 5 : 9;
}

/** BIP370 "Determining Lock Time": fails when some inputs need a height and others a time. */
function checkLocktimeRequirements(inputs: readonly (readonly PsbtRecord[])[]): void {
  let allowHeight = true;
  let allowTime = true;
  for (const input of inputs) {
    const time = find(input, 0x11);
    const height = find(input, 0x12);
    if (!time && !height) continue;
    if (!height) allowHeight = false;
    if (!time) allowTime = false;
  }
  if (!allowHeight && !allowTime)
    fail('PSBT_LOCKTIME_CONFLICT', 'inputs require both a height-based and a time-based locktime; no nLockTime satisfies them');
}

/**
 * Splits PSBT bytes into maps and enforces every encoding rule of BIP174/370/371/373. Throws
 * {@link DecodeError} with a {@link PsbtDecodeCode} and a message naming the map and field.
 */
export function readPsbtMaps(bytes: Uint8Array): PsbtMaps {
  if (bytes.length < PSBT_MAGIC.length || PSBT_MAGIC.some((b, i) => bytes[i] !== b))
    fail('PSBT_BAD_MAGIC', 'data does not start with the PSBT magic 70736274ff');
  const r = new Reader(bytes);
  r.pos = PSBT_MAGIC.length;
  const global = readMap(r, 'global map');
  const versionBytes = find(global, 0xfb);
  let version: 0 | 2 = 0;
  if (versionBytes) {
    exact(4)(versionBytes, 'global map: PSBT_GLOBAL_VERSION');
    const v = u32(versionBytes);
    if (v !== 0 && v !== 2) fail('PSBT_UNSUPPORTED_VERSION', `PSBT_GLOBAL_VERSION ${v} is not supported (0 or 2)`);
    version = v;
  }
  // The version may come last in the global map, so its records are checked once it is known.
  const globalChecks = fieldChecks('global', version, 'global map');
  for (const record of global) {
    globalChecks.key(record.keyType, record.keyData);
    globalChecks.value(record);
  }
  checkRequired('global', global, version, 'global map');

  let inputCount: number;
  let outputCount: number;
  let prevouts: UnsignedShape['prevouts'] | undefined;
  if (version === 0) {
    const unsigned = find(global, 0x00);
    if (!unsigned) fail('PSBT_MISSING_FIELD', 'global map: PSBT_GLOBAL_UNSIGNED_TX is required in PSBTv0');
    const shape = unsignedTxShape(unsigned);
    inputCount = shape.inputs;
    outputCount = shape.outputs;
    prevouts = shape.prevouts;
  } else {
    inputCount = compactSizeOf(find(global, 0x04)!, 'PSBT_GLOBAL_INPUT_COUNT');
    outputCount = compactSizeOf(find(global, 0x05)!, 'PSBT_GLOBAL_OUTPUT_COUNT');
  }

  const inputs: PsbtRecord[][] = [];
  for (let i = 0; i < inputCount; i++) {
    if (r.done) fail('PSBT_TRUNCATED', `data ends before input map ${i} of ${inputCount}`);
    inputs.push(readCheckedMap(r, 'input', version, `input ${i}`));
  }
  const outputs: PsbtRecord[][] = [];
  for (let i = 0; i < outputCount; i++) {
    if (r.done) fail('PSBT_TRUNCATED', `data ends before output map ${i} of ${outputCount}`);
    outputs.push(readCheckedMap(r, 'output', version, `output ${i}`));
  }
  if (!r.done) fail('PSBT_INVALID', `${bytes.length - r.pos} bytes of extra data after the last output map`);

  inputs.forEach((input, i) => {
    const prevout = prevouts?.[i] ?? {
      txid: hex.encode(find(input, 0x0e)!.slice().reverse()),
      index: u32(find(input, 0x0f)!),
    };
    checkUtxos(input, prevout, `input ${i}`);
  });
  if (version === 2) checkLocktimeRequirements(inputs);
  return { version, global, inputs, outputs };
}
