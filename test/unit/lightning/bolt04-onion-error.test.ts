// BOLT 4 failure onion vector (bolt04/onion-error-test.json): the failing hop (hops[4]) builds its
// return packet, every hop back wraps it, the origin unwraps and attributes it; per-hop shared
// secrets and ammag keys, the um key and the padded payload are asserted on the way. Then the failure
// message codec for every failure code, and the unwrapping errors.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import {
  FAILURES,
  type FailureMessage,
  cipherStream,
  createFailurePacket,
  decodeFailureMessage,
  deriveKey,
  encodeFailureMessage,
  failureCode,
  routeSecrets,
  unwrapFailurePacket,
  wrapFailurePacket,
} from '../../../core/lightning/onion/index.js';
import { vectorJson } from '../../support/vectors.js';

interface ErrorVector {
  generate: {
    session_key: string;
    failure_message: string;
    hops: { pubkey: string; hop_shared_secret: string; ammag_key: string; um_key?: string; payload?: string }[];
  };
  errorpacket: string;
}
const V = vectorJson<ErrorVector>('bolt04-onion-error-test.json');
const HOPS = V.generate.hops;
const SECRETS = routeSecrets(
  hexToBytes(V.generate.session_key),
  HOPS.map((h) => hexToBytes(h.pubkey)),
).map((s) => s.sharedSecret);
const FAILING = HOPS.findIndex((h) => h.um_key !== undefined);

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).code;
  }
  throw new Error('expected a DecodeError');
}

/** The packet as it leaves hop `i` on its way back (the failing hop is the first to touch it). */
function packetLeaving(i: number): Uint8Array {
  let packet = createFailurePacket(SECRETS[FAILING]!, hexToBytes(V.generate.failure_message));
  for (let j = FAILING - 1; j >= i; j--) packet = wrapFailurePacket(SECRETS[j]!, packet);
  return packet;
}

describe('BOLT 4 onion-error-test.json', () => {
  it('the failing hop is hops[4] and the failure is temporary_node_failure (0x2002)', () => {
    expect(FAILING).toBe(4);
    const message = decodeFailureMessage(hexToBytes(V.generate.failure_message));
    expect(message).toEqual({ name: 'temporary_node_failure', data: {} });
    expect(bytesToHex(encodeFailureMessage(message))).toBe(V.generate.failure_message);
  });

  HOPS.forEach((hop, i) => {
    it(`BOLT4 onion-error hop ${i}: shared secret and ammag key${hop.um_key ? ', um key and padded payload' : ''}`, () => {
      expect(bytesToHex(SECRETS[i]!)).toBe(hop.hop_shared_secret);
      expect(bytesToHex(deriveKey('ammag', SECRETS[i]!))).toBe(hop.ammag_key);
      const leaving = packetLeaving(i);
      if (i < FAILING) {
        // Wrapping is exactly an XOR with the keystream of the vector's own ammag key.
        const expected = packetLeaving(i + 1);
        const stream = cipherStream(hexToBytes(hop.ammag_key), expected.length);
        expect(bytesToHex(leaving)).toBe(bytesToHex(expected.map((b, k) => b ^ stream[k]!)));
      }
      if (hop.um_key) {
        expect(bytesToHex(deriveKey('um', SECRETS[i]!))).toBe(hop.um_key);
        // Undo the failing hop's ammag: HMAC(um, payload) || payload, payload padded to 256.
        const plain = leaving.slice();
        const stream = cipherStream(hexToBytes(hop.ammag_key), plain.length);
        plain.forEach((b, k) => (plain[k] = b ^ stream[k]!));
        expect(bytesToHex(plain.slice(32))).toBe(hop.payload);
        expect(bytesToHex(plain.slice(0, 32))).toBe(bytesToHex(hmac(sha256, hexToBytes(hop.um_key), plain.slice(32))));
        expect(plain.length - 32 - 2 - 2).toBe(256);
      }
    });
  });

  it('BOLT4 onion-error errorpacket: the packet that reaches the origin', () => {
    expect(bytesToHex(packetLeaving(0))).toBe(V.errorpacket);
  });

  it('BOLT4 onion-error origin: attributes the failure to hop 4 and decodes it', () => {
    const unwrapped = unwrapFailurePacket(SECRETS, hexToBytes(V.errorpacket));
    expect(unwrapped.hopIndex).toBe(4);
    expect(bytesToHex(unwrapped.failureMessage!)).toBe(V.generate.failure_message);
    expect(unwrapped.message).toEqual({ name: 'temporary_node_failure', data: {} });
  });
});

describe('BOLT 4 failure attribution at every position', () => {
  for (let failing = 0; failing < SECRETS.length; failing++) {
    it(`a failure created by hop ${failing} is attributed to hop ${failing}`, () => {
      const message: FailureMessage = { name: 'incorrect_or_unknown_payment_details', data: { htlcMsat: 1000n + BigInt(failing), height: 800_000 } };
      let packet = createFailurePacket(SECRETS[failing]!, encodeFailureMessage(message));
      for (let j = failing - 1; j >= 0; j--) packet = wrapFailurePacket(SECRETS[j]!, packet);
      const unwrapped = unwrapFailurePacket(SECRETS, packet);
      expect([unwrapped.hopIndex, unwrapped.message]).toEqual([failing, message]);
    });
  }

  it('a packet no hop authenticated → failure_unattributable', () => {
    const packet = hexToBytes(V.errorpacket);
    packet[40]! ^= 1;
    expect(codeOf(() => unwrapFailurePacket(SECRETS, packet))).toBe('failure_unattributable');
  });
  it('a packet shorter than an HMAC and two lengths → failure_too_short', () => {
    expect(codeOf(() => unwrapFailurePacket(SECRETS, new Uint8Array(35)))).toBe('failure_too_short');
  });
  it('an authenticated but unparsable failure still names the hop', () => {
    // incorrect_cltv_expiry with its u32 cut short, created by hop 2
    const packet = [1, 0].reduce((p, j) => wrapFailurePacket(SECRETS[j]!, p), createFailurePacket(SECRETS[2]!, Uint8Array.of(0x10, 0x0d, 0, 1)));
    const unwrapped = unwrapFailurePacket(SECRETS, packet);
    expect([unwrapped.hopIndex, unwrapped.message, bytesToHex(unwrapped.failureMessage!)]).toEqual([2, undefined, '100d0001']);
  });
});

describe('BOLT 4 failure messages', () => {
  const update = Uint8Array.of(0x01, 0x02, 0xaa, 0xbb);
  const onionHash = sha256(Uint8Array.of(1));
  const samples: Record<keyof typeof FAILURES, FailureMessage> = {
    invalid_realm: { name: 'invalid_realm', data: {} },
    temporary_node_failure: { name: 'temporary_node_failure', data: {} },
    permanent_node_failure: { name: 'permanent_node_failure', data: {} },
    required_node_feature_missing: { name: 'required_node_feature_missing', data: {} },
    invalid_onion_version: { name: 'invalid_onion_version', data: { sha256OfOnion: onionHash } },
    invalid_onion_hmac: { name: 'invalid_onion_hmac', data: { sha256OfOnion: onionHash } },
    invalid_onion_key: { name: 'invalid_onion_key', data: { sha256OfOnion: onionHash } },
    temporary_channel_failure: { name: 'temporary_channel_failure', data: { channelUpdate: update } },
    permanent_channel_failure: { name: 'permanent_channel_failure', data: {} },
    required_channel_feature_missing: { name: 'required_channel_feature_missing', data: {} },
    unknown_next_peer: { name: 'unknown_next_peer', data: {} },
    amount_below_minimum: { name: 'amount_below_minimum', data: { htlcMsat: 5n, channelUpdate: update } },
    fee_insufficient: { name: 'fee_insufficient', data: { htlcMsat: 6n, channelUpdate: update } },
    incorrect_cltv_expiry: { name: 'incorrect_cltv_expiry', data: { cltvExpiry: 700, channelUpdate: update } },
    expiry_too_soon: { name: 'expiry_too_soon', data: { channelUpdate: update } },
    incorrect_or_unknown_payment_details: { name: 'incorrect_or_unknown_payment_details', data: { htlcMsat: 100n, height: 800000 } },
    final_incorrect_cltv_expiry: { name: 'final_incorrect_cltv_expiry', data: { cltvExpiry: 9 } },
    final_incorrect_htlc_amount: { name: 'final_incorrect_htlc_amount', data: { incomingHtlcAmt: 10n } },
    channel_disabled: { name: 'channel_disabled', data: { disabledFlags: 0, channelUpdate: update } },
    expiry_too_far: { name: 'expiry_too_far', data: {} },
    invalid_onion_payload: { name: 'invalid_onion_payload', data: { type: 300n, offset: 7 } },
    mpp_timeout: { name: 'mpp_timeout', data: {} },
    invalid_onion_blinding: { name: 'invalid_onion_blinding', data: { sha256OfOnion: onionHash } },
  };
  // Codes as the spec lists them (flags BADONION 0x8000, PERM 0x4000, NODE 0x2000, UPDATE 0x1000).
  const CODES: Record<keyof typeof FAILURES, number> = {
    invalid_realm: 0x4001,
    temporary_node_failure: 0x2002,
    permanent_node_failure: 0x6002,
    required_node_feature_missing: 0x6003,
    invalid_onion_version: 0xc004,
    invalid_onion_hmac: 0xc005,
    invalid_onion_key: 0xc006,
    temporary_channel_failure: 0x1007,
    permanent_channel_failure: 0x4008,
    required_channel_feature_missing: 0x4009,
    unknown_next_peer: 0x400a,
    amount_below_minimum: 0x100b,
    fee_insufficient: 0x100c,
    incorrect_cltv_expiry: 0x100d,
    expiry_too_soon: 0x100e,
    incorrect_or_unknown_payment_details: 0x400f,
    final_incorrect_cltv_expiry: 0x0012,
    final_incorrect_htlc_amount: 0x0013,
    channel_disabled: 0x1014,
    expiry_too_far: 0x0015,
    invalid_onion_payload: 0x4016,
    mpp_timeout: 0x0017,
    invalid_onion_blinding: 0xc018,
  };

  for (const [name, message] of Object.entries(samples)) {
    it(`${name} (0x${CODES[name as keyof typeof FAILURES].toString(16)}) round-trips`, () => {
      const bytes = encodeFailureMessage(message);
      expect((bytes[0]! << 8) | bytes[1]!).toBe(CODES[name as keyof typeof FAILURES]);
      expect(failureCode(message)).toBe(CODES[name as keyof typeof FAILURES]);
      expect(decodeFailureMessage(bytes)).toEqual(message);
    });
  }

  it('layouts follow the spec: amount_below_minimum is u64, u16 length, channel_update', () => {
    expect(bytesToHex(encodeFailureMessage(samples.amount_below_minimum))).toBe('100b' + '0000000000000005' + '0004' + '0102aabb');
    expect(bytesToHex(encodeFailureMessage(samples.invalid_onion_payload))).toBe('4016' + 'fd012c' + '0007');
  });
  it('trailing bytes (the optional TLV stream) are kept as extension; unknown codes keep their data', () => {
    const withTlv = decodeFailureMessage(hexToBytes('2002' + 'fd84d101ff'));
    expect(withTlv).toEqual({ name: 'temporary_node_failure', data: {}, extension: hexToBytes('fd84d101ff') });
    expect(bytesToHex(encodeFailureMessage(withTlv))).toBe('2002fd84d101ff');
    expect(decodeFailureMessage(hexToBytes('7777beef'))).toEqual({ name: 'unknown', code: 0x7777, data: hexToBytes('beef') });
    expect(() => encodeFailureMessage({ name: 'unknown', code: 0x2002, data: new Uint8Array() })).toThrow(/temporary_node_failure/);
  });
  it('known codes with short data → truncated', () => {
    expect(codeOf(() => decodeFailureMessage(hexToBytes('400f00')))).toBe('truncated');
    expect(codeOf(() => decodeFailureMessage(hexToBytes('40')))).toBe('truncated');
  });
});
