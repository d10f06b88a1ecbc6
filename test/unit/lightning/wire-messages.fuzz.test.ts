// Fuzz: decodeMessage returns a message or throws DecodeError — nothing else — on mutated valid
// encodings of every described message (extension records included); whatever decodes re-encodes
// to the same bytes. Random inputs: wire-messages-random.fuzz.test.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Features } from '../../../core/lightning/features.js';
import { MESSAGES, type Message, type MessageName, decodeMessage, encodeMessage } from '../../../core/lightning/messages.js';
import { assertSameBytes, fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

/** Decodes; if that worked, the re-encoding must be the input. */
function roundTrip(bytes: Uint8Array): void {
  const msg = valueOrDecodeError(() => decodeMessage(bytes));
  if (msg && msg.kind !== 'unknown') assertSameBytes(encodeMessage(msg), bytes, 're-encoding');
}

const b = (n: number, v = 1) => new Uint8Array(n).fill(v);
const G = Uint8Array.from(Buffer.from('0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798', 'hex'));
const pts = { fundingPubkey: G, revocationBasepoint: G, paymentBasepoint: G, delayedPaymentBasepoint: G, htlcBasepoint: G, firstPerCommitmentPoint: G };
const psn = { partialSignature: b(32, 3), publicNonce: b(66, 4) };
const odd = [{ type: 0x10001n, value: b(3, 9) }];
const amounts = { dustLimitSatoshis: 354n, maxHtlcValueInFlightMsat: 1n, channelReserveSatoshis: 1n, htlcMinimumMsat: 1n };
const scripts = { channelId: b(32), closerScriptpubkey: b(22, 0), closeeScriptpubkey: b(34, 0), feeSatoshis: 1n, locktime: 0 };

// A valid encoding of every described message, most with extension records (taproot ones included).
const seeds: Record<MessageName, Message> = {
  warning: { kind: 'warning', channelId: b(32), data: b(5) },
  peer_storage: { kind: 'peer_storage', blob: b(8) },
  peer_storage_retrieval: { kind: 'peer_storage_retrieval', blob: b(8) },
  init: {
    kind: 'init',
    globalfeatures: Features.fromBits([]),
    features: Features.of({ option_simple_taproot: 'optional', option_simple_close: 'optional' }),
    tlvs: { networks: [b(32, 6)], remoteAddr: { type: 'dns', hostname: 'a.b', port: 9735 }, unknown: odd },
  },
  error: { kind: 'error', channelId: b(32), data: b(5) },
  ping: { kind: 'ping', numPongBytes: 4, ignored: b(2, 0) },
  pong: { kind: 'pong', ignored: b(4, 0) },
  open_channel: {
    kind: 'open_channel',
    chainHash: b(32),
    temporaryChannelId: b(32),
    fundingSatoshis: 1n,
    pushMsat: 0n,
    ...amounts,
    feeratePerKw: 253,
    toSelfDelay: 144,
    maxAcceptedHtlcs: 30,
    ...pts,
    channelFlags: 0,
    tlvs: { upfrontShutdownScript: b(22), channelType: Features.of({ option_simple_taproot: 'required' }), nextLocalNonce: b(66) },
  },
  accept_channel: {
    kind: 'accept_channel',
    temporaryChannelId: b(32),
    ...amounts,
    minimumDepth: 3,
    toSelfDelay: 144,
    maxAcceptedHtlcs: 30,
    ...pts,
    tlvs: { channelType: Features.of({ option_simple_taproot: 'required' }), nextLocalNonce: b(66) },
  },
  funding_created: {
    kind: 'funding_created',
    temporaryChannelId: b(32),
    fundingTxid: b(32),
    fundingOutputIndex: 0,
    signature: b(64, 0),
    tlvs: { partialSignatureWithNonce: psn },
  },
  funding_signed: { kind: 'funding_signed', channelId: b(32), signature: b(64, 0), tlvs: { partialSignatureWithNonce: psn } },
  channel_ready: {
    kind: 'channel_ready',
    channelId: b(32),
    secondPerCommitmentPoint: G,
    tlvs: { shortChannelId: { block: 1, txIndex: 1, outputIndex: 1 }, nextLocalNonce: b(66) },
  },
  shutdown: { kind: 'shutdown', channelId: b(32), scriptpubkey: b(34), tlvs: { shutdownNonce: b(66), unknown: odd } },
  closing_signed: { kind: 'closing_signed', channelId: b(32), feeSatoshis: 1n, signature: b(64), tlvs: { feeRange: { minFeeSatoshis: 1n, maxFeeSatoshis: 2n } } },
  closing_complete: { kind: 'closing_complete', ...scripts, tlvs: { closerOutputOnly: b(64), closerAndClosee: psn } },
  closing_sig: { kind: 'closing_sig', ...scripts, tlvs: { noCloserClosee: b(32), nextCloseeNonce: b(66) } },
  update_add_htlc: {
    kind: 'update_add_htlc',
    channelId: b(32),
    id: 1n,
    amountMsat: 1000n,
    paymentHash: b(32),
    cltvExpiry: 100,
    onionRoutingPacket: b(1366, 0),
    tlvs: { blindedPath: G },
  },
  update_fulfill_htlc: {
    kind: 'update_fulfill_htlc',
    channelId: b(32),
    id: 1n,
    paymentPreimage: b(32),
    tlvs: { attributionData: { htlcHoldTimes: Array.from({ length: 20 }, () => 1), truncatedHmacs: Array.from({ length: 210 }, () => b(4)) } },
  },
  update_fail_htlc: { kind: 'update_fail_htlc', channelId: b(32), id: 1n, reason: b(40) },
  commitment_signed: {
    kind: 'commitment_signed',
    channelId: b(32),
    signature: b(64, 0),
    htlcSignatures: [b(64)],
    tlvs: { fundingTxid: b(32), partialSignatureWithNonce: psn },
  },
  revoke_and_ack: {
    kind: 'revoke_and_ack',
    channelId: b(32),
    perCommitmentSecret: b(32),
    nextPerCommitmentPoint: G,
    tlvs: { nextLocalNonces: [{ fundingTxid: b(32), publicNonce: b(66) }] },
  },
  update_fee: { kind: 'update_fee', channelId: b(32), feeratePerKw: 253 },
  update_fail_malformed_htlc: { kind: 'update_fail_malformed_htlc', channelId: b(32), id: 1n, sha256OfOnion: b(32), failureCode: 0x8000 },
  channel_reestablish: {
    kind: 'channel_reestablish',
    channelId: b(32),
    nextCommitmentNumber: 1n,
    nextRevocationNumber: 0n,
    yourLastPerCommitmentSecret: b(32, 0),
    myCurrentPerCommitmentPoint: G,
    tlvs: {
      nextFunding: { nextFundingTxid: b(32), retransmitFlags: 1 },
      nextLocalNonces: [{ fundingTxid: b(32), publicNonce: b(66) }],
    },
  },
};
const encodedSeeds = Object.values(seeds).map(encodeMessage);

describe('message decoder fuzz', () => {
  it('there is a seed for every described message, and each decodes back to itself', () => {
    expect(Object.keys(seeds).sort()).toEqual(Object.keys(MESSAGES).sort());
    for (const bytes of encodedSeeds) expect(encodeMessage(decodeMessage(bytes) as Message)).toEqual(bytes);
  });

  it(
    'mutated valid encodings of every described message: message or DecodeError',
    () => {
      fc.assert(fc.property(mutatedBytes(encodedSeeds), roundTrip), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );
});
