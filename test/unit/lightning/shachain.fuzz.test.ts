// Fuzz: the shachain storage decoder, on random bytes and on mutations of valid encodings, either
// returns a chain that re-encodes to the same bytes or throws DecodeError — nothing else.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import {
  SHACHAIN_MAX_INDEX,
  decodeShachain,
  emptyShachain,
  encodeShachain,
  insertSecret,
  perCommitmentSecret,
} from '../../../core/lightning/shachain.js';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.js';

function decodesOrRejects(bytes: Uint8Array): void {
  try {
    const again = encodeShachain(decodeShachain(bytes));
    // Plain comparison: expect().toEqual costs more than the decoder at 100k runs.
    if (again.length !== bytes.length || again.some((v, i) => v !== bytes[i])) throw new Error('decoded chain does not re-encode to its input');
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
}

// Valid storage after 1, 2, 3, 8, 100 and 300 received secrets (1 to 9 buckets).
const valid = (() => {
  const seed = new Uint8Array(32).fill(7);
  const out: Uint8Array[] = [encodeShachain(emptyShachain())];
  let chain = emptyShachain();
  for (let k = 0; k < 300; k++) {
    chain = insertSecret(chain, SHACHAIN_MAX_INDEX - k, perCommitmentSecret(seed, SHACHAIN_MAX_INDEX - k));
    if ([0, 1, 2, 7, 99, 299].includes(k)) out.push(encodeShachain(chain));
  }
  return out;
})();

const mutation = fc.record({
  base: fc.integer({ min: 0, max: valid.length - 1 }),
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
});

describe('shachain storage decoder fuzz', () => {
  it('random bytes: value or DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 120 }),
          // Plausible headers: a small count followed by roughly that many entries.
          fc.integer({ min: 0, max: 3 }).chain((n) => fc.uint8Array({ minLength: n * 38, maxLength: n * 38 + 1 }).map((b) => Uint8Array.from([n, ...b]))),
        ),
        decodesOrRejects,
      ),
      { numRuns: fuzzRuns },
    );
  });

  it('mutated valid encodings: value or DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(mutation, ({ base, flips, cut }) => {
        const bytes = Uint8Array.from(valid[base]!);
        for (const [at, value] of flips) bytes[at % bytes.length] = value;
        decodesOrRejects(cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)));
      }),
      { numRuns: fuzzRuns },
    );
  });
});
