/**
 * BOLT 4 route blinding: a recipient builds a blinded path (blinded node ids + encrypted
 * `encrypted_data_tlv` per hop); each node on it unblinds its hop with the path key it is handed
 * (its blinded private key, its decrypted data, the next path key or `next_path_key_override`).
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#route-blinding
 *
 * Also the `blinded_path` subtype (reply paths, BOLT 12). What a payment or an onion message does
 * with the decrypted data is in `payload.ts` and `onion-message.ts`.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { DecodeError } from '../../bitcoin/errors.js';
import {
  type Codec,
  type Infer,
  type ShortChannelId,
  decode,
  encode,
  isCompressedPoint,
  point,
  remainder,
  shortChannelId,
  struct,
  tu32,
  tu64,
  u16,
  u32,
} from '../codec.js';
import { trailingFeatures } from '../features.js';
import { tlv, tlvStream } from '../tlv.js';
import { routeSecrets } from './sphinx.js';
import { blindPrivateKey, blindPublicKey, blindingFactor, deriveKey, sharedSecret } from './secrets.js';

/** `encrypted_data_tlv`: what the recipient tells each hop of its blinded path. */
export const recipientDataTlvs = tlvStream({
  padding: tlv(1n, remainder),
  shortChannelId: tlv(2n, shortChannelId),
  nextNodeId: tlv(4n, point),
  pathId: tlv(6n, remainder),
  nextPathKeyOverride: tlv(8n, point),
  paymentRelay: tlv(10n, struct({ cltvExpiryDelta: u16, feeProportionalMillionths: u32, feeBaseMsat: tu32 })),
  paymentConstraints: tlv(12n, struct({ maxCltvExpiry: u32, htlcMinimumMsat: tu64 })),
  allowedFeatures: tlv(14n, trailingFeatures),
});
export type RecipientData = Infer<typeof recipientDataTlvs>;

export function encodeRecipientData(data: RecipientData): Uint8Array {
  return encode(recipientDataTlvs, data, 'encrypted_data_tlv');
}

export function decodeRecipientData(bytes: Uint8Array): RecipientData {
  return decode(recipientDataTlvs, bytes, 'encrypted_data_tlv');
}

/** `first_node_id` of a blinded path: a node id, or (BOLT 12 `sciddir_or_pubkey`) a channel end. */
export type IntroductionNode = { readonly nodeId: Uint8Array } | { readonly shortChannelId: ShortChannelId; readonly direction: 0 | 1 };

export interface BlindedHop {
  readonly blindedNodeId: Uint8Array;
  readonly encryptedRecipientData: Uint8Array;
}

export interface BlindedPath {
  readonly introductionNode: IntroductionNode;
  /** E_0, handed to the introduction node (`current_path_key`, or the onion message `path_key`). */
  readonly firstPathKey: Uint8Array;
  readonly hops: readonly BlindedHop[];
}

const ZERO_NONCE = new Uint8Array(12);

function aead(secret: Uint8Array) {
  return chacha20poly1305(deriveKey('rho', secret), ZERO_NONCE);
}

/** B_i = HMAC256("blinded_node_id", ss_i) · N_i */
export function blindNodeId(nodeId: Uint8Array, secret: Uint8Array): Uint8Array {
  return blindPublicKey(nodeId, deriveKey('blinded_node_id', secret), 'invalid_node_id');
}

/**
 * Builds a blinded path to the last of `hops` (introduction node first). Each hop's data is the
 * encoded `encrypted_data_tlv`; to join another path after this one, the last hop's data carries
 * that path's first path key as `nextPathKeyOverride`.
 */
export function createBlindedPath(sessionKey: Uint8Array, hops: readonly { nodeId: Uint8Array; recipientData: Uint8Array }[]): BlindedPath {
  if (hops.length === 0) throw new RangeError('"hops" expected at least one hop');
  const steps = routeSecrets(
    sessionKey,
    hops.map((h) => h.nodeId),
  );
  return {
    introductionNode: { nodeId: hops[0]!.nodeId },
    firstPathKey: steps[0]!.ephemeralPublicKey,
    hops: hops.map((hop, i) => ({
      blindedNodeId: blindNodeId(hop.nodeId, steps[i]!.sharedSecret),
      encryptedRecipientData: aead(steps[i]!.sharedSecret).encrypt(hop.recipientData),
    })),
  };
}

export interface PathKeys {
  readonly sharedSecret: Uint8Array;
  /** b_i = HMAC256("blinded_node_id", ss_i) · k_i, the key that peels this hop's onion layer. */
  readonly blindedPrivateKey: Uint8Array;
}

export interface UnblindedHop extends PathKeys {
  readonly recipientData: RecipientData;
  /** E_{i+1} = SHA256(E_i || ss_i) · E_i */
  readonly derivedNextPathKey: Uint8Array;
  /** The path key to hand the next node: `nextPathKeyOverride` when present, else the derived one. */
  readonly nextPathKey: Uint8Array;
}

/** The key part of unblinding: what a node inside a blinded path needs before it can peel its layer. */
export function pathKeys(nodePrivateKey: Uint8Array, pathKey: Uint8Array): PathKeys {
  const secret = sharedSecret(nodePrivateKey, pathKey, 'invalid_path_key');
  return { sharedSecret: secret, blindedPrivateKey: blindPrivateKey(nodePrivateKey, deriveKey('blinded_node_id', secret)) };
}

/**
 * Decrypts this hop's `encrypted_recipient_data` and derives the next path key. Throws DecodeError
 * `invalid_onion_blinding` (it does not decrypt) or a TLV code (it decrypts to a bad stream).
 */
export function openRecipientData(keys: PathKeys, pathKey: Uint8Array, encryptedRecipientData: Uint8Array): UnblindedHop {
  let clear: Uint8Array;
  try {
    clear = aead(keys.sharedSecret).decrypt(encryptedRecipientData);
  } catch {
    throw new DecodeError('invalid_onion_blinding', '"encrypted_recipient_data" does not decrypt with this path key');
  }
  const recipientData = decodeRecipientData(clear);
  const derivedNextPathKey = blindPublicKey(pathKey, blindingFactor(pathKey, keys.sharedSecret), 'invalid_path_key');
  return { ...keys, recipientData, derivedNextPathKey, nextPathKey: recipientData.nextPathKeyOverride ?? derivedNextPathKey };
}

/** Both steps at once, for a node that already peeled its layer (e.g. the introduction node). */
export function unblindHop(nodePrivateKey: Uint8Array, pathKey: Uint8Array, encryptedRecipientData: Uint8Array): UnblindedHop {
  return openRecipientData(pathKeys(nodePrivateKey, pathKey), pathKey, encryptedRecipientData);
}

/** `sciddir_or_pubkey`: 0/1 + short_channel_id (8 bytes) for a channel end, or a 33-byte point. */
const introductionNode: Codec<IntroductionNode> = {
  minSize: 9,
  maxSize: 33,
  write: (w, v, field) => {
    if ('nodeId' in v) return point.write(w, v.nodeId, field);
    if (v.direction !== 0 && v.direction !== 1) throw new RangeError(`"${field}.direction" expected 0 or 1, got ${String(v.direction)}`);
    w.u8(v.direction);
    shortChannelId.write(w, v.shortChannelId, `${field}.shortChannelId`);
  },
  read: (r, field) => {
    const head = r.u8(field);
    if (head === 0 || head === 1) return { direction: head, shortChannelId: shortChannelId.read(r, field) };
    const rest = r.bytes(32, field);
    const nodeId = Uint8Array.of(head, ...rest);
    if (!isCompressedPoint(nodeId)) throw new DecodeError('invalid_point', `"${field}" is neither a channel end nor a compressed point`);
    return { nodeId };
  },
};

/** BOLT 4 `blinded_path`: [sciddir_or_pubkey][point][byte:num_hops][num_hops × (point, u16 len, data)]. */
export const blindedPathCodec: Codec<BlindedPath> = {
  minSize: 9 + 33 + 1,
  maxSize: Infinity,
  write: (w, v, field) => {
    if (v.hops.length === 0 || v.hops.length > 255) throw new RangeError(`"${field}.hops" expected 1..255 hops, got ${v.hops.length}`);
    introductionNode.write(w, v.introductionNode, `${field}.introductionNode`);
    point.write(w, v.firstPathKey, `${field}.firstPathKey`);
    w.u8(v.hops.length);
    v.hops.forEach((hop, i) => {
      point.write(w, hop.blindedNodeId, `${field}.hops[${i}].blindedNodeId`);
      if (hop.encryptedRecipientData.length > 0xffff) throw new RangeError(`"${field}.hops[${i}]" data exceeds 65535 bytes`);
      w.u16(hop.encryptedRecipientData.length);
      w.bytes(hop.encryptedRecipientData);
    });
  },
  read: (r, field) => {
    const intro = introductionNode.read(r, `${field}.first_node_id`);
    const firstPathKey = point.read(r, `${field}.first_path_key`);
    const count = r.u8(`${field}.num_hops`);
    // BOLT 12 requires at least one hop; an empty path names nobody to encrypt to.
    if (count === 0) throw new DecodeError('empty_blinded_path', `"${field}" has no hops`);
    const hops: BlindedHop[] = [];
    for (let i = 0; i < count; i++) {
      const blindedNodeId = point.read(r, `${field}.path[${i}].blinded_node_id`);
      const encryptedRecipientData = r.bytes(r.u16(`${field}.path[${i}].enclen`), `${field}.path[${i}].encrypted_recipient_data`);
      hops.push({ blindedNodeId, encryptedRecipientData });
    }
    return { introductionNode: intro, firstPathKey, hops };
  },
};

export function encodeBlindedPath(path: BlindedPath): Uint8Array {
  return encode(blindedPathCodec, path, 'blinded_path');
}

export function decodeBlindedPath(bytes: Uint8Array): BlindedPath {
  return decode(blindedPathCodec, bytes, 'blinded_path');
}
