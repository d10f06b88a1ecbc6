/**
 * BigSize: the variable-length u64 of BOLT 1 (Bitcoin's CompactSize, but big-endian), used for TLV
 * types and lengths and for onion hop-payload lengths. Decoding insists on the minimal encoding.
 * Values are `bigint` because the full u64 range is legal (TLV type 2^64-1 appears in the vectors).
 *
 * Spec: https://github.com/lightning/bolts/blob/master/01-messaging.md#appendix-a-bigsize-test-vectors
 */
import { DecodeError } from '../bitcoin/errors.js';
import { ByteReader, ByteWriter } from './byte-cursor.js';

const U64_MAX = 0xffff_ffff_ffff_ffffn;

function checkU64(value: bigint): void {
  if (typeof value !== 'bigint' || value < 0n || value > U64_MAX) {
    throw new RangeError(`"bigsize" expected bigint in 0..2^64-1, got ${String(value)}`);
  }
}

/** Encoded length in bytes: 1, 3, 5 or 9. */
export function bigSizeLength(value: bigint): number {
  checkU64(value);
  return value < 0xfdn ? 1 : value <= 0xffffn ? 3 : value <= 0xffff_ffffn ? 5 : 9;
}

export function writeBigSize(w: ByteWriter, value: bigint): void {
  switch (bigSizeLength(value)) {
    case 1:
      return w.u8(Number(value));
    case 3:
      w.u8(0xfd);
      return w.u16(Number(value));
    case 5:
      w.u8(0xfe);
      return w.u32(Number(value));
    default:
      w.u8(0xff);
      return w.u64(value);
  }
}

export function encodeBigSize(value: bigint): Uint8Array {
  const w = new ByteWriter(9);
  writeBigSize(w, value);
  return w.finish();
}

/** Reads one BigSize; `field` names it in errors ("type", "length", …). */
export function readBigSize(r: ByteReader, field = 'bigsize'): bigint {
  const prefix = r.u8(field);
  let value: bigint;
  let min: bigint;
  if (prefix < 0xfd) return BigInt(prefix);
  if (prefix === 0xfd) [value, min] = [BigInt(r.u16(field)), 0xfdn];
  else if (prefix === 0xfe) [value, min] = [BigInt(r.u32(field)), 0x1_0000n];
  else [value, min] = [r.u64(field), 0x1_0000_0000n];
  if (value < min) {
    throw new DecodeError('bigsize_not_canonical', `"${field}" BigSize ${value} is not minimally encoded`);
  }
  return value;
}

/** Decodes bytes that must hold exactly one BigSize. */
export function decodeBigSize(bytes: Uint8Array): bigint {
  const r = new ByteReader(bytes);
  const value = readBigSize(r);
  if (!r.done) throw new DecodeError('trailing_bytes', `"bigsize" followed by ${r.remaining} unexpected bytes`);
  return value;
}
