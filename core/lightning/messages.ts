/**
 * Lightning messages (BOLT 1 framing): `[u16 type][payload][extension TLV stream]`, each message
 * described once — its type number, payload fields in wire order, and the TLV records of its
 * extension — and `encodeMessage`/`decodeMessage` derived from that single description. Adding a
 * message is one entry in `MESSAGES`.
 *
 * Described: the BOLT 1 setup/control messages, and the BOLT 2 channel messages simple taproot
 * channels use, with the extension records of bolt-simple-taproot.md (MuSig2 nonces and partial
 * signatures). Nonces and partial signatures stay bytes here; `core/musig` parses them, so that an
 * unparsable nonce fails the channel (as the proposal requires) rather than the connection.
 *
 * Receiving rules applied by `decodeMessage`: unknown odd type → returned as `kind: 'unknown'` for
 * the caller to ignore; unknown even type, short payload, bad extension → `DecodeError` (close the
 * connection). Not here: what a message means (the channel state machine), ping scheduling.
 *
 * Spec: https://github.com/lightning/bolts/blob/master/01-messaging.md,
 *       https://github.com/lightning/bolts/blob/master/02-peer-protocol.md, bolt-simple-taproot.md.
 */
import { DecodeError } from '../bitcoin/errors.js';
import { addressDescriptor } from './address-descriptor.js';
import { ByteReader, ByteWriter } from './byte-cursor.js';
import {
  type Codec,
  type Fields,
  type StructValue,
  bytes,
  chainHash,
  channelId,
  counted,
  fixedList,
  list,
  point,
  remainder,
  sha256,
  shortChannelId,
  signature,
  struct,
  u16,
  u32,
  u64,
  u8,
  varbytes,
} from './codec.js';
import { type Features, lengthPrefixedFeatures, trailingFeatures } from './features.js';
import { type TlvFields, type TlvValues, tlv, tlvStream } from './tlv.js';

/** BOLT 1/8: a message (type included) never exceeds 65535 bytes. */
export const MAX_MESSAGE_SIZE = 0xffff;

interface MessageSpec<F extends Fields, T extends TlvFields> {
  readonly type: number;
  readonly payload: Codec<StructValue<F>>;
  readonly extension: Codec<TlvValues<T>>;
}

function message<F extends Fields, T extends TlvFields = Record<never, never>>(type: number, payload: F, extension?: T): MessageSpec<F, T> {
  return { type, payload: struct(payload), extension: tlvStream(extension ?? ({} as T)) };
}

// Values the taproot extension records carry (bolt-simple-taproot.md "New TLV Types").
const publicNonce = bytes(66); // MuSig2 public nonce: two compressed points
const partialSignature = bytes(32);
const partialSignatureWithNonce = struct({ partialSignature, publicNonce });
const nonceEntry = struct({ fundingTxid: sha256, publicNonce });
// BOLT 4 attribution data, carried by update_fulfill_htlc / update_fail_htlc.
const attributionData = struct({ htlcHoldTimes: fixedList(20, u32), truncatedHmacs: fixedList(210, bytes(4)) });

const openingTlvs = {
  upfrontShutdownScript: tlv(0n, remainder),
  channelType: tlv(1n, trailingFeatures),
  nextLocalNonce: tlv(4n, publicNonce),
};

const channelBasepoints = {
  fundingPubkey: point,
  revocationBasepoint: point,
  paymentBasepoint: point,
  delayedPaymentBasepoint: point,
  htlcBasepoint: point,
  firstPerCommitmentPoint: point,
};

const closingScripts = {
  channelId,
  closerScriptpubkey: varbytes,
  closeeScriptpubkey: varbytes,
  feeSatoshis: u64,
  locktime: u32,
};

const closingSignatures = {
  closerOutputOnly: tlv(1n, signature),
  closeeOutputOnly: tlv(2n, signature),
  closerAndCloseeOutputs: tlv(3n, signature),
};

export const MESSAGES = {
  // ── BOLT 1 setup and control ──
  warning: message(1, { channelId, data: varbytes }),
  peer_storage: message(7, { blob: varbytes }),
  peer_storage_retrieval: message(9, { blob: varbytes }),
  init: message(
    16,
    { globalfeatures: lengthPrefixedFeatures, features: lengthPrefixedFeatures },
    { networks: tlv(1n, list(chainHash)), remoteAddr: tlv(3n, addressDescriptor) },
  ),
  error: message(17, { channelId, data: varbytes }),
  ping: message(18, { numPongBytes: u16, ignored: varbytes }),
  pong: message(19, { ignored: varbytes }),

  // ── BOLT 2 channel establishment v1 ──
  open_channel: message(
    32,
    {
      chainHash,
      temporaryChannelId: channelId,
      fundingSatoshis: u64,
      pushMsat: u64,
      dustLimitSatoshis: u64,
      maxHtlcValueInFlightMsat: u64,
      channelReserveSatoshis: u64,
      htlcMinimumMsat: u64,
      feeratePerKw: u32,
      toSelfDelay: u16,
      maxAcceptedHtlcs: u16,
      ...channelBasepoints,
      channelFlags: u8,
    },
    openingTlvs,
  ),
  accept_channel: message(
    33,
    {
      temporaryChannelId: channelId,
      dustLimitSatoshis: u64,
      maxHtlcValueInFlightMsat: u64,
      channelReserveSatoshis: u64,
      htlcMinimumMsat: u64,
      minimumDepth: u32,
      toSelfDelay: u16,
      maxAcceptedHtlcs: u16,
      ...channelBasepoints,
    },
    openingTlvs,
  ),
  funding_created: message(
    34,
    { temporaryChannelId: channelId, fundingTxid: sha256, fundingOutputIndex: u16, signature },
    { partialSignatureWithNonce: tlv(2n, partialSignatureWithNonce) },
  ),
  funding_signed: message(35, { channelId, signature }, { partialSignatureWithNonce: tlv(2n, partialSignatureWithNonce) }),
  channel_ready: message(
    36,
    { channelId, secondPerCommitmentPoint: point },
    // `short_channel_id` (type 1) carries the channel's alias (option_scid_alias), not its real scid.
    { shortChannelId: tlv(1n, shortChannelId), nextLocalNonce: tlv(4n, publicNonce) },
  ),

  // ── BOLT 2 channel close ──
  shutdown: message(38, { channelId, scriptpubkey: varbytes }, { shutdownNonce: tlv(8n, publicNonce) }),
  closing_signed: message(
    39,
    { channelId, feeSatoshis: u64, signature },
    { feeRange: tlv(1n, struct({ minFeeSatoshis: u64, maxFeeSatoshis: u64 })) },
  ),
  closing_complete: message(40, closingScripts, {
    ...closingSignatures,
    closerNoClosee: tlv(5n, partialSignatureWithNonce),
    noCloserClosee: tlv(6n, partialSignatureWithNonce),
    closerAndClosee: tlv(7n, partialSignatureWithNonce),
  }),
  closing_sig: message(41, closingScripts, {
    ...closingSignatures,
    closerNoClosee: tlv(5n, partialSignature),
    noCloserClosee: tlv(6n, partialSignature),
    closerAndClosee: tlv(7n, partialSignature),
    nextCloseeNonce: tlv(22n, publicNonce),
  }),

  // ── BOLT 2 normal operation ──
  update_add_htlc: message(
    128,
    { channelId, id: u64, amountMsat: u64, paymentHash: sha256, cltvExpiry: u32, onionRoutingPacket: bytes(1366) },
    { blindedPath: tlv(0n, point) }, // `blinded_path`'s only field is `path_key`
  ),
  update_fulfill_htlc: message(
    130,
    { channelId, id: u64, paymentPreimage: bytes(32) },
    { attributionData: tlv(1n, attributionData) },
  ),
  update_fail_htlc: message(131, { channelId, id: u64, reason: varbytes }, { attributionData: tlv(1n, attributionData) }),
  commitment_signed: message(
    132,
    { channelId, signature, htlcSignatures: counted(signature) },
    { fundingTxid: tlv(1n, sha256), partialSignatureWithNonce: tlv(2n, partialSignatureWithNonce) },
  ),
  revoke_and_ack: message(
    133,
    { channelId, perCommitmentSecret: bytes(32), nextPerCommitmentPoint: point },
    { nextLocalNonces: tlv(22n, list(nonceEntry)) },
  ),
  update_fee: message(134, { channelId, feeratePerKw: u32 }),
  update_fail_malformed_htlc: message(135, { channelId, id: u64, sha256OfOnion: sha256, failureCode: u16 }),
  channel_reestablish: message(
    136,
    {
      channelId,
      nextCommitmentNumber: u64,
      nextRevocationNumber: u64,
      yourLastPerCommitmentSecret: bytes(32),
      myCurrentPerCommitmentPoint: point,
    },
    {
      nextFunding: tlv(1n, struct({ nextFundingTxid: sha256, retransmitFlags: u8 })),
      myCurrentFundingLocked: tlv(5n, struct({ myCurrentFundingLockedTxid: sha256, retransmitFlags: u8 })),
      nextLocalNonces: tlv(22n, list(nonceEntry)),
    },
  ),
};

export type MessageName = keyof typeof MESSAGES;

type MessageOf<K extends MessageName> =
  (typeof MESSAGES)[K] extends MessageSpec<infer F, infer T> ? { kind: K } & StructValue<F> & { tlvs?: TlvValues<T> } : never;

/** Any described message; `kind` is the spec's message name. Decoded messages always carry `tlvs`. */
export type Message = { [K in MessageName]: MessageOf<K> }[MessageName];
export type MessageOfKind<K extends MessageName> = MessageOf<K>;

/** A message of an odd type nobody described: BOLT 1 says ignore it. */
export interface UnknownMessage {
  kind: 'unknown';
  type: number;
  payload: Uint8Array;
}

const byType = new Map<number, [MessageName, MessageSpec<Fields, TlvFields>]>(
  (Object.entries(MESSAGES) as [MessageName, MessageSpec<Fields, TlvFields>][]).map(([name, spec]) => [spec.type, [name, spec]]),
);

export function messageType(kind: MessageName): number {
  return MESSAGES[kind].type;
}

export function encodeMessage(msg: Message): Uint8Array {
  const spec = MESSAGES[msg.kind] as MessageSpec<Fields, TlvFields> | undefined;
  if (!spec) throw new TypeError(`"kind" expected a described message name, got ${String(msg.kind)}`);
  const w = new ByteWriter(256);
  w.u16(spec.type);
  spec.payload.write(w, msg as StructValue<Fields>, msg.kind);
  spec.extension.write(w, msg.tlvs ?? {}, `${msg.kind}.tlvs`);
  if (w.length > MAX_MESSAGE_SIZE) throw new RangeError(`"${msg.kind}" encodes to ${w.length} bytes, more than ${MAX_MESSAGE_SIZE}`);
  return w.finish();
}

export function decodeMessage(bytes: Uint8Array): Message | UnknownMessage {
  if (bytes.length > MAX_MESSAGE_SIZE) {
    throw new DecodeError('message_too_long', `"message" is ${bytes.length} bytes, more than ${MAX_MESSAGE_SIZE}`);
  }
  const r = new ByteReader(bytes);
  const type = r.u16('type');
  const entry = byType.get(type);
  if (!entry) {
    if (type % 2 === 1) return { kind: 'unknown', type, payload: r.rest() };
    throw new DecodeError('unknown_even_message', `unknown even message type ${type}`);
  }
  const [kind, spec] = entry;
  const payload = spec.payload.read(r, kind);
  const tlvs = spec.extension.read(r, `${kind}.tlvs`);
  return { kind, ...payload, tlvs } as Message;
}

// ── BOLT 1 rules that need nothing but the message ──

/** `init` carries two bitmaps for historical reasons; the receiver ORs them into one. */
export function initFeatures(init: MessageOfKind<'init'>): Features {
  return init.globalfeatures.union(init.features);
}

/** A `num_pong_bytes` at or above this asks for no reply (a pong could not fit in 65535 bytes). */
export const PING_NO_REPLY = 65532;

/**
 * The pong a `ping` must get: `byteslen` = `num_pong_bytes` zero bytes, or none when
 * `num_pong_bytes` ≥ 65532 ("MUST ignore the ping").
 */
export function pongFor(ping: MessageOfKind<'ping'>): MessageOfKind<'pong'> | undefined {
  if (ping.numPongBytes >= PING_NO_REPLY) return undefined;
  return { kind: 'pong', ignored: new Uint8Array(ping.numPongBytes) };
}
