/**
 * BOLT 3 obscured commitment number: the 48-bit commitment number XORed with the lower 48 bits of
 * SHA256(opener payment_basepoint || accepter payment_basepoint), split across the commitment
 * transaction's locktime (0x20 marker, low 24 bits) and input sequence (0x80 marker, high 24 bits).
 *
 * It is not the shachain index (shachain.ts counts down from 2^48 - 1, this counts up from 0) and it
 * does not build the transaction (taproot/commitment.ts).
 *
 * Spec: https://github.com/lightning/bolts/blob/master/03-transactions.md#commitment-transaction
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { DecodeError } from '../bitcoin/errors.js';

export const MAX_COMMITMENT_NUMBER = 2 ** 48 - 1;

const LOW = 2 ** 24;
const LOCKTIME_MARKER = 0x20;
const SEQUENCE_MARKER = 0x80;

function assert48(value: number, title: string): void {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_COMMITMENT_NUMBER)
    throw new RangeError(`"${title}" expected integer in [0, 2^48-1], got ${value}`);
}

function assertPoint(bytes: Uint8Array, title: string): void {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 33)
    throw new TypeError(`"${title}" expected 33-byte compressed point, got ${bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes}`);
}

/** Lower 48 bits of SHA256(payment_basepoint from open_channel || payment_basepoint from accept_channel). */
export function commitmentObscuringFactor(openerPaymentBasepoint: Uint8Array, accepterPaymentBasepoint: Uint8Array): number {
  assertPoint(openerPaymentBasepoint, 'openerPaymentBasepoint');
  assertPoint(accepterPaymentBasepoint, 'accepterPaymentBasepoint');
  const data = new Uint8Array(66);
  data.set(openerPaymentBasepoint, 0);
  data.set(accepterPaymentBasepoint, 33);
  const h = sha256(data);
  let factor = 0;
  for (let i = 26; i < 32; i++) factor = factor * 256 + h[i]!;
  return factor;
}

/** XOR of two 48-bit values (JS bitwise operators stop at 32 bits, so each 24-bit half separately). */
export function obscureCommitmentNumber(commitmentNumber: number, obscuringFactor: number): number {
  assert48(commitmentNumber, 'commitmentNumber');
  assert48(obscuringFactor, 'obscuringFactor');
  const hi = (Math.floor(commitmentNumber / LOW) ^ Math.floor(obscuringFactor / LOW)) >>> 0;
  const lo = ((commitmentNumber % LOW) ^ (obscuringFactor % LOW)) >>> 0;
  return hi * LOW + lo;
}

/** The commitment transaction's locktime and its single input's sequence. */
export interface CommitmentTimelocks {
  readonly lockTime: number;
  readonly sequence: number;
}

export function encodeObscuredCommitmentNumber(obscured: number): CommitmentTimelocks {
  assert48(obscured, 'obscured');
  return {
    lockTime: LOCKTIME_MARKER * LOW + (obscured % LOW),
    sequence: SEQUENCE_MARKER * LOW + Math.floor(obscured / LOW),
  };
}

/** Reads the obscured number back from an on-chain transaction; DecodeError if it is not a commitment's encoding. */
export function decodeObscuredCommitmentNumber(lockTime: number, sequence: number): number {
  for (const [title, value] of [['lockTime', lockTime], ['sequence', sequence]] as const)
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff)
      throw new DecodeError('commitment-number-range', `"${title}" expected u32, got ${value}`);
  if (Math.floor(lockTime / LOW) !== LOCKTIME_MARKER)
    throw new DecodeError('commitment-number-marker', `"lockTime" expected upper byte 0x20, got 0x${Math.floor(lockTime / LOW).toString(16)}`);
  if (Math.floor(sequence / LOW) !== SEQUENCE_MARKER)
    throw new DecodeError('commitment-number-marker', `"sequence" expected upper byte 0x80, got 0x${Math.floor(sequence / LOW).toString(16)}`);
  return (sequence % LOW) * LOW + (lockTime % LOW);
}
