/**
 * Seals MuSig2 secret nonces for storage under a key that lives only in this process.
 *
 * The vault key is drawn once per process (per running core) and never written anywhere, so a
 * sealed secret nonce can be opened by the process that made it and by no other: after a crash,
 * a kill -9 or a restart the stored copy is unreadable, and the store also marks it discarded
 * (`boot` names the process that made each record). That is the rule for nonces that outlive
 * their process: they die with it, and signing needs a new nonce round — a nonce restored from a
 * backup, a VM snapshot or a copied wallet file can never be used twice.
 *
 * XChaCha20-Poly1305 with the record's context as associated data, so a sealed nonce cannot be
 * moved to another record. Randomness is injected. Not here: the records (core/store).
 */
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { SecretNonce } from '../nonce.js';
import { SharedAccountError } from './errors.js';

const NONCE_LENGTH = 24;

export class NonceVault {
  /** Identifies the process (vault) that sealed a record. */
  readonly boot: string;
  readonly #key: Uint8Array;

  constructor(random: (length: number) => Uint8Array) {
    this.#key = random(32).slice();
    this.boot = bytesToHex(random(16));
    if (this.#key.length !== 32 || this.boot.length !== 32) throw new RangeError('"random" must return the number of bytes asked for');
  }

  /** 24-byte nonce || ciphertext of the 97-byte secnonce, bound to `context`. The nonce object stays usable. */
  seal(secretNonce: SecretNonce, context: string, random: (length: number) => Uint8Array): Uint8Array {
    const nonce = random(NONCE_LENGTH);
    const plain = secretNonce.toBytes();
    try {
      return concatBytes(nonce, xchacha20poly1305(this.#key, nonce, aad(context)).encrypt(plain));
    } finally {
      plain.fill(0);
    }
  }

  /** Opens a record sealed by this vault; anything else (another process, another context) is NONCE_DISCARDED. */
  open(sealed: Uint8Array, context: string): SecretNonce {
    let plain: Uint8Array;
    try {
      plain = xchacha20poly1305(this.#key, sealed.subarray(0, NONCE_LENGTH), aad(context)).decrypt(sealed.subarray(NONCE_LENGTH));
    } catch {
      throw new SharedAccountError('NONCE_DISCARDED', 'this secret nonce was sealed by an earlier run of Tapdesk and can no longer be used; add a new nonce');
    }
    try {
      return SecretNonce.fromBytes(plain);
    } finally {
      plain.fill(0);
    }
  }

  /** Forgets the key: every nonce sealed so far becomes unreadable. */
  close(): void {
    this.#key.fill(0);
  }
}

function aad(context: string): Uint8Array {
  return utf8ToBytes(`tapdesk/musig2-secnonce/v1/${context}`);
}
