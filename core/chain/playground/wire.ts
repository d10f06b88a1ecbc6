/**
 * Bitcoin wire format for the Playground: transactions (BIP144 witness serialization), block
 * headers and blocks, with their hashes, sizes and weights (BIP141). Decoding follows Core's
 * `UnserializeTransaction`: canonical CompactSize, the 0x00 0x01 marker, "superfluous witness"
 * and unknown-flag rejection; every failure is a DecodeError.
 * https://github.com/bitcoin/bips/blob/master/bip-0144.mediawiki
 *
 * Not here: any validity rule beyond "it parses" (see consensus.ts), scripts (script.ts).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { DecodeError } from '../../bitcoin/errors.js';

export interface TxIn {
  /** Previous txid in RPC (display) byte order. */
  txid: string;
  vout: number;
  scriptSig: Uint8Array;
  sequence: number;
  witness: Uint8Array[];
}

export interface TxOut {
  value: bigint;
  script: Uint8Array;
}

export interface Tx {
  version: number;
  inputs: TxIn[];
  outputs: TxOut[];
  locktime: number;
}

/** A transaction as read from the wire, with what every caller asks of it computed once. */
export interface DecodedTx extends Tx {
  txid: string;
  wtxid: string;
  /** Serialization with witness when it has any. */
  raw: Uint8Array;
  size: number;
  /** Serialized size without witness. */
  baseSize: number;
  weight: number;
  vsize: number;
  hasWitness: boolean;
}

export interface BlockHeader {
  version: number;
  prevHash: string;
  merkleRoot: string;
  time: number;
  bits: number;
  nonce: number;
}

export interface DecodedBlock {
  hash: string;
  header: BlockHeader;
  headerRaw: Uint8Array;
  txs: DecodedTx[];
  raw: Uint8Array;
  size: number;
  strippedSize: number;
  weight: number;
}

/** Core's MAX_SIZE: no CompactSize-prefixed vector may claim more than this. */
const MAX_VECTOR = 0x02000000;

export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** 32 hash bytes (internal order) → RPC display hex (reversed). */
export function hashToHex(hash: Uint8Array): string {
  return hex.encode(Uint8Array.from(hash).reverse());
}

/** RPC display hex → 32 internal-order bytes; the caller has checked the string. */
export function hexToHash(display: string): Uint8Array {
  return hex.decode(display).reverse();
}

export function isHash(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value);
}

/**
 * Field names are constants with `#` standing for the current input/output index (`at`), so no
 * string is built unless an error is reported.
 */
class Reader {
  pos = 0;
  at = 0;
  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {}

  private name(field: string): string {
    return `${this.what}: "${field.replace('#', String(this.at))}"`;
  }

  private need(n: number, field: string): void {
    if (this.pos + n > this.buf.length) {
      throw new DecodeError('TRUNCATED', `${this.name(field)} needs ${n} bytes at offset ${this.pos}, only ${this.buf.length - this.pos} left`);
    }
  }
  u8(field: string): number {
    this.need(1, field);
    return this.buf[this.pos++]!;
  }
  u32(field: string): number {
    this.need(4, field);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24)) >>> 0;
  }
  i32(field: string): number {
    return this.u32(field) | 0;
  }
  u64(field: string): bigint {
    const lo = this.u32(field);
    const hi = this.u32(field);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }
  bytes(n: number, field: string): Uint8Array {
    this.need(n, field);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  compactSize(field: string): number {
    const first = this.u8(field);
    let value: number;
    let min: number;
    if (first < 0xfd) return first;
    if (first === 0xfd) {
      const b = this.bytes(2, field);
      value = b[0]! | (b[1]! << 8);
      min = 0xfd;
    } else if (first === 0xfe) {
      value = this.u32(field);
      min = 0x10000;
    } else {
      const v = this.u64(field);
      if (v > BigInt(MAX_VECTOR)) throw new DecodeError('TOO_LARGE', `${this.name(field)} size ${v} exceeds ${MAX_VECTOR}`);
      value = Number(v);
      min = 0x100000000;
    }
    if (value < min) throw new DecodeError('NON_CANONICAL', `${this.name(field)} uses a non-canonical CompactSize (${value})`);
    if (value > MAX_VECTOR) throw new DecodeError('TOO_LARGE', `${this.name(field)} size ${value} exceeds ${MAX_VECTOR}`);
    return value;
  }
  varBytes(field: string): Uint8Array {
    return this.bytes(this.compactSize(field), field);
  }
  hash(field: string): string {
    return hashToHex(this.bytes(32, field));
  }
  get remaining(): number {
    return this.buf.length - this.pos;
  }
}

class Writer {
  private chunks: Uint8Array[] = [];
  private length = 0;
  push(b: Uint8Array): this {
    this.chunks.push(b);
    this.length += b.length;
    return this;
  }
  u8(n: number): this {
    return this.push(Uint8Array.of(n));
  }
  u32(n: number): this {
    return this.push(Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff));
  }
  u64(n: bigint): this {
    this.u32(Number(n & 0xffffffffn));
    return this.u32(Number((n >> 32n) & 0xffffffffn));
  }
  compactSize(n: number): this {
    return this.push(encodeCompactSize(n));
  }
  varBytes(b: Uint8Array): this {
    return this.compactSize(b.length).push(b);
  }
  hash(display: string): this {
    return this.push(hexToHash(display));
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let off = 0;
    for (const c of this.chunks) {
      out.set(c, off);
      off += c.length;
    }
    return out;
  }
}

export function encodeCompactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  if (n <= 0xffffffff) return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
  throw new RangeError(`"size" expected at most 0xffffffff, got ${n}`);
}

function readTx(r: Reader, start: number, buf: Uint8Array): DecodedTx {
  const version = r.i32('version');
  let inputs = readInputs(r);
  let flags = 0;
  let withOutputs = true;
  if (inputs.length === 0) {
    // An empty input vector here is the BIP144 marker and the next byte the flag. As in Core, a
    // zero flag means a transaction with no inputs and no outputs, not "outputs follow".
    flags = r.u8('flag');
    if (flags !== 0) inputs = readInputs(r);
    else withOutputs = false;
  }
  const outputs: TxOut[] = [];
  if (withOutputs) {
    const nOut = r.compactSize('output count');
    for (let i = 0; i < nOut; i++) {
      r.at = i;
      const value = r.u64('outputs[#].value');
      outputs.push({ value, script: r.varBytes('outputs[#].script') });
    }
  }
  const witnessAt = r.pos;
  let hasWitness = false;
  if (flags & 1) {
    flags ^= 1;
    for (let i = 0; i < inputs.length; i++) {
      r.at = i;
      const n = r.compactSize('inputs[#].witness count');
      const items: Uint8Array[] = [];
      for (let j = 0; j < n; j++) items.push(r.varBytes('inputs[#].witness item'));
      inputs[i]!.witness = items;
      if (n > 0) hasWitness = true;
    }
    if (!hasWitness) throw new DecodeError('SUPERFLUOUS_WITNESS', 'transaction: "witness" flag set but every witness is empty');
  }
  if (flags !== 0) throw new DecodeError('UNKNOWN_FLAG', `transaction: unknown optional data flag 0x${flags.toString(16)}`);
  const lockAt = r.pos;
  const locktime = r.u32('locktime');
  const end = r.pos;
  const raw = buf.subarray(start, end);
  let stripped: Uint8Array;
  if (hasWitness) {
    // Non-witness serialization: version, inputs, outputs, locktime (marker, flag and witness cut out).
    const body = buf.subarray(start + 6, witnessAt);
    stripped = new Uint8Array(4 + body.length + 4);
    stripped.set(buf.subarray(start, start + 4), 0);
    stripped.set(body, 4);
    stripped.set(buf.subarray(lockAt, end), 4 + body.length);
  } else {
    stripped = raw;
  }
  const txid = hashToHex(sha256d(stripped));
  const wtxid = hasWitness ? hashToHex(sha256d(raw)) : txid;
  const weight = stripped.length * 3 + raw.length;
  return {
    version,
    inputs,
    outputs,
    locktime,
    txid,
    wtxid,
    raw: hasWitness ? raw.slice() : stripped.slice(),
    size: raw.length,
    baseSize: stripped.length,
    weight,
    vsize: Math.ceil(weight / 4),
    hasWitness,
  };
}

function readInputs(r: Reader): TxIn[] {
  const n = r.compactSize('input count');
  const inputs: TxIn[] = [];
  for (let i = 0; i < n; i++) {
    r.at = i;
    const txid = r.hash('inputs[#].txid');
    const vout = r.u32('inputs[#].vout');
    const scriptSig = r.varBytes('inputs[#].scriptSig');
    const sequence = r.u32('inputs[#].sequence');
    inputs.push({ txid, vout, scriptSig, sequence, witness: [] });
  }
  return inputs;
}

/** Decodes one serialized transaction; trailing bytes are an error. */
export function decodeTx(raw: Uint8Array): DecodedTx {
  const r = new Reader(raw, 'transaction');
  const tx = readTx(r, 0, raw);
  if (r.remaining !== 0) throw new DecodeError('TRAILING_BYTES', `transaction: ${r.remaining} bytes after "locktime"`);
  return tx;
}

export function encodeTx(tx: Tx, withWitness = true): Uint8Array {
  const segwit = withWitness && tx.inputs.some((i) => i.witness.length > 0);
  const w = new Writer().u32(tx.version);
  if (segwit) w.u8(0).u8(1);
  w.compactSize(tx.inputs.length);
  for (const i of tx.inputs) w.hash(i.txid).u32(i.vout).varBytes(i.scriptSig).u32(i.sequence);
  w.compactSize(tx.outputs.length);
  for (const o of tx.outputs) w.u64(o.value).varBytes(o.script);
  if (segwit) {
    for (const i of tx.inputs) {
      w.compactSize(i.witness.length);
      for (const item of i.witness) w.varBytes(item);
    }
  }
  return w.u32(tx.locktime).finish();
}

/** Encodes and re-reads a transaction, so built transactions carry the same derived fields. */
export function finalizeTx(tx: Tx): DecodedTx {
  return decodeTx(encodeTx(tx));
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  return new Writer().u32(h.version).hash(h.prevHash).hash(h.merkleRoot).u32(h.time).u32(h.bits).u32(h.nonce).finish();
}

export function decodeHeader(raw: Uint8Array): BlockHeader {
  if (raw.length !== 80) throw new DecodeError('BAD_LENGTH', `block header: expected 80 bytes, got ${raw.length}`);
  return readHeader(new Reader(raw, 'block header'));
}

function readHeader(r: Reader): BlockHeader {
  return {
    version: r.i32('version'),
    prevHash: r.hash('prevHash'),
    merkleRoot: r.hash('merkleRoot'),
    time: r.u32('time'),
    bits: r.u32('bits'),
    nonce: r.u32('nonce'),
  };
}

export function headerHash(headerRaw: Uint8Array): string {
  return hashToHex(sha256d(headerRaw));
}

export function decodeBlock(raw: Uint8Array): DecodedBlock {
  const r = new Reader(raw, 'block');
  const header = readHeader(r);
  const headerRaw = raw.slice(0, 80);
  const n = r.compactSize('transaction count');
  const txs: DecodedTx[] = [];
  for (let i = 0; i < n; i++) txs.push(readTx(r, r.pos, raw));
  if (r.remaining !== 0) throw new DecodeError('TRAILING_BYTES', `block: ${r.remaining} bytes after the last transaction`);
  return blockFrom(header, headerRaw, txs, raw.slice());
}

export function encodeBlock(headerRaw: Uint8Array, txs: readonly DecodedTx[]): Uint8Array {
  const w = new Writer().push(headerRaw).compactSize(txs.length);
  for (const tx of txs) w.push(tx.raw);
  return w.finish();
}

export function assembleBlock(header: BlockHeader, txs: DecodedTx[]): DecodedBlock {
  const headerRaw = encodeHeader(header);
  return blockFrom(header, headerRaw, txs, encodeBlock(headerRaw, txs));
}

function blockFrom(header: BlockHeader, headerRaw: Uint8Array, txs: DecodedTx[], raw: Uint8Array): DecodedBlock {
  const countSize = encodeCompactSize(txs.length).length;
  const strippedSize = 80 + countSize + txs.reduce((s, t) => s + t.baseSize, 0);
  return {
    hash: headerHash(headerRaw),
    header,
    headerRaw,
    txs,
    raw,
    size: raw.length,
    strippedSize,
    weight: strippedSize * 3 + raw.length,
  };
}
