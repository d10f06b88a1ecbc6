/**
 * BOLT 4 failure onions: the failure messages (`failure_code` + data), the return packet the
 * failing hop builds (`um` HMAC, padding, `ammag` obfuscation), the re-obfuscation each hop on the
 * way back applies, and the origin's unwrapping with attribution to the failing hop.
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#returning-errors
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#failure-messages
 *
 * Not here: attribution data (`option_attribution_data`, hold times and truncated HMACs), which
 * the pinned test vectors do not cover; `channel_update` contents (kept as bytes, 0x0102-prefixed).
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecodeError } from '../../bitcoin/errors.js';
import { readBigSize, writeBigSize } from '../bigsize.js';
import { ByteReader, ByteWriter } from '../byte-cursor.js';
import { type Codec, type Fields, type StructValue, sha256 as sha256Field, struct, u16, u32, u64, varbytes } from '../codec.js';
import { cipherStream, deriveKey, xorInto } from './secrets.js';

export const BADONION = 0x8000;
export const PERM = 0x4000;
export const NODE = 0x2000;
export const UPDATE = 0x1000;

const bigsize: Codec<bigint> = { minSize: 1, maxSize: 9, write: (w, v) => writeBigSize(w, v), read: (r, field) => readBigSize(r, field) };

function failure<F extends Fields>(code: number, fields: F) {
  return { code, data: struct(fields) };
}

/** BOLT 4 failure codes and their data, in the spec's order. */
export const FAILURES = {
  invalid_realm: failure(PERM | 1, {}),
  temporary_node_failure: failure(NODE | 2, {}),
  permanent_node_failure: failure(PERM | NODE | 2, {}),
  required_node_feature_missing: failure(PERM | NODE | 3, {}),
  invalid_onion_version: failure(BADONION | PERM | 4, { sha256OfOnion: sha256Field }),
  invalid_onion_hmac: failure(BADONION | PERM | 5, { sha256OfOnion: sha256Field }),
  invalid_onion_key: failure(BADONION | PERM | 6, { sha256OfOnion: sha256Field }),
  temporary_channel_failure: failure(UPDATE | 7, { channelUpdate: varbytes }),
  permanent_channel_failure: failure(PERM | 8, {}),
  required_channel_feature_missing: failure(PERM | 9, {}),
  unknown_next_peer: failure(PERM | 10, {}),
  amount_below_minimum: failure(UPDATE | 11, { htlcMsat: u64, channelUpdate: varbytes }),
  fee_insufficient: failure(UPDATE | 12, { htlcMsat: u64, channelUpdate: varbytes }),
  incorrect_cltv_expiry: failure(UPDATE | 13, { cltvExpiry: u32, channelUpdate: varbytes }),
  expiry_too_soon: failure(UPDATE | 14, { channelUpdate: varbytes }),
  incorrect_or_unknown_payment_details: failure(PERM | 15, { htlcMsat: u64, height: u32 }),
  final_incorrect_cltv_expiry: failure(18, { cltvExpiry: u32 }),
  final_incorrect_htlc_amount: failure(19, { incomingHtlcAmt: u64 }),
  channel_disabled: failure(UPDATE | 20, { disabledFlags: u16, channelUpdate: varbytes }),
  expiry_too_far: failure(21, {}),
  invalid_onion_payload: failure(PERM | 22, { type: bigsize, offset: u16 }),
  mpp_timeout: failure(23, {}),
  invalid_onion_blinding: failure(BADONION | PERM | 24, { sha256OfOnion: sha256Field }),
} as const;
export type FailureName = keyof typeof FAILURES;

type DataOf<N extends FailureName> = (typeof FAILURES)[N]['data'] extends Codec<infer T> ? T : never;
/** A failure message; `extension` is whatever followed the data (an optional TLV stream), kept as bytes. */
export type FailureMessage =
  | { [N in FailureName]: { readonly name: N; readonly data: DataOf<N>; readonly extension?: Uint8Array } }[FailureName]
  | { readonly name: 'unknown'; readonly code: number; readonly data: Uint8Array };

const BY_CODE = new Map<number, FailureName>((Object.entries(FAILURES) as [FailureName, { code: number }][]).map(([n, f]) => [f.code, n]));

export function failureCode(message: FailureMessage): number {
  return message.name === 'unknown' ? message.code : FAILURES[message.name].code;
}

export function encodeFailureMessage(message: FailureMessage): Uint8Array {
  const w = new ByteWriter();
  if (message.name === 'unknown') {
    if (BY_CODE.has(message.code)) throw new RangeError(`"code" ${message.code} is ${BY_CODE.get(message.code)}, not unknown`);
    u16.write(w, message.code, 'failure_code');
    w.bytes(message.data);
    return w.finish();
  }
  const spec = FAILURES[message.name];
  w.u16(spec.code);
  (spec.data as Codec<StructValue<Fields>>).write(w, message.data as StructValue<Fields>, message.name);
  if (message.extension) w.bytes(message.extension);
  return w.finish();
}

/** Decodes `failuremsg`; unknown codes keep their data as bytes, trailing bytes become `extension`. */
export function decodeFailureMessage(bytes: Uint8Array): FailureMessage {
  const r = new ByteReader(bytes);
  const code = r.u16('failure_code');
  const name = BY_CODE.get(code);
  if (name === undefined) return { name: 'unknown', code, data: r.rest() };
  const data = (FAILURES[name].data as Codec<unknown>).read(r, name);
  return { name, data, ...(r.done ? {} : { extension: r.rest() }) } as FailureMessage;
}

const HMAC_LENGTH = 32;
/** The erring node SHOULD pad `failure_len + pad_len` to exactly this (older nodes expect it). */
const PADDED_LENGTH = 256;

/** The failing hop's return packet, already obfuscated with its `ammag` stream. */
export function createFailurePacket(sharedSecret: Uint8Array, failureMessage: Uint8Array): Uint8Array {
  if (failureMessage.length > 0xffff) throw new RangeError(`"failureMessage" is ${failureMessage.length} bytes, more than a u16 length allows`);
  const padLength = Math.max(0, PADDED_LENGTH - failureMessage.length);
  const body = new Uint8Array(4 + failureMessage.length + padLength);
  const view = new DataView(body.buffer);
  view.setUint16(0, failureMessage.length);
  body.set(failureMessage, 2);
  view.setUint16(2 + failureMessage.length, padLength);
  const packet = new Uint8Array(HMAC_LENGTH + body.length);
  packet.set(hmac(sha256, deriveKey('um', sharedSecret), body));
  packet.set(body, HMAC_LENGTH);
  return wrapFailurePacket(sharedSecret, packet);
}

/** What every hop on the way back does: XOR its `ammag` stream over the packet. */
export function wrapFailurePacket(sharedSecret: Uint8Array, packet: Uint8Array): Uint8Array {
  const out = packet.slice();
  xorInto(out, cipherStream(deriveKey('ammag', sharedSecret), out.length));
  return out;
}

export interface UnwrappedFailure {
  /** Index in the route (0 = first hop) of the node that created the failure. */
  readonly hopIndex: number;
  /**
   * The raw `failuremsg`, authenticated by that hop's `um` key; undefined when its `failure_len`
   * runs past the packet. Either way the hop at `hopIndex` is the one to blame.
   */
  readonly failureMessage: Uint8Array | undefined;
  /** `failureMessage` decoded; undefined when absent or when its data does not parse. */
  readonly message: FailureMessage | undefined;
}

/**
 * The origin's side: peels the `ammag` layers hop by hop (shared secrets in route order) until a
 * hop's `um` HMAC matches. Every hop's layer is computed whichever matches, so the work done does
 * not reveal the position (the spec's SHOULD on constant-time unwrapping, up to the route length).
 * Throws DecodeError `failure_too_short` or `failure_unattributable` (no hop's HMAC matches).
 */
export function unwrapFailurePacket(sharedSecrets: readonly Uint8Array[], packet: Uint8Array): UnwrappedFailure {
  if (packet.length < HMAC_LENGTH + 4) throw new DecodeError('failure_too_short', `"failure packet" is ${packet.length} bytes, less than ${HMAC_LENGTH + 4}`);
  let current = packet;
  let found: { hopIndex: number; plain: Uint8Array } | undefined;
  sharedSecrets.forEach((secret, hopIndex) => {
    current = wrapFailurePacket(secret, current);
    const expected = hmac(sha256, deriveKey('um', secret), current.subarray(HMAC_LENGTH));
    if (!found && equalBytes(expected, current.subarray(0, HMAC_LENGTH))) found = { hopIndex, plain: current };
  });
  if (!found) throw new DecodeError('failure_unattributable', '"failure packet" HMAC matches no hop of the route');
  const plain = found.plain;
  const length = (plain[HMAC_LENGTH]! << 8) | plain[HMAC_LENGTH + 1]!;
  if (length > plain.length - HMAC_LENGTH - 2) return { hopIndex: found.hopIndex, failureMessage: undefined, message: undefined };
  const failureMessage = plain.slice(HMAC_LENGTH + 2, HMAC_LENGTH + 2 + length);
  let message: FailureMessage | undefined;
  try {
    message = decodeFailureMessage(failureMessage);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
  return { hopIndex: found.hopIndex, failureMessage, message };
}
