/**
 * BIP158 basic block filters and BIP157 filter headers: build a filter from a block and the
 * scripts its inputs spend, decode one, chain headers, and test a wallet's scripts against it.
 * https://github.com/bitcoin/bips/blob/master/bip-0158.mediawiki
 * https://github.com/bitcoin/bips/blob/master/bip-0157.mediawiki (filter headers)
 *
 * Byte-for-byte what Bitcoin Core's `-blockfilterindex` serves (src/blockfilter.cpp): elements are
 * every output script except empty and OP_RETURN ones, plus every non-empty spent script,
 * deduplicated; Golomb-Rice coded with P=19, M=784931; items hashed with SipHash-2-4 keyed by the
 * first 16 bytes of the block hash (internal byte order) and mapped to [0, N·M) with the 64×64→128
 * "fast range" multiply.
 *
 * Not here: the extended filter type (withdrawn), P2P filter messages, checkpoint trust.
 * SipHash-2-4 is implemented here because @noble/hashes has none; it is checked against the
 * reference vectors of its authors (test/unit/chain/bip158-hashing.test.ts).
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { DecodeError } from '../bitcoin/errors.js';
import { blockHashOf, displayHex, forEachOutputScript, hash256 } from './block.js';

export const BASIC_FILTER_P = 19;
export const BASIC_FILTER_M = 784931;
const OP_RETURN = 0x6a;
/** Core reads N with ReadCompactSize, which refuses values above MAX_SIZE. */
const MAX_ELEMENTS = 0x02000000;
const TWO32 = 0x100000000;
const P_SCALE = 1 << BASIC_FILTER_P;

// ---------------------------------------------------------------------------------------------
// SipHash-2-4 over 32-bit halves: JavaScript has no native 64-bit integers, and BigInt allocates.

/** A SipHash key split into 32-bit little-endian words: [k0 lo, k0 hi, k1 lo, k1 hi]. */
type SipKey = readonly [number, number, number, number];

/** Little-endian 32-bit word as int32 (V8 keeps int32 in registers; uint32 above 2^31 boxes). */
function le32(b: Uint8Array, i: number): number {
  return (b[i] as number) | ((b[i + 1] as number) << 8) | ((b[i + 2] as number) << 16) | ((b[i + 3] as number) << 24);
}

function sipKey(key16: Uint8Array): SipKey {
  return [le32(key16, 0), le32(key16, 4), le32(key16, 8), le32(key16, 12)];
}

/** Result of the last sipHash24 call (hi, lo): avoids allocating per hashed item. */
const sipOut = new Uint32Array(2);
const TWO32_INV = 1 / TWO32;

function sipHash24(key: SipKey, data: Uint8Array): void {
  const [k0l, k0h, k1l, k1h] = key;
  let v0l = k0l ^ 0x70736575;
  let v0h = k0h ^ 0x736f6d65;
  let v1l = k1l ^ 0x6e646f6d;
  let v1h = k1h ^ 0x646f7261;
  let v2l = k0l ^ 0x6e657261;
  let v2h = k0h ^ 0x6c796765;
  let v3l = k1l ^ 0x79746573;
  let v3h = k1h ^ 0x74656462;
  const len = data.length;
  const words = len >>> 3;
  // Steps 0..words-1 absorb full words, step `words` the tail with the length byte, and the last
  // step (m = 0, so its xors are no-ops) runs the 4 finalization rounds after v2 ^= 0xff.
  // 64-bit adds carry through the low halves' sum as a double (exact below 2^33).
  for (let step = 0; step <= words + 1; step++) {
    let ml = 0;
    let mh = 0;
    let rounds = 2;
    if (step < words) {
      ml = le32(data, step * 8);
      mh = le32(data, step * 8 + 4);
    } else if (step === words) {
      const base = words * 8;
      const rest = len - base;
      for (let i = 0; i < rest && i < 4; i++) ml |= (data[base + i] as number) << (8 * i);
      for (let i = 4; i < rest; i++) mh |= (data[base + i] as number) << (8 * (i - 4));
      mh |= (len & 0xff) << 24;
    } else {
      rounds = 4;
      v2l ^= 0xff;
    }
    v3l ^= ml;
    v3h ^= mh;
    for (let r = 0; r < rounds; r++) {
      let s: number;
      let t: number;
      // v0 += v1; v1 = rotl(v1, 13) ^ v0; v0 = rotl(v0, 32)
      s = (v0l >>> 0) + (v1l >>> 0);
      v0h = (v0h + v1h + ((s * TWO32_INV) | 0)) | 0;
      v0l = s | 0;
      t = (v1h << 13) | (v1l >>> 19);
      v1l = ((v1l << 13) | (v1h >>> 19)) ^ v0l;
      v1h = t ^ v0h;
      t = v0l;
      v0l = v0h;
      v0h = t;
      // v2 += v3; v3 = rotl(v3, 16) ^ v2
      s = (v2l >>> 0) + (v3l >>> 0);
      v2h = (v2h + v3h + ((s * TWO32_INV) | 0)) | 0;
      v2l = s | 0;
      t = (v3h << 16) | (v3l >>> 16);
      v3l = ((v3l << 16) | (v3h >>> 16)) ^ v2l;
      v3h = t ^ v2h;
      // v0 += v3; v3 = rotl(v3, 21) ^ v0
      s = (v0l >>> 0) + (v3l >>> 0);
      v0h = (v0h + v3h + ((s * TWO32_INV) | 0)) | 0;
      v0l = s | 0;
      t = (v3h << 21) | (v3l >>> 11);
      v3l = ((v3l << 21) | (v3h >>> 11)) ^ v0l;
      v3h = t ^ v0h;
      // v2 += v1; v1 = rotl(v1, 17) ^ v2; v2 = rotl(v2, 32)
      s = (v2l >>> 0) + (v1l >>> 0);
      v2h = (v2h + v1h + ((s * TWO32_INV) | 0)) | 0;
      v2l = s | 0;
      t = (v1h << 17) | (v1l >>> 15);
      v1l = ((v1l << 17) | (v1h >>> 15)) ^ v2l;
      v1h = t ^ v2h;
      t = v2l;
      v2l = v2h;
      v2h = t;
    }
    v0l ^= ml;
    v0h ^= mh;
  }
  sipOut[0] = v0h ^ v1h ^ v2h ^ v3h;
  sipOut[1] = v0l ^ v1l ^ v2l ^ v3l;
}

/** SipHash-2-4 with a 16-byte key; the 8-byte tag little-endian, as the reference prints it. */
export function _siphash24(key16: Uint8Array, data: Uint8Array): Uint8Array {
  if (key16.length !== 16) throw new RangeError(`"key" expected 16 bytes, got ${key16.length}`);
  sipHash24(sipKey(key16), data);
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, sipOut[1] as number, true);
  view.setUint32(4, sipOut[0] as number, true);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Hash to range: (h · F) >> 64 with h a 64-bit hash and F = N·M < 2^45, exact in doubles.

/** High 32 bits and low 32 bits of a·b for a, b < 2^32 (16-bit split keeps products < 2^53). */
let mulHi = 0;
function mul32(a: number, b: number): number {
  const t = (a & 0xffff) * b;
  const u = (a >>> 16) * b;
  const uLo = u % 0x10000;
  const s = t + uLo * 0x10000;
  const sHi = Math.floor(s / TWO32);
  mulHi = (u - uLo) / 0x10000 + sHi;
  return s - sHi * TWO32;
}

function fastRange(hHi: number, hLo: number, f: number): number {
  const fHi = Math.floor(f / TWO32);
  const fLo = f >>> 0;
  mul32(hLo, fLo);
  const aHi = mulHi;
  const bLo = mul32(hHi, fLo);
  const bHi = mulHi;
  const c = hLo * fHi; // < 2^45: exact
  const cHi = Math.floor(c / TWO32);
  const cLo = c - cHi * TWO32;
  const carry = Math.floor((aHi + bLo + cLo) / TWO32);
  return hHi * fHi + bHi + cHi + carry;
}

/** (h · f) >> 64 for the 64-bit h = hHi·2^32 + hLo; exported for its BigInt cross-check. */
export const _fastRange = fastRange;

function hashToRange(key: SipKey, item: Uint8Array, f: number): number {
  sipHash24(key, item);
  return fastRange(sipOut[0] as number, sipOut[1] as number, f);
}

/** The SipHash key of a block: the first 16 bytes of its hash in internal byte order. */
function blockKey(blockHash: string): SipKey {
  if (!/^[0-9a-fA-F]{64}$/.test(blockHash)) throw new RangeError(`"blockHash" expected 64 hex characters, got ${JSON.stringify(blockHash)}`);
  return sipKey(hexToBytes(blockHash).reverse().subarray(0, 16));
}

function hashedSorted(key: SipKey, items: readonly Uint8Array[], f: number): Float64Array {
  const values = new Float64Array(items.length);
  for (let i = 0; i < items.length; i++) values[i] = hashToRange(key, items[i] as Uint8Array, f);
  return values.sort();
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * A block's distinct filter elements, each SipHashed once. Duplicates are found by their 64-bit
 * hash (bucketed by its low bits) and confirmed byte for byte; N is known only after deduplication,
 * and the range F = N·M with it, so the stored hashes are mapped to the range at the end.
 */
class ElementSet {
  readonly items: Uint8Array[] = [];
  private readonly his: number[] = [];
  private readonly los: number[] = [];
  private readonly next: number[] = [];
  private readonly heads = new Map<number, number>();

  constructor(private readonly key: SipKey) {}

  add(item: Uint8Array): void {
    sipHash24(this.key, item);
    const hi = sipOut[0] as number;
    const lo = sipOut[1] as number;
    // Keyed by 30 bits of the hash so the key stays a small integer (V8 Smi): Map lookups on
    // heap numbers are several times slower. The chain resolves the extra collisions.
    const bucket = lo & 0x3fffffff;
    const head = this.heads.get(bucket) ?? -1;
    for (let i = head; i !== -1; i = this.next[i] as number) {
      if (this.his[i] === hi && equalBytes(this.items[i] as Uint8Array, item)) return;
    }
    this.heads.set(bucket, this.items.length);
    this.items.push(item);
    this.his.push(hi);
    this.los.push(lo);
    this.next.push(head);
  }

  /** The N values in [0, N·M), ascending. */
  sortedValues(): Float64Array {
    const n = this.items.length;
    const f = n * BASIC_FILTER_M;
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = fastRange(this.his[i] as number, this.los[i] as number, f);
    return values.sort();
  }
}

/** Core's BasicFilterElements: outputs except empty/OP_RETURN, spent scripts except empty. */
function blockElements(block: Uint8Array, prevoutScripts: Iterable<Uint8Array>, key: SipKey): ElementSet {
  const set = new ElementSet(key);
  forEachOutputScript(block, (script) => {
    if (script.length !== 0 && script[0] !== OP_RETURN) set.add(script);
  });
  for (const script of prevoutScripts) if (script.length !== 0) set.add(script);
  return set;
}

// ---------------------------------------------------------------------------------------------
// Golomb-Rice coding.

class BitWriter {
  private out: Uint8Array;
  private len = 0;
  private acc = 0;
  private accBits = 0;

  constructor(capacity: number) {
    this.out = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends the `n` low bits of `value`, most significant first (n ≤ 24). */
  put(value: number, n: number): void {
    this.acc = ((this.acc << n) | value) >>> 0;
    this.accBits += n;
    while (this.accBits >= 8) {
      this.accBits -= 8;
      if (this.len === this.out.length) {
        const grown = new Uint8Array(this.out.length * 2);
        grown.set(this.out);
        this.out = grown;
      }
      this.out[this.len++] = (this.acc >>> this.accBits) & 0xff;
    }
    this.acc &= (1 << this.accBits) - 1;
  }

  finish(): Uint8Array {
    if (this.accBits > 0) this.put(0, 8 - this.accBits);
    return this.out.slice(0, this.len);
  }
}

function writeCompactSize(n: number): Uint8Array {
  if (n < 0xfd) return Uint8Array.of(n);
  if (n <= 0xffff) return Uint8Array.of(0xfd, n & 0xff, n >>> 8);
  return Uint8Array.of(0xfe, n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
}

/** Reads N from a filter: canonical CompactSize, at most MAX_SIZE; returns [N, first GCS byte]. */
function readCount(filter: Uint8Array): [number, number] {
  const first = filter[0];
  if (first === undefined) throw new DecodeError('BIP158_TRUNCATED', '"filter" is empty: expected N as CompactSize');
  if (first < 0xfd) return [first, 1];
  const width = first === 0xfd ? 2 : first === 0xfe ? 4 : 8;
  if (filter.length < 1 + width) {
    throw new DecodeError('BIP158_TRUNCATED', `"filter.N" needs ${width} bytes after 0x${first.toString(16)}, got ${filter.length - 1}`);
  }
  let n = 0;
  for (let i = width; i >= 1; i--) n = n * 256 + (filter[i] as number);
  const min = width === 2 ? 0xfd : width === 4 ? 0x10000 : TWO32;
  if (n < min) throw new DecodeError('BIP158_NONCANONICAL', `"filter.N" non-canonical CompactSize ${n}`);
  if (n > MAX_ELEMENTS) throw new DecodeError('BIP158_TOO_MANY', `"filter.N" expected at most ${MAX_ELEMENTS}, got ${n}`);
  return [n, 1 + width];
}

/**
 * Streams the N values of a Golomb-coded set in ascending order. Each `next()` returns the next
 * value; reading past the data is a DecodeError. 32-bit windows let one `clz32` count a whole
 * unary run instead of one bit at a time.
 */
class GcsReader {
  private bit: number;
  private readonly endBit: number;
  private value = 0;

  constructor(
    private readonly bytes: Uint8Array,
    startByte: number,
  ) {
    this.bit = startByte * 8;
    this.endBit = bytes.length * 8;
  }

  private window(bit: number): number {
    const b = this.bytes;
    const i = bit >>> 3;
    const off = bit & 7;
    const w = (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0;
    return off === 0 ? w : ((w << off) | ((b[i + 4] ?? 0) >>> (8 - off))) >>> 0;
  }

  next(): number {
    let q = 0;
    for (;;) {
      const ones = Math.clz32(~this.window(this.bit));
      q += ones;
      this.bit += ones;
      if (this.bit >= this.endBit) throw new DecodeError('BIP158_TRUNCATED', '"filter" ends inside a Golomb-Rice quotient');
      if (ones < 32) break;
    }
    this.bit += 1; // the unary terminator
    const r = this.window(this.bit) >>> (32 - BASIC_FILTER_P);
    this.bit += BASIC_FILTER_P;
    if (this.bit > this.endBit) throw new DecodeError('BIP158_TRUNCATED', '"filter" ends inside a Golomb-Rice remainder');
    this.value += q * P_SCALE + r;
    if (this.value > Number.MAX_SAFE_INTEGER) throw new DecodeError('BIP158_VALUE_RANGE', '"filter" value exceeds 2^53');
    return this.value;
  }

  /** Bytes after the last used bit: Core rejects a filter with any ("excess data"). */
  excessBytes(): number {
    return this.bytes.length - Math.ceil(this.bit / 8);
  }
}

// ---------------------------------------------------------------------------------------------
// Public API.

/**
 * The distinct filter elements of a block: output scripts except empty and OP_RETURN ones, and
 * the spent scripts except empty ones (as Core's BasicFilterElements). `prevoutScripts` are the
 * scripts of every output the block's non-coinbase inputs spend, in any order.
 */
export function basicFilterElements(block: Uint8Array, prevoutScripts: Iterable<Uint8Array>): Uint8Array[] {
  return blockElements(block, prevoutScripts, blockKey(blockHashOf(block))).items;
}

function encodeValues(values: Float64Array): Uint8Array {
  const n = values.length;
  if (n > MAX_ELEMENTS) throw new RangeError(`"elements" expected at most ${MAX_ELEMENTS}, got ${n}`);
  const prefix = writeCompactSize(n);
  const w = new BitWriter(prefix.length + Math.ceil((n * (BASIC_FILTER_P + 2)) / 8));
  for (const b of prefix) w.put(b, 8);
  let last = 0;
  for (const v of values) {
    const delta = v - last;
    last = v;
    let q = Math.floor(delta / P_SCALE);
    while (q >= 23) {
      w.put(0x7fffff, 23);
      q -= 23;
    }
    w.put(((1 << q) - 1) << 1, q + 1);
    w.put(delta % P_SCALE, BASIC_FILTER_P);
  }
  return w.finish();
}

/** Encodes a set of elements (duplicates count once) as the basic filter of block `blockHash` (hex, RPC order). */
export function encodeBasicFilter(blockHash: string, elements: Iterable<Uint8Array>): Uint8Array {
  const set = new ElementSet(blockKey(blockHash));
  for (const e of elements) set.add(e);
  return encodeValues(set.sortedValues());
}

/** The basic filter of a serialized block given the scripts its inputs spend. */
export function basicFilter(block: Uint8Array, prevoutScripts: Iterable<Uint8Array>): Uint8Array {
  return encodeValues(blockElements(block, prevoutScripts, blockKey(blockHashOf(block))).sortedValues());
}

/** A decoded filter: N and its N ascending values in [0, N·M). */
export interface DecodedFilter {
  n: number;
  values: Float64Array;
}

/** Decodes a basic filter strictly as Core does: exactly N values and no excess bytes. */
export function decodeBasicFilter(filter: Uint8Array): DecodedFilter {
  const [n, start] = readCount(filter);
  const reader = new GcsReader(filter, start);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) values[i] = reader.next();
  const excess = reader.excessBytes();
  if (excess > 0) throw new DecodeError('BIP158_EXCESS_DATA', `"filter" has ${excess} bytes after its ${n} values`);
  return { n, values };
}

/**
 * Whether any of `scripts` may be in the block (false positive rate 1/M per script). The query
 * set is hashed and sorted once, then walked in merge order against the decoded set, stopping at
 * the first hit; the filter is read only as far as needed, so trailing garbage after a match goes
 * unnoticed (use decodeBasicFilter to validate a filter).
 */
export function matchAny(filter: Uint8Array, blockHash: string, scripts: readonly Uint8Array[]): boolean {
  const key = blockKey(blockHash);
  const [n, start] = readCount(filter);
  if (n === 0 || scripts.length === 0) return false;
  const queries = hashedSorted(key, scripts, n * BASIC_FILTER_M);
  const reader = new GcsReader(filter, start);
  let j = 0;
  let q = queries[0] as number;
  for (let i = 0; i < n; i++) {
    const v = reader.next();
    while (q < v) {
      if (++j === queries.length) return false;
      q = queries[j] as number;
    }
    if (q === v) return true;
  }
  return false;
}

/** BIP157 filter header: hash256(hash256(filter) || previous header), hex in RPC order. */
export function filterHeader(filter: Uint8Array, prevHeader: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(prevHeader)) throw new RangeError(`"prevHeader" expected 64 hex characters, got ${JSON.stringify(prevHeader)}`);
  return displayHex(hash256(hash256(filter), hexToBytes(prevHeader).reverse()));
}

/** The header preceding the genesis block's filter header. */
export const GENESIS_PREV_FILTER_HEADER = '00'.repeat(32);
