// BOLT 1 message framing: Appendix C (every init extension example), init/error/warning/ping/pong
// rules, the it's-ok-to-be-odd rule, and every described BOLT 2 message (with the simple taproot
// extension records) encoding to the exact layout the specs give and decoding back.
import { bytesToHex as hex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { Features } from '../../../core/lightning/features.js';
import {
  type MessageName,
  type MessageOfKind,
  MESSAGES,
  decodeMessage,
  encodeMessage,
  initFeatures,
  messageType,
  pongFor,
} from '../../../core/lightning/messages.js';
import { vectorText } from '../../support/vectors.js';
import { decodeErrorOf } from '../../support/decode-error.js';

const unhex = (s: string) => hexToBytes(s.replace(/^0x/, '').replace(/\s+/g, ''));
const fill = (n: number, byte: number) => new Uint8Array(n).fill(byte);

const decodeError = (fn: () => unknown): DecodeError => decodeErrorOf(fn);

describe('BOLT 1 Appendix C: message extension (init)', () => {
  const text = vectorText('bolt01.md').split('## Appendix C: Message Extension')[1]!.split('## Appendix D')[0]!;
  const [validPart, invalidPart] = text.split('The following `init` messages are invalid:');
  const examples = (part: string) => [...part!.matchAll(/^- `0x([0-9a-f]+)`: (.*)$/gm)].map((m) => ({ wire: m[1]!, why: m[2]! }));
  const valid = examples(validPart!);
  const invalid = examples(invalidPart!);
  // Each invalid example's explanation, mapped to the exact error.
  const codes: [RegExp, string][] = [
    [/present but truncated/, 'truncated'],
    [/unknown _even_ TLV records/, 'tlv_unknown_even'],
    [/duplicate TLV record type/, 'tlv_order'],
  ];

  it('has 2 valid and 3 invalid examples', () => {
    expect(valid).toHaveLength(2);
    expect(invalid).toHaveLength(3);
  });

  valid.forEach(({ wire, why }, i) => {
    it(`Appendix C valid ${i + 1}: 0x${wire} — ${why}`, () => {
      const msg = decodeMessage(unhex(wire));
      if (msg.kind !== 'init') throw new Error(`decoded ${msg.kind}`);
      expect(msg.globalfeatures.bits()).toEqual([]);
      expect(msg.features.bits()).toEqual([]);
      expect(msg.tlvs?.networks).toBeUndefined();
      expect(msg.tlvs?.remoteAddr).toBeUndefined();
      const unknown = (msg.tlvs?.unknown ?? []).map((r) => [r.type, hex(r.value)]);
      expect(unknown).toEqual(i === 0 ? [] : [[0xc9n, '2a'], [0xcbn, '04']]);
      // The extension must survive re-encoding: it is part of signed bytes in other messages.
      expect(hex(encodeMessage(msg))).toBe(wire);
    });
  });

  invalid.forEach(({ wire, why }, i) => {
    it(`Appendix C invalid ${i + 1}: 0x${wire} — ${why}`, () => {
      const code = codes.find(([re]) => re.test(why))?.[1];
      expect(code, `unmapped reason "${why}"`).toBeDefined();
      expect(decodeError(() => decodeMessage(unhex(wire))).code).toBe(code);
    });
  });
});

describe('init', () => {
  const regtest = unhex('06226e46111a0b59caaf126043eb5bbf28c34f3a5e332a1fc7b2b73cf188910f');
  const mainnet = unhex('6fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000');

  it('encodes features and the networks/remote_addr records in spec order', () => {
    const init: MessageOfKind<'init'> = {
      kind: 'init',
      globalfeatures: Features.fromBytes(new Uint8Array()),
      features: Features.of({ option_simple_taproot_staging: 'optional', option_scid_alias: 'optional' }),
      tlvs: { networks: [regtest, mainnet], remoteAddr: { type: 'ipv4', addr: unhex('7f000001'), port: 9735 } },
    };
    const wire = encodeMessage(init);
    expect(hex(wire)).toBe(
      '0010' + '0000' + '0017' + '20' + '00'.repeat(16) + '800000000000' +
        '01' + '40' + hex(regtest) + hex(mainnet) + '03' + '07' + '017f0000012607',
    );
    const back = decodeMessage(wire) as MessageOfKind<'init'>;
    expect(back.features.bits()).toEqual([47, 181]);
    expect(back.tlvs?.networks?.map(hex)).toEqual([hex(regtest), hex(mainnet)]);
    expect(back.tlvs?.remoteAddr).toEqual({ type: 'ipv4', addr: unhex('7f000001'), port: 9735 });
  });

  it('the receiver ORs globalfeatures and features into one map', () => {
    const init = decodeMessage(unhex('0010' + '0001' + '02' + '0002' + '0100')) as MessageOfKind<'init'>;
    expect(initFeatures(init).bits()).toEqual([1, 8]);
  });

  it('refuses a networks record that is not whole chain hashes', () => {
    expect(decodeError(() => decodeMessage(unhex('00100000000001' + '21' + '00'.repeat(33)))).code).toBe('truncated');
  });
});

describe('error and warning', () => {
  it('carry a channel_id and u16-length data', () => {
    const err: MessageOfKind<'error'> = { kind: 'error', channelId: fill(32, 0), data: new TextEncoder().encode('bad sig') };
    expect(hex(encodeMessage(err))).toBe('0011' + '00'.repeat(32) + '0007' + hex(err.data));
    expect(hex(encodeMessage({ ...err, kind: 'warning' }))).toBe('0001' + '00'.repeat(32) + '0007' + hex(err.data));
  });
  it('refuse data shorter than its length', () => {
    expect(decodeError(() => decodeMessage(unhex('0011' + '00'.repeat(32) + '0008' + 'aa'))).code).toBe('truncated');
  });
});

describe('ping and pong', () => {
  it('ping is num_pong_bytes, then byteslen and ignored', () => {
    expect(hex(encodeMessage({ kind: 'ping', numPongBytes: 4, ignored: fill(2, 0) }))).toBe('0012' + '0004' + '0002' + '0000');
  });

  it('a ping with num_pong_bytes < 65532 gets a pong of exactly that many zero bytes', () => {
    for (const n of [0, 1, 1000, 65531]) {
      const pong = pongFor({ kind: 'ping', numPongBytes: n, ignored: new Uint8Array() })!;
      expect(pong.ignored).toEqual(new Uint8Array(n));
      expect(encodeMessage(pong).length).toBe(4 + n);
    }
  });

  it('a ping with num_pong_bytes >= 65532 is ignored', () => {
    for (const n of [65532, 65533, 65535]) expect(pongFor({ kind: 'ping', numPongBytes: n, ignored: new Uint8Array() })).toBeUndefined();
  });

  it('the largest pong is 65535 bytes; a pong one byte larger cannot be encoded', () => {
    expect(encodeMessage({ kind: 'pong', ignored: new Uint8Array(65531) }).length).toBe(65535);
    expect(() => encodeMessage({ kind: 'pong', ignored: new Uint8Array(65532) })).toThrow(/65536 bytes, more than 65535/);
    expect(decodeError(() => decodeMessage(new Uint8Array(65536))).code).toBe('message_too_long');
  });
});

describe("it's ok to be odd", () => {
  it('an unknown odd message type is returned for the caller to ignore', () => {
    expect(decodeMessage(unhex('8001cafe'))).toEqual({ kind: 'unknown', type: 0x8001, payload: unhex('cafe') });
  });
  it('an unknown even message type is refused', () => {
    expect(decodeError(() => decodeMessage(unhex('8000cafe'))).code).toBe('unknown_even_message');
  });
  it('an empty buffer has no type', () => expect(decodeError(() => decodeMessage(new Uint8Array())).code).toBe('truncated'));
});

// One value per described message; the record type makes the compiler check every description.
const G = unhex('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798');
const G2 = unhex('02c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5');
const id = fill(32, 0x11);
const nonce = fill(66, 0x22);
const psig = fill(32, 0x33);
const sig = fill(64, 0x44);
const basepoints = {
  fundingPubkey: G,
  revocationBasepoint: G2,
  paymentBasepoint: G,
  delayedPaymentBasepoint: G2,
  htlcBasepoint: G,
  firstPerCommitmentPoint: G2,
};
const taprootType = Features.of({ option_simple_taproot: 'required' });

const samples: { [K in MessageName]: MessageOfKind<K> } = {
  warning: { kind: 'warning', channelId: id, data: unhex('00') },
  peer_storage: { kind: 'peer_storage', blob: fill(10, 1) },
  peer_storage_retrieval: { kind: 'peer_storage_retrieval', blob: fill(10, 1) },
  init: { kind: 'init', globalfeatures: Features.fromBits([]), features: Features.of({ option_simple_taproot: 'optional' }) },
  error: { kind: 'error', channelId: id, data: unhex('41') },
  ping: { kind: 'ping', numPongBytes: 10, ignored: fill(3, 0) },
  pong: { kind: 'pong', ignored: fill(10, 0) },
  open_channel: {
    kind: 'open_channel',
    chainHash: fill(32, 6),
    temporaryChannelId: id,
    fundingSatoshis: 1_000_000n,
    pushMsat: 0n,
    dustLimitSatoshis: 354n,
    maxHtlcValueInFlightMsat: 990_000_000n,
    channelReserveSatoshis: 10_000n,
    htlcMinimumMsat: 1n,
    feeratePerKw: 253,
    toSelfDelay: 144,
    maxAcceptedHtlcs: 483,
    ...basepoints,
    channelFlags: 0,
    tlvs: { upfrontShutdownScript: new Uint8Array(), channelType: taprootType, nextLocalNonce: nonce },
  },
  accept_channel: {
    kind: 'accept_channel',
    temporaryChannelId: id,
    dustLimitSatoshis: 354n,
    maxHtlcValueInFlightMsat: 990_000_000n,
    channelReserveSatoshis: 10_000n,
    htlcMinimumMsat: 1n,
    minimumDepth: 3,
    toSelfDelay: 144,
    maxAcceptedHtlcs: 483,
    ...basepoints,
    tlvs: { channelType: taprootType, nextLocalNonce: nonce },
  },
  funding_created: {
    kind: 'funding_created',
    temporaryChannelId: id,
    fundingTxid: fill(32, 7),
    fundingOutputIndex: 1,
    signature: fill(64, 0),
    tlvs: { partialSignatureWithNonce: { partialSignature: psig, publicNonce: nonce } },
  },
  funding_signed: {
    kind: 'funding_signed',
    channelId: id,
    signature: fill(64, 0),
    tlvs: { partialSignatureWithNonce: { partialSignature: psig, publicNonce: nonce } },
  },
  channel_ready: {
    kind: 'channel_ready',
    channelId: id,
    secondPerCommitmentPoint: G,
    tlvs: { shortChannelId: { block: 1, txIndex: 2, outputIndex: 3 }, nextLocalNonce: nonce },
  },
  shutdown: { kind: 'shutdown', channelId: id, scriptpubkey: unhex('5120' + '55'.repeat(32)), tlvs: { shutdownNonce: nonce } },
  closing_signed: {
    kind: 'closing_signed',
    channelId: id,
    feeSatoshis: 500n,
    signature: sig,
    tlvs: { feeRange: { minFeeSatoshis: 100n, maxFeeSatoshis: 1000n } },
  },
  closing_complete: {
    kind: 'closing_complete',
    channelId: id,
    closerScriptpubkey: unhex('0014' + '01'.repeat(20)),
    closeeScriptpubkey: unhex('5120' + '02'.repeat(32)),
    feeSatoshis: 300n,
    locktime: 800_000,
    tlvs: { closerAndClosee: { partialSignature: psig, publicNonce: nonce } },
  },
  closing_sig: {
    kind: 'closing_sig',
    channelId: id,
    closerScriptpubkey: unhex('0014' + '01'.repeat(20)),
    closeeScriptpubkey: unhex('5120' + '02'.repeat(32)),
    feeSatoshis: 300n,
    locktime: 800_000,
    tlvs: { closerAndClosee: psig, nextCloseeNonce: nonce },
  },
  update_add_htlc: {
    kind: 'update_add_htlc',
    channelId: id,
    id: 7n,
    amountMsat: 1_000n,
    paymentHash: fill(32, 8),
    cltvExpiry: 800_144,
    onionRoutingPacket: fill(1366, 9),
    tlvs: { blindedPath: G2 },
  },
  update_fulfill_htlc: {
    kind: 'update_fulfill_htlc',
    channelId: id,
    id: 7n,
    paymentPreimage: fill(32, 10),
    tlvs: { attributionData: { htlcHoldTimes: Array.from({ length: 20 }, (_, i) => i), truncatedHmacs: Array.from({ length: 210 }, () => fill(4, 1)) } },
  },
  update_fail_htlc: { kind: 'update_fail_htlc', channelId: id, id: 7n, reason: fill(292, 12) },
  commitment_signed: {
    kind: 'commitment_signed',
    channelId: id,
    signature: fill(64, 0),
    htlcSignatures: [sig, fill(64, 0x45)],
    tlvs: { partialSignatureWithNonce: { partialSignature: psig, publicNonce: nonce } },
  },
  revoke_and_ack: {
    kind: 'revoke_and_ack',
    channelId: id,
    perCommitmentSecret: fill(32, 13),
    nextPerCommitmentPoint: G,
    tlvs: { nextLocalNonces: [{ fundingTxid: fill(32, 14), publicNonce: nonce }] },
  },
  update_fee: { kind: 'update_fee', channelId: id, feeratePerKw: 2_500 },
  update_fail_malformed_htlc: { kind: 'update_fail_malformed_htlc', channelId: id, id: 7n, sha256OfOnion: fill(32, 15), failureCode: 0xc005 },
  channel_reestablish: {
    kind: 'channel_reestablish',
    channelId: id,
    nextCommitmentNumber: 5n,
    nextRevocationNumber: 4n,
    yourLastPerCommitmentSecret: fill(32, 16),
    myCurrentPerCommitmentPoint: G2,
    tlvs: {
      nextLocalNonces: [
        { fundingTxid: fill(32, 17), publicNonce: nonce },
        { fundingTxid: fill(32, 18), publicNonce: fill(66, 0x23) },
      ],
    },
  },
};

// Type numbers from BOLT 1, BOLT 2 at lightning/bolts a3772650.
const specTypes: Record<MessageName, number> = {
  warning: 1,
  peer_storage: 7,
  peer_storage_retrieval: 9,
  init: 16,
  error: 17,
  ping: 18,
  pong: 19,
  open_channel: 32,
  accept_channel: 33,
  funding_created: 34,
  funding_signed: 35,
  channel_ready: 36,
  shutdown: 38,
  closing_signed: 39,
  closing_complete: 40,
  closing_sig: 41,
  update_add_htlc: 128,
  update_fulfill_htlc: 130,
  update_fail_htlc: 131,
  commitment_signed: 132,
  revoke_and_ack: 133,
  update_fee: 134,
  update_fail_malformed_htlc: 135,
  channel_reestablish: 136,
};

// Payload sizes (type included, no extension) from summing the BOLT 2 field tables.
const fixedSizes: Partial<Record<MessageName, number>> = {
  open_channel: 2 + 32 + 32 + 6 * 8 + 4 + 2 + 2 + 6 * 33 + 1,
  accept_channel: 2 + 32 + 4 * 8 + 4 + 2 + 2 + 6 * 33,
  funding_created: 2 + 32 + 32 + 2 + 64,
  funding_signed: 2 + 32 + 64,
  channel_ready: 2 + 32 + 33,
  update_add_htlc: 2 + 32 + 8 + 8 + 32 + 4 + 1366,
  update_fulfill_htlc: 2 + 32 + 8 + 32,
  revoke_and_ack: 2 + 32 + 32 + 33,
  update_fee: 2 + 32 + 4,
  update_fail_malformed_htlc: 2 + 32 + 8 + 32 + 2,
  channel_reestablish: 2 + 32 + 8 + 8 + 32 + 33,
};

describe('every described message', () => {
  it('the description table has exactly the messages sampled here', () => {
    expect(Object.keys(MESSAGES).sort()).toEqual(Object.keys(samples).sort());
  });

  for (const kind of Object.keys(samples) as MessageName[]) {
    const sample = samples[kind];
    it(`${kind} (type ${specTypes[kind]}) round-trips with its extension records`, () => {
      expect(messageType(kind)).toBe(specTypes[kind]);
      const wire = encodeMessage(sample);
      expect((wire[0]! << 8) | wire[1]!).toBe(specTypes[kind]);
      const back = decodeMessage(wire);
      expect(back).toEqual({ ...sample, tlvs: { ...sample.tlvs, unknown: [] } });
      expect(hex(encodeMessage(back as typeof sample))).toBe(hex(wire));
    });

    it(`${kind}: a payload one byte short is refused as truncated`, () => {
      const bare = encodeMessage({ ...sample, tlvs: {} } as typeof sample);
      const size = fixedSizes[kind];
      if (size !== undefined) expect(bare.length).toBe(size);
      expect(decodeError(() => decodeMessage(bare.subarray(0, bare.length - 1))).code).toBe('truncated');
    });

    it(`${kind}: unknown odd extension records are kept, unknown even ones refused`, () => {
      const bare = encodeMessage({ ...sample, tlvs: {} } as typeof sample);
      const odd = decodeMessage(new Uint8Array([...bare, ...unhex('fe0001000103abcdef')]));
      expect((odd as typeof sample).tlvs?.unknown).toEqual([{ type: 0x10001n, value: unhex('abcdef') }]);
      expect(decodeError(() => decodeMessage(new Uint8Array([...bare, ...unhex('fe0001000200')]))).code).toBe('tlv_unknown_even');
    });
  }
});

describe('simple taproot extension records (bolt-simple-taproot.md "New TLV Types")', () => {
  const tail = (m: Parameters<typeof encodeMessage>[0]) => {
    const full = encodeMessage(m);
    const bare = encodeMessage({ ...m, tlvs: {} } as typeof m);
    return hex(full.subarray(bare.length));
  };

  it('partial_signature_with_nonce is type 2, 98 bytes: partial_signature || public_nonce', () => {
    expect(tail(samples.commitment_signed)).toBe('02' + '62' + hex(psig) + hex(nonce));
    expect(tail(samples.funding_created)).toBe('02' + '62' + hex(psig) + hex(nonce));
  });

  it('next_local_nonce is type 4 (open_channel, accept_channel, channel_ready)', () => {
    expect(tail(samples.open_channel)).toBe('00' + '00' + '01' + '0b' + '01' + '00'.repeat(10) + '04' + '42' + hex(nonce));
    expect(tail(samples.channel_ready)).toBe('01' + '08' + '0000010000020003' + '04' + '42' + hex(nonce));
  });

  it('shutdown_nonce is type 8', () => expect(tail(samples.shutdown)).toBe('08' + '42' + hex(nonce)));

  it('next_local_nonces is type 22, a list of funding_txid || public_nonce entries', () => {
    expect(tail(samples.channel_reestablish)).toBe(
      '16' + 'c4' + '11'.repeat(32) + hex(nonce) + '12'.repeat(32) + '23'.repeat(66),
    );
    expect(tail(samples.revoke_and_ack)).toBe('16' + '62' + '0e'.repeat(32) + hex(nonce));
  });

  it('closing_complete carries 98-byte partial signatures with nonce at types 5/6/7, closing_sig 32-byte ones plus next_closee_nonce (22)', () => {
    expect(tail(samples.closing_complete)).toBe('07' + '62' + hex(psig) + hex(nonce));
    expect(tail(samples.closing_sig)).toBe('07' + '20' + hex(psig) + '16' + '42' + hex(nonce));
  });

  it('a next_local_nonces record that is not whole entries is refused', () => {
    const bare = encodeMessage({ ...samples.revoke_and_ack, tlvs: {} });
    expect(decodeError(() => decodeMessage(new Uint8Array([...bare, ...unhex('1601aa')]))).code).toBe('truncated');
  });

  it('a partial_signature_with_nonce of the wrong length is refused', () => {
    const bare = encodeMessage({ ...samples.commitment_signed, tlvs: {} });
    expect(decodeError(() => decodeMessage(new Uint8Array([...bare, 0x02, 0x61, ...fill(97, 0)]))).code).toBe('tlv_length');
  });

  it('an invalid basepoint is refused naming the field', () => {
    const wire = encodeMessage(samples.open_channel);
    const at = 2 + 32 + 32 + 6 * 8 + 4 + 2 + 2 + 33 * 2; // payment_basepoint
    wire[at] = 0x05;
    const err = decodeError(() => decodeMessage(wire));
    expect(err.code).toBe('invalid_point');
    expect(err.message).toMatch(/"paymentBasepoint"/);
  });

  it('channel_type for simple taproot channels is feature bit 80', () => {
    const open = decodeMessage(encodeMessage(samples.open_channel)) as MessageOfKind<'open_channel'>;
    expect(open.tlvs?.channelType?.bits()).toEqual([80]);
    expect(open.tlvs?.channelType?.support('option_simple_taproot')).toBe('required');
  });
});

describe('encoding validates values and names the field', () => {
  it('a wrong-length point', () => {
    expect(() => encodeMessage({ ...samples.channel_ready, secondPerCommitmentPoint: fill(32, 2) })).toThrow(
      /"secondPerCommitmentPoint" expected 33 bytes, got 32/,
    );
  });
  it('a negative amount', () => {
    expect(() => encodeMessage({ ...samples.update_add_htlc, amountMsat: -1n })).toThrow(/"amountMsat" expected bigint in 0\.\.18446744073709551615, got -1/);
  });
  it('an unknown kind', () => {
    expect(() => encodeMessage({ kind: 'nope' } as never)).toThrow(TypeError);
  });
});
