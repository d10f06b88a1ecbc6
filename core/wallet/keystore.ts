/**
 * Secrets at rest: a key derived from the user's passphrase with scrypt (N=2^17, r=8, p=1 — about
 * 300 ms here, tunable per blob) seals the secret with XChaCha20-Poly1305. The associated data
 * binds a blob to its wallet id, so blobs cannot be swapped between wallets. A wrong passphrase
 * fails the Poly1305 tag: a typed error, and nothing is returned.
 * Not here: keeping secrets in memory (see unlocked.ts) or persisting blobs (the wallet store).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { randomBytes, scrypt as scryptCallback, type ScryptOptions } from 'node:crypto';
import { z } from 'zod';

export const KdfParams = z.object({
  name: z.literal('scrypt'),
  N: z.number().int().min(2 ** 14).max(2 ** 22),
  r: z.number().int().min(1).max(32),
  p: z.number().int().min(1).max(16),
  salt: z.string().regex(/^[0-9a-f]{32}$/),
});

export const SealedSecret = z.object({
  version: z.literal(1),
  kdf: KdfParams,
  cipher: z.literal('xchacha20poly1305'),
  nonce: z.string().regex(/^[0-9a-f]{48}$/),
  ciphertext: z.string().regex(/^([0-9a-f]{2})+$/),
});
export type SealedSecret = z.infer<typeof SealedSecret>;

export const DEFAULT_KDF = { N: 2 ** 17, r: 8, p: 1 } as const;

export class WrongPassphraseError extends Error {
  override readonly name = 'WrongPassphraseError';
  constructor() {
    super('wrong passphrase: the wallet stays locked');
  }
}

function scrypt(passphrase: string, salt: Uint8Array, kdf: { N: number; r: number; p: number }): Promise<Uint8Array> {
  const options: ScryptOptions = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 256 * kdf.N * kdf.r + 64 * 1024 * 1024 };
  return new Promise((resolve, reject) =>
    // NFKC so the same passphrase typed on different keyboards/OSes derives the same key.
    scryptCallback(passphrase.normalize('NFKC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(new Uint8Array(key)))),
  );
}

const aad = (context: string) => new TextEncoder().encode(`tapdesk/sealed-secret/v1/${context}`);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

export async function seal(
  secret: Uint8Array,
  passphrase: string,
  context: string,
  kdf: { N: number; r: number; p: number } = DEFAULT_KDF,
): Promise<SealedSecret> {
  const salt = new Uint8Array(randomBytes(16));
  const nonce = new Uint8Array(randomBytes(24));
  const key = await scrypt(passphrase, salt, kdf);
  try {
    const ciphertext = xchacha20poly1305(key, nonce, aad(context)).encrypt(secret);
    return { version: 1, kdf: { name: 'scrypt', ...kdf, salt: hex(salt) }, cipher: 'xchacha20poly1305', nonce: hex(nonce), ciphertext: hex(ciphertext) };
  } finally {
    key.fill(0);
  }
}

export async function unseal(sealed: SealedSecret, passphrase: string, context: string): Promise<Uint8Array> {
  const key = await scrypt(passphrase, unhex(sealed.kdf.salt), sealed.kdf);
  try {
    return xchacha20poly1305(key, unhex(sealed.nonce), aad(context)).decrypt(unhex(sealed.ciphertext));
  } catch {
    throw new WrongPassphraseError();
  } finally {
    key.fill(0);
  }
}
