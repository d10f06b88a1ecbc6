// Fuzz: the BigSize decoder returns a value or throws DecodeError — nothing else — on random
// bytes and on mutated valid encodings; whatever decodes
// re-encodes to the same bytes (BigSize is canonical: accepting a non-minimal one is a bug).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { decodeBigSize, encodeBigSize } from '../../../core/lightning/bigsize.js';
import { assertSameBytes, fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

describe('BigSize decoder fuzz', () => {
  it(
    'random bytes (0..10): value or DecodeError; a decoded value re-encodes to the input',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 10 }), (bytes) => {
          const v = valueOrDecodeError(() => decodeBigSize(bytes));
          if (v !== undefined) assertSameBytes(encodeBigSize(v), bytes, 're-encoding');
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
        fc.property(mutatedBytes(valid), (m) => {
          const v = valueOrDecodeError(() => decodeBigSize(m));
          if (v !== undefined) assertSameBytes(encodeBigSize(v), m, 're-encoding');
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
