/**
 * The unsigned channel transactions this package builds (commitment, HTLC-success, HTLC-timeout) as
 * plain immutable data — storable in channel state, comparable in tests — with their txid and their
 * serialization once witnesses are known. Encoding is @scure/btc-signer's `RawTx`.
 *
 * It is not a general wallet transaction model (no PSBT, no scriptSig: every input here is segwit
 * v1) and does not compute sighashes (signing.ts).
 */
import { hex } from '@scure/base';
import { RawTx } from '@scure/btc-signer/script.js';
import { sha256 } from '@noble/hashes/sha2.js';

export interface TxInput {
  /** Spent transaction id, 64 hex characters in the usual display (reversed) order. */
  readonly txid: string;
  readonly index: number;
  readonly sequence: number;
}

export interface TxOutput {
  readonly amountSat: bigint;
  readonly pkScript: Uint8Array;
}

export interface UnsignedTransaction {
  readonly version: number;
  readonly lockTime: number;
  readonly inputs: readonly TxInput[];
  readonly outputs: readonly TxOutput[];
}

/** Witness stack per input, bottom of the stack first. */
export type Witness = readonly Uint8Array[];

function raw(tx: UnsignedTransaction, witnesses?: readonly Witness[]): Uint8Array {
  if (witnesses && witnesses.length !== tx.inputs.length)
    throw new RangeError(`"witnesses" expected one stack per input (${tx.inputs.length}), got ${witnesses.length}`);
  return RawTx.encode({
    version: tx.version,
    segwitFlag: witnesses !== undefined,
    inputs: tx.inputs.map((i) => ({ txid: hex.decode(i.txid), index: i.index, finalScriptSig: new Uint8Array(0), sequence: i.sequence })),
    outputs: tx.outputs.map((o) => ({ amount: o.amountSat, script: o.pkScript })),
    witnesses: witnesses?.map((w) => [...w]),
    lockTime: tx.lockTime,
  });
}

/** Serialization without witnesses: what the txid commits to. */
export function serializeUnsigned(tx: UnsignedTransaction): Uint8Array {
  return raw(tx);
}

/** Network serialization with one witness stack per input. */
export function serializeSigned(tx: UnsignedTransaction, witnesses: readonly Witness[]): Uint8Array {
  return raw(tx, witnesses);
}

/** Display-order txid: double SHA256 of the witness-less serialization, reversed. */
export function transactionId(tx: UnsignedTransaction): string {
  return hex.encode(sha256(sha256(raw(tx))).reverse());
}
