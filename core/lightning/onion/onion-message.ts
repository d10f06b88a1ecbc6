/**
 * BOLT 4 onion messages: the `onion_message` body (path key + variable-length Sphinx packet), the
 * `onionmsg_tlv` payloads, building a message along a blinded path, and what a receiving node does
 * with one (forward to the next node, or deliver).
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#onion-messages
 *
 * Message type 513 framing belongs to the peer layer; this module reads and writes the body after
 * the type. BOLT 12 contents (`invoice_request`, `invoice`, `invoice_error`) stay opaque bytes.
 */
import { DecodeError } from '../../bitcoin/errors.js';
import { bigSizeLength } from '../bigsize.js';
import { ByteReader, ByteWriter } from '../byte-cursor.js';
import { type Infer, type ShortChannelId, decode, encode, point, remainder } from '../codec.js';
import { tlv, tlvStream } from '../tlv.js';
import { type BlindedPath, type IntroductionNode, type RecipientData, blindedPathCodec, openRecipientData, pathKeys } from './route-blinding.js';
import { ONION_OVERHEAD, type OnionPacket, createOnion, decodeOnionPacket, encodeOnionPacket, peelOnion } from './sphinx.js';

export const ONION_MESSAGE_TYPE = 513;
/** The two sizes the writer SHOULD use, so messages look alike (1366- or 32834-byte packets). */
export const ONION_MESSAGE_PAYLOAD_LENGTHS = [1300, 32768] as const;

export const onionMessagePayloadTlvs = tlvStream({
  replyPath: tlv(2n, blindedPathCodec),
  encryptedRecipientData: tlv(4n, remainder),
  invoiceRequest: tlv(64n, remainder),
  invoice: tlv(66n, remainder),
  invoiceError: tlv(68n, remainder),
});
export type OnionMessagePayload = Infer<typeof onionMessagePayloadTlvs>;
/** What the sender puts in the final hop's payload next to its `encrypted_recipient_data`. */
export type FinalOnionMessagePayload = Omit<OnionMessagePayload, 'encryptedRecipientData'>;

export interface OnionMessage {
  /** The receiving node's path key (`path_key`). */
  readonly pathKey: Uint8Array;
  readonly packet: OnionPacket;
}

const NO_ASSOCIATED_DATA = new Uint8Array(0);

/** `[point:path_key][u16:len][len*byte:onion_message_packet]`, the body after type 513. */
export function encodeOnionMessage(message: OnionMessage): Uint8Array {
  const w = new ByteWriter();
  point.write(w, message.pathKey, 'path_key');
  const packet = encodeOnionPacket(message.packet);
  if (packet.length > 0xffff) throw new RangeError(`"onion_message_packet" is ${packet.length} bytes, more than a u16 length allows`);
  w.u16(packet.length);
  w.bytes(packet);
  return w.finish();
}

export function decodeOnionMessage(body: Uint8Array): OnionMessage {
  const r = new ByteReader(body);
  const pathKey = point.read(r, 'path_key');
  const length = r.u16('len');
  const packet = decodeOnionPacket(r.bytes(length, 'onion_message_packet'), length - ONION_OVERHEAD);
  if (!r.done) throw new DecodeError('trailing_bytes', `"onion_message" followed by ${r.remaining} unexpected bytes`);
  return { pathKey, packet };
}

export function encodeOnionMessagePayload(payload: OnionMessagePayload): Uint8Array {
  return encode(onionMessagePayloadTlvs, payload, 'onionmsg_tlv');
}

export function decodeOnionMessagePayload(bytes: Uint8Array): OnionMessagePayload {
  return decode(onionMessagePayloadTlvs, bytes, 'onionmsg_tlv');
}

/**
 * An onion message along `path` (which the sender may have extended in front with hops of its
 * own, see `createBlindedPath`). Returns where to send it: the path's introduction node.
 */
export function createOnionMessage(
  sessionKey: Uint8Array,
  path: BlindedPath,
  final: FinalOnionMessagePayload,
): { firstNode: IntroductionNode; message: OnionMessage } {
  if (path.hops.length === 0) throw new RangeError('"path" expected at least one hop');
  const hops = path.hops.map((hop, i) => ({
    publicKey: hop.blindedNodeId,
    payload: encodeOnionMessagePayload({
      ...(i === path.hops.length - 1 ? final : {}),
      encryptedRecipientData: hop.encryptedRecipientData,
    }),
  }));
  const needed = hops.reduce((n, h) => n + bigSizeLength(BigInt(h.payload.length)) + h.payload.length + 32, 0);
  const payloadLength = ONION_MESSAGE_PAYLOAD_LENGTHS.find((n) => needed <= n);
  if (payloadLength === undefined) throw new RangeError(`"final" makes the onion ${needed} bytes, more than ${ONION_MESSAGE_PAYLOAD_LENGTHS[1]}`);
  const { packet } = createOnion(sessionKey, hops, NO_ASSOCIATED_DATA, payloadLength);
  return { firstNode: path.introductionNode, message: { pathKey: path.firstPathKey, packet } };
}

export type NextNode = { readonly nodeId: Uint8Array } | { readonly shortChannelId: ShortChannelId };

export type ReceivedOnionMessage =
  | { readonly kind: 'forward'; readonly next: NextNode; readonly message: OnionMessage }
  | { readonly kind: 'final'; readonly payload: OnionMessagePayload; readonly recipientData: RecipientData };

/**
 * A node's handling of an onion message. Every "MUST ignore the message" of the reader rules is a
 * DecodeError (`invalid_onion_message`, or the Sphinx / blinding / TLV code that failed).
 */
export function receiveOnionMessage(nodePrivateKey: Uint8Array, message: OnionMessage): ReceivedOnionMessage {
  const keys = pathKeys(nodePrivateKey, message.pathKey);
  const peeled = peelOnion(message.packet, keys.blindedPrivateKey, NO_ASSOCIATED_DATA);
  const payload = decodeOnionMessagePayload(peeled.payload);
  const ignore = (why: string): never => {
    throw new DecodeError('invalid_onion_message', `"onion_message" ${why}`);
  };
  if (payload.encryptedRecipientData === undefined) return ignore('has no encrypted_recipient_data');
  const hop = openRecipientData(keys, message.pathKey, payload.encryptedRecipientData);
  if (!peeled.next) return { kind: 'final', payload, recipientData: hop.recipientData };

  const others = Object.entries(payload).filter(([k, v]) => k !== 'encryptedRecipientData' && v !== undefined && !(k === 'unknown' && (v as unknown[]).length === 0));
  if (others.length > 0) ignore(`carries ${others.map(([k]) => k).join(', ')} at a non-final hop`);
  if (hop.recipientData.pathId) ignore('has a path_id at a non-final hop');
  const { nextNodeId, shortChannelId } = hop.recipientData;
  const next: NextNode | undefined = nextNodeId ? { nodeId: nextNodeId } : shortChannelId ? { shortChannelId } : undefined;
  if (!next) return ignore('names no next node');
  return { kind: 'forward', next, message: { pathKey: hop.nextPathKey, packet: peeled.next } };
}
