/**
 * BOLT 4 payment hop payloads: the `payload` TLV stream each hop finds in its onion layer, the
 * reader's presence rules (plain and blinded routes), and the amounts a blinded hop forwards.
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#payload-format
 * https://github.com/lightning/bolts/blob/master/04-onion-routing.md#route-blinding
 *
 * Not here: channel policy checks (fees against our own channel_update, CLTV against the chain
 * tip), which need node state; onion-message payloads (`onion-message.ts`).
 */
import { DecodeError } from '../../bitcoin/errors.js';
import { type Infer, bytes, decode, encode, point, remainder, shortChannelId, struct, tu32, tu64 } from '../codec.js';
import { tlv, tlvStream } from '../tlv.js';
import type { RecipientData } from './route-blinding.js';

export const paymentPayloadTlvs = tlvStream({
  amtToForward: tlv(2n, tu64),
  outgoingCltvValue: tlv(4n, tu32),
  shortChannelId: tlv(6n, shortChannelId),
  paymentData: tlv(8n, struct({ paymentSecret: bytes(32), totalMsat: tu64 })),
  encryptedRecipientData: tlv(10n, remainder),
  currentPathKey: tlv(12n, point),
  paymentMetadata: tlv(16n, remainder),
  totalAmountMsat: tlv(18n, tu64),
});
export type PaymentPayload = Infer<typeof paymentPayloadTlvs>;

export function encodePaymentPayload(payload: PaymentPayload): Uint8Array {
  return encode(paymentPayloadTlvs, payload, 'payload');
}

/** TLV-level decoding only (BOLT 1 rules); `checkPaymentPayload` applies the BOLT 4 presence rules. */
export function decodePaymentPayload(bytes: Uint8Array): PaymentPayload {
  return decode(paymentPayloadTlvs, bytes, 'payload');
}

type Field = Exclude<keyof PaymentPayload, 'unknown'>;

function present(payload: PaymentPayload): Field[] {
  return (Object.keys(payload) as (keyof PaymentPayload)[]).filter((k): k is Field => k !== 'unknown' && payload[k] !== undefined);
}

/**
 * The reader requirements on which fields a hop's payload carries. `final` is what the onion said
 * (all-zero next HMAC); `pathKeyFromPeer` is whether `update_add_htlc` carried a path key.
 * Throws DecodeError `invalid_onion_blinding` inside a blinded route (the only error such a hop may
 * return) and `invalid_onion_payload` outside one; the message names the field.
 */
export function checkPaymentPayload(payload: PaymentPayload, role: { final: boolean; pathKeyFromPeer: boolean }): void {
  const fields = present(payload);
  const unknown = payload.unknown ?? [];
  if (payload.encryptedRecipientData !== undefined) {
    const fail = (why: string) => {
      throw new DecodeError('invalid_onion_blinding', `"payload" in a blinded route ${why}`);
    };
    if (role.pathKeyFromPeer && payload.currentPathKey) fail('has current_path_key although the peer sent a path key');
    if (!role.pathKeyFromPeer && !payload.currentPathKey) fail('lacks current_path_key and the peer sent no path key');
    const allowed: Field[] = role.final
      ? ['encryptedRecipientData', 'currentPathKey', 'amtToForward', 'outgoingCltvValue', 'totalAmountMsat']
      : ['encryptedRecipientData', 'currentPathKey'];
    const extra = fields.filter((f) => !allowed.includes(f));
    if (extra.length > 0 || unknown.length > 0)
      fail(`carries fields it must not: ${[...extra, ...unknown.map((r) => `type ${r.type}`)].join(', ')}`);
    if (role.final)
      for (const f of ['amtToForward', 'outgoingCltvValue', 'totalAmountMsat'] as const) if (payload[f] === undefined) fail(`lacks ${f}`);
    return;
  }
  const fail = (why: string) => {
    throw new DecodeError('invalid_onion_payload', `"payload" ${why}`);
  };
  if (role.pathKeyFromPeer || payload.currentPathKey) fail('has a path key but no encrypted_recipient_data');
  if (payload.amtToForward === undefined) fail('lacks amt_to_forward');
  if (payload.outgoingCltvValue === undefined) fail('lacks outgoing_cltv_value');
  if (!role.final && payload.shortChannelId === undefined) fail('lacks short_channel_id at an intermediate hop');
}

/**
 * Reader rules on a payment's decrypted `encrypted_data_tlv`. Today no feature may appear in
 * `allowed_features` (BOLT 4: unknown bits fail "even if it is odd", and none is defined for it).
 */
export function checkPaymentRecipientData(data: RecipientData, final: boolean): void {
  const fail = (why: string) => {
    throw new DecodeError('invalid_onion_blinding', `"encrypted_data_tlv" ${why}`);
  };
  if (data.allowedFeatures && data.allowedFeatures.bits().length > 0) fail(`allows unknown feature bits ${data.allowedFeatures.bits().join(', ')}`);
  if (data.shortChannelId && data.nextNodeId) fail('has both short_channel_id and next_node_id');
  if (!final) {
    if (!data.shortChannelId && !data.nextNodeId) fail('names no next hop');
    if (!data.paymentRelay) fail('lacks payment_relay');
  }
}

/** What a blinded intermediate hop forwards (BOLT 4 formulas, rounding the amount up). */
export function blindedForward(
  relay: NonNullable<RecipientData['paymentRelay']>,
  incoming: { amountMsat: bigint; cltvExpiry: number },
): { amtToForward: bigint; outgoingCltvValue: number } {
  if (incoming.amountMsat < BigInt(relay.feeBaseMsat) || incoming.cltvExpiry < relay.cltvExpiryDelta)
    throw new DecodeError('invalid_onion_blinding', '"update_add_htlc" amount or expiry is below what payment_relay takes');
  const prop = BigInt(relay.feeProportionalMillionths);
  const numerator = (incoming.amountMsat - BigInt(relay.feeBaseMsat)) * 1_000_000n + 1_000_000n + prop - 1n;
  return { amtToForward: numerator / (1_000_000n + prop), outgoingCltvValue: incoming.cltvExpiry - relay.cltvExpiryDelta };
}
