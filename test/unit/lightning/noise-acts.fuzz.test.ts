// Fuzz: BOLT 8 act parsing on both sides returns a value or throws DecodeError, nothing else, on
// acts that get past the version byte (point-like) and on mutated valid acts. Random acts:
// noise-acts-random.fuzz.test.ts; frames: noise-frames.fuzz.test.ts.
import fc from 'fast-check';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  ACT_ONE_SIZE,
  ACT_TWO_SIZE,
  initiatorActOne,
  initiatorActThree,
  responderActTwo,
  responderComplete,
} from '../../../core/lightning/noise.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

// These inputs mostly parse and so reach ECDH, which costs ~2.4 ms with @noble/curves on this
// machine: 100k of them would take minutes. They run fuzzRuns/100 (1,000 by default, 20,000 under
// `npm run fuzz`); random acts, which mostly fail before ECDH, run the full fuzzRuns in
// noise-acts-random.fuzz.test.ts.
const ecdhRuns = Math.ceil(fuzzRuns / 100);

const initiatorSecret = new Uint8Array(32).fill(0x11);
const responderSecret = new Uint8Array(32).fill(0x21);
const initiator = initiatorActOne({
  localSecret: initiatorSecret,
  remoteStatic: Uint8Array.from(Buffer.from('028d7500dd4c12685d1f568b4c2b5048e8534b873319f3a8daa612b469132ec7f7', 'hex')),
});
const responder = responderActTwo({ localSecret: responderSecret }, initiator.actOne);
const final = initiatorActThree(initiator.state, responder.actTwo);

/** Random bytes around an act's size, or of exactly that size with version 0 and a point-like prefix. */
const actLike = (size: number) =>
  fc.oneof(
    fc.uint8Array({ maxLength: size + 4 }),
    fc.uint8Array({ minLength: size - 1, maxLength: size - 1 }).chain((rest) => fc.constantFrom(2, 3).map((p) => concat(Uint8Array.of(0, p), rest.subarray(1)))),
  );

describe('BOLT 8 act parsing fuzz', () => {
  it('the seeds form a valid handshake', () => {
    expect(responderComplete(responder.state, final.actThree).keys.rk).toEqual(final.keys.sk);
  });

  it(
    `point-like and mutated act one at the responder (${ecdhRuns} runs)`,
    () => {
      const act = fc.oneof(actLike(ACT_ONE_SIZE), mutatedBytes([initiator.actOne]));
      fc.assert(fc.property(act, (a) => void valueOrDecodeError(() => responderActTwo({ localSecret: responderSecret }, a))), { numRuns: ecdhRuns });
    },
    fuzzTimeout,
  );

  it(
    `point-like and mutated act two at the initiator (${ecdhRuns} runs)`,
    () => {
      const act = fc.oneof(actLike(ACT_TWO_SIZE), mutatedBytes([responder.actTwo]));
      fc.assert(fc.property(act, (a) => void valueOrDecodeError(() => initiatorActThree(initiator.state, a))), { numRuns: ecdhRuns });
    },
    fuzzTimeout,
  );

  it(
    `mutated act three at the responder (${ecdhRuns} runs)`,
    () => {
      fc.assert(fc.property(mutatedBytes([final.actThree]), (a) => void valueOrDecodeError(() => responderComplete(responder.state, a))), { numRuns: ecdhRuns });
    },
    fuzzTimeout,
  );
});
