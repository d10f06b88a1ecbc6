/**
 * BIP341/342 signature hashes and BIP340 signatures for the inputs of channel transactions: key-path
 * spends (with the taproot-tweaked private key) and tapscript leaf spends (with the untweaked key).
 * Signatures carry the sighash byte only when it is not SIGHASH_DEFAULT, as BIP341 requires.
 *
 * It is not MuSig2 (the funding key's signatures are aggregated by a BIP327 session over
 * `keyPathSighash`) and does not assemble witnesses (witness.ts).
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki#common-signature-message
 *       https://github.com/bitcoin/bips/blob/master/bip-0342.mediawiki#signature-validation
 *       bolt-simple-taproot.md "SIGHASH_ALL vs SIGHASH_DEFAULT", "HTLC Second Level Transactions"
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { Transaction } from '@scure/btc-signer';
import { taprootTweakPrivKey } from '@scure/btc-signer/utils.js';
import { TAPSCRIPT_LEAF_VERSION } from './tapscript-output.js';
import { serializeUnsigned, type TxOutput, type UnsignedTransaction } from './transaction.js';

/** Commits to the whole transaction; the signature stays 64 bytes. */
export const SIGHASH_DEFAULT = 0x00;
/** What a counterparty's HTLC signature commits to, so the holder can add fee inputs and outputs. */
export const SIGHASH_SINGLE_ANYONECANPAY = 0x83;

const TAPROOT_SIGHASHES = new Set([0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83]);

function assertHashType(hashType: number): void {
  if (!TAPROOT_SIGHASHES.has(hashType)) throw new RangeError(`"hashType" expected a BIP341 sighash type, got ${hashType}`);
}

function sighash(
  tx: UnsignedTransaction,
  inputIndex: number,
  spent: readonly TxOutput[],
  hashType: number,
  leafScript?: Uint8Array,
): Uint8Array {
  assertHashType(hashType);
  if (!Number.isInteger(inputIndex) || inputIndex < 0 || inputIndex >= tx.inputs.length)
    throw new RangeError(`"inputIndex" expected integer in [0, ${tx.inputs.length - 1}], got ${inputIndex}`);
  if (spent.length !== tx.inputs.length)
    throw new RangeError(`"spent" expected one output per input (${tx.inputs.length}), got ${spent.length}`);
  const parsed = Transaction.fromRaw(serializeUnsigned(tx), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
  return parsed.preimageWitnessV1(
    inputIndex,
    spent.map((o) => o.pkScript),
    hashType,
    spent.map((o) => o.amountSat),
    undefined,
    leafScript,
    leafScript ? TAPSCRIPT_LEAF_VERSION : undefined,
  );
}

/** BIP341 key-path sighash of `inputIndex`; `spent` lists the output every input spends, in input order. */
export function keyPathSighash(tx: UnsignedTransaction, inputIndex: number, spent: readonly TxOutput[], hashType = SIGHASH_DEFAULT): Uint8Array {
  return sighash(tx, inputIndex, spent, hashType);
}

/** BIP342 sighash of `inputIndex` spending through tapscript `leafScript` (leaf version 0xc0). */
export function scriptPathSighash(
  tx: UnsignedTransaction,
  inputIndex: number,
  spent: readonly TxOutput[],
  leafScript: Uint8Array,
  hashType = SIGHASH_DEFAULT,
): Uint8Array {
  return sighash(tx, inputIndex, spent, hashType, leafScript);
}

function withHashType(signature: Uint8Array, hashType: number): Uint8Array {
  if (hashType === SIGHASH_DEFAULT) return signature;
  const out = new Uint8Array(65);
  out.set(signature);
  out[64] = hashType;
  return out;
}

/**
 * Signs a tapscript leaf spend with the key named in the leaf (no taproot tweak). `auxRand` defaults
 * to fresh randomness (BIP340's recommendation); pass 32 zero bytes to reproduce deterministic vectors.
 */
export function signScriptPath(sighash: Uint8Array, privkey: Uint8Array, hashType = SIGHASH_DEFAULT, auxRand?: Uint8Array): Uint8Array {
  assertHashType(hashType);
  return withHashType(schnorr.sign(sighash, privkey, auxRand), hashType);
}

/**
 * Signs a key-path spend: the internal private key is tweaked with `tapscriptRoot` (and negated as
 * BIP341 requires), e.g. the revocation key sweeping a revoked HTLC or second-level output.
 */
export function signKeyPath(
  sighash: Uint8Array,
  internalPrivkey: Uint8Array,
  tapscriptRoot: Uint8Array,
  hashType = SIGHASH_DEFAULT,
  auxRand?: Uint8Array,
): Uint8Array {
  assertHashType(hashType);
  return withHashType(schnorr.sign(sighash, taprootTweakPrivKey(internalPrivkey, tapscriptRoot), auxRand), hashType);
}
