/**
 * Bounded reading and growable writing of BOLT wire bytes (big-endian, as BOLT 1 says: "All data
 * fields are unsigned big-endian unless otherwise specified").
 *
 * `ByteReader` is the only way decoders in `core/lightning` touch untrusted bytes: every read checks
 * the remaining length first and throws `DecodeError('truncated', …)` naming the field, so no
 * allocation is ever sized from a length that was not checked against the bytes actually present.
 * It is not a stream: it reads one in-memory message (or a bounded window of it, see `sub`).
 *
 * Spec: https://github.com/lightning/bolts/blob/master/01-messaging.md#fundamental-types
 */
import { DecodeError } from '../bitcoin/errors.js';

export class ByteReader {
  private pos: number;
  private readonly end: number;

  constructor(
    private readonly data: Uint8Array,
    start = 0,
    end = data.length,
  ) {
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  get done(): boolean {
    return this.pos === this.end;
  }

  private take(n: number, field: string): number {
    if (n > this.end - this.pos) {
      throw new DecodeError('truncated', `"${field}" needs ${n} bytes, ${this.end - this.pos} left`);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field: string): number {
    return this.data[this.take(1, field)]!;
  }

  u16(field: string): number {
    const at = this.take(2, field);
    return (this.data[at]! << 8) | this.data[at + 1]!;
  }

  u32(field: string): number {
    const at = this.take(4, field);
    const b = this.data;
    return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
  }

  u64(field: string): bigint {
    const hi = this.u32(field);
    const lo = this.u32(field);
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A copy of the next `n` bytes: decoded values never alias the peer's buffer. */
  bytes(n: number, field: string): Uint8Array {
    const at = this.take(n, field);
    return this.data.slice(at, at + n);
  }

  /** Everything left, copied. */
  rest(): Uint8Array {
    return this.bytes(this.remaining, 'rest');
  }

  /** A reader over the next `n` bytes only; this reader skips past them. */
  sub(n: number, field: string): ByteReader {
    const at = this.take(n, field);
    return new ByteReader(this.data, at, at + n);
  }
}

export class ByteWriter {
  private buf: Uint8Array;
  private len = 0;

  constructor(initialCapacity = 64) {
    this.buf = new Uint8Array(initialCapacity);
  }

  get length(): number {
    return this.len;
  }

  private reserve(n: number): number {
    const need = this.len + n;
    if (need > this.buf.length) {
      const next = new Uint8Array(Math.max(need, this.buf.length * 2));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    const at = this.len;
    this.len = need;
    return at;
  }

  u8(v: number): void {
    const at = this.reserve(1);
    this.buf[at] = v;
  }

  u16(v: number): void {
    const at = this.reserve(2);
    this.buf[at] = v >>> 8;
    this.buf[at + 1] = v;
  }

  u32(v: number): void {
    const at = this.reserve(4);
    this.buf[at] = v >>> 24;
    this.buf[at + 1] = v >>> 16;
    this.buf[at + 2] = v >>> 8;
    this.buf[at + 3] = v;
  }

  u64(v: bigint): void {
    this.u32(Number(v >> 32n));
    this.u32(Number(v & 0xffffffffn));
  }

  bytes(b: Uint8Array): void {
    const at = this.reserve(b.length); // before reading this.buf: reserve may replace it
    this.buf.set(b, at);
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
