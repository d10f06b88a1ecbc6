// Asserts that a MuSig2 operation fails with the exact error a BIP327 vector names.
import { expect } from 'vitest';
import { MusigError, type Contribution, type MusigErrorCode } from '../../../core/musig/errors.js';

/** A BIP327 vector's `error` object. */
export type VectorError =
  | { type: 'invalid_contribution'; signer: number | null; contrib: Contribution }
  | { type: 'value'; message: string };

// The BIP's value-error messages and the codes our API gives them (messages are kept verbatim).
const VALUE_CODES: Record<string, MusigErrorCode> = {
  'The tweak must be less than n.': 'TWEAK_OUT_OF_RANGE',
  'The result of tweaking cannot be infinity.': 'TWEAK_INFINITY',
  "The signer's pubkey must be included in the list of pubkeys.": 'SIGNER_NOT_IN_SESSION',
  'first secnonce value is out of range.': 'INVALID_SECNONCE',
};

export function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected the operation to throw');
}

export function expectVectorError(fn: () => unknown, expected: VectorError): void {
  const err = caught(fn);
  expect(err).toBeInstanceOf(MusigError);
  const e = err as MusigError;
  if (expected.type === 'invalid_contribution') {
    expect({ code: e.code, signer: e.signer, contrib: e.contrib }).toEqual({
      code: 'INVALID_CONTRIBUTION',
      signer: expected.signer,
      contrib: expected.contrib,
    });
  } else {
    const code = VALUE_CODES[expected.message];
    expect(code, `no code mapped for "${expected.message}"`).toBeDefined();
    expect({ code: e.code, message: e.message }).toEqual({ code, message: expected.message });
  }
}

export function expectMusigError(fn: () => unknown, code: MusigErrorCode): MusigError {
  const err = caught(fn);
  expect(err).toBeInstanceOf(MusigError);
  expect((err as MusigError).code).toBe(code);
  return err as MusigError;
}
