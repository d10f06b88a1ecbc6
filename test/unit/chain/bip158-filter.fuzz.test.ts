// Fuzz: the BIP158 filter decoder, the matcher and the block reader take bytes from remote
// servers. On random and on mutated valid inputs they return a value or throw DecodeError, never
// anything else; and encode → decode → match holds for random element sets.
import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { decodeBasicFilter, encodeBasicFilter, matchAny } from '../../../core/chain/bip158.js';
import { forEachOutputScript, readBlockTxs } from '../../../core/chain/block.js';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];
const filters = rows.map((r) => hexToBytes(r[5]));
const hash = rows[6]?.[1] as string;
const queries = [hexToBytes('76a914913bcc2be49cb534c20474c4dee1e9c4c317e7eb88ac'), hexToBytes('51'), hexToBytes('0014' + 'ab'.repeat(20))];
// Small blocks only, so a run stays within a few seconds.
const blocks = rows.map((r) => hexToBytes(r[2])).filter((b) => b.length < 1200);

function decodesOrDecodeError(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
}

/** A valid input with a few bytes flipped, inserted, removed or the tail cut. */
function mutated(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'cut'), fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
    )
    .map(([seed, edits]) => {
      let bytes = [...seed];
      for (const [op, at, value] of edits) {
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        if (op === 'flip') bytes[i] = ((bytes[i] ?? 0) ^ (value || 1)) & 0xff;
        else if (op === 'insert') bytes.splice(i, 0, value);
        else if (op === 'delete') bytes.splice(i, 1);
        else bytes = bytes.slice(0, i);
      }
      return Uint8Array.from(bytes);
    });
}

describe('BIP158 filter decoder fuzz', () => {
  it('random bytes: decode and match return or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        decodesOrDecodeError(() => decodeBasicFilter(bytes));
        decodesOrDecodeError(() => expect(typeof matchAny(bytes, hash, queries)).toBe('boolean'));
      }),
      { numRuns: fuzzRuns },
    );
  });

  it('mutated valid filters: decode and match return or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(mutated(filters), (bytes) => {
        decodesOrDecodeError(() => {
          const { n, values } = decodeBasicFilter(bytes);
          expect(values).toHaveLength(n);
        });
        decodesOrDecodeError(() => matchAny(bytes, hash, queries));
      }),
      { numRuns: fuzzRuns },
    );
  });

  it('random element sets: every element matches after encode → decode', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 30, selector: (a) => a.join() }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (elements, hashBytes) => {
          const blockHash = Array.from(hashBytes, (b) => b.toString(16).padStart(2, '0')).join('');
          const filter = encodeBasicFilter(blockHash, elements);
          expect(decodeBasicFilter(filter).n).toBe(elements.length);
          for (const e of elements) expect(matchAny(filter, blockHash, [e])).toBe(true);
        },
      ),
      { numRuns: Math.max(100, Math.floor(fuzzRuns / 100)) },
    );
  });
});

describe('block reader fuzz', () => {
  it('random bytes after a header: return or throw DecodeError', { timeout: fuzzTimeout }, () => {
    const header = blocks[0]?.subarray(0, 80) as Uint8Array;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        const bytes = Uint8Array.from([...header, ...tail]);
        decodesOrDecodeError(() => forEachOutputScript(bytes, () => {}));
      }),
      { numRuns: fuzzRuns },
    );
  });

  it('mutated valid blocks: return or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(mutated(blocks), (bytes) => {
        decodesOrDecodeError(() => readBlockTxs(bytes));
      }),
      { numRuns: fuzzRuns },
    );
  });
});
