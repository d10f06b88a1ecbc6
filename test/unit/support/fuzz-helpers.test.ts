// The shared fuzz helpers (test/support/fuzz.ts) must fail where the fuzz properties rely on them
// failing: a guard that swallowed a TypeError would make every "value or DecodeError" property pass
// vacuously, and a mutator that made no edits would only ever feed the decoders valid seeds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { type ByteEdit, assertSameBytes, editBytes, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

describe('valueOrDecodeError', () => {
  it('returns the value of a decoder that returns', () => {
    expect(valueOrDecodeError(() => 42n)).toBe(42n);
  });

  it('returns undefined on a DecodeError with a stable code, lower-case, upper-case or hyphenated', () => {
    for (const code of ['bad_length', 'PSBT_BAD_KEY', 'shachain-index']) {
      expect(valueOrDecodeError(() => { throw new DecodeError(code, '"x" is bad'); })).toBeUndefined();
    }
  });

  it('rethrows a TypeError, a RangeError and a plain Error unchanged', () => {
    for (const err of [new TypeError('x.y is not a function'), new RangeError('offset out of range'), new Error('boom')]) {
      expect(() => valueOrDecodeError(() => { throw err; })).toThrow(err);
    }
  });

  it('fails a property whose decoder throws a TypeError on some inputs, and passes it otherwise', () => {
    const decode = (b: Uint8Array) => {
      if (b.length > 3) throw new TypeError('b.x is undefined');
      if (b.length > 1) throw new DecodeError('too_long', '"b" expected at most 1 byte');
      return b;
    };
    const property = (maxLength: number) => fc.property(fc.uint8Array({ maxLength }), (b) => void valueOrDecodeError(() => decode(b)));
    const failure = (() => {
      try {
        fc.assert(property(8), { seed: 1 });
      } catch (err) {
        return err as Error;
      }
    })();
    expect(failure?.message).toMatch(/^Property failed/);
    expect(failure?.cause).toEqual(new TypeError('b.x is undefined'));
    expect(() => fc.assert(property(3), { seed: 1 })).not.toThrow();
  });

  it('rethrows a failed check made inside fn', () => {
    expect(() => valueOrDecodeError(() => expect(1).toBe(2))).toThrow(/expected 1 to be 2/);
  });

  it('rejects a DecodeError without a stable code', () => {
    for (const code of ['', 'bad length', 'bad.length', 'é']) {
      expect(() => valueOrDecodeError(() => { throw new DecodeError(code, 'm'); })).toThrow(/without a stable code/);
    }
  });

  it('rejects a DecodeError whose code or message does not match what the caller expects', () => {
    const rejects = () => { throw new DecodeError('BIP21_BAD_AMOUNT', 'line 3: "amount" is bad'); };
    expect(() => valueOrDecodeError(rejects, { code: /^PSBT_/ })).toThrow(/BIP21_BAD_AMOUNT does not match \/\^PSBT_\//);
    expect(() => valueOrDecodeError(rejects, { message: /^line \d+: "label"/ })).toThrow(/message .* does not match/);
    expect(valueOrDecodeError(rejects, { code: /^BIP21_/, message: /^line \d+: / })).toBeUndefined();
  });
});

describe('editBytes', () => {
  const seed = Uint8Array.of(10, 11, 12, 13);
  const edit = (...edits: ByteEdit[]) => Array.from(editBytes(seed, edits));

  it('sets, flips one bit, inserts, deletes and cuts at a position taken modulo the length', () => {
    expect(edit(['set', 1, 0xff])).toEqual([10, 0xff, 12, 13]);
    expect(edit(['flip', 2, 3])).toEqual([10, 11, 12 ^ 8, 13]);
    expect(edit(['flip', 6, 11])).toEqual([10, 11, 12 ^ 8, 13]); // position 6 % 4, bit 11 % 8
    expect(edit(['insert', 0, 7])).toEqual([7, 10, 11, 12, 13]);
    expect(edit(['insert', 4, 7])).toEqual([10, 11, 12, 13, 7]); // insertion can append
    expect(edit(['delete', 5, 0])).toEqual([10, 12, 13]);
    expect(edit(['cut', 3, 0])).toEqual([10, 11, 12]);
    expect(edit(['cut', 0, 0])).toEqual([]);
  });

  it('applies edits in order, each to the result of the previous one', () => {
    expect(edit(['delete', 0, 0], ['set', 0, 1], ['insert', 3, 2])).toEqual([1, 12, 13, 2]);
  });

  it('inserts when there is no byte left to change, and never writes its input', () => {
    expect(edit(['cut', 0, 0], ['set', 9, 5])).toEqual([5]);
    expect(edit(['cut', 0, 0], ['delete', 0, 6])).toEqual([6]);
    expect(Array.from(editBytes(new Uint8Array(0), [['flip', 3, 4]]))).toEqual([4]);
    expect(Array.from(seed)).toEqual([10, 11, 12, 13]);
  });
});

describe('mutatedBytes', () => {
  const seed = Uint8Array.from({ length: 16 }, (_, i) => i * 3);
  const sample = (arb: fc.Arbitrary<Uint8Array>) => fc.sample(arb, { numRuns: 2000, seed: 7 });
  function classify(out: Uint8Array): string {
    if (out.length > seed.length) return 'longer';
    if (out.length < seed.length) return out.every((b, i) => b === seed[i]) ? 'cut' : 'shorter, not a prefix';
    const diffs = [...seed.keys()].filter((i) => out[i] !== seed[i]);
    if (diffs.length !== 1) return diffs.length === 0 ? 'unchanged' : 'several bytes changed';
    const x = out[diffs[0]!]! ^ seed[diffs[0]!]!;
    return (x & (x - 1)) === 0 ? 'one bit changed' : 'one byte changed';
  }
  const count = (outs: Uint8Array[]) => {
    const n: Record<string, number> = {};
    for (const o of outs) n[classify(o)] = (n[classify(o)] ?? 0) + 1;
    return n;
  };

  it('makes every kind of edit to its seeds, and leaves the seeds alone', () => {
    const n = count(sample(mutatedBytes([seed])));
    for (const kind of ['longer', 'cut', 'shorter, not a prefix', 'one byte changed', 'one bit changed', 'several bytes changed']) expect(n[kind]).toBeGreaterThan(0);
    // A set lands on a one-bit change 8 times in 255; flips make one-bit changes about as common as sets.
    expect(n['one bit changed']!).toBeGreaterThan(n['one byte changed']! / 2);
    expect(n.unchanged ?? 0).toBeLessThan(100);
    expect(Array.from(seed)).toEqual(Array.from({ length: 16 }, (_, i) => i * 3));
  });

  it('draws its seeds from a list or from an arbitrary', () => {
    const fromList = sample(mutatedBytes([Uint8Array.of(1), Uint8Array.of(2, 2, 2, 2, 2, 2, 2, 2)]));
    expect(new Set(fromList.map((o) => o.length > 4))).toEqual(new Set([true, false]));
    const n = count(sample(mutatedBytes(fc.constantFrom(seed))));
    for (const kind of ['longer', 'cut', 'one byte changed']) expect(n[kind]).toBeGreaterThan(0);
  });
});

describe('assertSameBytes', () => {
  it('passes on equal bytes and names what differs, in hex, otherwise', () => {
    assertSameBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 2), 're-encoding');
    expect(() => assertSameBytes(Uint8Array.of(1, 3), Uint8Array.of(1, 2), 're-encoding')).toThrow('re-encoding differs: got 0103, expected 0102');
    expect(() => assertSameBytes(Uint8Array.of(1), Uint8Array.of(1, 0), 'block re-encoding')).toThrow('block re-encoding differs: got 01, expected 0100');
  });
});
