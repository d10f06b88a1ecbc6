// BOLT 4 Sphinx packet vector (bolt04/onion-test.json): construction from the session key, then
// every hop peeling its layer; plus the packet reader's error cases, each with its own code.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { decodeBigSize } from '../../../core/lightning/bigsize.js';
import {
  type OnionPacket,
  type PeeledOnion,
  checkPaymentPayload,
  cipherStream,
  createOnion,
  decodeOnionPacket,
  decodePaymentPayload,
  deriveKey,
  encodeOnionPacket,
  encodePaymentPayload,
  peelOnion,
  routeSecrets,
  xorInto,
} from '../../../core/lightning/onion/index.js';
import { vectorJson } from '../../support/vectors.js';

interface OnionVector {
  generate: { session_key: string; associated_data: string; hops: { pubkey: string; payload: string }[] };
  onion: string;
  decode: string[];
}
const V = vectorJson<OnionVector>('bolt04-onion-test.json');
const SESSION = hexToBytes(V.generate.session_key);
const AD = hexToBytes(V.generate.associated_data);

/** The vector's payloads carry their BigSize length prefix; the API takes the TLV stream alone. */
function withoutPrefix(hex: string): Uint8Array {
  const bytes = hexToBytes(hex);
  const prefix = bytes[0]! < 0xfd ? 1 : 3;
  expect(decodeBigSize(bytes.slice(0, prefix))).toBe(BigInt(bytes.length - prefix));
  return bytes.slice(prefix);
}
const HOPS = V.generate.hops.map((h) => ({ publicKey: hexToBytes(h.pubkey), payload: withoutPrefix(h.payload) }));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).code;
  }
  throw new Error('expected a DecodeError');
}

/** Peels the vector's onion up to and including hop `upTo`. */
function peelChain(upTo: number): PeeledOnion[] {
  const out: PeeledOnion[] = [];
  let packet: OnionPacket | undefined = decodeOnionPacket(hexToBytes(V.onion));
  for (let i = 0; i <= upTo; i++) {
    const peeled = peelOnion(packet!, hexToBytes(V.decode[i]!), AD);
    out.push(peeled);
    packet = peeled.next;
  }
  return out;
}

// Documented in the vector's payload hex: amt_to_forward, outgoing_cltv_value, short_channel_id / payment_data.
const EXPECTED_PAYLOADS = [
  { amt: 15000n, cltv: 1500, scid: 1, unknownTypes: [] as bigint[] },
  { amt: 14000n, cltv: 1400, scid: 2, unknownTypes: [513n] },
  { amt: 12500n, cltv: 1250, scid: 3, unknownTypes: [] },
  { amt: 10000n, cltv: 1000, scid: 4, unknownTypes: [] },
  { amt: 10000n, cltv: 1000, scid: undefined, unknownTypes: [301n] },
];

describe('BOLT 4 onion-test.json', () => {
  it('BOLT4 onion-test generate: the 1366-byte packet from session key, hop keys, payloads and associated data', () => {
    const { packet, secrets } = createOnion(SESSION, HOPS, AD);
    expect(bytesToHex(encodeOnionPacket(packet))).toBe(V.onion);
    expect(encodeOnionPacket(packet).length).toBe(1366);
    expect(bytesToHex(packet.publicKey)).toBe(bytesToHex(secp256k1.getPublicKey(SESSION, true)));
    expect(secrets.map((s) => bytesToHex(s.ephemeralPublicKey))[0]).toBe(bytesToHex(packet.publicKey));
  });

  V.decode.forEach((privateKey, i) => {
    it(`BOLT4 onion-test decode hop ${i}: node ${V.generate.hops[i]!.pubkey.slice(0, 16)}… peels its payload`, () => {
      expect(bytesToHex(secp256k1.getPublicKey(hexToBytes(privateKey), true))).toBe(V.generate.hops[i]!.pubkey);
      const chain = peelChain(i);
      const peeled = chain[i]!;
      expect(bytesToHex(peeled.payload)).toBe(bytesToHex(HOPS[i]!.payload));
      // The hop's ECDH agrees with the origin's, and so does the next ephemeral key it derives.
      const origin = routeSecrets(
        SESSION,
        HOPS.map((h) => h.publicKey),
      );
      expect(bytesToHex(peeled.sharedSecret)).toBe(bytesToHex(origin[i]!.sharedSecret));
      if (i < V.decode.length - 1) expect(bytesToHex(peeled.next!.publicKey)).toBe(bytesToHex(origin[i + 1]!.ephemeralPublicKey));
      else expect(peeled.next).toBeUndefined();

      const payload = decodePaymentPayload(peeled.payload);
      const exp = EXPECTED_PAYLOADS[i]!;
      expect([payload.amtToForward, payload.outgoingCltvValue, payload.shortChannelId?.outputIndex]).toEqual([exp.amt, exp.cltv, exp.scid]);
      expect(payload.unknown!.map((r) => r.type)).toEqual(exp.unknownTypes);
      expect(bytesToHex(encodePaymentPayload(payload))).toBe(bytesToHex(peeled.payload));
      checkPaymentPayload(payload, { final: peeled.next === undefined, pathKeyFromPeer: false });
      if (i === 4) expect(payload.paymentData!.totalMsat).toBe(10000n);
    });
  });
});

describe('BOLT 4 onion packet reader errors', () => {
  const valid = hexToBytes(V.onion);
  const mutate = (at: number, value: number) => {
    const copy = valid.slice();
    copy[at] = value;
    return copy;
  };
  const firstKey = hexToBytes(V.decode[0]!);

  it('unknown version → invalid_onion_version', () => {
    expect(codeOf(() => decodeOnionPacket(mutate(0, 1)))).toBe('invalid_onion_version');
  });
  it('public key with a bad prefix → invalid_onion_key', () => {
    expect(codeOf(() => decodeOnionPacket(mutate(1, 4)))).toBe('invalid_onion_key');
  });
  it('public key off the curve → invalid_onion_key when peeling', () => {
    // x = 5 has no square root of x^3 + 7 modulo p, so 02 || 00…05 is not a point.
    const offCurve = valid.slice();
    offCurve.set(hexToBytes('02' + '00'.repeat(31) + '05'), 1);
    const packet = decodeOnionPacket(offCurve);
    expect(codeOf(() => peelOnion(packet, firstKey, AD))).toBe('invalid_onion_key');
  });
  it('a flipped payload bit → invalid_onion_hmac', () => {
    const packet = decodeOnionPacket(mutate(100, valid[100]! ^ 1));
    expect(codeOf(() => peelOnion(packet, firstKey, AD))).toBe('invalid_onion_hmac');
  });
  it('other associated data (another payment hash) → invalid_onion_hmac', () => {
    expect(codeOf(() => peelOnion(decodeOnionPacket(valid), firstKey, new Uint8Array(32)))).toBe('invalid_onion_hmac');
  });
  it('the right packet at the wrong node → invalid_onion_hmac', () => {
    expect(codeOf(() => peelOnion(decodeOnionPacket(valid), hexToBytes(V.decode[1]!), AD))).toBe('invalid_onion_hmac');
  });
  it('a packet that is not 1366 bytes → invalid_onion_length', () => {
    expect(codeOf(() => decodeOnionPacket(valid.slice(0, 1365)))).toBe('invalid_onion_length');
  });
  it('a hop payload length past the packet → invalid_onion_payload_length', () => {
    // Hand-built layer: an authentic HMAC over a payload whose BigSize length (1266) cannot fit.
    const secret = routeSecrets(SESSION, [HOPS[0]!.publicKey])[0]!.sharedSecret;
    const clear = new Uint8Array(1300);
    clear.set([0xfd, 0x04, 0xf2]);
    xorInto(clear, cipherStream(deriveKey('rho', secret), 1300));
    const tag = hmac(sha256, deriveKey('mu', secret), Uint8Array.of(...clear, ...AD));
    const packet: OnionPacket = { version: 0, publicKey: secp256k1.getPublicKey(SESSION, true), payload: clear, hmac: tag };
    expect(codeOf(() => peelOnion(packet, firstKey, AD))).toBe('invalid_onion_payload_length');
    // One byte less is the largest payload a single-hop onion holds, and it peels.
    const { packet: largest } = createOnion(SESSION, [{ publicKey: HOPS[0]!.publicKey, payload: new Uint8Array(1265) }], AD);
    expect(peelOnion(largest, firstKey, AD).payload.length).toBe(1265);
    expect(() => createOnion(SESSION, [{ publicKey: HOPS[0]!.publicKey, payload: new Uint8Array(1266) }], AD)).toThrow(RangeError);
  });
  it('the writer refuses a hop key that is not a point', () => {
    expect(() => createOnion(SESSION, [{ publicKey: new Uint8Array(33), payload: HOPS[0]!.payload }], AD)).toThrow(/hops\[0\]\.publicKey/);
  });
});
