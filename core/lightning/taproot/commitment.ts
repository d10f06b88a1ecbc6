/**
 * The simple taproot commitment transaction as a pure function of explicit channel parameters,
 * following BOLT 3 "Commitment Transaction Construction" with the proposal's outputs: trim HTLCs,
 * take the base fee and both anchors from the opener, add `to_local`, `to_remote`, HTLC and anchor
 * outputs, sort in BIP69+CLTV order, encode the obscured commitment number in locktime and sequence.
 * The result keeps, for every output, what built it, so HTLC transactions and sweeps can follow.
 *
 * It holds no channel state and validates no channel rules (reserves, max HTLCs, whether the opener
 * can afford the fee: BOLT 2 territory); an opener balance below fee + anchors yields no opener
 * output, as BOLT 3 prescribes. It does not sign: the funding input is a MuSig2 key-path spend over
 * `commitmentSighash`.
 *
 * Spec: https://github.com/lightning/bolts/blob/master/03-transactions.md#commitment-transaction-construction
 *       bolt-simple-taproot.md "Commitment Transactions", "HTLC Trimming" (test vector notes)
 */
import { compareBytes } from '@scure/btc-signer/utils.js';
import { encodeObscuredCommitmentNumber } from '../commitment-number.js';
import {
  acceptedHtlcOutput,
  anchorOutput,
  offeredHtlcOutput,
  toLocalOutput,
  toRemoteOutput,
  type AnchorOutput,
  type HtlcOutput,
  type ToLocalOutput,
  type ToRemoteOutput,
} from './channel-scripts.js';
import { keyPathSighash } from './signing.js';
import { transactionId, type TxOutput, type UnsignedTransaction } from './transaction.js';

/**
 * Expected weight of a taproot commitment without HTLCs: (version 4 + input count 1 + funding
 * input 41 + output count 3 + four P2TR outputs 4·43 + locktime 4)·4 + segwit marker 2 + key-path
 * witness 66. The proposal does not state it; lnd's `TaprootCommitWeight` does, and the vectors'
 * fees only match with it.
 */
export const TAPROOT_COMMITMENT_WEIGHT = 968;
/** Weight each untrimmed HTLC output adds (BOLT 3). */
export const HTLC_OUTPUT_WEIGHT = 172;
/** Value of each anchor output, paid by the opener whether or not the anchor is present (BOLT 3). */
export const ANCHOR_AMOUNT_SAT = 330n;

export interface CommitmentHtlc {
  /** From the commitment owner's side: it offered the HTLC, or accepted it from the counterparty. */
  readonly direction: 'offered' | 'accepted';
  readonly amountMsat: bigint;
  readonly paymentHash: Uint8Array;
  readonly cltvExpiry: number;
}

/** Per-commitment keys of the commitment's owner ("local") and its counterparty (keys.ts). */
export interface CommitmentKeys {
  readonly localDelayedPubkey: Uint8Array;
  readonly revocationPubkey: Uint8Array;
  /** `remotepubkey`: the counterparty's payment basepoint (static remote key). */
  readonly remotePubkey: Uint8Array;
  readonly localHtlcPubkey: Uint8Array;
  readonly remoteHtlcPubkey: Uint8Array;
}

export interface CommitmentParams {
  readonly fundingTxid: string;
  readonly fundingOutputIndex: number;
  /** Commitment number XOR the channel's obscuring factor (commitment-number.ts). */
  readonly obscuredCommitmentNumber: number;
  /** Whether the owner of this commitment opened the channel, and so pays fee and anchors. */
  readonly localIsOpener: boolean;
  readonly toLocalMsat: bigint;
  readonly toRemoteMsat: bigint;
  readonly feeratePerKw: number;
  /** The owner's `dust_limit_satoshis`. */
  readonly dustLimitSat: bigint;
  /** The delay the counterparty imposed on the owner (`to_self_delay`). */
  readonly toSelfDelay: number;
  readonly keys: CommitmentKeys;
  readonly htlcs: readonly CommitmentHtlc[];
}

export type CommitmentOutput =
  | { readonly kind: 'to_local'; readonly amountSat: bigint; readonly output: ToLocalOutput }
  | { readonly kind: 'to_remote'; readonly amountSat: bigint; readonly output: ToRemoteOutput }
  | { readonly kind: 'local_anchor' | 'remote_anchor'; readonly amountSat: bigint; readonly output: AnchorOutput }
  | {
      readonly kind: 'htlc';
      readonly amountSat: bigint;
      /** Position of the HTLC in `CommitmentParams.htlcs`. */
      readonly htlcIndex: number;
      readonly htlc: CommitmentHtlc;
      readonly output: HtlcOutput;
    };

export interface Commitment {
  readonly tx: UnsignedTransaction;
  readonly txid: string;
  /** `outputs[i]` describes `tx.outputs[i]`. */
  readonly outputs: readonly CommitmentOutput[];
  /** BOLT 3 base fee: `feerate_per_kw · (968 + 172 · untrimmed HTLCs) / 1000`, rounded down. */
  readonly baseFeeSat: bigint;
  /** Positions in `CommitmentParams.htlcs` of the HTLCs too small for an output. */
  readonly trimmedHtlcs: readonly number[];
}

function assertAmount(value: bigint, title: string): void {
  if (typeof value !== 'bigint' || value < 0n) throw new RangeError(`"${title}" expected non-negative bigint, got ${String(value)}`);
}

function assertU32(value: number, title: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`"${title}" expected u32, got ${value}`);
}

function assertTxid(value: string, title: string): void {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) throw new TypeError(`"${title}" expected 64 lowercase hex characters, got ${String(value)}`);
}

/**
 * Taproot channels use zero-fee HTLC transactions (`option_anchors`), so an HTLC is trimmed exactly
 * when its whole-satoshi amount is below the owner's dust limit, whatever the feerate.
 */
export function isTrimmed(htlc: CommitmentHtlc, dustLimitSat: bigint): boolean {
  return htlc.amountMsat / 1000n < dustLimitSat;
}

/** BOLT 3 base fee of a taproot commitment with `untrimmedHtlcs` HTLC outputs. */
export function commitmentFee(feeratePerKw: number, untrimmedHtlcs: number): bigint {
  assertU32(feeratePerKw, 'feeratePerKw');
  return (BigInt(feeratePerKw) * BigInt(TAPROOT_COMMITMENT_WEIGHT + HTLC_OUTPUT_WEIGHT * untrimmedHtlcs)) / 1000n;
}

/** BIP69 order: amount, then scriptPubKey bytes (shorter first on a common prefix), then HTLC `cltv_expiry`. */
function bip69Cltv(a: CommitmentOutput, b: CommitmentOutput): number {
  if (a.amountSat !== b.amountSat) return a.amountSat < b.amountSat ? -1 : 1;
  const byScript = compareBytes(a.output.pkScript, b.output.pkScript);
  if (byScript !== 0) return byScript;
  return a.kind === 'htlc' && b.kind === 'htlc' ? a.htlc.cltvExpiry - b.htlc.cltvExpiry : 0;
}

export function buildCommitment(params: CommitmentParams): Commitment {
  const { keys, htlcs, dustLimitSat } = params;
  assertTxid(params.fundingTxid, 'fundingTxid');
  assertU32(params.fundingOutputIndex, 'fundingOutputIndex');
  assertAmount(params.toLocalMsat, 'toLocalMsat');
  assertAmount(params.toRemoteMsat, 'toRemoteMsat');
  assertAmount(dustLimitSat, 'dustLimitSat');
  htlcs.forEach((h, i) => assertAmount(h.amountMsat, `htlcs[${i}].amountMsat`));

  const outputs: CommitmentOutput[] = [];
  const trimmedHtlcs: number[] = [];
  htlcs.forEach((htlc, htlcIndex) => {
    if (isTrimmed(htlc, dustLimitSat)) return void trimmedHtlcs.push(htlcIndex);
    const scriptKeys = {
      revocationPubkey: keys.revocationPubkey,
      localHtlcPubkey: keys.localHtlcPubkey,
      remoteHtlcPubkey: keys.remoteHtlcPubkey,
      paymentHash: htlc.paymentHash,
    };
    const output =
      htlc.direction === 'offered' ? offeredHtlcOutput(scriptKeys) : acceptedHtlcOutput({ ...scriptKeys, cltvExpiry: htlc.cltvExpiry });
    outputs.push({ kind: 'htlc', amountSat: htlc.amountMsat / 1000n, htlcIndex, htlc, output });
  });
  const untrimmed = outputs.length;

  const baseFeeSat = commitmentFee(params.feeratePerKw, untrimmed);
  const openerCost = baseFeeSat + 2n * ANCHOR_AMOUNT_SAT;
  const pay = (msat: bigint, opener: boolean) => {
    const sat = msat / 1000n;
    if (!opener) return sat;
    return sat >= openerCost ? sat - openerCost : 0n;
  };
  const toLocalSat = pay(params.toLocalMsat, params.localIsOpener);
  const toRemoteSat = pay(params.toRemoteMsat, !params.localIsOpener);

  const hasToLocal = toLocalSat >= dustLimitSat;
  const hasToRemote = toRemoteSat >= dustLimitSat;
  if (hasToLocal) outputs.push({ kind: 'to_local', amountSat: toLocalSat, output: toLocalOutput({ ...keys, toSelfDelay: params.toSelfDelay }) });
  if (hasToRemote) outputs.push({ kind: 'to_remote', amountSat: toRemoteSat, output: toRemoteOutput(keys.remotePubkey) });
  // An anchor exists only while its owner has something on the commitment to bump.
  if (hasToLocal || untrimmed > 0)
    outputs.push({ kind: 'local_anchor', amountSat: ANCHOR_AMOUNT_SAT, output: anchorOutput(keys.localDelayedPubkey) });
  if (hasToRemote || untrimmed > 0)
    outputs.push({ kind: 'remote_anchor', amountSat: ANCHOR_AMOUNT_SAT, output: anchorOutput(keys.remotePubkey) });
  outputs.sort(bip69Cltv);

  const { lockTime, sequence } = encodeObscuredCommitmentNumber(params.obscuredCommitmentNumber);
  const tx: UnsignedTransaction = {
    version: 2,
    lockTime,
    inputs: [{ txid: params.fundingTxid, index: params.fundingOutputIndex, sequence }],
    outputs: outputs.map((o) => ({ amountSat: o.amountSat, pkScript: o.output.pkScript })),
  };
  return { tx, txid: transactionId(tx), outputs, baseFeeSat, trimmedHtlcs };
}

/** BIP341 key-path sighash (SIGHASH_DEFAULT) the MuSig2 session on the funding output signs. */
export function commitmentSighash(commitment: Commitment, fundingOutput: TxOutput): Uint8Array {
  return keyPathSighash(commitment.tx, 0, [fundingOutput]);
}
