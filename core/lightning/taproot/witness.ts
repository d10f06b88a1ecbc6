/**
 * Witness stacks for every way a simple taproot channel output is spent: the key path (funding,
 * revocation sweeps, anchor owner) and each tapscript leaf (`<inputs…> <leaf_script> <control_block>`).
 * Stacks are listed bottom first, as serialized; the last signature listed is the first one the
 * leaf's `OP_CHECKSIGVERIFY` consumes.
 *
 * It does not sign (signing.ts) and does not know which sequence or locktime a spend needs; those are
 * the transaction's: `to_local` delay and second-level delay need `nSequence = to_self_delay`,
 * `to_remote`, the offered-HTLC success path and the accepted-HTLC timeout path need `nSequence >= 1`,
 * the anchor sweep needs 16, the accepted-HTLC timeout path also needs `nLockTime >= cltv_expiry`.
 *
 * Spec: bolt-simple-taproot.md "Taproot Key Path Spends", "Taproot Script Path Spends", and the
 *       witness given for each output in "Commitment Transactions" and "HTLC Scripts & Transactions".
 */
import type {
  AnchorOutput,
  HtlcOutput,
  SecondLevelHtlcOutput,
  ToLocalOutput,
  ToRemoteOutput,
} from './channel-scripts.js';
import type { TapLeaf } from './tapscript-output.js';
import type { Witness } from './transaction.js';

function signature(sig: Uint8Array, title: string): Uint8Array {
  if (!(sig instanceof Uint8Array) || (sig.length !== 64 && sig.length !== 65))
    throw new TypeError(`"${title}" expected 64- or 65-byte Schnorr signature, got ${sig instanceof Uint8Array ? `${sig.length} bytes` : typeof sig}`);
  return sig;
}

function preimage(value: Uint8Array): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== 32)
    throw new TypeError(`"preimage" expected 32 bytes, got ${value instanceof Uint8Array ? `${value.length} bytes` : typeof value}`);
  return value;
}

function leafSpend(leaf: TapLeaf, inputs: Uint8Array[]): Witness {
  return [...inputs, leaf.script, leaf.controlBlock];
}

/** `<key_path_sig>`: funding (MuSig2 aggregate), revocation sweeps of HTLC and second-level outputs, anchor by its owner. */
export function keyPathWitness(sig: Uint8Array): Witness {
  return [signature(sig, 'sig')];
}

/** `<local_delayedsig> <to_delay_script> <delay_control_block>`. */
export function toLocalDelayWitness(out: ToLocalOutput, localDelayedSig: Uint8Array): Witness {
  return leafSpend(out.leaves.delay, [signature(localDelayedSig, 'localDelayedSig')]);
}

/** `<revoke_sig> <revoke_script> <revoke_control_block>`: the penalty path on a revoked commitment. */
export function toLocalRevokeWitness(out: ToLocalOutput, revocationSig: Uint8Array): Witness {
  return leafSpend(out.leaves.revoke, [signature(revocationSig, 'revocationSig')]);
}

/** `<remote_sig> <to_remote_script> <to_remote_control_block>`. */
export function toRemoteWitness(out: ToRemoteOutput, remoteSig: Uint8Array): Witness {
  return leafSpend(out.leaves.settle, [signature(remoteSig, 'remoteSig')]);
}

/** `<anchor_script> <anchor_control_block>`: anyone, after 16 blocks. */
export function anchorSweepWitness(out: AnchorOutput): Witness {
  return leafSpend(out.leaves.sweep, []);
}

/** Offered HTLC timeout path (HTLC-timeout transaction): `<remote_htlcsig> <local_htlcsig> <htlc_timeout> <control_block>`. */
export function offeredHtlcTimeoutWitness(out: HtlcOutput, remoteHtlcSig: Uint8Array, localHtlcSig: Uint8Array): Witness {
  return leafSpend(out.leaves.timeout, [signature(remoteHtlcSig, 'remoteHtlcSig'), signature(localHtlcSig, 'localHtlcSig')]);
}

/** Offered HTLC success path (the counterparty claims with the preimage): `<remote_htlcsig> <preimage> <htlc_success> <control_block>`. */
export function offeredHtlcSuccessWitness(out: HtlcOutput, remoteHtlcSig: Uint8Array, paymentPreimage: Uint8Array): Witness {
  return leafSpend(out.leaves.success, [signature(remoteHtlcSig, 'remoteHtlcSig'), preimage(paymentPreimage)]);
}

/** Accepted HTLC success path (HTLC-success transaction): `<remote_htlcsig> <local_htlcsig> <preimage> <htlc_success> <control_block>`. */
export function acceptedHtlcSuccessWitness(
  out: HtlcOutput,
  remoteHtlcSig: Uint8Array,
  localHtlcSig: Uint8Array,
  paymentPreimage: Uint8Array,
): Witness {
  return leafSpend(out.leaves.success, [
    signature(remoteHtlcSig, 'remoteHtlcSig'),
    signature(localHtlcSig, 'localHtlcSig'),
    preimage(paymentPreimage),
  ]);
}

/** Accepted HTLC timeout path (the counterparty reclaims after expiry): `<remote_htlcsig> <htlc_timeout> <control_block>`. */
export function acceptedHtlcTimeoutWitness(out: HtlcOutput, remoteHtlcSig: Uint8Array): Witness {
  return leafSpend(out.leaves.timeout, [signature(remoteHtlcSig, 'remoteHtlcSig')]);
}

/** Second-level output after the delay: `<local_delayedsig> <htlc_delay_script> <control_block>`. */
export function secondLevelDelayWitness(out: SecondLevelHtlcOutput, localDelayedSig: Uint8Array): Witness {
  return leafSpend(out.leaves.delay, [signature(localDelayedSig, 'localDelayedSig')]);
}
