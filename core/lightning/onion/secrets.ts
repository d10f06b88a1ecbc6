/**
 * The key schedule shared by Sphinx onions, failure onions and route blinding (BOLT 4): ECDH
 * shared secrets, blinding factors, public/private key blinding, HMAC-derived keys and the ChaCha20
 * pseudo-random stream.
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#key-generation
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#shared-secret
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#blinding-ephemeral-keys
 *
 * Only compositions of @noble primitives; no packet layout here.
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecodeError, decoding } from '../../bitcoin/errors.js';

const { Point } = secp256k1;
const Fn = Point.Fn;
const ZERO_NONCE = new Uint8Array(12);
const encoder = new TextEncoder();

/** HMAC key types of BOLT 4 (`rho`, `mu`, `um`, `pad`, `ammag`) and route blinding (`blinded_node_id`). */
export type KeyType = 'rho' | 'mu' | 'um' | 'pad' | 'ammag' | 'blinded_node_id';

/** HMAC-SHA256 keyed by the key type's ASCII name over the 32-byte secret. */
export function deriveKey(type: KeyType, secret: Uint8Array): Uint8Array {
  return hmac(sha256, encoder.encode(type), secret);
}

/** `length` bytes of ChaCha20 keystream under `key` with the all-zero 96-bit nonce. */
export function cipherStream(key: Uint8Array, length: number): Uint8Array {
  return chacha20(key, ZERO_NONCE, new Uint8Array(length));
}

/** XORs `stream` into `data` in place, over the shorter of the two. */
export function xorInto(data: Uint8Array, stream: Uint8Array): void {
  const n = Math.min(data.length, stream.length);
  for (let i = 0; i < n; i++) data[i]! ^= stream[i]!;
}

function secretScalar(privateKey: Uint8Array, field: string): bigint {
  if (!(privateKey instanceof Uint8Array) || privateKey.length !== 32 || !secp256k1.utils.isValidSecretKey(privateKey))
    throw new RangeError(`"${field}" expected a valid 32-byte secp256k1 secret key`);
  return bytesToNumberBE(privateKey);
}

/** Parses an untrusted compressed point; `code` names what it was (e.g. invalid_onion_key). */
export function parsePoint(bytes: Uint8Array, code: string, field: string): InstanceType<typeof Point> {
  if (bytes.length !== 33 || (bytes[0] !== 2 && bytes[0] !== 3))
    throw new DecodeError(code, `"${field}" is not a 33-byte compressed point`);
  return decoding(code, `"${field}"`, () => Point.fromBytes(bytes));
}

/** SHA256 of the compressed ECDH point, the same on both sides (BOLT 4 "Shared Secret"). */
export function sharedSecret(privateKey: Uint8Array, publicKey: Uint8Array, code = 'invalid_onion_key'): Uint8Array {
  const k = secretScalar(privateKey, 'privateKey');
  return sha256(parsePoint(publicKey, code, 'publicKey').multiply(k).toBytes(true));
}

/** SHA256(E || ss): the factor that blinds the next ephemeral key (and path key). */
export function blindingFactor(publicKey: Uint8Array, secret: Uint8Array): Uint8Array {
  const out = new Uint8Array(65);
  out.set(publicKey);
  out.set(secret, 33);
  return sha256(out);
}

/** A 32-byte factor as a non-zero scalar; a zero factor (probability ~2^-256) cannot blind. */
function factorScalar(factor: Uint8Array): bigint {
  const t = Fn.create(bytesToNumberBE(factor));
  if (t === 0n) throw new RangeError('"factor" reduces to zero modulo the group order');
  return t;
}

/** factor · P, compressed; `code` is thrown when P is not a valid point. */
export function blindPublicKey(publicKey: Uint8Array, factor: Uint8Array, code = 'invalid_onion_key'): Uint8Array {
  return parsePoint(publicKey, code, 'publicKey').multiply(factorScalar(factor)).toBytes(true);
}

/** factor · k mod n: the private key of `blindPublicKey(k·G, factor)`. */
export function blindPrivateKey(privateKey: Uint8Array, factor: Uint8Array): Uint8Array {
  return Fn.toBytes(Fn.mul(secretScalar(privateKey, 'privateKey'), factorScalar(factor)));
}

export function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return secp256k1.getPublicKey(privateKey, true);
}
