/**
 * BOLT 4 Sphinx packets: construction by the origin, peeling by each hop (shared secret, HMAC
 * check, next ephemeral key), for payment onions (1300-byte `hop_payloads`) and onion messages
 * (any payload length).
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#packet-construction
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#packet-forwarding
 *
 * Hop payloads are opaque bytes here (the TLV stream without its BigSize length prefix, which this
 * module adds and strips); their meaning is in `payload.ts`. Failure onions are in `failure.ts`.
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecodeError } from '../../bitcoin/errors.js';
import { bigSizeLength, encodeBigSize, readBigSize } from '../bigsize.js';
import { ByteReader } from '../byte-cursor.js';
import { isCompressedPoint } from '../codec.js';
import {
  blindPrivateKey,
  blindPublicKey,
  blindingFactor,
  cipherStream,
  deriveKey,
  publicKeyOf,
  sharedSecret,
  xorInto,
} from './secrets.js';

export const ONION_VERSION = 0;
/** `hop_payloads` length of a payment onion; onion messages may use other lengths (1300 or 32768). */
export const PAYMENT_PAYLOAD_LENGTH = 1300;
const HMAC_LENGTH = 32;
/** version (1) + public key (33) + hmac (32). */
export const ONION_OVERHEAD = 66;

export interface OnionPacket {
  readonly version: number;
  /** The ephemeral public key for the hop that receives this packet. */
  readonly publicKey: Uint8Array;
  /** `hop_payloads`, obfuscated. */
  readonly payload: Uint8Array;
  readonly hmac: Uint8Array;
}

export interface OnionHop {
  /** The node id the layer is encrypted to (a blinded node id inside a blinded route). */
  readonly publicKey: Uint8Array;
  /** The hop's TLV payload, without the BigSize length prefix. */
  readonly payload: Uint8Array;
}

export interface HopSecret {
  /** The ephemeral public key that hop sees in its packet. */
  readonly ephemeralPublicKey: Uint8Array;
  readonly sharedSecret: Uint8Array;
}

export interface PeeledOnion {
  /** This hop's TLV payload, without its length prefix. */
  readonly payload: Uint8Array;
  readonly sharedSecret: Uint8Array;
  /** The packet for the next hop; absent when this hop is the final one (all-zero next HMAC). */
  readonly next: OnionPacket | undefined;
}

export function encodeOnionPacket(packet: OnionPacket): Uint8Array {
  const out = new Uint8Array(ONION_OVERHEAD + packet.payload.length);
  out[0] = packet.version;
  out.set(packet.publicKey, 1);
  out.set(packet.payload, 34);
  out.set(packet.hmac, 34 + packet.payload.length);
  return out;
}

/**
 * Splits an untrusted packet. The public key's prefix is checked here; whether it is on the curve
 * is learnt when the shared secret is computed (same `invalid_onion_key` code), so parsing stays cheap.
 */
export function decodeOnionPacket(bytes: Uint8Array, payloadLength: number = PAYMENT_PAYLOAD_LENGTH): OnionPacket {
  if (bytes.length !== ONION_OVERHEAD + payloadLength || payloadLength <= 0)
    throw new DecodeError('invalid_onion_length', `"onion" expected ${ONION_OVERHEAD + payloadLength} bytes, got ${bytes.length}`);
  if (bytes[0] !== ONION_VERSION) throw new DecodeError('invalid_onion_version', `"onion" version ${bytes[0]} is not ${ONION_VERSION}`);
  const publicKey = bytes.slice(1, 34);
  if (publicKey[0] !== 2 && publicKey[0] !== 3) throw new DecodeError('invalid_onion_key', `"onion" public key has prefix ${publicKey[0]}`);
  return { version: ONION_VERSION, publicKey, payload: bytes.slice(34, 34 + payloadLength), hmac: bytes.slice(34 + payloadLength) };
}

/** Ephemeral keys and shared secrets along a route, as the origin computes them. */
export function routeSecrets(sessionKey: Uint8Array, publicKeys: readonly Uint8Array[]): HopSecret[] {
  const secrets: HopSecret[] = [];
  let ephemeralKey = sessionKey;
  for (const [i, publicKey] of publicKeys.entries()) {
    if (!isCompressedPoint(publicKey)) throw new RangeError(`"hops[${i}].publicKey" expected a 33-byte compressed point`);
    const secret = sharedSecret(ephemeralKey, publicKey); // validates the session key first
    const ephemeralPublicKey = publicKeyOf(ephemeralKey);
    secrets.push({ ephemeralPublicKey, sharedSecret: secret });
    ephemeralKey = blindPrivateKey(ephemeralKey, blindingFactor(ephemeralPublicKey, secret));
  }
  return secrets;
}

function hopSize(payload: Uint8Array): number {
  return bigSizeLength(BigInt(payload.length)) + payload.length + HMAC_LENGTH;
}

/** The filler: what the hops before the last shift in, pre-obfuscated so the last HMAC verifies. */
function filler(secrets: readonly HopSecret[], payloads: readonly Uint8Array[], payloadLength: number): Uint8Array {
  let out = new Uint8Array(0);
  for (let i = 0; i < secrets.length - 1; i++) {
    const size = hopSize(payloads[i]!);
    const grown = new Uint8Array(out.length + size);
    grown.set(out);
    const stream = cipherStream(deriveKey('rho', secrets[i]!.sharedSecret), payloadLength + size);
    xorInto(grown, stream.subarray(stream.length - grown.length));
    out = grown;
  }
  return out;
}

function mac(muKey: Uint8Array, payload: Uint8Array, associatedData: Uint8Array): Uint8Array {
  return hmac.create(sha256, muKey).update(payload).update(associatedData).digest();
}

/**
 * Builds the onion for `hops` (first hop first). The starting bytes come from the `pad` key of the
 * session key, as the spec recommends, so the packet is deterministic for a given session key.
 */
export function createOnion(
  sessionKey: Uint8Array,
  hops: readonly OnionHop[],
  associatedData: Uint8Array,
  payloadLength: number = PAYMENT_PAYLOAD_LENGTH,
): { packet: OnionPacket; secrets: HopSecret[] } {
  if (hops.length === 0) throw new RangeError('"hops" expected at least one hop');
  if (!Number.isInteger(payloadLength) || payloadLength <= 0) throw new RangeError(`"payloadLength" expected a positive integer, got ${payloadLength}`);
  const total = hops.reduce((n, h) => n + hopSize(h.payload), 0);
  if (total > payloadLength) throw new RangeError(`"hops" payloads take ${total} bytes, more than the ${payloadLength} available`);
  const secrets = routeSecrets(
    sessionKey,
    hops.map((h) => h.publicKey),
  );
  const payloads = hops.map((h) => h.payload);
  const fill = filler(secrets, payloads, payloadLength);

  let payload = cipherStream(deriveKey('pad', sessionKey), payloadLength);
  let nextHmac: Uint8Array = new Uint8Array(HMAC_LENGTH);
  for (let i = hops.length - 1; i >= 0; i--) {
    const { sharedSecret: secret } = secrets[i]!;
    const hopPayload = payloads[i]!;
    const prefix = encodeBigSize(BigInt(hopPayload.length));
    const shift = prefix.length + hopPayload.length + HMAC_LENGTH;
    const shifted = new Uint8Array(payloadLength);
    shifted.set(prefix);
    shifted.set(hopPayload, prefix.length);
    shifted.set(nextHmac, prefix.length + hopPayload.length);
    shifted.set(payload.subarray(0, payloadLength - shift), shift);
    xorInto(shifted, cipherStream(deriveKey('rho', secret), payloadLength));
    if (i === hops.length - 1) shifted.set(fill, payloadLength - fill.length);
    payload = shifted;
    nextHmac = mac(deriveKey('mu', secret), payload, associatedData);
  }
  return { packet: { version: ONION_VERSION, publicKey: secrets[0]!.ephemeralPublicKey, payload, hmac: nextHmac }, secrets };
}

/** Peels one layer with this node's (possibly blinded) private key. */
export function peelOnion(packet: OnionPacket, privateKey: Uint8Array, associatedData: Uint8Array): PeeledOnion {
  return peelOnionWithSecret(packet, sharedSecret(privateKey, packet.publicKey), associatedData);
}

/**
 * Peels one layer given the shared secret (callers that computed the ECDH elsewhere, e.g. in a
 * batch). Throws DecodeError: `invalid_onion_hmac`, `invalid_onion_payload_length`, BigSize codes,
 * `invalid_onion_key` (the next ephemeral key cannot be blinded).
 */
export function peelOnionWithSecret(packet: OnionPacket, secret: Uint8Array, associatedData: Uint8Array): PeeledOnion {
  const layer = _openLayer(packet, secret, associatedData);
  if (!layer.next) return { payload: layer.payload, sharedSecret: secret, next: undefined };
  const publicKey = blindPublicKey(packet.publicKey, blindingFactor(packet.publicKey, secret));
  return { payload: layer.payload, sharedSecret: secret, next: { version: ONION_VERSION, publicKey, ...layer.next } };
}

/**
 * The symmetric part of peeling: HMAC check, deobfuscation, payload split. Internal: exported for
 * the fuzz harness, which runs it 100k times where the next key's point multiplication would not fit.
 */
export function _openLayer(
  packet: OnionPacket,
  secret: Uint8Array,
  associatedData: Uint8Array,
): { payload: Uint8Array; next: { payload: Uint8Array; hmac: Uint8Array } | undefined } {
  const length = packet.payload.length;
  // HMAC first, in constant time: nothing else is read from an unauthenticated packet.
  if (packet.hmac.length !== HMAC_LENGTH || !equalBytes(mac(deriveKey('mu', secret), packet.payload, associatedData), packet.hmac))
    throw new DecodeError('invalid_onion_hmac', '"onion" HMAC does not match');
  const clear = new Uint8Array(2 * length);
  clear.set(packet.payload);
  xorInto(clear, cipherStream(deriveKey('rho', secret), 2 * length));

  const reader = new ByteReader(clear, 0, length);
  const payloadLength = readBigSize(reader, 'hop_payload length');
  const start = length - reader.remaining;
  if (payloadLength > BigInt(length - start - HMAC_LENGTH))
    throw new DecodeError('invalid_onion_payload_length', `"hop_payload" length ${payloadLength} does not fit in ${length} bytes`);
  const end = start + Number(payloadLength);
  const payload = clear.slice(start, end);
  const nextHmac = clear.slice(end, end + HMAC_LENGTH);
  if (nextHmac.every((b) => b === 0)) return { payload, next: undefined };
  return { payload, next: { payload: clear.slice(end + HMAC_LENGTH, end + HMAC_LENGTH + length), hmac: nextHmac } };
}
