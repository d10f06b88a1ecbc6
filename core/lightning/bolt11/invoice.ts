/**
 * BOLT 11 invoices: decode (bech32 without the 90-char limit, human-readable part, timestamp,
 * tagged fields, signature recovery or verification against `n`) and encode (sign with RFC 6979).
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md
 *
 * Pure: no clock (the caller compares `expiresAt` with its own time), no network. Not BOLT 12
 * offers, not the `lightning:` / BIP21 URI layer.
 *
 * Reader choices where the spec is silent or self-contradictory:
 * - `p`, `s`, `h`, `n` fields of the wrong length are skipped, not fatal. The requirement text was
 *   tightened to "MUST fail" (lightning/bolts#1243) but the valid example "Same, but including fields
 *   which must be ignored" still carries such fields. Skipping keeps that example valid while the
 *   case #1243 targets (the only `p`/`s` malformed) still fails as a missing field.
 * - When a field type repeats, the first typed occurrence is used (the writer lists the most
 *   preferred first); all of them stay in `fields`.
 * - Non-zero or excess padding bits in byte fields, malformed `r` entries and malformed known
 *   fallback versions are rejected: such fields cannot be what a conforming writer produced.
 */
import { bech32 } from '@scure/base';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecodeError, decoding } from '../../bitcoin/errors.js';
import { checkInvoiceFeatures } from './features.js';
import type { FallbackAddress } from './fallback.js';
import { type RouteHintHop, type TaggedField, decodeField, encodeField } from './fields.js';
import { type InvoiceNetwork, formatHumanReadablePart, parseHumanReadablePart } from './hrp.js';

export const DEFAULT_EXPIRY_SECONDS = 3600;
export const DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA = 18;

const TIMESTAMP_WORDS = 7; // 35 bits
const SIGNATURE_WORDS = 104; // 520 bits: r || s || recovery id
const CHECKSUM_CHARS = 6;
/** Bech32 alphabet membership by char code (lower case). */
const IS_BECH32_CHAR = (() => {
  const table = new Uint8Array(128);
  for (const c of 'qpzry9x8gf2tvdw0s3jn54khce6mua7l') table[c.charCodeAt(0)] = 1;
  return table;
})();

export interface Invoice {
  readonly network: InvoiceNetwork;
  /** Absent when the payer chooses the amount. */
  readonly amountMsat: bigint | undefined;
  /** Seconds since 1970-01-01 UTC. */
  readonly timestamp: number;
  readonly paymentHash: Uint8Array;
  readonly paymentSecret: Uint8Array;
  /** Exactly one of `description` and `descriptionHash` is set. Untrusted text: escape before display. */
  readonly description: string | undefined;
  readonly descriptionHash: Uint8Array | undefined;
  /** `payment_metadata` to echo in the final hop payload. */
  readonly metadata: Uint8Array | undefined;
  /** The payee node id: the `n` field, or recovered from the signature. */
  readonly payee: Uint8Array;
  readonly expiry: number;
  /** `timestamp + expiry`: a payer SHOULD NOT pay after it. */
  readonly expiresAt: number;
  readonly minFinalCltvExpiryDelta: number;
  /** In the writer's order of preference. */
  readonly fallbacks: readonly FallbackAddress[];
  /** One private route per `r` field, each an ordered list of hops towards the payee. */
  readonly routeHints: readonly (readonly RouteHintHop[])[];
  /** Set feature bits, ascending. */
  readonly features: readonly number[];
  /** Every tagged field in string order, including skipped ones (re-encoding reproduces the invoice). */
  readonly fields: readonly TaggedField[];
  /** Compact 64-byte r || s and the recovery id that followed it. */
  readonly signature: Uint8Array;
  readonly recoveryId: number;
  /** SHA-256 of the signed preimage (see `_signingPreimage`). */
  readonly messageHash: Uint8Array;
}

export interface InvoiceDraft {
  readonly network: InvoiceNetwork;
  readonly amountMsat?: bigint | undefined;
  readonly timestamp: number;
  /** Written in this order; exactly one payment_hash, one payment_secret, one description or description_hash. */
  readonly fields: readonly TaggedField[];
}

/** Human-readable part as bytes, then the data words packed 8 bits at a time with zero padding. */
export function _signingPreimage(hrp: string, dataWords: readonly number[]): Uint8Array {
  const prefix = new TextEncoder().encode(hrp);
  const out = new Uint8Array(prefix.length + Math.ceil((dataWords.length * 5) / 8));
  out.set(prefix);
  let acc = 0;
  let bits = 0;
  let at = prefix.length;
  for (const word of dataWords) {
    acc = ((acc << 5) | word) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0) out[at] = (acc << (8 - bits)) & 0xff;
  return out;
}

/** Bech32 framing with a reason per failure; the library only ever sees well-formed characters. */
function unframe(text: string): { hrp: string; words: number[] } {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126) throw new DecodeError('bech32_invalid_character', `"invoice" has a non-printable or non-ASCII character at ${i}`);
  }
  const lower = text.toLowerCase();
  if (text !== lower && text !== text.toUpperCase()) throw new DecodeError('bech32_mixed_case', '"invoice" mixes upper and lower case');
  const separator = lower.lastIndexOf('1');
  if (separator < 1) throw new DecodeError('bech32_no_separator', '"invoice" has no "1" separator after a prefix');
  for (let i = separator + 1; i < lower.length; i++)
    if (!IS_BECH32_CHAR[lower.charCodeAt(i)])
      throw new DecodeError('bech32_invalid_character', `"invoice" data part has non-bech32 character ${JSON.stringify(lower[i])}`);
  if (lower.length - separator - 1 < CHECKSUM_CHARS) throw new DecodeError('too_short', '"invoice" data part is shorter than a checksum');
  const { prefix, words } = decoding('bech32_checksum', '"invoice" bech32', () => bech32.decode(lower, false));
  return { hrp: prefix, words };
}

function first<T extends TaggedField['type']>(fields: readonly TaggedField[], type: T): Extract<TaggedField, { type: T }> | undefined {
  return fields.find((f) => f.type === type) as Extract<TaggedField, { type: T }> | undefined;
}

function parseFields(words: readonly number[]): TaggedField[] {
  const fields: TaggedField[] = [];
  for (let at = TIMESTAMP_WORDS; at < words.length; ) {
    if (at + 3 > words.length) throw new DecodeError('truncated_field', `"field" header at word ${at} runs past the data`);
    const tag = words[at]!;
    const length = words[at + 1]! * 32 + words[at + 2]!;
    const start = at + 3;
    if (start + length > words.length)
      throw new DecodeError('truncated_field', `"field" type ${tag} at word ${at} declares ${length} words, past the data`);
    fields.push(decodeField(tag, words.slice(start, start + length)));
    at = start + length;
  }
  return fields;
}

/** An invoice before its signature is checked: `claimedPayee` is only what an `n` field says. */
export type _UnverifiedInvoice = Omit<Invoice, 'payee'> & { readonly claimedPayee: Uint8Array | undefined };

/**
 * Every reader rule except the signature check (ECDSA recovery costs milliseconds; this is
 * microseconds). Internal: `decodeInvoice` is the only way to obtain a trusted `Invoice`.
 */
export function _parseInvoice(text: string): _UnverifiedInvoice {
  if (typeof text !== 'string') throw new DecodeError('bech32_invalid_character', `"invoice" expected string, got ${typeof text}`);
  const { hrp, words } = unframe(text);
  const { network, amountMsat } = parseHumanReadablePart(hrp);
  if (words.length < TIMESTAMP_WORDS + SIGNATURE_WORDS)
    throw new DecodeError('too_short', `"invoice" data is ${words.length} words, less than timestamp + signature (${TIMESTAMP_WORDS + SIGNATURE_WORDS})`);
  const dataWords = words.slice(0, words.length - SIGNATURE_WORDS);
  let timestamp = 0;
  for (let i = 0; i < TIMESTAMP_WORDS; i++) timestamp = timestamp * 32 + dataWords[i]!;
  const fields = parseFields(dataWords);

  const paymentHash = first(fields, 'payment_hash');
  if (!paymentHash) throw new DecodeError('missing_payment_hash', '"payment_hash" (p) field is missing');
  const paymentSecret = first(fields, 'payment_secret');
  if (!paymentSecret) throw new DecodeError('missing_payment_secret', '"payment_secret" (s) field is missing');
  const description = first(fields, 'description');
  const descriptionHash = first(fields, 'description_hash');
  if (!description && !descriptionHash) throw new DecodeError('missing_description', '"description" (d) or "description_hash" (h) is required');
  if (description && descriptionHash) throw new DecodeError('ambiguous_description', '"description" (d) and "description_hash" (h) are both present');
  const features = first(fields, 'features')?.value ?? [];
  checkInvoiceFeatures(features);

  const sigBytes = bech32.fromWords(words.slice(words.length - SIGNATURE_WORDS)); // 520 bits: no padding
  const signature = sigBytes.slice(0, 64);
  decoding('signature_malformed', '"signature"', () => secp256k1.Signature.fromBytes(signature, 'compact'));
  const expiry = first(fields, 'expiry')?.value ?? DEFAULT_EXPIRY_SECONDS;
  return {
    network,
    amountMsat,
    timestamp,
    paymentHash: paymentHash.value,
    paymentSecret: paymentSecret.value,
    description: description?.value,
    descriptionHash: descriptionHash?.value,
    metadata: first(fields, 'metadata')?.value,
    claimedPayee: first(fields, 'payee')?.value,
    expiry,
    expiresAt: timestamp + expiry,
    minFinalCltvExpiryDelta: first(fields, 'min_final_cltv_expiry_delta')?.value ?? DEFAULT_MIN_FINAL_CLTV_EXPIRY_DELTA,
    fallbacks: fields.flatMap((f) => (f.type === 'fallback' ? [f.value] : [])),
    routeHints: fields.flatMap((f) => (f.type === 'route_hint' ? [f.value] : [])),
    features,
    fields,
    signature,
    recoveryId: sigBytes[64]!,
    messageHash: sha256(_signingPreimage(hrp, dataWords)),
  };
}

/** The payee the signature proves: checked against `n` (low-S only) or recovered (any S). */
function authenticatedPayee(parsed: _UnverifiedInvoice): Uint8Array {
  const { signature, recoveryId, messageHash, claimedPayee } = parsed;
  const sig = secp256k1.Signature.fromBytes(signature, 'compact');
  if (claimedPayee) {
    if (sig.hasHighS()) throw new DecodeError('signature_high_s', '"signature" has high S while "payee" (n) is given');
    if (!secp256k1.verify(signature, messageHash, claimedPayee, { prehash: false, lowS: true }))
      throw new DecodeError('signature_mismatch', '"signature" does not verify against "payee" (n)');
    return claimedPayee;
  }
  if (recoveryId > 3) throw new DecodeError('invalid_recovery_id', `"signature" recovery id must be 0..3, got ${recoveryId}`);
  return decoding('signature_unrecoverable', '"signature" public-key recovery', () =>
    sig.addRecoveryBit(recoveryId).recoverPublicKey(messageHash).toBytes(true),
  );
}

/** Decodes and authenticates an invoice; throws DecodeError (with a reason `code`) and nothing else. */
export function decodeInvoice(text: string): Invoice {
  const { claimedPayee, ...parsed } = _parseInvoice(text);
  return { ...parsed, payee: authenticatedPayee({ ...parsed, claimedPayee }) };
}

/** The reader's check for `h`: the out-of-band description must hash to it. */
export function descriptionHashMatches(invoice: Invoice, description: string): boolean {
  if (!invoice.descriptionHash) return false;
  const digest = sha256(new TextEncoder().encode(description));
  return digest.every((byte, i) => byte === invoice.descriptionHash![i]);
}

function checkWriterRules(draft: InvoiceDraft, privateKey: Uint8Array): void {
  const count = (type: TaggedField['type']) => draft.fields.filter((f) => f.type === type).length;
  for (const type of ['payment_hash', 'payment_secret'] as const)
    if (count(type) !== 1) throw new RangeError(`"fields" must contain exactly one ${type}, got ${count(type)}`);
  if (count('description') + count('description_hash') !== 1)
    throw new RangeError('"fields" must contain exactly one description or description_hash');
  for (const type of ['payee', 'expiry', 'min_final_cltv_expiry_delta', 'metadata', 'features'] as const)
    if (count(type) > 1) throw new RangeError(`"fields" must contain at most one ${type}, got ${count(type)}`);
  const payee = first(draft.fields, 'payee');
  if (payee && !secp256k1.getPublicKey(privateKey, true).every((b, i) => b === payee.value[i]))
    throw new RangeError('"payee" must be the public key of "privateKey"');
  const features = first(draft.fields, 'features');
  if (features) {
    if (features.value.length === 0) throw new RangeError('"features" with no bit set must be omitted');
    try {
      checkInvoiceFeatures(features.value);
    } catch (err) {
      throw new RangeError(`"features" ${(err as Error).message}`);
    }
  }
  if (!Number.isInteger(draft.timestamp) || draft.timestamp < 0 || draft.timestamp >= 2 ** 35)
    throw new RangeError(`"timestamp" expected integer in 0..2^35-1, got ${draft.timestamp}`);
}

/** Encodes and signs (RFC 6979, low-S); returns the lower-case bech32 string. */
export function encodeInvoice(draft: InvoiceDraft, privateKey: Uint8Array): string {
  if (!secp256k1.utils.isValidSecretKey(privateKey)) throw new RangeError('"privateKey" expected a valid 32-byte secp256k1 secret key');
  checkWriterRules(draft, privateKey);
  const hrp = formatHumanReadablePart(draft.network, draft.amountMsat);
  const words: number[] = [];
  for (let i = TIMESTAMP_WORDS - 1; i >= 0; i--) words.push(Math.floor(draft.timestamp / 32 ** i) % 32);
  for (const field of draft.fields) {
    const { tag, words: data } = encodeField(field);
    words.push(tag, data.length >> 5, data.length & 31, ...data);
  }
  const messageHash = sha256(_signingPreimage(hrp, words));
  const recovered = secp256k1.sign(messageHash, privateKey, { prehash: false, format: 'recovered' });
  // noble puts the recovery id first; BOLT 11 puts it last.
  const signature = new Uint8Array(65);
  signature.set(recovered.subarray(1), 0);
  signature[64] = recovered[0]!;
  return bech32.encode(hrp, [...words, ...bech32.toWords(signature)], false);
}
