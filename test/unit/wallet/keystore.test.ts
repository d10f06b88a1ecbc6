import { describe, expect, it } from 'vitest';
import { DEFAULT_KDF, SealedSecret, seal, unseal, WrongPassphraseError } from '../../../core/wallet/keystore.js';

// Small scrypt parameters keep the suite fast; the default (N=2^17) is pinned separately and timed
// in `npm run bench -- wallet`.
const FAST = { N: 2 ** 14, r: 8, p: 1 };
const secret = new TextEncoder().encode('abandon ability able about above absent absorb abstract absurd abuse access accident');

describe('keystore: sealed secrets', () => {
  it('opens with the right passphrase and context', async () => {
    const sealed = await seal(secret, 'pass phrase', 'w-1', FAST);
    expect(await unseal(sealed, 'pass phrase', 'w-1')).toEqual(secret);
  });

  it('keeps nothing readable: ciphertext differs from the secret and between two seals', async () => {
    const a = await seal(secret, 'pass phrase', 'w-1', FAST);
    const b = await seal(secret, 'pass phrase', 'w-1', FAST);
    expect(a.ciphertext).not.toContain(Buffer.from(secret).toString('hex').slice(0, 16));
    expect(a.ciphertext).not.toBe(b.ciphertext);
    expect(a.kdf.salt).not.toBe(b.kdf.salt);
    expect(SealedSecret.parse(a)).toEqual(a);
  });

  it('a wrong passphrase is a WrongPassphraseError', async () => {
    const sealed = await seal(secret, 'pass phrase', 'w-1', FAST);
    await expect(unseal(sealed, 'pass phrase!', 'w-1')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('a blob moved to another wallet does not open (associated data binds the wallet id)', async () => {
    const sealed = await seal(secret, 'pass phrase', 'w-1', FAST);
    await expect(unseal(sealed, 'pass phrase', 'w-2')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('a flipped ciphertext bit fails authentication', async () => {
    const sealed = await seal(secret, 'pass phrase', 'w-1', FAST);
    const flipped = { ...sealed, ciphertext: (sealed.ciphertext[0] === '0' ? '1' : '0') + sealed.ciphertext.slice(1) };
    await expect(unseal(flipped, 'pass phrase', 'w-1')).rejects.toBeInstanceOf(WrongPassphraseError);
  });

  it('normalizes the passphrase (NFKC): composed and decomposed forms open the same blob', async () => {
    const sealed = await seal(secret, 'caf\u00e9 au lait', 'w-1', FAST);
    expect(await unseal(sealed, 'cafe\u0301 au lait', 'w-1')).toEqual(secret);
  });

  it('uses scrypt N=2^17, r=8, p=1 by default and records the parameters in the blob', async () => {
    expect(DEFAULT_KDF).toEqual({ N: 2 ** 17, r: 8, p: 1 });
    const sealed = await seal(secret, 'x', 'w-1', FAST);
    expect(sealed.kdf).toMatchObject({ name: 'scrypt', ...FAST });
  });
});
