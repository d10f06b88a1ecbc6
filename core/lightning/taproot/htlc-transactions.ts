/**
 * Second-level HTLC transactions of simple taproot channels: HTLC-success (spends an accepted HTLC
 * with the preimage) and HTLC-timeout (spends an offered HTLC after `cltv_expiry`). One input, one
 * output, zero fee — the output carries the full HTLC amount to the revocation-keyed delay output —
 * and the input signed by both parties through the HTLC's script path; the counterparty's signature
 * uses SIGHASH_SINGLE|ANYONECANPAY so the holder can attach fee inputs.
 *
 * It is not the commitment transaction (commitment.ts) and does not sign (signing.ts).
 *
 * Spec: bolt-simple-taproot.md "HTLC Second Level Transactions"
 */
import { secondLevelHtlcOutput, type HtlcOutput, type SecondLevelHtlcOutput } from './channel-scripts.js';
import type { Commitment } from './commitment.js';
import { SIGHASH_DEFAULT, SIGHASH_SINGLE_ANYONECANPAY, scriptPathSighash } from './signing.js';
import type { TapLeaf } from './tapscript-output.js';
import type { TxOutput, UnsignedTransaction } from './transaction.js';

const HTLC_TX_SEQUENCE = 1;

export interface SecondLevelKeys {
  readonly revocationPubkey: Uint8Array;
  readonly localDelayedPubkey: Uint8Array;
  readonly toSelfDelay: number;
}

export interface HtlcTransaction {
  readonly kind: 'htlc-success' | 'htlc-timeout';
  readonly tx: UnsignedTransaction;
  /** The commitment output being spent, for the sighash. */
  readonly spent: TxOutput;
  /** The leaf of the commitment's HTLC output this transaction spends through. */
  readonly leaf: TapLeaf;
  readonly output: SecondLevelHtlcOutput;
}

export interface SpentHtlc {
  readonly commitmentTxid: string;
  readonly outputIndex: number;
  readonly amountSat: bigint;
  readonly htlcOutput: HtlcOutput;
}

function build(kind: HtlcTransaction['kind'], spent: SpentHtlc, keys: SecondLevelKeys, lockTime: number): HtlcTransaction {
  if (typeof spent.amountSat !== 'bigint' || spent.amountSat < 0n)
    throw new RangeError(`"amountSat" expected non-negative bigint, got ${String(spent.amountSat)}`);
  if (typeof spent.commitmentTxid !== 'string' || !/^[0-9a-f]{64}$/.test(spent.commitmentTxid))
    throw new TypeError(`"commitmentTxid" expected 64 lowercase hex characters, got ${String(spent.commitmentTxid)}`);
  if (!Number.isInteger(spent.outputIndex) || spent.outputIndex < 0)
    throw new RangeError(`"outputIndex" expected non-negative integer, got ${spent.outputIndex}`);
  const output = secondLevelHtlcOutput(keys);
  return {
    kind,
    tx: {
      version: 2,
      lockTime,
      inputs: [{ txid: spent.commitmentTxid, index: spent.outputIndex, sequence: HTLC_TX_SEQUENCE }],
      outputs: [{ amountSat: spent.amountSat, pkScript: output.pkScript }],
    },
    spent: { amountSat: spent.amountSat, pkScript: spent.htlcOutput.pkScript },
    leaf: kind === 'htlc-success' ? spent.htlcOutput.leaves.success : spent.htlcOutput.leaves.timeout,
    output,
  };
}

/** HTLC-success: version 2, locktime 0, sequence 1, spending an accepted HTLC's success leaf. */
export function htlcSuccessTransaction(spent: SpentHtlc, keys: SecondLevelKeys): HtlcTransaction {
  return build('htlc-success', spent, keys, 0);
}

/** HTLC-timeout: version 2, locktime `cltv_expiry`, sequence 1, spending an offered HTLC's timeout leaf. */
export function htlcTimeoutTransaction(spent: SpentHtlc, keys: SecondLevelKeys, cltvExpiry: number): HtlcTransaction {
  if (!Number.isInteger(cltvExpiry) || cltvExpiry < 0 || cltvExpiry >= 500_000_000)
    throw new RangeError(`"cltvExpiry" expected block height in [0, 499999999], got ${cltvExpiry}`);
  return build('htlc-timeout', spent, keys, cltvExpiry);
}

export interface CommitmentHtlcTransaction extends HtlcTransaction {
  /** Position of the spent output in the commitment transaction. */
  readonly commitmentOutputIndex: number;
  /** Position of the HTLC in the commitment's `CommitmentParams.htlcs`. */
  readonly htlcIndex: number;
}

/**
 * Every HTLC transaction of a commitment, in commitment output order — the order `htlc_signature`s
 * are exchanged in. `keys` are the owner's second-level keys for this commitment.
 */
export function commitmentHtlcTransactions(commitment: Commitment, keys: SecondLevelKeys): CommitmentHtlcTransaction[] {
  const out: CommitmentHtlcTransaction[] = [];
  commitment.outputs.forEach((o, outputIndex) => {
    if (o.kind !== 'htlc') return;
    const spent = { commitmentTxid: commitment.txid, outputIndex, amountSat: o.amountSat, htlcOutput: o.output };
    const htlcTx =
      o.htlc.direction === 'accepted' ? htlcSuccessTransaction(spent, keys) : htlcTimeoutTransaction(spent, keys, o.htlc.cltvExpiry);
    out.push({ ...htlcTx, commitmentOutputIndex: outputIndex, htlcIndex: o.htlcIndex });
  });
  return out;
}

/** Sighash the counterparty signs (SIGHASH_SINGLE|ANYONECANPAY) and sends in `commitment_signed`. */
export function remoteHtlcSighash(htlcTx: HtlcTransaction): Uint8Array {
  return scriptPathSighash(htlcTx.tx, 0, [htlcTx.spent], htlcTx.leaf.script, SIGHASH_SINGLE_ANYONECANPAY);
}

/** Sighash the holder signs (SIGHASH_DEFAULT) when broadcasting the transaction as built. */
export function localHtlcSighash(htlcTx: HtlcTransaction): Uint8Array {
  return scriptPathSighash(htlcTx.tx, 0, [htlcTx.spent], htlcTx.leaf.script, SIGHASH_DEFAULT);
}
