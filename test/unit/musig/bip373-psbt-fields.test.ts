// BIP373 MuSig2 PSBT fields against every valid and invalid PSBT in bip373.txt (parsed from the
// BIP's mediawiki). Valid PSBTs decode, the fields we expose carry what the BIP describes, and —
// tying BIP373 to BIP327/BIP328 — the partial signatures verify and aggregate to the PSBT's own
// final signature. Invalid PSBTs are rejected with DecodeError.
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import { base64 } from '@scure/base';
import { p2tr, SigHash } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { aggregateHDKey, deriveKeyAgg } from '../../../core/musig/bip328.js';
import { applyTaprootTweak, keyAgg, type KeyAggContext } from '../../../core/musig/keyagg.js';
import { nonceAgg } from '../../../core/musig/nonce.js';
import {
  addPartialSig,
  addPubNonce,
  decodeMusigPsbt,
  setParticipants,
  signingData,
  type MusigInputFields,
} from '../../../core/musig/psbt-fields.js';
import { createSession, partialSigAgg, partialSigVerify } from '../../../core/musig/session.js';
import { vectorText } from '../../support/vectors.js';
import { caught } from './musig-error.js';

interface Bip373Case {
  valid: boolean;
  title: string;
  stage: string;
  bytes: Uint8Array;
  base64: string;
}

/** Reads the BIP's "Test Vectors" section: the aggregate key, its participants and every PSBT. */
function parseBip373(text: string) {
  const aggregate = /use the aggregate pubkey <tt>([0-9a-f]{66})<\/tt>/.exec(text)![1]!;
  const participants = [...text.matchAll(/^# <tt>([0-9A-Fa-f]{66})<\/tt>/gm)].map((m) => m[1]!.toLowerCase());
  const cases: Bip373Case[] = [];
  let valid = true;
  let title = '';
  let stage = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('The following are invalid PSBTs')) valid = false;
    const caseTitle = /^\* Case: (.*)$/.exec(line);
    if (caseTitle) [title, stage] = [caseTitle[1]!, ''];
    const stageTitle = /^\*\* (With .*)$/.exec(line);
    if (stageTitle) stage = stageTitle[1]!;
    const hex = /Bytes in Hex: <pre>([0-9a-f]+)/.exec(line);
    if (hex) cases.push({ valid, title, stage, bytes: hexToBytes(hex[1]!), base64: '' });
    const b64 = /Base64 String: <pre>([A-Za-z0-9+/=]+)/.exec(line);
    if (b64) cases.at(-1)!.base64 = b64[1]!;
  }
  return { aggregate, participants, cases };
}

const { aggregate, participants, cases } = parseBip373(vectorText('bip373.txt'));
const valid = cases.filter((c) => c.valid);
const invalid = cases.filter((c) => !c.valid);
const hex = bytesToHex;

it('BIP373 vector file: 14 valid and 10 invalid PSBTs, 3 participants of 030b58…', () => {
  expect([valid.length, invalid.length]).toEqual([14, 10]);
  expect(participants).toHaveLength(3);
  // The stated aggregate is KeyAgg of the stated participants, in the order listed.
  expect(hex(keyAgg(participants.map(hexToBytes)).plainKey)).toBe(aggregate);
  for (const c of cases) expect(hex(base64.decode(c.base64))).toBe(hex(c.bytes));
});

const root = keyAgg(participants.map(hexToBytes));

/** How the case's PSBT signs with the aggregate key, derived from its title. */
function spendKind(title: string): 'output' | 'internal' | 'script' | 'derived' {
  if (title.includes('output key is a MuSig2')) return 'output';
  if (title.includes('internal key is a MuSig2')) return 'internal';
  if (title.includes('key in a script')) return 'script';
  if (title.includes('internal key is derived')) return 'derived';
  throw new Error(`unknown case: ${title}`);
}

describe('BIP373 valid PSBTs: spending', () => {
  valid
    .filter((c) => c.title.startsWith('Spend'))
    .forEach((c, i) => {
      it(`BIP373 valid ${i}: ${c.title} — ${c.stage}`, () => {
        const { tx, inputs, outputs } = decodeMusigPsbt(c.bytes);
        expect(outputs.every((o) => o.participants.length === 0)).toBe(true);
        const fields = inputs[0]!;
        const input = tx.getInput(0);
        const prevScript = input.witnessUtxo!.script;
        const kind = spendKind(c.title);

        // The participants field names the untweaked aggregate and its keys, in KeyAgg order.
        expect(fields.participants.map((p) => [hex(p.aggregateKey), p.participants.map(hex)])).toEqual([[aggregate, participants]]);

        // What is signed for, per BIP373: the output key (tweaked, maybe derived) or the key in the leaf.
        let signing: KeyAggContext = root;
        let leafHash: Uint8Array | null = null;
        let leafScript: Uint8Array | undefined;
        if (kind === 'internal') {
          expect(hex(input.tapInternalKey!)).toBe(hex(root.xOnlyKey));
          signing = applyTaprootTweak(root);
        } else if (kind === 'derived') {
          const derived = deriveKeyAgg(root, [1, 2]);
          expect(hex(input.tapInternalKey!)).toBe(hex(derived.xOnlyKey));
          // BIP328: the derived key's origin is the synthetic xpub's fingerprint, path 1/2.
          const origin = input.tapBip32Derivation!.find(([k]) => hex(k) === hex(derived.xOnlyKey))![1].der;
          expect(origin).toEqual({ fingerprint: aggregateHDKey(root.plainKey).fingerprint, path: [1, 2] });
          signing = applyTaprootTweak(derived);
        } else if (kind === 'script') {
          const [, scriptAndVersion] = input.tapLeafScript![0]!;
          leafScript = scriptAndVersion.subarray(0, -1);
          expect(hex(leafScript)).toBe(`20${hex(root.xOnlyKey)}ac`);
          leafHash = tapLeafHash(leafScript);
        }
        if (kind !== 'script') expect(hex(prevScript)).toBe(`5120${hex(signing.xOnlyKey)}`);

        const round = signingData(fields, root.plainKey, signing.plainKey, leafHash)!;
        expect(round.participants.map(hex)).toEqual(participants);
        const all = c.stage === 'With all partial signatures';
        const nonces = c.stage !== 'With participant pubkeys only';
        expect([fields.pubNonces.length, fields.partialSigs.length]).toEqual([nonces ? 3 : 0, all ? 3 : 0]);
        // Every nonce and partial signature is keyed by (participant, signing key, leaf hash).
        expect(round.pubNonces.every((n) => n !== null)).toBe(nonces);
        expect(round.partialSigs.every((s) => s !== null)).toBe(all);
        if (!all) return;

        const message = tx.preimageWitnessV1(0, [prevScript], SigHash.DEFAULT, [input.witnessUtxo!.amount], -1, leafScript, 0xc0);
        const pubNonces = round.pubNonces as Uint8Array[];
        const session = createSession(signing, nonceAgg(pubNonces), message);
        round.partialSigs.forEach((psig, j) => expect(partialSigVerify(session, psig!, pubNonces, j), `psig ${j}`).toBe(true));
        const sig = partialSigAgg(session, round.partialSigs as Uint8Array[]);
        expect(schnorr.verify(sig, message, signing.xOnlyKey)).toBe(true);
        const final = kind === 'script' ? input.tapScriptSig?.[0]?.[1] : input.tapKeySig;
        // The BIP's PSBTs carry the finished signature except for the bare output-key case.
        if (kind === 'output') expect(final).toBeUndefined();
        else expect(hex(final!)).toBe(hex(sig));
      });
    });
});

describe('BIP373 valid PSBTs: receiving', () => {
  valid
    .filter((c) => c.title.startsWith('Receiving'))
    .forEach((c, i) => {
      it(`BIP373 valid receive ${i}: ${c.title}`, () => {
        const { tx, inputs, outputs } = decodeMusigPsbt(c.bytes);
        expect(inputs.every((f) => f.participants.length + f.pubNonces.length + f.partialSigs.length === 0)).toBe(true);
        expect(outputs[0]!.participants.map((p) => [hex(p.aggregateKey), p.participants.map(hex)])).toEqual([[aggregate, participants]]);
        expect(outputs.slice(1).every((o) => o.participants.length === 0)).toBe(true);
        const out = tx.getOutput(0);
        const internal = c.title.includes('derived') ? deriveKeyAgg(root, [1, 2]) : root;
        expect(hex(out.tapInternalKey!)).toBe(hex(internal.xOnlyKey));
        expect(hex(out.script!)).toBe(hex(p2tr(internal.xOnlyKey).script));
        expect(hex(out.script!)).toBe(`5120${hex(applyTaprootTweak(internal).xOnlyKey)}`);
      });
    });
});

describe('BIP373 invalid PSBTs', () => {
  /** The BIP373 field a case's title is about. */
  const fieldOf = (title: string) =>
    title.includes('public nonce')
      ? 'PSBT_IN_MUSIG2_PUB_NONCE'
      : title.includes('partial sig')
        ? 'PSBT_IN_MUSIG2_PARTIAL_SIG'
        : title.includes('output')
          ? 'PSBT_OUT_MUSIG2_PARTICIPANT_PUBKEYS'
          : 'PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS';

  invalid.forEach((c, i) => {
    it(`BIP373 invalid ${i}: ${c.title}`, () => {
      let err: unknown;
      try {
        decodeMusigPsbt(c.bytes);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecodeError);
      const { code, message } = err as DecodeError;
      expect(message).toContain(fieldOf(c.title));
      if (c.title.includes('keydata')) expect(code).toBe('PSBT_BAD_KEY');
      else if (c.title.includes('valuedata')) expect(code).toBe('PSBT_BAD_VALUE');
      else expect(['PSBT_BAD_KEY', 'PSBT_BAD_VALUE']).toContain(code);
      // The same bytes as base64 text fail the same way.
      expect(() => decodeMusigPsbt(c.base64)).toThrow(message);
    });
  });
});

describe('BIP373 writing', () => {
  it('writes participants, nonces and partial signatures that read back and round-trip through the wire', () => {
    const source = decodeMusigPsbt(valid.find((c) => c.stage === 'With all partial signatures')!.bytes);
    const expected = source.inputs[0]!;
    // Rebuild the same fields on the PSBT with participant pubkeys stripped.
    const bare = decodeMusigPsbt(valid[0]!.bytes).tx;
    bare.updateInput(0, { musig2ParticipantPubkeys: undefined });
    expect(decodeMusigPsbt(bare.toPSBT()).inputs[0]!.participants).toEqual([]);

    setParticipants(bare, { input: 0 }, expected.participants[0]!);
    expected.pubNonces.forEach((n) => addPubNonce(bare, 0, n));
    expected.partialSigs.forEach((s) => addPartialSig(bare, 0, s));
    const reread: MusigInputFields = decodeMusigPsbt(bare.toPSBT()).inputs[0]!;
    expect(reread).toEqual(expected);
    // Adding the same value again is a no-op; a conflicting one is refused.
    addPubNonce(bare, 0, expected.pubNonces[0]!);
    expect(caught(() => addPubNonce(bare, 0, { ...expected.pubNonces[0]!, pubNonce: expected.pubNonces[1]!.pubNonce }))).toMatchObject({
      name: 'PsbtError',
      code: 'PSBT_UPDATE_REJECTED',
    });
    expect(() => addPubNonce(bare, 0, { ...expected.pubNonces[0]!, pubNonce: new Uint8Array(66) })).toThrow(/"pubNonce" expected two compressed points/);
    expect(() => addPartialSig(bare, 0, { ...expected.partialSigs[0]!, leafHash: new Uint8Array(31) })).toThrow(/"leafHash" expected 32 bytes/);
  });

  it('writes output participants', () => {
    const tx = decodeMusigPsbt(valid[0]!.bytes).tx;
    setParticipants(tx, { output: 0 }, { aggregateKey: root.plainKey, participants: [...root.publicKeys] });
    const out = decodeMusigPsbt(tx.toPSBT()).outputs[0]!;
    expect(out.participants.map((p) => [hex(p.aggregateKey), p.participants.map(hex)])).toEqual([[aggregate, participants]]);
    expect(() => setParticipants(tx, { output: 0 }, { aggregateKey: root.xOnlyKey, participants: [] })).toThrow(/"aggregateKey" expected 33 bytes/);
  });

  it('decodes base64 text too, and rejects truncated input as DecodeError', () => {
    expect(decodeMusigPsbt(valid[2]!.base64).inputs[0]!.partialSigs).toHaveLength(3);
    expect(() => decodeMusigPsbt('cHNidP8=')).toThrow(DecodeError);
    expect(() => decodeMusigPsbt(new Uint8Array([0x70, 0x73, 0x62, 0x74, 0xff]))).toThrow(DecodeError);
  });
});
