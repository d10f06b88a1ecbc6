/**
 * TLV streams (BOLT 1): records of `[bigsize type][bigsize length][length bytes value]`, types
 * strictly increasing, BigSizes minimal, unknown even types refused and unknown odd types kept
 * (so re-encoding — and any signature over the stream — is unchanged).
 *
 * Two layers:
 *  - raw records: `encodeTlvStream(records)` / `decodeTlvStream(bytes, knownTypes)`, for callers that
 *    decode values themselves (e.g. BOLT 4 hop payloads);
 *  - typed streams: `tlvStream({ name: tlv(type, codec) })`, a `Codec` whose value is an object of
 *    the known fields plus `unknown` (the odd records it did not know), used by message extensions.
 *
 * Not here: what a record means to a message; BigSize itself (`bigsize.ts`).
 *
 * Spec: https://github.com/lightning/bolts/blob/master/01-messaging.md#type-length-value-format
 */
import { DecodeError } from '../bitcoin/errors.js';
import { readBigSize, writeBigSize } from './bigsize.js';
import { ByteReader, ByteWriter } from './byte-cursor.js';
import type { Codec } from './codec.js';

export interface TlvRecord {
  readonly type: bigint;
  readonly value: Uint8Array;
}

/**
 * Reads records to the end of `r`. Returns known records and unknown odd ones in stream order;
 * throws `DecodeError` on truncation, non-minimal BigSize, non-increasing types or an unknown even type.
 */
export function readTlvStream(r: ByteReader, isKnown: (type: bigint) => boolean): TlvRecord[] {
  const records: TlvRecord[] = [];
  let last = -1n;
  while (!r.done) {
    const type = readBigSize(r, 'type');
    if (type <= last) {
      throw new DecodeError('tlv_order', `TLV type ${type} after type ${last}: types must be strictly increasing`);
    }
    last = type;
    const length = readBigSize(r, 'length');
    if (length > BigInt(r.remaining)) {
      throw new DecodeError('truncated', `"value" of TLV type ${type} needs ${length} bytes, ${r.remaining} left`);
    }
    const value = r.bytes(Number(length), 'value');
    if (!isKnown(type)) {
      if (type % 2n === 0n) throw new DecodeError('tlv_unknown_even', `unknown even TLV type ${type}`);
    }
    records.push({ type, value });
  }
  return records;
}

export function decodeTlvStream(bytes: Uint8Array, knownTypes: Iterable<bigint>): TlvRecord[] {
  const known = new Set(knownTypes);
  return readTlvStream(new ByteReader(bytes), (t) => known.has(t));
}

export function writeTlvStream(w: ByteWriter, records: readonly TlvRecord[]): void {
  let last = -1n;
  for (const { type, value } of records) {
    if (type <= last) throw new RangeError(`"tlv" types must be strictly increasing, got ${type} after ${last}`);
    last = type;
    writeBigSize(w, type);
    writeBigSize(w, BigInt(value.length));
    w.bytes(value);
  }
}

/** Records must already be in strictly increasing type order (BOLT 1 sender rule). */
export function encodeTlvStream(records: readonly TlvRecord[]): Uint8Array {
  const w = new ByteWriter();
  writeTlvStream(w, records);
  return w.finish();
}

// ── typed streams ───────────────────────────────────────────────────────────────────────────────

export interface TlvField<T> {
  readonly type: bigint;
  readonly codec: Codec<T>;
}

export function tlv<T>(type: bigint, codec: Codec<T>): TlvField<T> {
  return { type, codec };
}

// `any`: one stream mixes fields of unrelated value types.
export type TlvFields = Record<string, TlvField<any>>;
export type TlvValues<F extends TlvFields> = {
  [K in keyof F]?: F[K] extends TlvField<infer T> ? T : never;
} & { unknown?: readonly TlvRecord[] };

/**
 * A typed TLV stream reading to the end of its window. Each known record's length is checked
 * against its codec's size bounds, then the codec must consume the value exactly.
 */
export function tlvStream<F extends TlvFields>(fields: F): Codec<TlvValues<F>> {
  const byType = new Map<bigint, [string, Codec<unknown>]>();
  for (const [name, { type, codec }] of Object.entries(fields)) {
    if (name === 'unknown') throw new TypeError('"tlvStream" field name "unknown" is reserved');
    if (byType.has(type)) throw new TypeError(`"tlvStream" type ${type} defined twice`);
    byType.set(type, [name, codec]);
  }
  return {
    minSize: 0,
    maxSize: Infinity,
    write: (w, values, field) => {
      const records: TlvRecord[] = [...(values.unknown ?? [])];
      for (const [type, [name, codec]] of byType) {
        const value = (values as Record<string, unknown>)[name];
        if (value === undefined) continue;
        const vw = new ByteWriter();
        codec.write(vw, value, name);
        records.push({ type, value: vw.finish() });
      }
      records.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
      for (let i = 1; i < records.length; i++) {
        if (records[i]!.type === records[i - 1]!.type) {
          throw new RangeError(`"${field}" has TLV type ${records[i]!.type} twice (known field and unknown record?)`);
        }
      }
      writeTlvStream(w, records);
    },
    read: (r) => {
      const out: Record<string, unknown> = {};
      const unknown: TlvRecord[] = [];
      for (const record of readTlvStream(r, (t) => byType.has(t))) {
        const entry = byType.get(record.type);
        if (!entry) {
          unknown.push(record);
          continue;
        }
        const [name, codec] = entry;
        const n = record.value.length;
        if (n < codec.minSize || n > codec.maxSize) {
          const want = codec.minSize === codec.maxSize ? `${codec.minSize}` : `${codec.minSize}..${codec.maxSize}`;
          throw new DecodeError('tlv_length', `"${name}" (TLV type ${record.type}) is ${n} bytes, expected ${want}`);
        }
        const vr = new ByteReader(record.value);
        out[name] = codec.read(vr, name);
        if (!vr.done) {
          throw new DecodeError('tlv_length', `"${name}" (TLV type ${record.type}) has ${vr.remaining} bytes beyond its encoding`);
        }
      }
      out.unknown = unknown;
      return out as TlvValues<F>;
    },
  };
}
