// Fuzz: BOLT 4 TLV-level decoders of what a hop finds in its layer — payment payloads with their
// presence rules, decrypted encrypted_data_tlv, onion message payloads, blinded paths — and failure
// messages return a value or throw DecodeError, nothing else, on random and mutated valid bytes.
import fc from 'fast-check';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, it } from 'vitest';
import {
  checkPaymentPayload,
  decodeBlindedPath,
  decodeFailureMessage,
  decodeOnionMessagePayload,
  decodePaymentPayload,
  decodeRecipientData,
  encodeBlindedPath,
  encodeOnionMessagePayload,
} from '../../../core/lightning/onion/index.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';
import { vectorJson } from '../../support/vectors.js';

type Json = Record<string, any>;

const mutatedOrRandom = (seeds: Uint8Array[], maxLength: number) => fc.oneof(mutatedBytes(seeds), fc.uint8Array({ maxLength }));

const onionTest = vectorJson<Json>('bolt04-onion-test.json');
const blindedPayment = vectorJson<Json>('bolt04-blinded-payment-onion-test.json');
const routeBlinding = vectorJson<Json>('bolt04-route-blinding-test.json');
const onionMessage = vectorJson<Json>('bolt04-blinded-onion-message-onion-test.json');
const unprefixed = (hex: string) => {
  const b = hexToBytes(hex);
  return b.slice(b[0]! < 0xfd ? 1 : 3);
};
const PAYMENT_PAYLOADS = [...onionTest.generate.hops, ...blindedPayment.generate.full_route.hops].map((h: Json) => unprefixed(h.payload));
const RECIPIENT_DATA = [...routeBlinding.generate.hops.map((h: Json) => h.encoded_tlvs), ...onionMessage.generate.hops.map((h: Json) => h.encrypted_data_tlv)].map(
  hexToBytes,
);
/** next_node_id or next_path_key_override present: decoding decompresses a point (~0.1-0.2 ms). */
function containsPoint(data: Uint8Array): boolean {
  const decoded = decodeRecipientData(data);
  return decoded.nextNodeId !== undefined || decoded.nextPathKeyOverride !== undefined;
}
const erd = (i: number) => hexToBytes(onionMessage.route.hops[i].encrypted_recipient_data);

describe('BOLT 4 hop payload fuzz', () => {
  it(
    'payment hop payloads, with the BOLT 4 presence rules: value or DecodeError',
    () => {
      const input = fc.tuple(mutatedOrRandom(PAYMENT_PAYLOADS, 80), fc.boolean(), fc.boolean());
      fc.assert(
        fc.property(input, ([b, final, pathKeyFromPeer]) => void valueOrDecodeError(() => checkPaymentPayload(decodePaymentPayload(b), { final, pathKeyFromPeer }))),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  // Each decoder fed mutations of its own seeds or random bytes; seeds holding points go to the
  // smaller property below, so that point decompression does not dominate the run.
  it(
    'encrypted_data_tlv, onion message payloads, blinded paths, failure messages: value or DecodeError',
    () => {
      const cases: [(b: Uint8Array) => unknown, Uint8Array[]][] = [
        [decodeRecipientData, RECIPIENT_DATA.filter((d) => !containsPoint(d))],
        [
          decodeOnionMessagePayload,
          [
            encodeOnionMessagePayload({ encryptedRecipientData: erd(3), unknown: [{ type: 1n, value: hexToBytes('68656c6c6f') }] }),
            encodeOnionMessagePayload({ encryptedRecipientData: erd(1), invoiceRequest: new Uint8Array(8) }),
          ],
        ],
        [decodeFailureMessage, [hexToBytes('100d0000000a00040102aabb'), hexToBytes('4016fd012c0007'), hexToBytes('2002fd84d101ff')]],
      ];
      const input = fc.oneof(
        ...cases.map(([decoder, seeds]) => fc.tuple(fc.constant(decoder), mutatedOrRandom(seeds, 80))),
        fc.tuple(fc.constant(decodeBlindedPath as (b: Uint8Array) => unknown), fc.uint8Array({ maxLength: 80 })),
      );
      fc.assert(fc.property(input, ([decoder, b]) => void valueOrDecodeError(() => decoder(b))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'blinded paths, reply paths and encrypted data holding points: value or DecodeError',
    () => {
      const replyPath = encodeBlindedPath({
        introductionNode: { shortChannelId: { block: 1, txIndex: 2, outputIndex: 3 }, direction: 1 },
        firstPathKey: hexToBytes(onionMessage.route.first_path_key),
        hops: [{ blindedNodeId: hexToBytes(onionMessage.route.hops[0].blinded_node_id), encryptedRecipientData: erd(1) }],
      });
      const withReply = encodeOnionMessagePayload({ replyPath: decodeBlindedPath(replyPath), invoice: new Uint8Array(4) });
      const seeds = [replyPath, withReply, ...RECIPIENT_DATA.filter(containsPoint)];
      fc.assert(
        fc.property(mutatedOrRandom(seeds, 120), (b) => {
          valueOrDecodeError(() => decodeBlindedPath(b));
          valueOrDecodeError(() => decodeOnionMessagePayload(b));
          valueOrDecodeError(() => decodeRecipientData(b));
        }),
        { numRuns: Math.max(2000, Math.floor(fuzzRuns / 50)) },
      );
    },
    fuzzTimeout,
  );
});
