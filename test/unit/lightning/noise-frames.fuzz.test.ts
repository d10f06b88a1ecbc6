// Fuzz: BOLT 8 transport frame decryption (length header, then body) returns a message or throws
// DecodeError, nothing else, on random and mutated frames. Act parsing: noise-acts.fuzz.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TransportCipher } from '../../../core/lightning/noise.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

// Session keys of the BOLT 8 Appendix A vectors (any keys would do: frames are encrypted here).
const hexKey = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const keys = {
  ck: hexKey('919219dbb2920afa8db80f9a51787a840bcf111ed8d588caf9ab4be716e42b01'),
  sk: hexKey('969ab31b4d288cedf6218839b27a3e2140827047f2c0f01bf5c04435d43511a9'),
  rk: hexKey('bb9020b8965f4df047e07f955f3c4b88418984aadc5cdb35096b9ea8fa5c3442'),
};

describe('BOLT 8 frame decryption fuzz', () => {
  const receiver = () => new TransportCipher({ ck: keys.ck, sk: keys.rk, rk: keys.sk });
  const frames = [0, 1, 5, 64, 300].map((n) => new TransportCipher(keys).encrypt(new Uint8Array(n).fill(n & 0xff)));

  /** Header, then (if that decrypted) body: what the socket layer does with a frame. */
  function decryptFrame(frame: Uint8Array): void {
    const r = receiver();
    const length = r.decryptLength(frame.subarray(0, 18));
    r.decryptMessage(frame.subarray(18, 18 + length + 16));
  }

  it('the seed frames decrypt', () => {
    for (const f of frames) expect(() => decryptFrame(f)).not.toThrow();
  });

  it(
    'random frames (0..80 bytes): message or DecodeError',
    () => {
      fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (f) => void valueOrDecodeError(() => decryptFrame(f))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'mutated valid frames: message or DecodeError',
    () => {
      fc.assert(
        fc.property(mutatedBytes(frames), (f) => void valueOrDecodeError(() => decryptFrame(f))),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
