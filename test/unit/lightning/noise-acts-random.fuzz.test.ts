// Fuzz: BOLT 8 act parsing on both sides returns a value or throws DecodeError, nothing else, on
// random acts. Point-like and mutated acts: noise-acts.fuzz.test.ts; frames: noise-frames.fuzz.test.ts.
import fc from 'fast-check';
import { concatBytes as concat } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import {
  ACT_ONE_SIZE,
  ACT_THREE_SIZE,
  ACT_TWO_SIZE,
  initiatorActOne,
  initiatorActThree,
  responderActTwo,
  responderComplete,
} from '../../../core/lightning/noise.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

const initiatorSecret = new Uint8Array(32).fill(0x11);
const responderSecret = new Uint8Array(32).fill(0x21);
const initiator = initiatorActOne({
  localSecret: initiatorSecret,
  remoteStatic: Uint8Array.from(Buffer.from('028d7500dd4c12685d1f568b4c2b5048e8534b873319f3a8daa612b469132ec7f7', 'hex')),
});
const responder = responderActTwo({ localSecret: responderSecret }, initiator.actOne);
const final = initiatorActThree(initiator.state, responder.actTwo);

describe('BOLT 8 act parsing fuzz', () => {
  it('the seeds form a valid handshake', () => {
    expect(responderComplete(responder.state, final.actThree).keys.rk).toEqual(final.keys.sk);
  });

  it(
    'random act one at the responder: act two or DecodeError',
    () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: ACT_ONE_SIZE + 4 }), (act) => void valueOrDecodeError(() => responderActTwo({ localSecret: responderSecret }, act))), {
        numRuns: fuzzRuns,
      });
    },
    fuzzTimeout,
  );

  it(
    'random act two at the initiator: act three or DecodeError',
    () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: ACT_TWO_SIZE + 4 }), (act) => void valueOrDecodeError(() => initiatorActThree(initiator.state, act))), {
        numRuns: fuzzRuns,
      });
    },
    fuzzTimeout,
  );

  it(
    'random act three (any bytes, and version 0 with random contents) at the responder: keys or DecodeError',
    () => {
      // Act three checks its first MAC before any ECDH, so random contents are cheap here.
      const act = fc.oneof(fc.uint8Array({ maxLength: ACT_THREE_SIZE + 4 }), fc.uint8Array({ minLength: 65, maxLength: 65 }).map((r) => concat(Uint8Array.of(0), r)));
      fc.assert(fc.property(act, (a) => void valueOrDecodeError(() => responderComplete(responder.state, a))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );
});
