/**
 * Reading serialized blocks as the chain backends receive them: header fields, block hash, and a
 * zero-copy walk over the transactions (BIP144 witness serialization understood).
 * https://developer.bitcoin.org/reference/block_chain.html
 * https://github.com/bitcoin/bips/blob/master/bip-0144.mediawiki
 *
 * It is NOT a validator (no proof of work, merkle root, script or amount checks) and not a
 * general transaction codec (see @scure/btc-signer for that): it only reads what BIP158 filter
 * construction and spend lookups need, as fast as a single pass allows. Scripts are returned as
 * views into the block bytes, never copied. Malformed bytes throw DecodeError, nothing else.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DecodeError } from '../bitcoin/errors.js';

/** Core's MAX_SIZE: CompactSize values above it are rejected by its deserializer. */
const MAX_COMPACT_SIZE = 0x02000000;

export interface HeaderFields {
  version: number;
  /** Hex, RPC byte order. */
  prevHash: string;
  /** Hex, RPC byte order. */
  merkleRoot: string;
  time: number;
  bits: number;
  nonce: number;
}

export interface BlockTxInput {
  /** Spent transaction id, hex in RPC byte order. */
  txid: string;
  vout: number;
}

export interface BlockTxOutput {
  value: bigint;
  script: Uint8Array;
}

export interface BlockTx {
  txid: string;
  inputs: BlockTxInput[];
  outputs: BlockTxOutput[];
  /** The serialized transaction: a view into the block (copy it to keep it past the block). */
  raw: Uint8Array;
}

/** Hex of a 32-byte hash in RPC (display) order, from its internal byte order. */
export function displayHex(internal: Uint8Array): string {
  return bytesToHex(internal.slice().reverse());
}

/** sha256(sha256(data)): block hashes, txids, BIP157 filter hashes. */
export function hash256(...parts: Uint8Array[]): Uint8Array {
  const h = sha256.create();
  for (const part of parts) h.update(part);
  return sha256(h.digest());
}

/** Block hash (hex, RPC order) of a serialized block or bare 80-byte header. */
export function blockHashOf(blockOrHeader: Uint8Array): string {
  if (blockOrHeader.length < 80) {
    throw new DecodeError('BLOCK_TRUNCATED', `"header" expected 80 bytes, got ${blockOrHeader.length}`);
  }
  return displayHex(hash256(blockOrHeader.subarray(0, 80)));
}

export function readHeader(blockOrHeader: Uint8Array): HeaderFields {
  if (blockOrHeader.length < 80) {
    throw new DecodeError('BLOCK_TRUNCATED', `"header" expected 80 bytes, got ${blockOrHeader.length}`);
  }
  const view = new DataView(blockOrHeader.buffer, blockOrHeader.byteOffset, 80);
  return {
    version: view.getInt32(0, true),
    prevHash: displayHex(blockOrHeader.subarray(4, 36)),
    merkleRoot: displayHex(blockOrHeader.subarray(36, 68)),
    time: view.getUint32(68, true),
    bits: view.getUint32(72, true),
    nonce: view.getUint32(76, true),
  };
}

/** Bounds-checked cursor over untrusted bytes; every overrun is a DecodeError. */
class Cursor {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    start = 0,
  ) {
    this.pos = start;
  }

  need(n: number, what: string): void {
    if (this.pos + n > this.bytes.length) {
      throw new DecodeError(
        'BLOCK_TRUNCATED',
        `"${what}" needs ${n} bytes at offset ${this.pos}, block has ${this.bytes.length}`,
      );
    }
  }

  skip(n: number, what: string): void {
    this.need(n, what);
    this.pos += n;
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++] as number;
  }

  u32(what: string): number {
    this.need(4, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16) | ((b[p + 3] as number) << 24)) >>> 0;
  }

  /** CompactSize, canonical and at most MAX_SIZE, as Core's deserializer requires. */
  compactSize(what: string): number {
    const first = this.u8(what);
    if (first < 0xfd) return first;
    let value: number;
    let min: number;
    if (first === 0xfd) {
      this.need(2, what);
      value = (this.bytes[this.pos] as number) | ((this.bytes[this.pos + 1] as number) << 8);
      this.pos += 2;
      min = 0xfd;
    } else if (first === 0xfe) {
      value = this.u32(what);
      min = 0x10000;
    } else {
      const lo = this.u32(what);
      const hi = this.u32(what);
      value = hi * 0x100000000 + lo;
      min = 0x100000000;
    }
    if (value < min) throw new DecodeError('BLOCK_NONCANONICAL_SIZE', `"${what}" non-canonical CompactSize ${value}`);
    if (value > MAX_COMPACT_SIZE) throw new DecodeError('BLOCK_SIZE_TOO_LARGE', `"${what}" CompactSize ${value} exceeds ${MAX_COMPACT_SIZE}`);
    return value;
  }

  view(n: number, what: string): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

/** What one walk over a transaction found; offsets let the caller hash the stripped form. */
interface TxWalk {
  inputs: BlockTxInput[] | null;
  outputs: BlockTxOutput[] | null;
  inputCount: number;
  /** Byte range of inputs+outputs (after the segwit marker/flag), for the txid. */
  bodyStart: number;
  bodyEnd: number;
}

/**
 * Walks one transaction at `c.pos`. With `collect`, inputs/outputs are materialized; otherwise
 * only `onScript` sees each output script (the fast path for filter construction).
 */
function walkTx(c: Cursor, collect: boolean, onScript?: (script: Uint8Array) => void): TxWalk {
  c.skip(4, 'tx.version');
  let segwit = false;
  if (c.pos + 1 < c.bytes.length && c.bytes[c.pos] === 0 && c.bytes[c.pos + 1] !== 0) {
    if (c.bytes[c.pos + 1] !== 1) {
      throw new DecodeError('BLOCK_BAD_TX', `"tx.flag" expected 0x01, got 0x${(c.bytes[c.pos + 1] as number).toString(16)}`);
    }
    segwit = true;
    c.pos += 2;
  }
  const bodyStart = c.pos;
  const inputCount = c.compactSize('tx.inputs');
  const inputs: BlockTxInput[] | null = collect ? [] : null;
  for (let i = 0; i < inputCount; i++) {
    const prev = c.view(32, 'tx.input.txid');
    const vout = c.u32('tx.input.vout');
    inputs?.push({ txid: displayHex(prev), vout });
    c.skip(c.compactSize('tx.input.scriptSig'), 'tx.input.scriptSig');
    c.skip(4, 'tx.input.sequence');
  }
  const outputCount = c.compactSize('tx.outputs');
  const outputs: BlockTxOutput[] | null = collect ? [] : null;
  for (let i = 0; i < outputCount; i++) {
    let value = 0n;
    if (outputs) {
      const lo = c.u32('tx.output.value');
      const hi = c.u32('tx.output.value');
      value = (BigInt(hi) << 32n) | BigInt(lo);
    } else {
      c.skip(8, 'tx.output.value');
    }
    const script = c.view(c.compactSize('tx.output.script'), 'tx.output.script');
    onScript?.(script);
    outputs?.push({ value, script });
  }
  const bodyEnd = c.pos;
  if (segwit) {
    if (inputCount === 0) throw new DecodeError('BLOCK_BAD_TX', '"tx.witness" present on a transaction without inputs');
    for (let i = 0; i < inputCount; i++) {
      const items = c.compactSize('tx.witness');
      for (let j = 0; j < items; j++) c.skip(c.compactSize('tx.witness.item'), 'tx.witness.item');
    }
  }
  c.skip(4, 'tx.locktime');
  return { inputs, outputs, inputCount, bodyStart, bodyEnd };
}

function checkEnd(c: Cursor): void {
  if (c.pos !== c.bytes.length) {
    throw new DecodeError('BLOCK_TRAILING_DATA', `"block" has ${c.bytes.length - c.pos} bytes after its last transaction`);
  }
}

/**
 * Calls `onScript` with every output script of every transaction, in block order, and returns
 * the number of inputs of each transaction (so a caller can check a prevout list against it).
 */
export function forEachOutputScript(block: Uint8Array, onScript: (script: Uint8Array) => void): number[] {
  const c = new Cursor(block, 80);
  if (block.length < 80) c.need(80, 'header');
  const count = c.compactSize('block.txs');
  const inputCounts: number[] = [];
  for (let i = 0; i < count; i++) inputCounts.push(walkTx(c, false, onScript).inputCount);
  checkEnd(c);
  return inputCounts;
}

/** Reads one full transaction at the cursor, txid included. */
function readTxAt(c: Cursor): BlockTx {
  const start = c.pos;
  const walk = walkTx(c, true);
  // The txid commits to the stripped serialization: version, body, locktime (BIP144).
  const txid = hash256(
    c.bytes.subarray(start, start + 4),
    c.bytes.subarray(walk.bodyStart, walk.bodyEnd),
    c.bytes.subarray(c.pos - 4, c.pos),
  );
  return { txid: displayHex(txid), inputs: walk.inputs ?? [], outputs: walk.outputs ?? [], raw: c.bytes.subarray(start, c.pos) };
}

/** Every transaction with its txid, spent outpoints and outputs. */
export function readBlockTxs(block: Uint8Array): BlockTx[] {
  const c = new Cursor(block, 80);
  if (block.length < 80) c.need(80, 'header');
  const count = c.compactSize('block.txs');
  const txs: BlockTx[] = [];
  for (let i = 0; i < count; i++) txs.push(readTxAt(c));
  checkEnd(c);
  return txs;
}

/** One serialized transaction (exactly, no trailing bytes): txid, spent outpoints, outputs. */
export function readTx(raw: Uint8Array): BlockTx {
  const c = new Cursor(raw, 0);
  const tx = readTxAt(c);
  if (c.pos !== raw.length) {
    throw new DecodeError('TX_TRAILING_DATA', `"tx" has ${raw.length - c.pos} bytes after its locktime`);
  }
  return tx;
}
