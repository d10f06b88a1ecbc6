/**
 * What the fuzz tests (`test/unit/<area>/<thing>.fuzz.test.ts`) share: the run budget, the guard a
 * property puts around a decoder ("a value or a DecodeError, nothing else"), byte-level mutations
 * of valid encodings, and a byte comparison for re-encoding checks.
 *
 * Not here: checks that belong to one format (a code prefix is passed in, a round trip stays in its
 * test), text or word-level mutations (each format mutates in its own alphabet).
 *
 * These run up to 100k times per property, so they use plain comparisons, not expect().
 */
import fc from 'fast-check';
import { bytesToHex } from '@noble/hashes/utils.js';
import { DecodeError } from '../../core/bitcoin/errors.js';

// Bounded in `npm test`; `npm run fuzz` raises FUZZ_RUNS for long runs.
export const fuzzRuns: number = Number(process.env.FUZZ_RUNS ?? 100_000);
export const fuzzTimeout: number = Math.max(60_000, fuzzRuns / 100);

/** A DecodeError code is machine-readable: `bad_length`, `PSBT_BAD_KEY`, `shachain-index`. */
const STABLE_CODE = /^[A-Za-z0-9_-]+$/;

/**
 * Runs `fn` (a decoder, possibly with checks on what it returned) and returns its value, or
 * undefined when it threw a DecodeError whose code is stable and matches `expected`. Anything else
 * thrown — a TypeError from the decoder, a failed check inside `fn` — is rethrown and fails the
 * property.
 *
 * fast-check fails a predicate that returns anything but `true` or `undefined`, so a predicate that
 * only guards discards the value: `(b) => void valueOrDecodeError(() => decode(b))`.
 */
export function valueOrDecodeError<T>(fn: () => T, expected?: { code?: RegExp; message?: RegExp }): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    if (!STABLE_CODE.test(err.code)) throw new Error(`DecodeError without a stable code: ${JSON.stringify(err.code)}`, { cause: err });
    if (expected?.code && !expected.code.test(err.code)) throw new Error(`DecodeError code ${err.code} does not match ${expected.code}`, { cause: err });
    if (expected?.message && !expected.message.test(err.message)) {
      throw new Error(`DecodeError message ${JSON.stringify(err.message)} does not match ${expected.message}`, { cause: err });
    }
    return undefined;
  }
}

/**
 * One edit of `editBytes`: set the byte at `at` to `byte`, flip bit `byte % 8` of it, insert `byte`
 * before it, delete it, or cut the tail from it.
 */
export type ByteEdit = readonly [kind: 'set' | 'flip' | 'insert' | 'delete' | 'cut', at: number, byte: number];

/**
 * Applies `edits` in order to a copy of `bytes` (the input is never written). Positions are taken
 * modulo the current length, or length + 1 for an insertion so that it can append; on an empty
 * array every edit inserts, there being nothing else to change.
 */
export function editBytes(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const [kind, pos, byte] of edits) {
    if (kind === 'insert' || out.length === 0) {
      const at = pos % (out.length + 1);
      const grown = new Uint8Array(out.length + 1);
      grown.set(out.subarray(0, at));
      grown[at] = byte;
      grown.set(out.subarray(at), at + 1);
      out = grown;
      continue;
    }
    const at = pos % out.length;
    if (kind === 'set') out[at] = byte;
    else if (kind === 'flip') out[at] = out[at]! ^ (1 << (byte % 8));
    else if (kind === 'delete') {
      const shrunk = new Uint8Array(out.length - 1);
      shrunk.set(out.subarray(0, at));
      shrunk.set(out.subarray(at + 1), at);
      out = shrunk;
    } else out = out.slice(0, at);
  }
  return out;
}

const byteEdit: fc.Arbitrary<ByteEdit> = fc.tuple(fc.constantFrom('set', 'flip', 'insert', 'delete', 'cut'), fc.nat(), fc.nat({ max: 255 }));

/**
 * A valid encoding (one of `seeds`, or drawn from an arbitrary of them) with one to four byte
 * edits: the inputs that get past a decoder's framing and reach its field rules.
 */
export function mutatedBytes(seeds: readonly Uint8Array[] | fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  const seed = seeds instanceof fc.Arbitrary ? seeds : fc.constantFrom(...seeds);
  return fc.tuple(seed, fc.array(byteEdit, { minLength: 1, maxLength: 4 })).map(([s, edits]) => editBytes(s, edits));
}

/** Throws unless `actual` equals `expected`, naming `what` (say, "re-encoding") and both in hex. */
export function assertSameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  let same = actual.length === expected.length;
  for (let i = 0; same && i < actual.length; i++) same = actual[i] === expected[i];
  if (!same) throw new Error(`${what} differs: got ${bytesToHex(actual)}, expected ${bytesToHex(expected)}`);
}
