// Fuzz: the BOLT 11 decoder returns an invoice or throws DecodeError, nothing else, on random text
// and on mutated valid invoices (character-level, and word-level with a recomputed checksum so the
// mutation reaches the field parser instead of dying at the bech32 checksum).
import fc from 'fast-check';
import { bech32 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { _parseInvoice, decodeField, decodeInvoice } from '../../../core/lightning/bolt11/index.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';
import { vectorText } from '../../support/vectors.js';

const SEEDS = vectorText('bolt11.md')
  .split('\n')
  .map((l) => l.replace(/^>\s?/, '').trim())
  .filter((l) => /^[a-z0-9]{100,}$/i.test(l));
const CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
/** The seeds with valid bech32 framing, as prefix + words, for word-level mutation. */
const FRAMED = SEEDS.flatMap((s) => {
  const decoded = bech32.decodeUnsafe(s.toLowerCase(), false);
  return decoded ? [decoded] : [];
});

const seed = fc.constantFrom(...SEEDS);
const framed = fc.constantFrom(...FRAMED);
const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 2 }), fc.nat({ max: 31 })), { minLength: 1, maxLength: 4 });

/** Replace / insert / delete words (0..2), each at a position taken modulo the current length. */
function editWords(words: number[], ops: [number, number, number][]): number[] {
  const out = [...words];
  for (const [pos, op, word] of ops) {
    const at = out.length === 0 ? 0 : pos % out.length;
    if (op === 0) out[at] = word;
    else if (op === 1) out.splice(at, 0, word);
    else out.splice(at, 1);
  }
  return out;
}

describe('BOLT 11 invoice decoder fuzz', () => {
  it('the seeds are the spec examples', () => {
    expect(SEEDS.length).toBe(26);
    expect(FRAMED.length).toBe(24); // all but the bad-checksum and no-separator examples
  });

  // One property, three kinds of input. Random text and character edits die at the framing or the
  // checksum, so they run through the whole decoder. Word edits re-encoded with a valid checksum
  // reach the field parser; they run through `_parseInvoice` (every rule but the signature), since
  // ECDSA recovery costs ~2 ms and gets its own, smaller property below.
  it(
    'random text, character-level and word-level mutations of the spec examples: value or DecodeError',
    () => {
      const random = fc.oneof(
        fc.string({ maxLength: 40 }),
        fc
          .tuple(fc.constantFrom('lnbc', 'lntb', 'lnbcrt', 'LNBC', 'ln', ''), fc.string({ maxLength: 12 }), fc.string({ unit: fc.constantFrom(...CHARSET, '1'), maxLength: 140 }))
          .map(([a, b, c]) => a + b + '1' + c),
      );
      const characterEdits = fc
        .tuple(seed, fc.array(fc.tuple(fc.nat(), fc.string({ minLength: 0, maxLength: 2 })), { minLength: 1, maxLength: 3 }))
        .map(([s, ops]) => {
          let out = s;
          for (const [pos, rep] of ops) {
            const at = pos % (out.length + 1);
            out = out.slice(0, at) + rep + out.slice(at + 1);
          }
          return out;
        });
      const wordEdits = fc
        .tuple(framed, edits, fc.constantFrom('', 'lnbc', 'lntbs10u', 'lnbcrt1p'))
        .map(([{ prefix, words }, ops, hrp]) => bech32.encode(hrp || prefix, editWords(words, ops), false));
      const input = fc.oneof(
        fc.tuple(fc.constant(decodeInvoice), random),
        fc.tuple(fc.constant(decodeInvoice), characterEdits),
        fc.tuple(fc.constant(_parseInvoice), wordEdits),
      );
      fc.assert(fc.property(input, ([decoder, text]) => void valueOrDecodeError(() => decoder(text))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'single tagged fields of any type and length: value or DecodeError',
    () => {
      const words = fc.array(fc.nat({ max: 31 }), { maxLength: 60 });
      fc.assert(fc.property(fc.nat({ max: 31 }), words, (tag, w) => void valueOrDecodeError(() => decodeField(tag, w))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'word-level mutations through the whole decoder, signature included: value or DecodeError',
    () => {
      const mutated = fc.tuple(framed, edits).map(([{ prefix, words }, ops]) => bech32.encode(prefix, editWords(words, ops), false));
      fc.assert(fc.property(mutated, (t) => void valueOrDecodeError(() => decodeInvoice(t))), { numRuns: Math.max(300, Math.floor(fuzzRuns / 200)) });
    },
    fuzzTimeout,
  );
});
