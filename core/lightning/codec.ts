/**
 * Codec combinators for the BOLT fundamental types: one declarative value (`Codec<T>`) gives both
 * the encoder and the decoder, so a message is described once (see `messages.ts`) and can never
 * encode differently from how it decodes.
 *
 * Decoding reads from a bounded `ByteReader` and throws only `DecodeError`; encoding validates its
 * input and throws `TypeError`/`RangeError` naming the field. Each codec also states the smallest
 * and largest size it can occupy, which the TLV layer uses to reject a record whose length does
 * not fit its known encoding before decoding it (BOLT 1: "if `length` is not exactly equal to that
 * required for the known encoding for `type`: MUST fail to parse the `tlv_stream`").
 *
 * Not here: BigSize (`bigsize.ts`), TLV streams (`tlv.ts`), feature bitmaps (`features.ts`).
 *
 * Spec: https://github.com/lightning/bolts/blob/master/01-messaging.md#fundamental-types
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { DecodeError } from '../bitcoin/errors.js';
import { ByteReader, ByteWriter } from './byte-cursor.js';

export interface Codec<T> {
  /** Fewest bytes an encoding can take. */
  readonly minSize: number;
  /** Most bytes an encoding can take; `Infinity` when it reads to the end of its window. */
  readonly maxSize: number;
  write(w: ByteWriter, value: T, field: string): void;
  read(r: ByteReader, field: string): T;
}

export type Infer<C> = C extends Codec<infer T> ? T : never;

export function encode<T>(codec: Codec<T>, value: T, field = 'value'): Uint8Array {
  const w = new ByteWriter();
  codec.write(w, value, field);
  return w.finish();
}

/** Decodes bytes that must hold exactly one `codec` value. */
export function decode<T>(codec: Codec<T>, bytes: Uint8Array, field = 'value'): T {
  const r = new ByteReader(bytes);
  const value = codec.read(r, field);
  if (!r.done) throw new DecodeError('trailing_bytes', `"${field}" followed by ${r.remaining} unexpected bytes`);
  return value;
}

/** A codec over another one's wire form, e.g. bytes ↔ `Features`. */
export function mapped<A, B>(inner: Codec<A>, fromWire: (a: A, field: string) => B, toWire: (b: B, field: string) => A): Codec<B> {
  return {
    minSize: inner.minSize,
    maxSize: inner.maxSize,
    write: (w, value, field) => inner.write(w, toWire(value, field), field),
    read: (r, field) => fromWire(inner.read(r, field), field),
  };
}

// ── integers ────────────────────────────────────────────────────────────────────────────────────

function checkInt(value: number, min: number, max: number, field: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`"${field}" expected integer, got ${String(value)}`);
  }
  if (value < min || value > max) throw new RangeError(`"${field}" expected integer in ${min}..${max}, got ${value}`);
}

function checkBigInt(value: bigint, min: bigint, max: bigint, field: string): void {
  if (typeof value !== 'bigint') throw new TypeError(`"${field}" expected bigint, got ${typeof value}`);
  if (value < min || value > max) throw new RangeError(`"${field}" expected bigint in ${min}..${max}, got ${value}`);
}

export const u8: Codec<number> = {
  minSize: 1,
  maxSize: 1,
  write: (w, v, field) => (checkInt(v, 0, 0xff, field), w.u8(v)),
  read: (r, field) => r.u8(field),
};

export const u16: Codec<number> = {
  minSize: 2,
  maxSize: 2,
  write: (w, v, field) => (checkInt(v, 0, 0xffff, field), w.u16(v)),
  read: (r, field) => r.u16(field),
};

export const u32: Codec<number> = {
  minSize: 4,
  maxSize: 4,
  write: (w, v, field) => (checkInt(v, 0, 0xffff_ffff, field), w.u32(v)),
  read: (r, field) => r.u32(field),
};

export const u64: Codec<bigint> = {
  minSize: 8,
  maxSize: 8,
  write: (w, v, field) => (checkBigInt(v, 0n, 0xffff_ffff_ffff_ffffn, field), w.u64(v)),
  read: (r, field) => r.u64(field),
};

/** Big-endian two's complement, BOLT 1 Appendix D. */
function signed(size: 1 | 2 | 4): Codec<number> {
  const bits = size * 8;
  const max = 2 ** (bits - 1) - 1;
  const min = -(2 ** (bits - 1));
  const unsigned = size === 1 ? u8 : size === 2 ? u16 : u32;
  return {
    minSize: size,
    maxSize: size,
    write: (w, v, field) => {
      checkInt(v, min, max, field);
      unsigned.write(w, v < 0 ? v + 2 ** bits : v, field);
    },
    read: (r, field) => {
      const v = unsigned.read(r, field);
      return v > max ? v - 2 ** bits : v;
    },
  };
}

export const s8: Codec<number> = signed(1);
export const s16: Codec<number> = signed(2);
export const s32: Codec<number> = signed(4);
export const s64: Codec<bigint> = {
  minSize: 8,
  maxSize: 8,
  write: (w, v, field) => (checkBigInt(v, -(2n ** 63n), 2n ** 63n - 1n, field), w.u64(BigInt.asUintN(64, v))),
  read: (r, field) => BigInt.asIntN(64, r.u64(field)),
};

/**
 * Truncated unsigned integers: big-endian with leading zero bytes omitted ("Leading zeros in
 * truncated integers MUST be omitted"). Only ever the final value of a TLV record, so they read
 * to the end of their window.
 */
function truncated(maxBytes: number): Codec<bigint> {
  const max = (1n << BigInt(maxBytes * 8)) - 1n;
  return {
    minSize: 0,
    maxSize: maxBytes,
    write: (w, v, field) => {
      checkBigInt(v, 0n, max, field);
      const out: number[] = [];
      for (let x = v; x > 0n; x >>= 8n) out.unshift(Number(x & 0xffn));
      w.bytes(Uint8Array.from(out));
    },
    read: (r, field) => {
      const n = r.remaining;
      if (n > maxBytes) throw new DecodeError('tlv_length', `"${field}" truncated integer is ${n} bytes, at most ${maxBytes} allowed`);
      const first = n > 0 ? r.u8(field) : 0;
      if (n > 0 && first === 0) throw new DecodeError('not_minimal', `"${field}" truncated integer has a leading zero byte`);
      let v = BigInt(first);
      for (let i = 1; i < n; i++) v = (v << 8n) | BigInt(r.u8(field));
      return v;
    },
  };
}

/** tu16/tu32 fit a JS number; they are checked as numbers so errors name the right range. */
function truncatedNumber(maxBytes: 2 | 4): Codec<number> {
  const max = 2 ** (maxBytes * 8) - 1;
  return mapped(
    truncated(maxBytes),
    (v) => Number(v),
    (v, field) => {
      checkInt(v, 0, max, field);
      return BigInt(v);
    },
  );
}

export const tu16: Codec<number> = truncatedNumber(2);
export const tu32: Codec<number> = truncatedNumber(4);
export const tu64: Codec<bigint> = truncated(8);

// ── byte strings ────────────────────────────────────────────────────────────────────────────────

function checkBytes(value: Uint8Array, field: string): void {
  if (!(value instanceof Uint8Array)) throw new TypeError(`"${field}" expected Uint8Array, got ${typeof value}`);
}

/** Exactly `n` bytes (`n*byte`). */
export function bytes(n: number): Codec<Uint8Array> {
  return {
    minSize: n,
    maxSize: n,
    write: (w, v, field) => {
      checkBytes(v, field);
      if (v.length !== n) throw new RangeError(`"${field}" expected ${n} bytes, got ${v.length}`);
      w.bytes(v);
    },
    read: (r, field) => r.bytes(n, field),
  };
}

export const sha256: Codec<Uint8Array> = bytes(32);
export const chainHash: Codec<Uint8Array> = bytes(32);
export const channelId: Codec<Uint8Array> = bytes(32);
/** `signature`: 64-byte compact ECDSA (or BIP340) signature; verified by the channel layer, not here. */
export const signature: Codec<Uint8Array> = bytes(64);

/** True for 33 bytes that are a SEC1 compressed secp256k1 point on the curve. */
export function isCompressedPoint(b: Uint8Array): boolean {
  // Point.fromBytes also takes 65-byte uncompressed keys; length and prefix keep it to compressed.
  if (b.length !== 33 || (b[0] !== 0x02 && b[0] !== 0x03)) return false;
  try {
    secp256k1.Point.fromBytes(b);
    return true;
  } catch {
    return false;
  }
}

/** `point`: a 33-byte compressed secp256k1 point, checked to be on the curve when decoded. */
export const point: Codec<Uint8Array> = {
  minSize: 33,
  maxSize: 33,
  write: (w, v, field) => bytes(33).write(w, v, field),
  read: (r, field) => {
    const b = r.bytes(33, field);
    if (!isCompressedPoint(b)) throw new DecodeError('invalid_point', `"${field}" is not a compressed secp256k1 point`);
    return b;
  },
};

/** `u16` length then that many bytes (`[u16:len][len*byte:data]`). */
export const varbytes: Codec<Uint8Array> = {
  minSize: 2,
  maxSize: 2 + 0xffff,
  write: (w, v, field) => {
    checkBytes(v, field);
    if (v.length > 0xffff) throw new RangeError(`"${field}" expected at most 65535 bytes, got ${v.length}`);
    w.u16(v.length);
    w.bytes(v);
  },
  read: (r, field) => r.bytes(r.u16(field), field),
};

/** `...*byte`: everything to the end of the window (last field of a TLV record). */
export const remainder: Codec<Uint8Array> = {
  minSize: 0,
  maxSize: Infinity,
  write: (w, v, field) => (checkBytes(v, field), w.bytes(v)),
  read: (r) => r.rest(),
};

export interface ShortChannelId {
  block: number;
  txIndex: number;
  outputIndex: number;
}

/** `short_channel_id`: 3-byte block height, 3-byte transaction index, 2-byte output index (BOLT 7). */
export const shortChannelId: Codec<ShortChannelId> = {
  minSize: 8,
  maxSize: 8,
  write: (w, v, field) => {
    checkInt(v.block, 0, 0xff_ffff, `${field}.block`);
    checkInt(v.txIndex, 0, 0xff_ffff, `${field}.txIndex`);
    checkInt(v.outputIndex, 0, 0xffff, `${field}.outputIndex`);
    w.u8(v.block >>> 16);
    w.u16(v.block & 0xffff);
    w.u8(v.txIndex >>> 16);
    w.u16(v.txIndex & 0xffff);
    w.u16(v.outputIndex);
  },
  read: (r, field) => ({
    block: (r.u8(field) << 16) | r.u16(field),
    txIndex: (r.u8(field) << 16) | r.u16(field),
    outputIndex: r.u16(field),
  }),
};

// ── composites ──────────────────────────────────────────────────────────────────────────────────

function checkArray(value: readonly unknown[], field: string): void {
  if (!Array.isArray(value)) throw new TypeError(`"${field}" expected array, got ${typeof value}`);
}

/** `...*T`: elements until the end of the window. */
export function list<T>(item: Codec<T>): Codec<T[]> {
  if (item.minSize === 0) throw new TypeError('"list" item codec must consume at least one byte');
  return {
    minSize: 0,
    maxSize: Infinity,
    write: (w, v, field) => {
      checkArray(v, field);
      v.forEach((x, i) => item.write(w, x, `${field}[${i}]`));
    },
    read: (r, field) => {
      const out: T[] = [];
      while (!r.done) out.push(item.read(r, `${field}[${out.length}]`));
      return out;
    },
  };
}

/** `u16` count then that many elements (`[u16:num][num*T:items]`). */
export function counted<T>(item: Codec<T>): Codec<T[]> {
  return {
    minSize: 2,
    maxSize: item.maxSize === Infinity ? Infinity : 2 + 0xffff * item.maxSize,
    write: (w, v, field) => {
      checkArray(v, field);
      if (v.length > 0xffff) throw new RangeError(`"${field}" expected at most 65535 items, got ${v.length}`);
      w.u16(v.length);
      v.forEach((x, i) => item.write(w, x, `${field}[${i}]`));
    },
    read: (r, field) => {
      const n = r.u16(field);
      if (n * item.minSize > r.remaining) {
        throw new DecodeError('truncated', `"${field}" announces ${n} items, only ${r.remaining} bytes left`);
      }
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.read(r, `${field}[${i}]`));
      return out;
    },
  };
}

/** Exactly `n` elements (`n*T`). */
export function fixedList<T>(n: number, item: Codec<T>): Codec<T[]> {
  return {
    minSize: n * item.minSize,
    maxSize: n * item.maxSize,
    write: (w, v, field) => {
      checkArray(v, field);
      if (v.length !== n) throw new RangeError(`"${field}" expected ${n} items, got ${v.length}`);
      v.forEach((x, i) => item.write(w, x, `${field}[${i}]`));
    },
    read: (r, field) => {
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.read(r, `${field}[${i}]`));
      return out;
    },
  };
}

export type Fields = Record<string, Codec<any>>;
export type StructValue<F extends Fields> = { [K in keyof F]: Infer<F[K]> };

/** Fields in wire order, the order of the object's keys. */
export function struct<F extends Fields>(fields: F): Codec<StructValue<F>> {
  const entries = Object.entries(fields);
  return {
    minSize: entries.reduce((n, [, c]) => n + c.minSize, 0),
    maxSize: entries.reduce((n, [, c]) => n + c.maxSize, 0),
    write: (w, v, field) => {
      if (typeof v !== 'object' || v === null) throw new TypeError(`"${field}" expected object, got ${String(v)}`);
      for (const [name, codec] of entries) codec.write(w, (v as Record<string, unknown>)[name], name);
    },
    read: (r) => {
      const out: Record<string, unknown> = {};
      for (const [name, codec] of entries) out[name] = codec.read(r, name);
      return out as StructValue<F>;
    },
  };
}
