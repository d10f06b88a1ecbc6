// Fuzz: mnemonic validation on random text and on valid phrases with words changed, dropped,
// repeated or swapped either returns the canonical phrase (which validates to itself) or throws
// DecodeError.
import fc from 'fast-check';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { describe, expect, it } from 'vitest';
import { normalizeMnemonic } from '../../../core/bitcoin/mnemonic.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

const VALID = 'legal winner thank year wave sausage worth useful legal winner thank yellow'.split(' ');

function check(phrase: string): void {
  const canonical = valueOrDecodeError(() => normalizeMnemonic(phrase));
  if (canonical !== undefined) expect(normalizeMnemonic(canonical)).toBe(canonical);
}

describe('BIP39 validation fuzz', () => {
  it(
    'handles random text',
    () => {
      const words = fc.array(fc.oneof(fc.constantFrom(...wordlist), fc.string({ maxLength: 9 })), { maxLength: 25 });
      fc.assert(fc.property(words, fc.constantFrom(' ', '  ', '\u3000', '\t'), (ws, sep) => check(ws.join(sep))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'handles mutated valid phrases',
    () => {
      const mutated = fc
        .record({ at: fc.nat(11), op: fc.constantFrom('replace', 'drop', 'repeat', 'swap', 'typo'), word: fc.constantFrom(...wordlist), char: fc.string({ minLength: 1, maxLength: 1 }) })
        .map(({ at, op, word, char }) => {
          const ws = [...VALID];
          if (op === 'replace') ws[at] = word;
          else if (op === 'drop') ws.splice(at, 1);
          else if (op === 'repeat') ws.splice(at, 0, ws[at]!);
          else if (op === 'swap') [ws[at], ws[(at + 1) % 12]] = [ws[(at + 1) % 12]!, ws[at]!];
          else ws[at] = ws[at]!.slice(0, 2) + char + ws[at]!.slice(3);
          return ws.join(' ');
        });
      fc.assert(fc.property(mutated, check), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );
});
