// Fuzz: BIP329 label parsing on random text and on mutated lines of the BIP's test vector either
// returns records — which export and parse back to the same records — or throws DecodeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportLabels, parseLabels } from '../../../core/bitcoin/labels.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';
import { vectorText } from '../../support/vectors.js';

const LINES = vectorText('bip329-labels.jsonl').split('\n').filter((l) => l.trim());
const CHARS = '{}[]",:\\ 0123456789abcdeftrufalsnxpubkeyinputoutputaddrtyperefspendableorigin\n\r\u0000é';

function check(text: string): void {
  const labels = valueOrDecodeError(() => parseLabels(text), { code: /^BIP329_/, message: /^line \d+: / });
  if (labels) expect(parseLabels(exportLabels(labels))).toEqual(labels);
}

describe('BIP329 parsing fuzz', () => {
  it(
    'random text parses or throws DecodeError',
    () => fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 40 })), check), { numRuns: fuzzRuns }),
    fuzzTimeout,
  );
  it(
    'mutated vector lines parse or throw DecodeError',
    () =>
      fc.assert(
        fc.property(
          fc.record({ line: fc.constantFrom(...LINES), at: fc.nat(), op: fc.constantFrom('replace', 'insert', 'delete'), char: fc.constantFrom(...CHARS) }),
          ({ line, at, op, char }) => {
            const i = at % line.length;
            const mutated = op === 'replace' ? line.slice(0, i) + char + line.slice(i + 1) : op === 'insert' ? line.slice(0, i) + char + line.slice(i) : line.slice(0, i) + line.slice(i + 1);
            check(mutated);
          },
        ),
        { numRuns: fuzzRuns },
      ),
    fuzzTimeout,
  );
});
