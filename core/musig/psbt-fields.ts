/**
 * BIP373 MuSig2 PSBT fields: typed read and write access to the participant pubkeys (per input
 * and output), public nonces and partial signatures (per input).
 * https://github.com/bitcoin/bips/blob/master/bip-0373.mediawiki
 *
 * Decoding and updating go through the wallet's PSBT boundary (core/bitcoin/psbt.ts: field
 * pre-validation with stable `PSBT_*` DecodeError codes, then `@scure/btc-signer`'s maps
 * `musig2ParticipantPubkeys`, `musig2PubNonce`, `musig2PartialSig`, which enforce the BIP's key and
 * value lengths and that every key is a valid compressed point). This module names the parts:
 * - participants are keyed by the *untweaked* aggregate key (the KeyAgg output of those keys);
 * - nonces and partial signatures are keyed by (participant, signing key, leaf hash), where the
 *   signing key is the key actually signed for — the taproot output key for a key-path spend
 *   (so tweaked, and possibly BIP328-derived), the key in the leaf script for a script-path spend
 *   (then with the leaf hash). `signingData` gathers one signing round for a `SigningSession`.
 *
 * Not here: the PSBT roles themselves (core/bitcoin/psbt.ts) and the BIP327 arithmetic (session.ts).
 */
import { equalBytes } from '@noble/curves/utils.js';
import type { Transaction } from '@scure/btc-signer';
import type { TransactionInput, TransactionOutput } from '@scure/btc-signer/psbt.js';
import { decodePsbt, updatePsbtInput, updatePsbtOutput } from '../bitcoin/psbt.js';
import { expectBytes, expectBytesList } from './errors.js';
import { _isPubNonce } from './nonce.js';

export interface MusigParticipants {
  /** 33-byte plain aggregate key, KeyAgg of `participants` in this order, before any tweak. */
  aggregateKey: Uint8Array;
  /** 33-byte compressed participant keys, in aggregation order. */
  participants: Uint8Array[];
}

export interface MusigSignerKey {
  /** 33-byte compressed key of the participant who contributed the value. */
  participant: Uint8Array;
  /** 33-byte plain key being signed for (output key, or key in the leaf script). */
  signingKey: Uint8Array;
  /** 32-byte tapleaf hash for a script-path spend; null for a key-path spend. */
  leafHash: Uint8Array | null;
}

export interface MusigPubNonce extends MusigSignerKey {
  /** 66-byte BIP327 public nonce. */
  pubNonce: Uint8Array;
}

export interface MusigPartialSig extends MusigSignerKey {
  /** 32-byte BIP327 partial signature. */
  partialSig: Uint8Array;
}

export interface MusigInputFields {
  participants: MusigParticipants[];
  pubNonces: MusigPubNonce[];
  partialSigs: MusigPartialSig[];
}

export interface MusigOutputFields {
  participants: MusigParticipants[];
}

export interface MusigPsbt {
  tx: Transaction;
  inputs: MusigInputFields[];
  outputs: MusigOutputFields[];
}

type Keyed = { participantPubkey: Uint8Array; aggregatePubkey: Uint8Array; leafHash?: Uint8Array };

function signerKey(k: Keyed): MusigSignerKey {
  return { participant: k.participantPubkey, signingKey: k.aggregatePubkey, leafHash: k.leafHash ?? null };
}

function wireKey(k: MusigSignerKey): Keyed {
  return {
    participantPubkey: k.participant,
    aggregatePubkey: k.signingKey,
    ...(k.leafHash === null ? {} : { leafHash: k.leafHash }),
  };
}

function participantsOf(field: [Uint8Array, Uint8Array[]][] | undefined): MusigParticipants[] {
  return (field ?? []).map(([aggregateKey, participants]) => ({ aggregateKey, participants }));
}

/** The MuSig2 fields of one decoded PSBT input. */
export function inputMusigFields(input: TransactionInput): MusigInputFields {
  return {
    participants: participantsOf(input.musig2ParticipantPubkeys),
    pubNonces: (input.musig2PubNonce ?? []).map(([k, pubNonce]) => ({ ...signerKey(k), pubNonce })),
    partialSigs: (input.musig2PartialSig ?? []).map(([k, partialSig]) => ({ ...signerKey(k), partialSig })),
  };
}

/** The MuSig2 fields of one decoded PSBT output. */
export function outputMusigFields(output: TransactionOutput): MusigOutputFields {
  return { participants: participantsOf(output.musig2ParticipantPubkeys) };
}

/** The MuSig2 fields of every input and output of a transaction. */
export function readMusigFields(tx: Transaction): Omit<MusigPsbt, 'tx'> {
  const inputs: MusigInputFields[] = [];
  const outputs: MusigOutputFields[] = [];
  for (let i = 0; i < tx.inputsLength; i++) inputs.push(inputMusigFields(tx.getInput(i)));
  for (let i = 0; i < tx.outputsLength; i++) outputs.push(outputMusigFields(tx.getOutput(i)));
  return { inputs, outputs };
}

/**
 * Decodes a PSBT (v0 or v2; bytes, base64 or hex text) and its MuSig2 fields. Anything that does
 * not parse — including a BIP373 field with an x-only key or a value of the wrong length — is a
 * DecodeError with a `PSBT_*` code (core/bitcoin/psbt.ts `decodePsbt`).
 */
export function decodeMusigPsbt(psbt: string | Uint8Array): MusigPsbt {
  const tx = decodePsbt(psbt);
  return { tx, ...readMusigFields(tx) };
}

/** Records which participants an aggregate key is made of, on an input or an output. */
export function setParticipants(tx: Transaction, target: { input: number } | { output: number }, value: MusigParticipants): void {
  expectBytes('aggregateKey', value.aggregateKey, 33);
  expectBytesList('participants', value.participants, 33);
  if (value.participants.length === 0) throw new RangeError('"participants" expected at least 1 key, got 0');
  const entry: [Uint8Array, Uint8Array[]][] = [[value.aggregateKey, value.participants]];
  if ('input' in target) updatePsbtInput(tx, target.input, { musig2ParticipantPubkeys: entry });
  else updatePsbtOutput(tx, target.output, { musig2ParticipantPubkeys: entry });
}

function expectSignerKey(k: MusigSignerKey): void {
  expectBytes('participant', k.participant, 33);
  expectBytes('signingKey', k.signingKey, 33);
  if (k.leafHash !== null) expectBytes('leafHash', k.leafHash, 32);
}

/** Adds a participant's public nonce to an input; a different nonce under the same key is PsbtError PSBT_UPDATE_REJECTED. */
export function addPubNonce(tx: Transaction, inputIndex: number, value: MusigPubNonce): void {
  expectSignerKey(value);
  expectBytes('pubNonce', value.pubNonce, 66);
  if (!_isPubNonce(value.pubNonce)) throw new RangeError('"pubNonce" expected two compressed points');
  updatePsbtInput(tx, inputIndex, { musig2PubNonce: [[wireKey(value), value.pubNonce]] });
}

/** Adds a participant's partial signature to an input; a different one under the same key is PSBT_UPDATE_REJECTED. */
export function addPartialSig(tx: Transaction, inputIndex: number, value: MusigPartialSig): void {
  expectSignerKey(value);
  expectBytes('partialSig', value.partialSig, 32);
  updatePsbtInput(tx, inputIndex, { musig2PartialSig: [[wireKey(value), value.partialSig]] });
}

export interface SigningData {
  participants: Uint8Array[];
  /** Per participant (same order): their nonce for this signing key and leaf, or null if not yet given. */
  pubNonces: (Uint8Array | null)[];
  /** Per participant (same order): their partial signature, or null if not yet given. */
  partialSigs: (Uint8Array | null)[];
}

/**
 * Gathers one signing round from an input: the participants of `aggregateKey` and, in the same
 * order, their nonces and partial signatures for (`signingKey`, `leafHash`). Returns null when
 * the input does not list `aggregateKey`'s participants.
 */
export function signingData(
  fields: MusigInputFields,
  aggregateKey: Uint8Array,
  signingKey: Uint8Array,
  leafHash: Uint8Array | null = null,
): SigningData | null {
  const entry = fields.participants.find((p) => equalBytes(p.aggregateKey, aggregateKey));
  if (entry === undefined) return null;
  const matches = (k: MusigSignerKey, participant: Uint8Array) =>
    equalBytes(k.participant, participant) &&
    equalBytes(k.signingKey, signingKey) &&
    (k.leafHash === null ? leafHash === null : leafHash !== null && equalBytes(k.leafHash, leafHash));
  return {
    participants: entry.participants,
    pubNonces: entry.participants.map((p) => fields.pubNonces.find((n) => matches(n, p))?.pubNonce ?? null),
    partialSigs: entry.participants.map((p) => fields.partialSigs.find((s) => matches(s, p))?.partialSig ?? null),
  };
}
