// BOLT 4 route blinding vectors: route-blinding-test.json (building and unblinding a path made of
// two concatenated paths), blinded-payment-onion-test.json (a payment onion into a blinded route,
// peeled hop by hop) and blinded-onion-message-onion-test.json (an onion message through a blinded
// route the sender extended). Every intermediate value the files give is asserted.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { decodeBigSize } from '../../../core/lightning/bigsize.js';
import type { ShortChannelId } from '../../../core/lightning/codec.js';
import { Features } from '../../../core/lightning/features.js';
import {
  type BlindedPath,
  type OnionPacket,
  type RecipientData,
  blindPrivateKey,
  blindedForward,
  blindingFactor,
  checkPaymentPayload,
  checkPaymentRecipientData,
  createBlindedPath,
  createOnion,
  createOnionMessage,
  decodeBlindedPath,
  decodeOnionMessage,
  decodeOnionPacket,
  decodePaymentPayload,
  decodeRecipientData,
  deriveKey,
  encodeBlindedPath,
  encodeOnionMessage,
  encodeOnionPacket,
  encodePaymentPayload,
  encodeRecipientData,
  pathKeys,
  peelOnion,
  publicKeyOf,
  receiveOnionMessage,
  routeSecrets,
  unblindHop,
} from '../../../core/lightning/onion/index.js';
import { vectorJson } from '../../support/vectors.js';

type Json = Record<string, any>;
const hex = bytesToHex;
const bytes = hexToBytes;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).code;
  }
  throw new Error('expected a DecodeError');
}

/** "0x0x1729", the text form the vectors use. */
function scid(text: string): ShortChannelId {
  const [block, txIndex, outputIndex] = text.split('x').map(Number) as [number, number, number];
  return { block, txIndex, outputIndex };
}

/** The vectors' `tlvs` objects as RecipientData (unknown_tag_N become unknown records). */
function recipientData(t: Json): RecipientData {
  return {
    ...(t.padding !== undefined && { padding: bytes(t.padding) }),
    ...(t.short_channel_id && { shortChannelId: scid(t.short_channel_id) }),
    ...(t.next_node_id && { nextNodeId: bytes(t.next_node_id) }),
    ...(t.path_id && { pathId: bytes(t.path_id) }),
    ...(t.next_path_key_override && { nextPathKeyOverride: bytes(t.next_path_key_override) }),
    ...(t.payment_relay && {
      paymentRelay: {
        cltvExpiryDelta: t.payment_relay.cltv_expiry_delta,
        feeProportionalMillionths: t.payment_relay.fee_proportional_millionths,
        feeBaseMsat: t.payment_relay.fee_base_msat ?? 0,
      },
    }),
    ...(t.payment_constraints && {
      paymentConstraints: { maxCltvExpiry: t.payment_constraints.max_cltv_expiry, htlcMinimumMsat: BigInt(t.payment_constraints.htlc_minimum_msat) },
    }),
    ...(t.allowed_features && { allowedFeatures: Features.fromBits(t.allowed_features.features) }),
    unknown: Object.entries(t)
      .filter(([k]) => k.startsWith('unknown_tag_'))
      .map(([k, v]) => ({ type: BigInt(k.slice('unknown_tag_'.length)), value: bytes(v as string) })),
  };
}

/** Payloads in the vectors carry their BigSize length prefix; the API takes the TLV stream alone. */
function withoutPrefix(text: string): Uint8Array {
  const b = bytes(text);
  const prefix = b[0]! < 0xfd ? 1 : 3;
  expect(decodeBigSize(b.slice(0, prefix))).toBe(BigInt(b.length - prefix));
  return b.slice(prefix);
}

describe('BOLT 4 route-blinding-test.json', () => {
  const V = vectorJson<Json>('bolt04-route-blinding-test.json');
  const GEN: Json[] = V.generate.hops;
  // Two paths, each from its own session key: Bob → Carol (joined, via Carol's override) to Dave → Eve.
  const segments = [GEN.slice(0, 2), GEN.slice(2, 4)];
  const paths = segments.map((seg) =>
    createBlindedPath(
      bytes(seg[0]!.session_key),
      seg.map((h) => ({ nodeId: bytes(h.node_id), recipientData: bytes(h.encoded_tlvs) })),
    ),
  );
  const secretsOf = (seg: Json[]) =>
    routeSecrets(
      bytes(seg[0]!.session_key),
      seg.map((h) => bytes(h.node_id)),
    );
  const steps = segments.flatMap(secretsOf);
  const hops = paths.flatMap((p) => p.hops);

  GEN.forEach((h, i) => {
    it(`BOLT4 route-blinding generate hop ${i} (${h.alias}): encoded tlvs, path keys, shared secret, rho, blinded id, encrypted data`, () => {
      const data = recipientData(h.tlvs);
      expect(hex(encodeRecipientData(data))).toBe(h.encoded_tlvs);
      expect(decodeRecipientData(bytes(h.encoded_tlvs))).toEqual(data);
      expect(hex(publicKeyOf(bytes(h.path_privkey)))).toBe(h.path_key);
      expect(hex(steps[i]!.ephemeralPublicKey)).toBe(h.path_key);
      expect(hex(steps[i]!.sharedSecret)).toBe(h.shared_secret);
      expect(hex(deriveKey('rho', steps[i]!.sharedSecret))).toBe(h.rho);
      expect(hex(hops[i]!.blindedNodeId)).toBe(h.blinded_node_id);
      expect(hex(hops[i]!.encryptedRecipientData)).toBe(h.encrypted_data);
      // e_{i+1} = SHA256(E_i || ss_i) · e_i within a segment.
      const next = GEN[i + 1];
      if (next && !next.session_key)
        expect(hex(blindPrivateKey(bytes(h.path_privkey), blindingFactor(bytes(h.path_key), bytes(h.shared_secret))))).toBe(next.path_privkey);
    });
  });

  it('BOLT4 route-blinding route: introduction node, first path key and the concatenated hops', () => {
    expect(paths[0]!.introductionNode).toEqual({ nodeId: bytes(V.route.first_node_id) });
    expect(hex(paths[0]!.firstPathKey)).toBe(V.route.first_path_key);
    // The join: Carol's override is the Dave → Eve path's first path key.
    expect(GEN[1]!.tlvs.next_path_key_override).toBe(hex(paths[1]!.firstPathKey));
    expect(hops.map((h) => ({ blinded_node_id: hex(h.blindedNodeId), encrypted_data: hex(h.encryptedRecipientData) }))).toEqual(V.route.hops);
    const route: BlindedPath = { ...paths[0]!, hops };
    expect(decodeBlindedPath(encodeBlindedPath(route))).toEqual(route);
  });

  (V.unblind.hops as Json[]).forEach((u, i) => {
    it(`BOLT4 route-blinding unblind hop ${i} (${u.alias}): blinded private key, decrypted data, next path key`, () => {
      const hop = unblindHop(bytes(u.node_privkey), bytes(u.path_key), hops[i]!.encryptedRecipientData);
      expect(hex(hop.blindedPrivateKey)).toBe(u.blinded_privkey);
      expect(hex(publicKeyOf(hop.blindedPrivateKey))).toBe(hex(hops[i]!.blindedNodeId));
      expect(hex(encodeRecipientData(hop.recipientData))).toBe(u.decrypted_data);
      expect(hex(hop.derivedNextPathKey)).toBe(u.next_path_key);
      expect(hex(hop.nextPathKey)).toBe(u.next_path_key_override ?? u.next_path_key);
    });
  });

  it('unblinding errors: tampered data or a wrong path key → invalid_onion_blinding, a non-point → invalid_path_key', () => {
    const u = V.unblind.hops[0] as Json;
    const tampered = hops[0]!.encryptedRecipientData.slice();
    tampered[0]! ^= 1;
    expect(codeOf(() => unblindHop(bytes(u.node_privkey), bytes(u.path_key), tampered))).toBe('invalid_onion_blinding');
    expect(codeOf(() => unblindHop(bytes(u.node_privkey), bytes(V.unblind.hops[1].path_key), hops[0]!.encryptedRecipientData))).toBe(
      'invalid_onion_blinding',
    );
    expect(codeOf(() => unblindHop(bytes(u.node_privkey), new Uint8Array(33), hops[0]!.encryptedRecipientData))).toBe('invalid_path_key');
  });

  it('payment reader rules on the decrypted data', () => {
    const data = (i: number) => decodeRecipientData(bytes(GEN[i]!.encoded_tlvs));
    checkPaymentRecipientData(data(0), false);
    // Eve's path allows feature 113: BOLT 4 fails unknown allowed_features bits, even odd ones.
    expect(codeOf(() => checkPaymentRecipientData(data(3), true))).toBe('invalid_onion_blinding');
    expect(codeOf(() => checkPaymentRecipientData({ ...data(0), nextNodeId: bytes(GEN[1]!.node_id) }, false))).toBe('invalid_onion_blinding');
    expect(codeOf(() => checkPaymentRecipientData({ ...data(0), paymentRelay: undefined }, false))).toBe('invalid_onion_blinding');
  });
});

describe('BOLT 4 blinded-payment-onion-test.json', () => {
  const V = vectorJson<Json>('bolt04-blinded-payment-onion-test.json');
  const G = V.generate;
  const FULL: Json[] = G.full_route.hops;
  const DEC: Json[] = V.decrypt.hops;
  const AD = bytes(G.associated_data);
  const nodeIds = DEC.map((d) => publicKeyOf(bytes(d.node_privkey)));

  it('BOLT4 blinded-payment blinded_route: rebuilt from the same session keys and the hops\' encrypted_recipient_data tlvs', () => {
    // Same two session keys as route-blinding-test.json: Bob → Carol joined to Dave → Eve.
    const data = FULL.slice(1).map((h) => encodeRecipientData(recipientData(h.tlvs.encrypted_recipient_data)));
    const second = createBlindedPath(bytes('01'.repeat(32)), [
      { nodeId: nodeIds[3]!, recipientData: data[2]! },
      { nodeId: nodeIds[4]!, recipientData: data[3]! },
    ]);
    const first = createBlindedPath(bytes('02'.repeat(32)), [
      { nodeId: nodeIds[1]!, recipientData: data[0]! },
      { nodeId: nodeIds[2]!, recipientData: data[1]! },
    ]);
    expect(FULL[2]!.tlvs.encrypted_recipient_data.next_path_key_override).toBe(hex(second.firstPathKey));
    expect(first.introductionNode).toEqual({ nodeId: bytes(G.blinded_route.first_node_id) });
    expect(hex(first.firstPathKey)).toBe(G.blinded_route.first_path_key);
    expect([...first.hops, ...second.hops].map((h) => [hex(h.blindedNodeId), hex(h.encryptedRecipientData)])).toEqual(
      G.blinded_route.hops.map((h: Json) => [h.blinded_node_id, h.encrypted_data]),
    );
  });

  FULL.forEach((h, i) => {
    it(`BOLT4 blinded-payment full_route hop ${i} (${h.alias}): payload from its tlvs`, () => {
      const t = h.tlvs;
      const payload = decodePaymentPayload(withoutPrefix(h.payload));
      expect(hex(encodePaymentPayload(payload))).toBe(hex(withoutPrefix(h.payload)));
      expect(payload.amtToForward).toBe(t.amt_to_forward === undefined ? undefined : BigInt(t.amt_to_forward));
      expect(payload.outgoingCltvValue).toBe(t.outgoing_cltv_value);
      expect(payload.totalAmountMsat).toBe(t.total_amount_msat === undefined ? undefined : BigInt(t.total_amount_msat));
      expect(payload.shortChannelId).toEqual(t.outgoing_channel_id && scid(t.outgoing_channel_id));
      expect(payload.currentPathKey && hex(payload.currentPathKey)).toBe(t.current_path_key);
      expect(payload.encryptedRecipientData && hex(payload.encryptedRecipientData)).toBe(i === 0 ? undefined : G.blinded_route.hops[i - 1].encrypted_data);
      checkPaymentPayload(payload, { final: i === FULL.length - 1, pathKeyFromPeer: i > 1 });
    });
  });

  it('BOLT4 blinded-payment onion: built for Alice, Bob (real ids) and the blinded ids after him', () => {
    const hops = FULL.map((h) => ({ publicKey: bytes(h.pubkey), payload: withoutPrefix(h.payload) }));
    expect(hops.slice(2).map((h) => hex(h.publicKey))).toEqual(G.blinded_route.hops.slice(1).map((h: Json) => h.blinded_node_id));
    const { packet } = createOnion(bytes(G.session_key), hops, AD);
    expect(hex(encodeOnionPacket(packet))).toBe(G.onion);
    expect(DEC[0]!.onion).toBe(G.onion);
  });

  /** Replays the route up to hop `upTo`: what each node receives, peels and forwards. */
  function replay(upTo: number) {
    let packet: OnionPacket = decodeOnionPacket(bytes(DEC[0]!.onion));
    let pathKey: Uint8Array | undefined;
    let incoming = { amountMsat: 0n, cltvExpiry: 0 };
    const out: { packet: OnionPacket; next: OnionPacket | undefined; nextPathKey?: Uint8Array; forward: typeof incoming; payload: ReturnType<typeof decodePaymentPayload> }[] = [];
    for (let i = 0; i <= upTo; i++) {
      const privateKey = bytes(DEC[i]!.node_privkey);
      // Inside the blinded route the peer hands a path key and the layer is for the blinded id.
      const key = pathKey ? pathKeys(privateKey, pathKey).blindedPrivateKey : privateKey;
      const peeled = peelOnion(packet, key, AD);
      const payload = decodePaymentPayload(peeled.payload);
      checkPaymentPayload(payload, { final: !peeled.next, pathKeyFromPeer: pathKey !== undefined });
      let forward = { amountMsat: payload.amtToForward ?? 0n, cltvExpiry: payload.outgoingCltvValue ?? 0 };
      let nextPathKey: Uint8Array | undefined;
      if (payload.encryptedRecipientData) {
        const hop = unblindHop(privateKey, pathKey ?? payload.currentPathKey!, payload.encryptedRecipientData);
        checkPaymentRecipientData(hop.recipientData, !peeled.next);
        if (hop.recipientData.paymentRelay) {
          const f = blindedForward(hop.recipientData.paymentRelay, incoming);
          forward = { amountMsat: f.amtToForward, cltvExpiry: f.outgoingCltvValue };
        }
        nextPathKey = hop.nextPathKey;
      }
      out.push({ packet, next: peeled.next, forward, payload, ...(nextPathKey && { nextPathKey }) });
      if (peeled.next) packet = peeled.next;
      pathKey = nextPathKey;
      incoming = forward;
    }
    return out;
  }

  DEC.forEach((d, i) => {
    it(`BOLT4 blinded-payment decrypt hop ${i} (${d.alias}): received onion${d.next_path_key ? ', next path key' : ''} and forwarded amounts`, () => {
      const step = replay(i)[i]!;
      expect(hex(encodeOnionPacket(step.packet))).toBe(d.onion);
      if (i < DEC.length - 1) expect(hex(encodeOnionPacket(step.next!))).toBe(DEC[i + 1]!.onion);
      else expect(step.next).toBeUndefined();
      expect(step.nextPathKey && hex(step.nextPathKey)).toBe(d.next_path_key);
      if (i === DEC.length - 1) {
        // The blinded hops' payment_relay arithmetic delivers exactly what Eve's payload asks for.
        expect(replay(i - 1)[i - 1]!.forward).toEqual({ amountMsat: BigInt(G.final_amount_msat), cltvExpiry: G.final_cltv });
        expect([step.payload.amtToForward, step.payload.outgoingCltvValue]).toEqual([BigInt(G.final_amount_msat), G.final_cltv]);
      }
    });
  });
});

describe('BOLT 4 blinded-onion-message-onion-test.json', () => {
  const V = vectorJson<Json>('bolt04-blinded-onion-message-onion-test.json');
  const GEN: Json[] = V.generate.hops;
  const DEC: Json[] = V.decrypt.hops;
  const nodeIds = DEC.map((d) => publicKeyOf(bytes(d.privkey)));
  // Dave's path Bob → Carol → Dave, and the one-hop path the sender prepends to reach Bob via Alice.
  const daves = createBlindedPath(
    bytes(GEN[1]!.path_key_secret),
    [1, 2, 3].map((i) => ({ nodeId: nodeIds[i]!, recipientData: bytes(GEN[i]!.encrypted_data_tlv) })),
  );
  const senders = createBlindedPath(bytes(GEN[0]!.path_key_secret), [{ nodeId: nodeIds[0]!, recipientData: bytes(GEN[0]!.encrypted_data_tlv) }]);
  const route: BlindedPath = { ...senders, hops: [...senders.hops, ...daves.hops] };
  const steps = [
    ...routeSecrets(bytes(GEN[0]!.path_key_secret), [nodeIds[0]!]),
    ...routeSecrets(bytes(GEN[1]!.path_key_secret), nodeIds.slice(1)),
  ];

  GEN.forEach((h, i) => {
    it(`BOLT4 onion-message generate hop ${i} (${h.alias}): tlvs, E, ss, blinding HMAC, blinded id, H(E||ss), next e, rho, encrypted data`, () => {
      const data = recipientData(h.tlvs);
      const { path_key_override_secret: overrideSecret, ...tlvs } = h.tlvs;
      expect(hex(encodeRecipientData(recipientData(tlvs)))).toBe(h.encrypted_data_tlv);
      expect(decodeRecipientData(bytes(h.encrypted_data_tlv))).toEqual(recipientData(tlvs));
      if (overrideSecret) expect(hex(publicKeyOf(bytes(overrideSecret)))).toBe(hex(data.nextPathKeyOverride!));
      expect(hex(publicKeyOf(bytes(h.path_key_secret)))).toBe(h.E);
      expect(hex(steps[i]!.ephemeralPublicKey)).toBe(h.E);
      expect(hex(steps[i]!.sharedSecret)).toBe(h.ss);
      expect(hex(deriveKey('blinded_node_id', steps[i]!.sharedSecret))).toBe(h["HMAC256('blinded_node_id', ss)"]);
      expect(hex(route.hops[i]!.blindedNodeId)).toBe(h.blinded_node_id);
      expect(hex(blindingFactor(bytes(h.E), bytes(h.ss)))).toBe(h['H(E || ss)']);
      // next_e is printed as the 32-byte key followed by 0x01 (a "compressed" marker).
      expect(hex(blindPrivateKey(bytes(h.path_key_secret), bytes(h['H(E || ss)']))) + '01').toBe(h.next_e);
      expect(hex(deriveKey('rho', steps[i]!.sharedSecret))).toBe(h.rho);
      expect(hex(route.hops[i]!.encryptedRecipientData)).toBe(h.encrypted_recipient_data);
    });
  });

  it('BOLT4 onion-message route: Alice first, with the sender-chosen path key, then Dave\'s path', () => {
    expect(route.introductionNode).toEqual({ nodeId: bytes(V.route.first_node_id) });
    expect(hex(route.firstPathKey)).toBe(V.route.first_path_key);
    expect(route.hops.map((h) => ({ blinded_node_id: hex(h.blindedNodeId), encrypted_recipient_data: hex(h.encryptedRecipientData) }))).toEqual(V.route.hops);
  });

  it("BOLT4 onion-message onionmessage: the packet carrying 'hello' (unknown odd type 1) to Dave", () => {
    const { firstNode, message } = createOnionMessage(bytes(V.generate.session_key), route, {
      unknown: [{ type: 1n, value: bytes(V.onionmessage.unknown_tag_1) }],
    });
    expect(firstNode).toEqual({ nodeId: nodeIds[0] });
    expect(hex(encodeOnionPacket(message.packet))).toBe(V.onionmessage.onion_message_packet);
    expect('0201' + hex(encodeOnionMessage(message))).toBe(DEC[0]!.onion_message);
  });

  DEC.forEach((d, i) => {
    it(`BOLT4 onion-message decrypt hop ${i} (${d.alias}): ${d.next_node_id ? 'forwards to the next node' : 'delivers the payload'}`, () => {
      const wire = bytes(d.onion_message);
      expect((wire[0]! << 8) | wire[1]!).toBe(513);
      const received = receiveOnionMessage(bytes(d.privkey), decodeOnionMessage(wire.slice(2)));
      if (received.kind === 'forward') {
        expect(received.next).toEqual({ nodeId: bytes(d.next_node_id) });
        expect('0201' + hex(encodeOnionMessage(received.message))).toBe(DEC[i + 1]!.onion_message);
      } else {
        expect(d.next_node_id).toBeUndefined();
        expect(hex(received.payload.encryptedRecipientData!)).toBe(d.tlvs.encrypted_recipient_data);
        expect(received.payload.unknown).toEqual([{ type: 1n, value: bytes(d.tlvs.unknown_tag_1) }]);
        expect(received.recipientData).toEqual(recipientData(GEN[3]!.tlvs));
      }
    });
  });

  it('onion message reader: a hop that is not on the path, or a path key that does not match, is ignored', () => {
    const first = decodeOnionMessage(bytes(DEC[0]!.onion_message).slice(2));
    expect(codeOf(() => receiveOnionMessage(bytes(DEC[1]!.privkey), first))).toBe('invalid_onion_hmac');
    const wrongKey = { ...first, pathKey: bytes(V.generate.hops[1].E) };
    expect(codeOf(() => receiveOnionMessage(bytes(DEC[0]!.privkey), wrongKey))).toBe('invalid_onion_hmac');
    expect(codeOf(() => decodeOnionMessage(bytes(DEC[0]!.onion_message).slice(2, 100)))).toBe('truncated');
  });
});
