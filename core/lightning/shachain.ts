/**
 * BOLT 3 per-commitment secrets: the sender's generator (`generate_from_seed`) and the receiver's
 * compact storage (at most 49 buckets; `insert_secret` with the derivability check;
 * `derive_old_secret`), plus a byte encoding of that storage for persistence.
 *
 * It is not the per-commitment point or any key derivation (keys.ts), and it does not map
 * commitment numbers to indices beyond `shachainIndex` (BOLT 2 counts commitments up from 0, the
 * shachain counts indices down from 2^48 - 1).
 *
 * Spec: https://github.com/lightning/bolts/blob/master/03-transactions.md#per-commitment-secret-requirements
 *       https://github.com/lightning/bolts/blob/master/03-transactions.md#efficient-per-commitment-secret-storage
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { DecodeError } from '../bitcoin/errors.js';

/** The first secret a channel uses; indices then count down to 0. */
export const SHACHAIN_MAX_INDEX = 2 ** 48 - 1;

/** One stored secret: bucket `b` holds a secret whose index has exactly `b` trailing zero bits. */
export interface ShachainEntry {
  readonly index: number;
  readonly secret: Uint8Array;
}

/** Receiver storage; `known[b]` is bucket `b`. Treat as immutable: every update returns a new value. */
export interface Shachain {
  readonly known: readonly ShachainEntry[];
}

/** Thrown where callers branch: a peer sent a bad secret, an out-of-turn secret, or asked for one never received. */
export class ShachainError extends Error {
  override readonly name = 'ShachainError';
  constructor(
    readonly code: 'mismatch' | 'out-of-order' | 'unknown-index',
    message: string,
  ) {
    super(message);
  }
}

const BUCKETS = 49;
const ENTRY_BYTES = 6 + 32;
const LOW = 2 ** 24;

function assertIndex(index: number, title: string): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > SHACHAIN_MAX_INDEX)
    throw new RangeError(`"${title}" expected integer in [0, 2^48-1], got ${index}`);
}

function assertSecret(secret: Uint8Array, title: string): void {
  if (!(secret instanceof Uint8Array) || secret.length !== 32)
    throw new TypeError(`"${title}" expected 32-byte Uint8Array, got ${describe(secret)}`);
}

function describe(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}

// Indices are 48-bit, past the 32 bits that JS bitwise operators handle, so split them in halves.
function bit(index: number, b: number): number {
  return b < 24 ? (index % LOW >>> b) & 1 : (Math.floor(index / LOW) >>> (b - 24)) & 1;
}

function trailingZeros(index: number): number {
  for (let b = 0; b < 48; b++) if (bit(index, b)) return b;
  return 48;
}

/** `derive_secret(base, bits, I)`: walks from a secret whose index shares bits..47 with `index`. */
function deriveSecret(base: Uint8Array, bits: number, index: number): Uint8Array {
  let p = Uint8Array.from(base);
  for (let b = bits - 1; b >= 0; b--) {
    if (!bit(index, b)) continue;
    p[b >>> 3]! ^= 1 << (b & 7);
    p = sha256(p);
  }
  return p;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** BOLT 2 commitment number n uses the secret at index 2^48 - 1 - n. */
export function shachainIndex(commitmentNumber: number): number {
  assertIndex(commitmentNumber, 'commitmentNumber');
  return SHACHAIN_MAX_INDEX - commitmentNumber;
}

/** `generate_from_seed(seed, I)`: the sender's per-commitment secret at shachain index `index`. */
export function perCommitmentSecret(seed: Uint8Array, index: number): Uint8Array {
  assertSecret(seed, 'seed');
  assertIndex(index, 'index');
  return deriveSecret(seed, 48, index);
}

export function emptyShachain(): Shachain {
  return { known: [] };
}

/** The index the next `insertSecret` must carry, or undefined once index 0 has been stored. */
export function nextShachainIndex(chain: Shachain): number | undefined {
  if (chain.known.length === 0) return SHACHAIN_MAX_INDEX;
  const lowest = Math.min(...chain.known.map((e) => e.index));
  return lowest === 0 ? undefined : lowest - 1;
}

/**
 * `insert_secret(secret, I)`: stores the next secret after checking that every secret it supersedes
 * derives from it. Secrets arrive in strictly descending index order (one per revoked commitment);
 * anything else is `out-of-order`, an inconsistent secret is `mismatch`.
 */
export function insertSecret(chain: Shachain, index: number, secret: Uint8Array): Shachain {
  assertIndex(index, 'index');
  assertSecret(secret, 'secret');
  const expected = nextShachainIndex(chain);
  if (index !== expected)
    throw new ShachainError('out-of-order', `"index" expected ${expected ?? 'none (chain complete)'}, got ${index}`);
  const bucket = trailingZeros(index);
  for (let b = 0; b < bucket; b++) {
    // Indices index+1 .. index+2^bucket-1 all came before, so every lower bucket is set.
    const entry = chain.known[b]!;
    if (!equalBytes(deriveSecret(secret, bucket, entry.index), entry.secret))
      throw new ShachainError('mismatch', `"secret" for index ${index} does not derive the stored secret at index ${entry.index}`);
  }
  const known = chain.known.slice();
  known[bucket] = { index, secret: Uint8Array.from(secret) };
  return { known };
}

/** `derive_old_secret(I)`: any secret already received, from the bucket whose index prefixes it. */
export function deriveOldSecret(chain: Shachain, index: number): Uint8Array {
  assertIndex(index, 'index');
  for (let b = 0; b < chain.known.length; b++) {
    const entry = chain.known[b]!;
    // Same bits above b as the bucket's index (whose low b bits are all zero).
    const prefix = index - (index % 2 ** b);
    if (prefix === entry.index) return deriveSecret(entry.secret, b, index);
  }
  throw new ShachainError('unknown-index', `"index" ${index} has not been received yet`);
}

/** Storage bytes: count (u8), then per bucket in order: index (u48 big-endian) || secret (32 bytes). */
export function encodeShachain(chain: Shachain): Uint8Array {
  const out = new Uint8Array(1 + chain.known.length * ENTRY_BYTES);
  out[0] = chain.known.length;
  chain.known.forEach((entry, b) => {
    const at = 1 + b * ENTRY_BYTES;
    const hi = Math.floor(entry.index / LOW);
    const lo = entry.index % LOW;
    out.set([hi >>> 16, (hi >>> 8) & 0xff, hi & 0xff, lo >>> 16, (lo >>> 8) & 0xff, lo & 0xff], at);
    out.set(entry.secret, at + 6);
  });
  return out;
}

/** The bucket-b index a chain holds once it has received every index from 2^48 - 1 down to `lowest`. */
function expectedBucketIndex(lowest: number, b: number): number | undefined {
  if (b === 48) return lowest === 0 ? 0 : undefined;
  const step = 2 ** b;
  let q = Math.ceil(lowest / step);
  if (q % 2 === 0) q += 1;
  const index = q * step;
  return index <= SHACHAIN_MAX_INDEX ? index : undefined;
}

/**
 * Decodes storage bytes, accepting only a state that sequential insertion can produce: bucket b
 * holds the newest received index with exactly b trailing zeros, and no bucket is missing or extra.
 * Secret consistency cannot be re-checked without the sender's seed and is not attempted.
 */
export function decodeShachain(bytes: Uint8Array): Shachain {
  if (!(bytes instanceof Uint8Array) || bytes.length < 1)
    throw new DecodeError('shachain-length', `"shachain" expected at least 1 byte, got ${describe(bytes)}`);
  const count = bytes[0]!;
  if (count > BUCKETS) throw new DecodeError('shachain-count', `"count" expected at most ${BUCKETS}, got ${count}`);
  if (bytes.length !== 1 + count * ENTRY_BYTES)
    throw new DecodeError('shachain-length', `"shachain" expected ${1 + count * ENTRY_BYTES} bytes for ${count} entries, got ${bytes.length}`);
  const known: ShachainEntry[] = [];
  for (let b = 0; b < count; b++) {
    const at = 1 + b * ENTRY_BYTES;
    const hi = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
    const lo = (bytes[at + 3]! << 16) | (bytes[at + 4]! << 8) | bytes[at + 5]!;
    const index = hi * LOW + lo;
    if (trailingZeros(index) !== b)
      throw new DecodeError('shachain-index', `"known[${b}].index" expected ${b} trailing zero bits, got ${index}`);
    known.push({ index, secret: bytes.slice(at + 6, at + ENTRY_BYTES) });
  }
  if (count > 0) {
    const lowest = Math.min(...known.map((e) => e.index));
    for (let b = 0; b < BUCKETS; b++) {
      const expected = expectedBucketIndex(lowest, b);
      if (expected !== known[b]?.index)
        throw new DecodeError('shachain-index', `"known[${b}].index" expected ${expected ?? 'absent'} after receiving down to ${lowest}, got ${known[b]?.index ?? 'absent'}`);
    }
  }
  return { known };
}
