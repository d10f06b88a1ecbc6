/**
 * Simple taproot channel funding output: `OP_1 funding_key` where
 * `combined_funding_key = musig2.KeyAgg(musig2.KeySort(pubkey1, pubkey2))` and `funding_key` is its
 * BIP86 tweak (`+ tagged_hash("TapTweak", combined_funding_key)·G`), so the output commits to no
 * script path. Also exposes what a BIP327 signing session for that key needs: the sorted keys and the
 * x-only tweak.
 *
 * It is not the signing session itself (nonces, partial signatures: core/musig or
 * `@scure/btc-signer/musig2.js` directly) and not the funding transaction (wallet code).
 *
 * Spec: bolt-simple-taproot.md "Funding Transactions"; BIP327 KeySort/KeyAgg; BIP86.
 */
import { keyAggExport, keyAggregate, sortKeys } from '@scure/btc-signer/musig2.js';
import { p2tr } from '@scure/btc-signer/payment.js';
import { tagSchnorr, taprootTweakPubkey } from '@scure/btc-signer/utils.js';
import { _assertCompressedKey } from './tapscript-output.js';

export interface FundingOutput {
  /** Both funding pubkeys in KeySort order: the key list of every MuSig2 session on this output. */
  readonly sortedPubkeys: readonly [Uint8Array, Uint8Array];
  /** `combined_funding_key`: x-only MuSig2 aggregate, the taproot internal key. */
  readonly internalKey: Uint8Array;
  /** BIP86 tweak `tagged_hash("TapTweak", combined_funding_key)`, applied as an x-only tweak when signing. */
  readonly tweak: Uint8Array;
  /** 32-byte x-only output key `funding_key`. */
  readonly outputKey: Uint8Array;
  readonly outputKeyParity: 0 | 1;
  readonly pkScript: Uint8Array;
}

export function fundingOutput(localFundingPubkey: Uint8Array, remoteFundingPubkey: Uint8Array): FundingOutput {
  _assertCompressedKey(localFundingPubkey, 'localFundingPubkey');
  _assertCompressedKey(remoteFundingPubkey, 'remoteFundingPubkey');
  const [first, second] = sortKeys([localFundingPubkey, remoteFundingPubkey]) as [Uint8Array, Uint8Array];
  const internalKey = keyAggExport(keyAggregate([first, second]));
  const tweak = tagSchnorr('TapTweak', internalKey);
  const out = p2tr(internalKey);
  const [, parity] = taprootTweakPubkey(internalKey, new Uint8Array(0));
  return {
    sortedPubkeys: [first, second],
    internalKey,
    tweak,
    outputKey: out.tweakedPubkey,
    outputKeyParity: parity === 1 ? 1 : 0,
    pkScript: out.script,
  };
}
