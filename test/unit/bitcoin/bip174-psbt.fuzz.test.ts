// Fuzz: PSBT decoding (BIP174/370/371) on random bytes, random text and mutated valid PSBTs either
// returns a PSBT or throws DecodeError. The corpus is limited to PSBTs under 190 bytes so that
// 100k runs stay within seconds: every run that gets past the field rules costs a full
// btc-signer decode.
import { hex } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePsbt } from '../../../core/bitcoin/psbt.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';
import { psbtCases } from './bip174-mediawiki-vectors.js';

const CORPUS = ['bip174.txt', 'bip370.txt', 'bip371.txt']
  .flatMap((file) => psbtCases(file))
  .filter((c) => !c.section.includes('invalid') && c.hex.length <= 380)
  .map((c) => hex.decode(c.hex));
const MAGIC = hex.decode('70736274ff');

function check(input: string | Uint8Array): void {
  valueOrDecodeError(() => decodePsbt(input), { code: /^PSBT_/ });
}

describe('PSBT decoding fuzz', () => {
  it(`has a corpus of ${CORPUS.length} small valid PSBTs`, () => expect(CORPUS.length).toBeGreaterThanOrEqual(12));

  it(
    'mutated valid PSBTs decode or throw DecodeError',
    () => fc.assert(fc.property(mutatedBytes(CORPUS), check), { numRuns: fuzzRuns }),
    fuzzTimeout,
  );

  it(
    'random bytes after the magic, random bytes, and random text decode or throw DecodeError',
    () =>
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 80 }).map((b) => Uint8Array.from([...MAGIC, ...b])),
            fc.uint8Array({ maxLength: 40 }),
            fc.string({ maxLength: 60 }),
            fc.string({ unit: fc.constantFrom(...'cHNidP8BAgQCAAAA+/=0123456789abcdef'), maxLength: 80 }),
          ),
          check,
        ),
        { numRuns: fuzzRuns },
      ),
    fuzzTimeout,
  );
});
