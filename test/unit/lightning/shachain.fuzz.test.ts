// Fuzz: the shachain storage decoder, on random bytes and on mutations of valid encodings, either
// returns a chain that re-encodes to the same bytes or throws DecodeError — nothing else.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import {
  SHACHAIN_MAX_INDEX,
  decodeShachain,
  emptyShachain,
  encodeShachain,
  insertSecret,
  perCommitmentSecret,
} from '../../../core/lightning/shachain.js';
import { assertSameBytes, fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

function decodesOrRejects(bytes: Uint8Array): void {
  const chain = valueOrDecodeError(() => decodeShachain(bytes));
  if (chain) assertSameBytes(encodeShachain(chain), bytes, 're-encoding');
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
    fc.assert(fc.property(mutatedBytes(valid), decodesOrRejects), { numRuns: fuzzRuns });
  });
});
