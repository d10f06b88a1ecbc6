// BIP340 test-vectors.csv (all 19 rows) against @noble/curves' schnorr: a sanity check of the
// primitive every Taproot signature here relies on. Signing rows must reproduce the signature
// exactly (the aux_rand is given); every row's verification result must match, failures included.
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { vectorText } from '../../support/vectors.js';

const [header, ...rows] = vectorText('bip340-test-vectors.csv').trim().split(/\r?\n/);

describe('BIP340 test vectors', () => {
  it('has the expected columns and 19 rows', () => {
    expect(header).toBe('index,secret key,public key,aux_rand,message,signature,verification result,comment');
    expect(rows).toHaveLength(19);
  });
  for (const row of rows) {
    const [index, secretKey, publicKey, auxRand, message, signature, result, ...comment] = row.split(',');
    const expected = result === 'TRUE';
    it(`BIP340 vector ${index}: ${expected ? 'valid' : 'invalid'}${comment.join(',') ? ` (${comment.join(',')})` : ''}`, () => {
      const msg = hexToBytes(message!);
      const sig = hexToBytes(signature!);
      const pub = hexToBytes(publicKey!);
      if (secretKey) {
        const sk = hexToBytes(secretKey);
        expect(bytesToHex(schnorr.getPublicKey(sk)).toUpperCase()).toBe(publicKey);
        expect(bytesToHex(schnorr.sign(msg, sk, hexToBytes(auxRand!))).toUpperCase()).toBe(signature);
      }
      let verified: boolean;
      try {
        verified = schnorr.verify(sig, msg, pub);
      } catch {
        // An unparsable public key is a failed verification, never a pass.
        verified = false;
      }
      expect(verified).toBe(expected);
    });
  }
});
