// Fuzz: the untrusted-input decoders of the Taproot layer — control blocks (from witnesses) and
// script numbers — on random and mutated bytes either return a value that matches the bytes, or
// throw DecodeError.
import { hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeScriptNumber, encodeScriptNumber } from '../../../core/bitcoin/script-number.js';
import { parseControlBlock } from '../../../core/bitcoin/tapscript.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

// BIP341 wallet vector scriptPubKey(3), control block of leaf 0.
const VALID_BLOCK = hexToBytes(
  'c0ee4fe085983462a184015d1f782d6a5f8b9c2b60130aff050ce221ecf3786592f224a923cd0021ab202ab139cc56802ddb92dcfc172b9212261a539df79a112a',
);

// Every control block of a valid length needs a curve operation (lift_x of the internal key), so
// the inputs are weighted towards malformed lengths to keep the run to a few seconds.
function checkBlock(bytes: Uint8Array): void {
  const block = valueOrDecodeError(() => parseControlBlock(bytes));
  if (!block) return;
  expect(block.leafVersion | block.parity).toBe(bytes[0]);
  expect(block.internalKey).toEqual(bytes.subarray(1, 33));
  expect(block.path.length).toBe((bytes.length - 33) / 32);
  block.path.forEach((h, i) => expect(h).toEqual(bytes.subarray(33 + 32 * i, 65 + 32 * i)));
}

describe('tapscript adapter fuzz', () => {
  it(
    'parses or rejects random control blocks',
    () => {
      const lengths = fc.constantFrom(0, 1, 32, 34, 64, 66, 96, 129, 160, 65);
      const random = lengths.chain((n) => fc.uint8Array({ minLength: n, maxLength: n }));
      fc.assert(fc.property(random, checkBlock), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'parses or rejects mutated control blocks',
    () => {
      const mutated = fc.record({ at: fc.nat(VALID_BLOCK.length - 1), value: fc.integer({ min: 0, max: 255 }), cut: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: fc.constantFrom(-33, -2, -1, 1, 2), weight: 9 }) }).map(({ at, value, cut }) => {
        const b = Uint8Array.from(VALID_BLOCK);
        b[at] = value;
        return cut >= 0 ? Uint8Array.of(...b, ...new Uint8Array(cut)) : b.subarray(0, b.length + cut);
      });
      fc.assert(fc.property(mutated, checkBlock), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'decodes or rejects script numbers',
    () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 6 }), fc.integer({ min: 1, max: 5 }), (bytes, max) => {
          const n = valueOrDecodeError(() => decodeScriptNumber(bytes, max));
          if (n !== undefined) expect(encodeScriptNumber(n)).toEqual(bytes);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
