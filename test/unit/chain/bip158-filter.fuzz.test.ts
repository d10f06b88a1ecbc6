// Fuzz: the BIP158 filter decoder, the matcher and the block reader take bytes from remote
// servers. On random and on mutated valid inputs they return a value or throw DecodeError, never
// anything else; and encode → decode → match holds for random element sets.
import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBasicFilter, encodeBasicFilter, matchAny } from '../../../core/chain/bip158.js';
import { forEachOutputScript, readBlockTxs } from '../../../core/chain/block.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];
const filters = rows.map((r) => hexToBytes(r[5]));
const hash = rows[6]?.[1] as string;
const queries = [hexToBytes('76a914913bcc2be49cb534c20474c4dee1e9c4c317e7eb88ac'), hexToBytes('51'), hexToBytes('0014' + 'ab'.repeat(20))];
// Small blocks only, so a run stays within a few seconds.
const blocks = rows.map((r) => hexToBytes(r[2])).filter((b) => b.length < 1200);

describe('BIP158 filter decoder fuzz', () => {
  it('random bytes: decode and match return or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 48 }), (bytes) => {
        valueOrDecodeError(() => decodeBasicFilter(bytes));
        valueOrDecodeError(() => expect(typeof matchAny(bytes, hash, queries)).toBe('boolean'));
      }),
      { numRuns: fuzzRuns },
    );
  });

  it('mutated valid filters: decode and match return or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(mutatedBytes(filters), (bytes) => {
        valueOrDecodeError(() => {
          const { n, values } = decodeBasicFilter(bytes);
          expect(values).toHaveLength(n);
        });
        valueOrDecodeError(() => matchAny(bytes, hash, queries));
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
        valueOrDecodeError(() => forEachOutputScript(bytes, () => {}));
      }),
      { numRuns: fuzzRuns },
    );
  });

  it('mutated valid blocks: return or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(mutatedBytes(blocks), (bytes) => {
        valueOrDecodeError(() => readBlockTxs(bytes));
      }),
      { numRuns: fuzzRuns },
    );
  });
});
