/**
 * BOLT 11 tagged fields: `type` (5 bits), `data_length` (10 bits), data (5-bit words), and the
 * typed value of each field the spec defines.
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md#tagged-fields
 *
 * One field at a time: which fields must appear, which one wins when repeated, and the signature
 * are the invoice's business (`invoice.ts`). Fields a reader skips (unknown type, unknown fallback
 * version, fixed-length field of the wrong length) come back as `skipped` with their words intact,
 * so a decoded invoice re-encodes to the same string and the signature still covers them.
 */
import { bech32 } from '@scure/base';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { DecodeError } from '../../bitcoin/errors.js';
import { ByteReader, ByteWriter } from '../byte-cursor.js';
import { type ShortChannelId, shortChannelId as scidCodec } from '../codec.js';
import { featureBitsFromWords, featureBitsToWords } from './features.js';
import { type FallbackAddress, fallbackFromWords, fallbackToWords, isKnownFallbackVersion } from './fallback.js';

/** One entry of an `r` field: the channel from `pubkey` towards the payee, with its BOLT 7 fees. */
export interface RouteHintHop {
  readonly pubkey: Uint8Array;
  readonly shortChannelId: ShortChannelId;
  readonly feeBaseMsat: number;
  readonly feeProportionalMillionths: number;
  readonly cltvExpiryDelta: number;
}

export type SkipReason = 'unknown_type' | 'wrong_length' | 'unknown_fallback_version';

export type TaggedField =
  | { readonly type: 'payment_hash'; readonly value: Uint8Array }
  | { readonly type: 'payment_secret'; readonly value: Uint8Array }
  | { readonly type: 'description'; readonly value: string }
  | { readonly type: 'description_hash'; readonly value: Uint8Array }
  | { readonly type: 'metadata'; readonly value: Uint8Array }
  | { readonly type: 'payee'; readonly value: Uint8Array }
  | { readonly type: 'expiry'; readonly value: number }
  | { readonly type: 'min_final_cltv_expiry_delta'; readonly value: number }
  | { readonly type: 'fallback'; readonly value: FallbackAddress }
  | { readonly type: 'route_hint'; readonly value: readonly RouteHintHop[] }
  | { readonly type: 'features'; readonly value: readonly number[] }
  | { readonly type: 'skipped'; readonly tag: number; readonly words: readonly number[]; readonly reason: SkipReason };

export type KnownFieldType = Exclude<TaggedField['type'], 'skipped'>;

/** The 5-bit type of each field, with its bech32 letter in the comment. */
export const FIELD_TAG: Readonly<Record<KnownFieldType, number>> = {
  payment_hash: 1, // p
  route_hint: 3, // r
  features: 5, // 9
  expiry: 6, // x
  fallback: 9, // f
  description: 13, // d
  payment_secret: 16, // s
  payee: 19, // n
  description_hash: 23, // h
  min_final_cltv_expiry_delta: 24, // c
  metadata: 27, // m
};
const TYPE_BY_TAG = new Map<number, KnownFieldType>(
  (Object.entries(FIELD_TAG) as [KnownFieldType, number][]).map(([type, tag]) => [tag, type]),
);

const HASH_WORDS = 52; // 256 bits
const PUBKEY_WORDS = 53; // 264 bits
const ROUTE_HOP_BYTES = 51; // 264 + 64 + 32 + 32 + 16 bits
/** `data_length` is 10 bits. */
export const MAX_FIELD_WORDS = 1023;

// ignoreBOM keeps a leading U+FEFF in the text, so the description re-encodes to the same bytes.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function bytesOf(type: KnownFieldType, words: readonly number[]): Uint8Array {
  // Writers pad with zero bits and use the fewest words; anything else does not round-trip.
  const bytes = bech32.fromWordsUnsafe(words as number[]);
  if (!bytes) throw new DecodeError('invalid_padding', `"${type}" data has non-zero or excess padding bits`);
  return bytes;
}

function integerOf(type: KnownFieldType, words: readonly number[]): number {
  if (words.length > 0 && words[0] === 0)
    throw new DecodeError('non_minimal_length', `"${type}" begins with a zero field element`);
  let value = 0;
  for (const word of words) {
    value = value * 32 + word;
    if (value > Number.MAX_SAFE_INTEGER) throw new DecodeError('value_out_of_range', `"${type}" exceeds 2^53-1`);
  }
  return value;
}

function isPoint(bytes: Uint8Array): boolean {
  return bytes.length === 33 && secp256k1.utils.isValidPublicKey(bytes, true);
}

function routeHintOf(words: readonly number[]): RouteHintHop[] {
  const bytes = bytesOf('route_hint', words);
  if (bytes.length === 0 || bytes.length % ROUTE_HOP_BYTES !== 0)
    throw new DecodeError('invalid_route_hint', `"route_hint" expected a multiple of 51 bytes, got ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hops: RouteHintHop[] = [];
  for (let at = 0; at < bytes.length; at += ROUTE_HOP_BYTES) {
    const pubkey = bytes.slice(at, at + 33);
    if (!isPoint(pubkey)) throw new DecodeError('invalid_route_hint', `"route_hint" entry ${hops.length} pubkey is not a valid point`);
    hops.push({
      pubkey,
      shortChannelId: scidCodec.read(new ByteReader(bytes, at + 33, at + 41), 'route_hint.shortChannelId'),
      feeBaseMsat: view.getUint32(at + 41),
      feeProportionalMillionths: view.getUint32(at + 45),
      cltvExpiryDelta: view.getUint16(at + 49),
    });
  }
  return hops;
}

/** Decodes one field's data; throws DecodeError only for fields that are known and malformed. */
export function decodeField(tag: number, words: readonly number[]): TaggedField {
  const type = TYPE_BY_TAG.get(tag);
  const skip = (reason: SkipReason): TaggedField => ({ type: 'skipped', tag, words, reason });
  switch (type) {
    case undefined:
      return skip('unknown_type');
    case 'payment_hash':
    case 'payment_secret':
    case 'description_hash':
      // Skipped rather than fatal: the spec's own valid example 14 carries such fields (see invoice.ts).
      return words.length === HASH_WORDS ? { type, value: bytesOf(type, words) } : skip('wrong_length');
    case 'payee': {
      if (words.length !== PUBKEY_WORDS) return skip('wrong_length');
      const value = bytesOf(type, words);
      if (!isPoint(value)) throw new DecodeError('invalid_payee_key', '"payee" (n) is not a valid secp256k1 point');
      return { type, value };
    }
    case 'description': {
      const bytes = bytesOf(type, words);
      try {
        return { type, value: utf8.decode(bytes) };
      } catch {
        throw new DecodeError('invalid_description', '"description" (d) is not valid UTF-8');
      }
    }
    case 'metadata':
      return { type, value: bytesOf(type, words) };
    case 'expiry':
    case 'min_final_cltv_expiry_delta':
      return { type, value: integerOf(type, words) };
    case 'fallback':
      if (words.length === 0) throw new DecodeError('invalid_fallback', '"fallback" (f) has no version');
      return isKnownFallbackVersion(words[0]!) ? { type, value: fallbackFromWords(words) } : skip('unknown_fallback_version');
    case 'route_hint':
      return { type, value: routeHintOf(words) };
    case 'features':
      return { type, value: featureBitsFromWords(words) };
  }
}

function fixedBytes(field: string, value: Uint8Array, length: number): number[] {
  if (!(value instanceof Uint8Array) || value.length !== length)
    throw new RangeError(`"${field}" expected ${length} bytes, got ${value instanceof Uint8Array ? value.length : typeof value}`);
  return bech32.toWords(value);
}

function integerWords(field: string, value: number): number[] {
  if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`"${field}" expected non-negative integer, got ${value}`);
  const words: number[] = [];
  for (let v = value; v > 0; v = Math.floor(v / 32)) words.unshift(v % 32);
  return words;
}

function routeHintWords(hops: readonly RouteHintHop[]): number[] {
  if (hops.length === 0) throw new RangeError('"route_hint" expected at least one hop');
  const bytes = new Uint8Array(hops.length * ROUTE_HOP_BYTES);
  const view = new DataView(bytes.buffer);
  hops.forEach((hop, i) => {
    const at = i * ROUTE_HOP_BYTES;
    if (!isPoint(hop.pubkey)) throw new RangeError(`"route_hint[${i}].pubkey" expected a 33-byte compressed point`);
    bytes.set(hop.pubkey, at);
    const scid = new ByteWriter(8);
    scidCodec.write(scid, hop.shortChannelId, `route_hint[${i}].shortChannelId`);
    bytes.set(scid.finish(), at + 33);
    const u = (name: string, v: number, bits: number) => {
      if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) throw new RangeError(`"route_hint[${i}].${name}" expected u${bits}, got ${v}`);
      return v;
    };
    view.setUint32(at + 41, u('feeBaseMsat', hop.feeBaseMsat, 32));
    view.setUint32(at + 45, u('feeProportionalMillionths', hop.feeProportionalMillionths, 32));
    view.setUint16(at + 49, u('cltvExpiryDelta', hop.cltvExpiryDelta, 16));
  });
  return bech32.toWords(bytes);
}

/** The field's 5-bit tag and data words (without the tag/length header). */
export function encodeField(field: TaggedField): { tag: number; words: number[] } {
  const words = ((): number[] => {
    switch (field.type) {
      case 'payment_hash':
      case 'payment_secret':
      case 'description_hash':
        return fixedBytes(field.type, field.value, 32);
      case 'payee':
        if (!isPoint(field.value)) throw new RangeError('"payee" expected a 33-byte compressed point');
        return bech32.toWords(field.value);
      case 'description':
        return bech32.toWords(new TextEncoder().encode(field.value));
      case 'metadata':
        return bech32.toWords(field.value);
      case 'expiry':
      case 'min_final_cltv_expiry_delta':
        return integerWords(field.type, field.value);
      case 'fallback':
        return fallbackToWords(field.value);
      case 'route_hint':
        return routeHintWords(field.value);
      case 'features':
        return featureBitsToWords(field.value);
      case 'skipped':
        if (!Number.isInteger(field.tag) || field.tag < 0 || field.tag > 31) throw new RangeError(`"skipped.tag" expected 0..31, got ${field.tag}`);
        if (field.words.some((w) => !Number.isInteger(w) || w < 0 || w > 31)) throw new RangeError('"skipped.words" expected 5-bit values');
        return [...field.words];
    }
  })();
  if (words.length > MAX_FIELD_WORDS)
    throw new RangeError(`"${field.type}" data is ${words.length} words, more than data_length allows (${MAX_FIELD_WORDS})`);
  return { tag: field.type === 'skipped' ? field.tag : FIELD_TAG[field.type], words };
}
