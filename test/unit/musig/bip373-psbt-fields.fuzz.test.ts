// Fuzz: decodeMusigPsbt on random bytes and on mutated valid MuSig2 PSBTs either returns
// well-shaped BIP373 fields or throws DecodeError — never anything else. Seeds are tiny PSBTs
// (one input, one output, one MuSig2 field each) so a run stays cheap.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Transaction } from '@scure/btc-signer';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMusigPsbt } from '../../../core/musig/psbt-fields.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

const participant = secp256k1.getPublicKey(new Uint8Array(32).fill(3), true);
const aggregate = secp256k1.getPublicKey(new Uint8Array(32).fill(4), true);
const nonce = new Uint8Array([...secp256k1.getPublicKey(new Uint8Array(32).fill(5), true), ...secp256k1.getPublicKey(new Uint8Array(32).fill(6), true)]);

function seed(field: 'participants' | 'nonce' | 'psig'): Uint8Array {
  const tx = new Transaction({ allowUnknownOutputs: true });
  tx.addInput({ txid: new Uint8Array(32).fill(1), index: 0 });
  tx.addOutput({ script: new Uint8Array([0x51]), amount: 1000n });
  if (field === 'participants') tx.updateInput(0, { musig2ParticipantPubkeys: [[aggregate, [participant]]] });
  if (field === 'nonce') tx.updateInput(0, { musig2PubNonce: [[{ participantPubkey: participant, aggregatePubkey: aggregate }, nonce]] });
  if (field === 'psig') {
    const key = { participantPubkey: participant, aggregatePubkey: aggregate, leafHash: new Uint8Array(32).fill(9) };
    tx.updateInput(0, { musig2PartialSig: [[key, new Uint8Array(32).fill(7)]] });
  }
  return tx.toPSBT();
}
const seeds = [seed('participants'), seed('nonce'), seed('psig')];

/** Decodes; what decodes must have BIP373's field sizes. */
function fieldsOrDecodeError(input: Uint8Array): void {
  const decoded = valueOrDecodeError(() => decodeMusigPsbt(input));
  for (const f of decoded?.inputs ?? []) {
    for (const p of f.participants) expect([p.aggregateKey.length, ...p.participants.map((k) => k.length)].every((n) => n === 33)).toBe(true);
    for (const n of f.pubNonces) expect([n.participant.length, n.signingKey.length, n.pubNonce.length, n.leafHash?.length ?? 32]).toEqual([33, 33, 66, 32]);
    for (const s of f.partialSigs) expect([s.participant.length, s.signingKey.length, s.partialSig.length, s.leafHash?.length ?? 32]).toEqual([33, 33, 32, 32]);
  }
}

describe('BIP373 PSBT fields fuzz', () => {
  // Most runs end in a thrown error; capturing stack traces would cost more than the decoding.
  const stackTraceLimit = Error.stackTraceLimit;
  beforeAll(() => {
    Error.stackTraceLimit = 0;
  });
  afterAll(() => {
    Error.stackTraceLimit = stackTraceLimit;
  });

  it('seeds decode (sanity: the mutation base is valid)', () => {
    expect(seeds.map((s) => decodeMusigPsbt(s).inputs[0]!)).toMatchObject([
      { participants: [{}], pubNonces: [], partialSigs: [] },
      { participants: [], pubNonces: [{}], partialSigs: [] },
      { participants: [], pubNonces: [], partialSigs: [{}] },
    ]);
  });

  it(
    'random bytes (half with the PSBT magic) decode or throw DecodeError',
    () => {
      const magic = seeds[0]!.subarray(0, 5);
      fc.assert(
        fc.property(fc.boolean(), fc.uint8Array({ maxLength: 96 }), (withMagic, body) => {
          fieldsOrDecodeError(withMagic ? new Uint8Array([...magic, ...body]) : body);
        }),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  // A mutated MuSig2 PSBT usually gets as far as its curve points, and every point is decompressed
  // twice (core/bitcoin/psbt-fields.ts pre-validation, then btc-signer): ~0.4 ms a run on the
  // shared 2-core machine, so this property runs a tenth of fuzzRuns (10k by default, 200k under
  // `npm run fuzz`) to keep the file within a few seconds.
  const mutatedRuns = Math.max(1, Math.floor(fuzzRuns / 10));

  it(
    `mutated valid MuSig2 PSBTs decode or throw DecodeError (${mutatedRuns} runs)`,
    () => {
      fc.assert(fc.property(mutatedBytes(seeds), fieldsOrDecodeError), { numRuns: mutatedRuns });
    },
    fuzzTimeout,
  );
});
