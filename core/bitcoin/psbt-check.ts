/**
 * Signer-side consistency checks of PSBT inputs (BIP174 "Signer" rules, BIP371 taproot
 * commitments): the UTXO a signature would commit to must be present and must be the one the
 * scripts in the PSBT claim to spend.
 *
 * What this is: pure checks returning issues as data; `psbt-sign.ts` refuses to sign an input with
 * any. Decoding already rejected a non-witness UTXO whose txid or output does not match the
 * outpoint (`psbt-fields.ts`), so those are not repeated here.
 * What this is not: a script interpreter — it checks hashes and tweaks, not satisfiability.
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0174.mediawiki#signer
 *       https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki (output key = P + t·G)
 */
import { hex } from '@scure/base';
import { OutScript, type Transaction } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import type { TransactionInput } from '@scure/btc-signer/psbt.js';
import { compareBytes, equalBytes, hash160, sha256, tagSchnorr, taprootTweakPubkey } from '@scure/btc-signer/utils.js';
import { inputPrevout } from './psbt.js';

export type PsbtInputIssueCode =
  | 'MISSING_UTXO'
  | 'WITNESS_UTXO_FOR_NON_WITNESS_INPUT'
  | 'MISSING_REDEEM_SCRIPT'
  | 'REDEEM_SCRIPT_MISMATCH'
  | 'MISSING_WITNESS_SCRIPT'
  | 'WITNESS_SCRIPT_MISMATCH'
  | 'TAPROOT_KEY_MISMATCH'
  | 'TAPROOT_LEAF_MISMATCH';

export interface PsbtInputIssue {
  readonly input: number;
  readonly code: PsbtInputIssueCode;
  readonly message: string;
}

/** The script shapes the checks look into; everything else is opaque to them. */
type Decoded =
  | { readonly type: 'sh' | 'wsh' | 'wpkh'; readonly hash: Uint8Array }
  | { readonly type: 'tr'; readonly pubkey: Uint8Array }
  | { readonly type: 'other' };

function decodeScript(script: Uint8Array): Decoded | null {
  try {
    const decoded = OutScript.decode(script);
    if (decoded.type === 'sh' || decoded.type === 'wsh' || decoded.type === 'wpkh') return { type: decoded.type, hash: decoded.hash };
    if (decoded.type === 'tr') return { type: 'tr', pubkey: decoded.pubkey };
    return { type: 'other' };
  } catch {
    return null;
  }
}

/** Issues of one input; an empty list means a signer may use it. Finalized inputs have none. */
export function checkPsbtInput(psbt: Transaction, index: number): PsbtInputIssue[] {
  const input = psbt.getInput(index);
  if (input.finalScriptSig?.length || input.finalScriptWitness?.length) return [];
  const issues: PsbtInputIssue[] = [];
  const issue = (code: PsbtInputIssueCode, message: string) => issues.push({ input: index, code, message: `input ${index}: ${message}` });

  const prevout = inputPrevout(input);
  if (!prevout) {
    issue('MISSING_UTXO', 'neither PSBT_IN_WITNESS_UTXO nor PSBT_IN_NON_WITNESS_UTXO is present');
    return issues;
  }
  const top = decodeScript(prevout.script);
  let inner = top;
  if (top?.type === 'sh') {
    if (!input.redeemScript) issue('MISSING_REDEEM_SCRIPT', 'spends P2SH but has no PSBT_IN_REDEEM_SCRIPT');
    else if (!equalBytes(hash160(input.redeemScript), top.hash))
      issue('REDEEM_SCRIPT_MISMATCH', 'PSBT_IN_REDEEM_SCRIPT does not hash to the spent P2SH scriptPubKey');
    inner = input.redeemScript ? decodeScript(input.redeemScript) : null;
  }
  if (inner?.type === 'wsh') {
    if (!input.witnessScript) issue('MISSING_WITNESS_SCRIPT', 'spends P2WSH but has no PSBT_IN_WITNESS_SCRIPT');
    else if (!equalBytes(sha256(input.witnessScript), inner.hash))
      issue(
        'WITNESS_SCRIPT_MISMATCH',
        `PSBT_IN_WITNESS_SCRIPT does not hash to the ${top?.type === 'sh' ? 'P2WSH program in the redeem script' : 'spent P2WSH scriptPubKey'}`,
      );
  }
  const witnessProgram = inner?.type === 'wpkh' || inner?.type === 'wsh' || inner?.type === 'tr';
  // BIP174: a witness UTXO alone cannot be trusted for a non-witness signature (its amount is not
  // committed to), so such an input needs the full previous transaction.
  if (!witnessProgram && !input.nonWitnessUtxo && (top?.type !== 'sh' || input.redeemScript))
    issue('WITNESS_UTXO_FOR_NON_WITNESS_INPUT', 'a non-witness spend needs PSBT_IN_NON_WITNESS_UTXO, only PSBT_IN_WITNESS_UTXO is present');
  if (top?.type === 'tr') checkTaproot(input, top.pubkey, issue);
  return issues;
}

function checkTaproot(input: TransactionInput, outputKey: Uint8Array, issue: (code: PsbtInputIssueCode, message: string) => void): void {
  const leaves = input.tapLeafScript ?? [];
  if (input.tapInternalKey && (input.tapMerkleRoot || !leaves.length)) {
    const [tweaked] = taprootTweakPubkey(input.tapInternalKey, input.tapMerkleRoot ?? new Uint8Array());
    if (!equalBytes(tweaked, outputKey))
      issue('TAPROOT_KEY_MISMATCH', 'PSBT_IN_TAP_INTERNAL_KEY tweaked by PSBT_IN_TAP_MERKLE_ROOT is not the spent output key');
  }
  for (const [cb, scriptWithVersion] of leaves) {
    const leafVersion = scriptWithVersion[scriptWithVersion.length - 1]!;
    let node = tapLeafHash(scriptWithVersion.subarray(0, -1), leafVersion);
    // BIP341: branches hash their two children in lexicographic order.
    for (const sibling of cb.merklePath)
      node = compareBytes(sibling, node) < 0 ? tagSchnorr('TapBranch', sibling, node) : tagSchnorr('TapBranch', node, sibling);
    const [tweaked, parity] = taprootTweakPubkey(cb.internalKey, node);
    if (!equalBytes(tweaked, outputKey) || parity !== (cb.version & 1))
      issue('TAPROOT_LEAF_MISMATCH', `control block for leaf ${hex.encode(tapLeafHash(scriptWithVersion.subarray(0, -1), leafVersion))} does not commit to the spent output key`);
  }
}

/** Issues of every input, in input order. */
export function checkPsbtInputs(psbt: Transaction): PsbtInputIssue[] {
  const issues: PsbtInputIssue[] = [];
  for (let i = 0; i < psbt.inputsLength; i++) issues.push(...checkPsbtInput(psbt, i));
  return issues;
}
