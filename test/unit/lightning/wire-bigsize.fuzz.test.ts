// Fuzz: the BigSize decoder returns a value or throws DecodeError — nothing else — on random
// bytes and on mutated valid encodings; whatever decodes
// re-encodes to the same bytes (BigSize is canonical: accepting a non-minimal one is a bug).
import fc from 'fast-check';
import { equalBytes } from '@noble/ciphers/utils.js';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { describe, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { decodeBigSize, encodeBigSize } from '../../../core/lightning/bigsize.js';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.js';

/** Runs `fn`; a DecodeError counts as a rejection, anything else thrown fails the property. */
function valueOrDecodeError<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    // Plain checks, not expect(): this runs 100k times per property.
    if (!/^[a-z0-9_]+$/.test(err.code)) throw new Error(`DecodeError without a stable code: ${err.code}`);
    return undefined;
  }
}

function sameBytes(actual: Uint8Array, expected: Uint8Array): void {
  if (!equalBytes(actual, expected)) throw new Error(`re-encoding differs: ${actual.join(',')} vs ${expected.join(',')}`);
}

/** Byte-level edits: set, insert, delete at a position taken modulo the length; or cut the tail. */
const edits = fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 });
function mutate(bytes: Uint8Array, ops: [number, number, number][]): Uint8Array {
  let out = bytes;
  for (const [op, pos, byte] of ops) {
    const at = out.length === 0 ? 0 : pos % out.length;
    if (op === 0 && out.length) (out = out.slice())[at] = byte;
    else if (op === 1) out = concat(out.subarray(0, at), Uint8Array.of(byte), out.subarray(at));
    else if (op === 2) out = concat(out.subarray(0, at), out.subarray(at + 1));
    else out = out.subarray(0, at);
  }
  return out;
}

describe('BigSize decoder fuzz', () => {
  it(
    'random bytes (0..10): value or DecodeError; a decoded value re-encodes to the input',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 10 }), (bytes) => {
          const v = valueOrDecodeError(() => decodeBigSize(bytes));
          if (v !== undefined) sameBytes(encodeBigSize(v), bytes);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  it(
    'mutated valid encodings: value or DecodeError',
    () => {
      const valid = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(encodeBigSize);
      fc.assert(
        fc.property(valid, edits, (bytes, ops) => {
          const m = mutate(bytes, ops);
          const v = valueOrDecodeError(() => decodeBigSize(m));
          if (v !== undefined) sameBytes(encodeBigSize(v), m);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
