/**
 * BOLT 8 transport cryptography: the Noise_XK_secp256k1_ChaChaPoly_SHA256 handshake as pure
 * functions over act bytes (initiator and responder), and `TransportCipher`, the message
 * encryption that follows it (2-byte encrypted length + MAC, body + MAC, keys rotated every 1000
 * nonces with HKDF over the chaining key).
 *
 * No I/O and no clock: `transport.ts` moves these bytes over a socket. Randomness only for the
 * ephemeral key, which callers may inject (the spec's test vectors do). Act bytes come from an
 * untrusted peer, so every failure to accept an act is a `DecodeError` whose code names the act
 * and the reason (`act2_bad_tag`, …), as the Appendix A vectors do.
 *
 * Spec: https://github.com/lightning/bolts/blob/master/08-transport.md
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { DecodeError } from '../bitcoin/errors.js';
import { isCompressedPoint } from './codec.js';

export const ACT_ONE_SIZE = 50;
export const ACT_TWO_SIZE = 50;
export const ACT_THREE_SIZE = 66;
/** Encrypted length prefix: 2 bytes + 16-byte MAC. */
export const FRAME_HEADER_SIZE = 18;
export const MAC_SIZE = 16;
/** Largest Lightning message; the length prefix is a u16. */
export const MAX_PAYLOAD_SIZE = 0xffff;
const ROTATE_AT = 1000;
const FRAME_PAD = 2;
const VERSION = 0;
const EMPTY = new Uint8Array(0);

const enc = new TextEncoder();
const PROTOCOL_HASH = sha256(enc.encode('Noise_XK_secp256k1_ChaChaPoly_SHA256'));
const PROLOGUE = enc.encode('lightning');

/** 96-bit Noise nonce: 32 zero bits then the counter as little-endian u64 (counters stay < 2^16). */
function writeNonce(out: Uint8Array, n: number): Uint8Array {
  out[4] = n & 0xff;
  out[5] = n >>> 8;
  return out;
}

function encryptWithAD(k: Uint8Array, n: number, ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
  return chacha20poly1305(k, writeNonce(new Uint8Array(12), n), ad).encrypt(plaintext);
}

/** `undefined` when the MAC does not verify. */
function decryptWithAD(k: Uint8Array, n: number, ad: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
  try {
    return chacha20poly1305(k, writeNonce(new Uint8Array(12), n), ad).decrypt(ciphertext);
  } catch {
    return undefined;
  }
}

/** `HKDF(salt, ikm)` of BOLT 8: RFC 5869 SHA-256, empty info, 64 bytes split in two 32-byte keys. */
export function _hkdf2(salt: Uint8Array, ikm: Uint8Array): [Uint8Array, Uint8Array] {
  const out = hkdf(sha256, ikm, salt, EMPTY, 64);
  return [out.slice(0, 32), out.slice(32)];
}

/** `ECDH(k, rk)` of BOLT 8: SHA-256 of the compressed shared point. */
export function _ecdh(secret: Uint8Array, point: Uint8Array): Uint8Array {
  return sha256(secp256k1.getSharedSecret(secret, point, true));
}

function checkSecret(secret: Uint8Array, field: string): void {
  if (!(secret instanceof Uint8Array) || !secp256k1.utils.isValidSecretKey(secret)) {
    throw new RangeError(`"${field}" expected a 32-byte secp256k1 secret key`);
  }
}

const mixHash = (h: Uint8Array, data: Uint8Array): Uint8Array => sha256(concatBytes(h, data));

/** `h` after initialisation and mixing in the responder's static key. */
function initialHash(responderStatic: Uint8Array): Uint8Array {
  return mixHash(mixHash(PROTOCOL_HASH, PROLOGUE), responderStatic);
}

/** What both sides hold once the handshake is done. */
export interface SessionKeys {
  /** Key this side encrypts with. */
  readonly sk: Uint8Array;
  /** Key this side decrypts with. */
  readonly rk: Uint8Array;
  /** Chaining key both sending and receiving rotations start from. */
  readonly ck: Uint8Array;
  /** Final handshake hash `h`: identical on both sides, usable as a channel binding. */
  readonly handshakeHash: Uint8Array;
}

function readAct(act: Uint8Array, size: number, name: 'act1' | 'act2' | 'act3'): void {
  if (act.length !== size) throw new DecodeError(`${name}_read_failed`, `"${name}" expected ${size} bytes, got ${act.length}`);
  if (act[0] !== VERSION) throw new DecodeError(`${name}_bad_version`, `"${name}" has unknown handshake version ${act[0]}`);
}

// ── initiator ───────────────────────────────────────────────────────────────────────────────────

export interface InitiatorOptions {
  localSecret: Uint8Array;
  /** The responder's node id (compressed public key): Noise_XK needs it before Act One. */
  remoteStatic: Uint8Array;
  /** Injected only by tests; otherwise fresh randomness as the spec requires. */
  ephemeralSecret?: Uint8Array;
}

export interface InitiatorAwaitingActTwo {
  readonly ck: Uint8Array;
  readonly h: Uint8Array;
  readonly localSecret: Uint8Array;
  readonly ephemeralSecret: Uint8Array;
}

export function initiatorActOne(opts: InitiatorOptions): { actOne: Uint8Array; state: InitiatorAwaitingActTwo } {
  checkSecret(opts.localSecret, 'localSecret');
  if (!isCompressedPoint(opts.remoteStatic)) throw new RangeError('"remoteStatic" expected a 33-byte compressed secp256k1 point');
  const e = opts.ephemeralSecret ?? secp256k1.utils.randomSecretKey();
  checkSecret(e, 'ephemeralSecret');
  const ePub = secp256k1.getPublicKey(e, true);
  let h = mixHash(initialHash(opts.remoteStatic), ePub);
  const [ck, tempK1] = _hkdf2(PROTOCOL_HASH, _ecdh(e, opts.remoteStatic));
  const c = encryptWithAD(tempK1, 0, h, EMPTY);
  h = mixHash(h, c);
  return {
    actOne: concatBytes(Uint8Array.of(VERSION), ePub, c),
    state: { ck, h, localSecret: opts.localSecret, ephemeralSecret: e },
  };
}

export interface InitiatorAfterActTwo {
  readonly ck: Uint8Array;
  readonly h: Uint8Array;
  readonly tempK2: Uint8Array;
}

/** Accepts Act Two; returns Act Three to send and the session keys. `afterActTwo` is for inspection. */
export function initiatorActThree(
  state: InitiatorAwaitingActTwo,
  actTwo: Uint8Array,
): { actThree: Uint8Array; keys: SessionKeys; afterActTwo: InitiatorAfterActTwo } {
  readAct(actTwo, ACT_TWO_SIZE, 'act2');
  const re = actTwo.subarray(1, 34);
  if (!isCompressedPoint(re)) throw new DecodeError('act2_bad_pubkey', '"act2" ephemeral key is not a compressed secp256k1 point');
  let h = mixHash(state.h, re);
  const [ck2, tempK2] = _hkdf2(state.ck, _ecdh(state.ephemeralSecret, re));
  const tag = actTwo.subarray(34);
  if (!decryptWithAD(tempK2, 0, h, tag)) throw new DecodeError('act2_bad_tag', '"act2" MAC does not verify');
  h = mixHash(h, tag);
  const afterActTwo = { ck: ck2, h, tempK2 };

  const c = encryptWithAD(tempK2, 1, h, secp256k1.getPublicKey(state.localSecret, true));
  h = mixHash(h, c);
  const [ck3, tempK3] = _hkdf2(ck2, _ecdh(state.localSecret, re));
  const t = encryptWithAD(tempK3, 0, h, EMPTY);
  const [sk, rk] = _hkdf2(ck3, EMPTY);
  return {
    actThree: concatBytes(Uint8Array.of(VERSION), c, t),
    keys: { sk, rk, ck: ck3, handshakeHash: h },
    afterActTwo,
  };
}

// ── responder ───────────────────────────────────────────────────────────────────────────────────

export interface ResponderOptions {
  localSecret: Uint8Array;
  /** Injected only by tests; otherwise fresh randomness as the spec requires. */
  ephemeralSecret?: Uint8Array;
}

export interface ResponderAwaitingActThree {
  readonly ck: Uint8Array;
  readonly h: Uint8Array;
  readonly tempK2: Uint8Array;
  readonly ephemeralSecret: Uint8Array;
}

/** Accepts Act One; returns Act Two to send. `afterActOne` is for inspection. */
export function responderActTwo(
  opts: ResponderOptions,
  actOne: Uint8Array,
): { actTwo: Uint8Array; state: ResponderAwaitingActThree; afterActOne: { ck: Uint8Array; h: Uint8Array; tempK1: Uint8Array } } {
  checkSecret(opts.localSecret, 'localSecret');
  readAct(actOne, ACT_ONE_SIZE, 'act1');
  const re = actOne.subarray(1, 34);
  if (!isCompressedPoint(re)) throw new DecodeError('act1_bad_pubkey', '"act1" ephemeral key is not a compressed secp256k1 point');
  let h = mixHash(initialHash(secp256k1.getPublicKey(opts.localSecret, true)), re);
  const [ck1, tempK1] = _hkdf2(PROTOCOL_HASH, _ecdh(opts.localSecret, re));
  const tag = actOne.subarray(34);
  if (!decryptWithAD(tempK1, 0, h, tag)) throw new DecodeError('act1_bad_tag', '"act1" MAC does not verify');
  h = mixHash(h, tag);
  const afterActOne = { ck: ck1, h, tempK1 };

  const e = opts.ephemeralSecret ?? secp256k1.utils.randomSecretKey();
  checkSecret(e, 'ephemeralSecret');
  const ePub = secp256k1.getPublicKey(e, true);
  h = mixHash(h, ePub);
  const [ck2, tempK2] = _hkdf2(ck1, _ecdh(e, re));
  const c = encryptWithAD(tempK2, 0, h, EMPTY);
  h = mixHash(h, c);
  return { actTwo: concatBytes(Uint8Array.of(VERSION), ePub, c), state: { ck: ck2, h, tempK2, ephemeralSecret: e }, afterActOne };
}

/** Accepts Act Three; returns the initiator's static key (its node id) and the session keys. */
export function responderComplete(state: ResponderAwaitingActThree, actThree: Uint8Array): { remoteStatic: Uint8Array; keys: SessionKeys } {
  readAct(actThree, ACT_THREE_SIZE, 'act3');
  const c = actThree.subarray(1, 50);
  const rs = decryptWithAD(state.tempK2, 1, state.h, c);
  if (!rs) throw new DecodeError('act3_bad_ciphertext', '"act3" encrypted static key MAC does not verify');
  if (!isCompressedPoint(rs)) throw new DecodeError('act3_bad_pubkey', '"act3" static key is not a compressed secp256k1 point');
  const h = mixHash(state.h, c);
  const [ck3, tempK3] = _hkdf2(state.ck, _ecdh(state.ephemeralSecret, rs));
  if (!decryptWithAD(tempK3, 0, h, actThree.subarray(50))) throw new DecodeError('act3_bad_tag', '"act3" MAC does not verify');
  const [rk, sk] = _hkdf2(ck3, EMPTY);
  return { remoteStatic: rs, keys: { sk, rk, ck: ck3, handshakeHash: h } };
}

// ── transport messages ──────────────────────────────────────────────────────────────────────────

/**
 * Encrypts and decrypts Lightning messages after the handshake. Stateful by nature (nonces,
 * rotations), so a class; sending and receiving state are independent. Decryption is two steps
 * because the reader must learn the body length before it can read the body:
 * `decryptLength(header)` then `decryptMessage(body)`. A decryption failure leaves the cipher
 * unusable for receiving: the connection must close (BOLT 8: MAC failure → terminate).
 */
export class TransportCipher {
  private sk: Uint8Array;
  private sck: Uint8Array;
  private sn = 0;
  private rk: Uint8Array;
  private rck: Uint8Array;
  private rn = 0;
  /** Body length announced by the last decrypted header, or -1 when a header is expected. */
  private pendingBody = -1;
  private broken = false;
  private readonly sendNonce = new Uint8Array(12);
  private readonly recvNonce = new Uint8Array(12);
  /** Scratch for the 2-byte length, in and out: saves an allocation per frame. */
  private readonly lengthPlain = new Uint8Array(2);

  constructor(keys: Pick<SessionKeys, 'sk' | 'rk' | 'ck'>) {
    this.sk = keys.sk.slice();
    this.rk = keys.rk.slice();
    this.sck = keys.ck.slice();
    this.rck = keys.ck.slice();
  }

  /** One frame: `lc || c`, i.e. 18 + message length + 16 bytes, written into one buffer. */
  encrypt(message: Uint8Array): Uint8Array {
    if (message.length > MAX_PAYLOAD_SIZE) {
      throw new RangeError(`"message" expected at most ${MAX_PAYLOAD_SIZE} bytes, got ${message.length}`);
    }
    // Two bytes of pre-padding put the body at offset 20: ChaCha20 XORs whole 32-bit words only
    // on 4-byte-aligned buffers and falls back to byte by byte otherwise (~1.5x slower at 16 KiB).
    const buf = new Uint8Array(FRAME_PAD + FRAME_HEADER_SIZE + message.length + MAC_SIZE);
    this.lengthPlain[0] = message.length >>> 8;
    this.lengthPlain[1] = message.length & 0xff;
    this.seal(this.lengthPlain, buf.subarray(FRAME_PAD, FRAME_PAD + FRAME_HEADER_SIZE));
    this.seal(message, buf.subarray(FRAME_PAD + FRAME_HEADER_SIZE));
    return buf.subarray(FRAME_PAD);
  }

  /** Decrypts the 18-byte header; returns the body length `l` (the body is then `l + 16` bytes). */
  decryptLength(header: Uint8Array): number {
    if (this.pendingBody !== -1) throw new DecodeError('frame_order', 'a message body is expected, not a length header');
    if (header.length !== FRAME_HEADER_SIZE) {
      throw new DecodeError('truncated', `"header" expected ${FRAME_HEADER_SIZE} bytes, got ${header.length}`);
    }
    const plain = this.open(header, 'length', this.lengthPlain);
    this.pendingBody = (plain[0]! << 8) | plain[1]!;
    return this.pendingBody;
  }

  /** Decrypts the body announced by the previous `decryptLength`. */
  decryptMessage(body: Uint8Array): Uint8Array {
    if (this.pendingBody === -1) throw new DecodeError('frame_order', 'a length header is expected, not a message body');
    if (body.length !== this.pendingBody + MAC_SIZE) {
      throw new DecodeError('truncated', `"body" expected ${this.pendingBody + MAC_SIZE} bytes, got ${body.length}`);
    }
    const plain = this.open(body, 'message');
    this.pendingBody = -1;
    return plain;
  }

  private seal(plain: Uint8Array, out: Uint8Array): void {
    chacha20poly1305(this.sk, writeNonce(this.sendNonce, this.sn)).encrypt(plain, out);
    if (++this.sn === ROTATE_AT) {
      [this.sck, this.sk] = _hkdf2(this.sck, this.sk);
      this.sn = 0;
    }
  }

  private open(ciphertext: Uint8Array, what: string, into?: Uint8Array): Uint8Array {
    if (this.broken) throw new DecodeError('bad_mac', 'a previous frame failed to decrypt; the connection must close');
    let plain: Uint8Array;
    try {
      plain = chacha20poly1305(this.rk, writeNonce(this.recvNonce, this.rn)).decrypt(ciphertext, into);
    } catch {
      this.broken = true;
      throw new DecodeError('bad_mac', `"${what}" MAC does not verify`);
    }
    if (++this.rn === ROTATE_AT) {
      [this.rck, this.rk] = _hkdf2(this.rck, this.rk);
      this.rn = 0;
    }
    return plain;
  }
}
