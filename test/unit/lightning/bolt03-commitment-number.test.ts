// BOLT 3 obscured commitment number: the Appendix C obscuring factor (1 vector) and the
// locktime/sequence encoding of every Appendix C commitment transaction (16 vectors, all at
// commitment number 42), plus the decoder's error cases.
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import {
  MAX_COMMITMENT_NUMBER,
  commitmentObscuringFactor,
  decodeObscuredCommitmentNumber,
  encodeObscuredCommitmentNumber,
  obscureCommitmentNumber,
} from '../../../core/lightning/commitment-number.js';
import { vectorText } from '../../support/vectors.js';

const bolt03 = vectorText('bolt03.md');
const appendixC = bolt03.slice(bolt03.indexOf('# Appendix C'), bolt03.indexOf('# Appendix D'));
const localPaymentBasepoint = /local_payment_basepoint: ([0-9a-f]{66})/.exec(appendixC)![1]!;
const remotePaymentBasepoint = /remote_payment_basepoint: ([0-9a-f]{66})/.exec(appendixC)![1]!;
const commitmentNumber = Number(/commitment_number: (\d+)/.exec(appendixC)![1]);
const commitTxs = [...appendixC.matchAll(/name: (.+)\n(?:.*\n)*?\s+output commit_tx: ([0-9a-f]+)/g)].map((m) => ({
  name: m[1]!,
  tx: m[2]!,
}));

describe('BOLT 3 Appendix C obscured commitment number', () => {
  const factor = commitmentObscuringFactor(hex.decode(localPaymentBasepoint), hex.decode(remotePaymentBasepoint));

  it('BOLT3 Appendix C obscuring factor: 0x2bb038521914 from the two payment basepoints (local is opener)', () => {
    expect(factor).toBe(0x2bb038521914);
    expect(commitmentNumber).toBe(42);
    expect(obscureCommitmentNumber(42, factor)).toBe(0x2bb03852193e); // 0x14 ^ 42 = 0x3e
    // The opener's basepoint comes first: swapping the roles gives another factor.
    expect(commitmentObscuringFactor(hex.decode(remotePaymentBasepoint), hex.decode(localPaymentBasepoint))).not.toBe(factor);
  });

  it('has the 16 Appendix C commitment transactions', () => expect(commitTxs).toHaveLength(16));
  commitTxs.forEach(({ name, tx }, i) => {
    it(`BOLT3 Appendix C commitment tx ${i + 1} (${name}): locktime and sequence encode 42 ^ factor`, () => {
      const parsed = Transaction.fromRaw(hex.decode(tx), { allowUnknownOutputs: true, disableScriptCheck: true });
      const sequence = parsed.getInput(0).sequence!;
      const encoded = encodeObscuredCommitmentNumber(obscureCommitmentNumber(commitmentNumber, factor));
      expect(encoded).toEqual({ lockTime: parsed.lockTime, sequence });
      expect(obscureCommitmentNumber(decodeObscuredCommitmentNumber(parsed.lockTime, sequence), factor)).toBe(42);
    });
  });
});

describe('commitment number encoding limits', () => {
  it('round-trips the extremes of the 48-bit range', () => {
    for (const n of [0, 1, 2 ** 24 - 1, 2 ** 24, MAX_COMMITMENT_NUMBER]) {
      const { lockTime, sequence } = encodeObscuredCommitmentNumber(n);
      expect(decodeObscuredCommitmentNumber(lockTime, sequence)).toBe(n);
    }
    expect(encodeObscuredCommitmentNumber(MAX_COMMITMENT_NUMBER)).toEqual({ lockTime: 0x20ffffff, sequence: 0x80ffffff });
    expect(obscureCommitmentNumber(MAX_COMMITMENT_NUMBER, MAX_COMMITMENT_NUMBER)).toBe(0);
  });

  it('rejects numbers outside 48 bits and points of the wrong size', () => {
    expect(() => obscureCommitmentNumber(2 ** 48, 0)).toThrow(/"commitmentNumber" expected integer/);
    expect(() => encodeObscuredCommitmentNumber(-1)).toThrow(RangeError);
    expect(() => commitmentObscuringFactor(new Uint8Array(32), new Uint8Array(33))).toThrow(/"openerPaymentBasepoint"/);
  });

  it('decoder throws DecodeError on a transaction that is not a commitment', () => {
    expect(() => decodeObscuredCommitmentNumber(0, 0x80000000)).toThrow(expect.objectContaining({ code: 'commitment-number-marker' }));
    expect(() => decodeObscuredCommitmentNumber(0x20000000, 0xffffffff)).toThrow(expect.objectContaining({ code: 'commitment-number-marker' }));
    expect(() => decodeObscuredCommitmentNumber(2 ** 32, 0x80000000)).toThrow(DecodeError);
  });
});
