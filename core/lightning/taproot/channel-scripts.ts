/**
 * Simple taproot channel output scripts, exactly as the proposal defines them: `to_local`,
 * `to_remote`, the two anchors, offered and accepted HTLCs, and the output of second-level
 * HTLC-success / HTLC-timeout transactions. Each builder returns the full `TaprootOutput` (leaf
 * scripts, tapleaf hashes, root, output key, control blocks); keys are the per-commitment keys of
 * keys.ts, named from the point of view of the commitment's owner ("local").
 *
 * It is not the funding output (funding.ts), the transactions (commitment.ts, htlc-transactions.ts)
 * or the witnesses (witness.ts).
 *
 * Spec: bolt-simple-taproot.md "Commitment Transactions", "HTLC Scripts & Transactions"
 *       (lightning/bolts PR #995). Where its prose disagrees with itself — the `to_remote` section
 *       names another NUMS point and a funding-key control block — the "Nothing Up My Sleeves
 *       Points" section and the test vectors win: every NUMS-keyed output uses `simple_taproot_nums`.
 */
import { hex } from '@scure/base';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { Script, type ScriptType } from '@scure/btc-signer/script.js';
import { _assertCompressedKey, taprootOutput, type TaprootOutput } from './tapscript-output.js';

/** `simple_taproot_nums`, generated from the seed "Lightning Simple Taproot"; nobody knows its discrete log. */
export const SIMPLE_TAPROOT_NUMS_HEX = '02dca094751109d0bd055d03565874e8276dd53e926b44e3bd1bb6bf4bc130a279';

const ANCHOR_CSV = 16;
const MAX_CSV_BLOCKS = 0xffff;
const LOCKTIME_THRESHOLD = 500_000_000;

function assertCsv(value: number, title: string): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_CSV_BLOCKS)
    throw new RangeError(`"${title}" expected block count in [1, 65535], got ${value}`);
}

function assertHeight(value: number, title: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= LOCKTIME_THRESHOLD)
    throw new RangeError(`"${title}" expected block height in [0, 499999999], got ${value}`);
}

function assertHash(value: Uint8Array, title: string): void {
  if (!(value instanceof Uint8Array) || value.length !== 32)
    throw new TypeError(`"${title}" expected 32 bytes, got ${value instanceof Uint8Array ? `${value.length} bytes` : typeof value}`);
}

/** `OP_SIZE 32 OP_EQUALVERIFY OP_HASH160 <RIPEMD160(payment_hash)> OP_EQUALVERIFY`: only a 32-byte preimage passes. */
function preimageCheck(paymentHash: Uint8Array): ScriptType {
  return ['SIZE', 32, 'EQUALVERIFY', 'HASH160', ripemd160(paymentHash), 'EQUALVERIFY'];
}

export type ToLocalOutput = TaprootOutput<'delay' | 'revoke'>;
export type ToRemoteOutput = TaprootOutput<'settle'>;
export type AnchorOutput = TaprootOutput<'sweep'>;
export type HtlcOutput = TaprootOutput<'timeout' | 'success'>;
export type SecondLevelHtlcOutput = TaprootOutput<'delay'>;

export interface ToLocalKeys {
  readonly localDelayedPubkey: Uint8Array;
  readonly revocationPubkey: Uint8Array;
  readonly toSelfDelay: number;
}

/**
 * `to_local`: NUMS internal key (no key path), leaves
 * delay  = `<local_delayedpubkey> OP_CHECKSIGVERIFY <to_self_delay> OP_CHECKSEQUENCEVERIFY`,
 * revoke = `<local_delayedpubkey> OP_DROP <revocation_pubkey> OP_CHECKSIG` (the no-op push reveals
 * the delayed key on chain, which the local anchor's sweepers need).
 */
export function toLocalOutput({ localDelayedPubkey, revocationPubkey, toSelfDelay }: ToLocalKeys): ToLocalOutput {
  _assertCompressedKey(localDelayedPubkey, 'localDelayedPubkey');
  _assertCompressedKey(revocationPubkey, 'revocationPubkey');
  assertCsv(toSelfDelay, 'toSelfDelay');
  return taprootOutput(hex.decode(SIMPLE_TAPROOT_NUMS_HEX), [
    ['delay', Script.encode([localDelayedPubkey.subarray(1), 'CHECKSIGVERIFY', toSelfDelay, 'CHECKSEQUENCEVERIFY'])],
    ['revoke', Script.encode([localDelayedPubkey.subarray(1), 'DROP', revocationPubkey.subarray(1), 'CHECKSIG'])],
  ]);
}

/** `to_remote`: NUMS internal key, one leaf `<remotepubkey> OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY`. */
export function toRemoteOutput(remotePubkey: Uint8Array): ToRemoteOutput {
  _assertCompressedKey(remotePubkey, 'remotePubkey');
  return taprootOutput(hex.decode(SIMPLE_TAPROOT_NUMS_HEX), [
    ['settle', Script.encode([remotePubkey.subarray(1), 'CHECKSIGVERIFY', 1, 'CHECKSEQUENCEVERIFY'])],
  ]);
}

/**
 * Anchor keyed on `local_delayedpubkey` (local anchor) or `remotepubkey` (remote anchor): the owner
 * spends by key path at once, anyone by the `OP_16 OP_CHECKSEQUENCEVERIFY` leaf after 16 blocks.
 */
export function anchorOutput(anchorKey: Uint8Array): AnchorOutput {
  _assertCompressedKey(anchorKey, 'anchorKey');
  return taprootOutput(anchorKey, [['sweep', Script.encode([ANCHOR_CSV, 'CHECKSEQUENCEVERIFY'])]]);
}

export interface HtlcKeys {
  readonly revocationPubkey: Uint8Array;
  readonly localHtlcPubkey: Uint8Array;
  readonly remoteHtlcPubkey: Uint8Array;
  readonly paymentHash: Uint8Array;
}

/**
 * HTLC offered by the commitment's owner; revocation key as internal key, leaves
 * timeout = `<local_htlcpubkey> OP_CHECKSIGVERIFY <remote_htlcpubkey> OP_CHECKSIG` (HTLC-timeout tx),
 * success = preimage check, `<remote_htlcpubkey> OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY`.
 */
export function offeredHtlcOutput({ revocationPubkey, localHtlcPubkey, remoteHtlcPubkey, paymentHash }: HtlcKeys): HtlcOutput {
  _assertCompressedKey(revocationPubkey, 'revocationPubkey');
  _assertCompressedKey(localHtlcPubkey, 'localHtlcPubkey');
  _assertCompressedKey(remoteHtlcPubkey, 'remoteHtlcPubkey');
  assertHash(paymentHash, 'paymentHash');
  return taprootOutput(revocationPubkey, [
    ['timeout', Script.encode([localHtlcPubkey.subarray(1), 'CHECKSIGVERIFY', remoteHtlcPubkey.subarray(1), 'CHECKSIG'])],
    ['success', Script.encode([...preimageCheck(paymentHash), remoteHtlcPubkey.subarray(1), 'CHECKSIGVERIFY', 1, 'CHECKSEQUENCEVERIFY'])],
  ]);
}

/**
 * HTLC accepted by the commitment's owner; revocation key as internal key, leaves
 * timeout = `<remote_htlcpubkey> OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY OP_VERIFY <cltv_expiry> OP_CHECKLOCKTIMEVERIFY`,
 * success = preimage check, `<local_htlcpubkey> OP_CHECKSIGVERIFY <remote_htlcpubkey> OP_CHECKSIG` (HTLC-success tx).
 */
export function acceptedHtlcOutput({ cltvExpiry, ...keys }: HtlcKeys & { readonly cltvExpiry: number }): HtlcOutput {
  const { revocationPubkey, localHtlcPubkey, remoteHtlcPubkey, paymentHash } = keys;
  _assertCompressedKey(revocationPubkey, 'revocationPubkey');
  _assertCompressedKey(localHtlcPubkey, 'localHtlcPubkey');
  _assertCompressedKey(remoteHtlcPubkey, 'remoteHtlcPubkey');
  assertHash(paymentHash, 'paymentHash');
  assertHeight(cltvExpiry, 'cltvExpiry');
  return taprootOutput(revocationPubkey, [
    ['timeout', Script.encode([remoteHtlcPubkey.subarray(1), 'CHECKSIGVERIFY', 1, 'CHECKSEQUENCEVERIFY', 'VERIFY', cltvExpiry, 'CHECKLOCKTIMEVERIFY'])],
    ['success', Script.encode([...preimageCheck(paymentHash), localHtlcPubkey.subarray(1), 'CHECKSIGVERIFY', remoteHtlcPubkey.subarray(1), 'CHECKSIG'])],
  ]);
}

/**
 * Output of an HTLC-success or HTLC-timeout transaction (the same for both): revocation key as
 * internal key, one leaf `<local_delayedpubkey> OP_CHECKSIGVERIFY <to_self_delay> OP_CHECKSEQUENCEVERIFY`.
 */
export function secondLevelHtlcOutput({ localDelayedPubkey, revocationPubkey, toSelfDelay }: ToLocalKeys): SecondLevelHtlcOutput {
  _assertCompressedKey(localDelayedPubkey, 'localDelayedPubkey');
  _assertCompressedKey(revocationPubkey, 'revocationPubkey');
  assertCsv(toSelfDelay, 'toSelfDelay');
  return taprootOutput(revocationPubkey, [
    ['delay', Script.encode([localDelayedPubkey.subarray(1), 'CHECKSIGVERIFY', toSelfDelay, 'CHECKSEQUENCEVERIFY'])],
  ]);
}
