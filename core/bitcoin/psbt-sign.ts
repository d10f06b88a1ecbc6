/**
 * PSBT Signer role: taproot key-path and script-path signatures through a signer callback (the
 * keystore lives elsewhere and never hands out keys), and ECDSA signatures from a private key for
 * the legacy and segwit v0 inputs Tapdesk only ever co-signs or imports.
 *
 * What this is: BIP174 signer checks (`psbt-check.ts`, sighash-type policy), BIP341 sighash
 * computation over the PSBT's prevouts, verification of what the callback returns, and insertion
 * of PSBT_IN_TAP_KEY_SIG / PSBT_IN_TAP_SCRIPT_SIG / PSBT_IN_PARTIAL_SIG.
 * What this is not: MuSig2 partial signing (core/musig) or finalization (`psbt.ts`).
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0174.mediawiki#signer
 *       https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki#common-signature-message
 *       https://github.com/bitcoin/bips/blob/master/bip-0371.mediawiki
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { Script, SigHash, Transaction } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import {
  concatBytes,
  equalBytes,
  hash160,
  pubECDSA,
  pubSchnorr,
  signSchnorr,
  taprootTweakPrivKey,
  taprootTweakPubkey,
} from '@scure/btc-signer/utils.js';
import { checkPsbtInput } from './psbt-check.js';
import { classifyScript, inputPrevout, PsbtError } from './psbt.js';

export const SIGHASH_DEFAULT = 0x00;
export const SIGHASH_ALL = 0x01;
/** BIP341 sighash types; anything else makes a taproot signature invalid. */
const TAPROOT_SIGHASH_TYPES = new Set([0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83]);

/** What the keystore is asked to sign: a BIP341 signature message digest for one key. */
export interface TaprootSignRequest {
  readonly inputIndex: number;
  readonly path: 'key' | 'script';
  /** The 32-byte BIP341 sighash (tagged "TapSighash") to sign with BIP340. */
  readonly sighash: Uint8Array;
  readonly sighashType: number;
  /** x-only key the signature must verify under: the tweaked output key, or the leaf's key. */
  readonly publicKey: Uint8Array;
  /** Key path only: the internal key and Merkle root the output key was tweaked from (empty root for BIP86). */
  readonly internalKey?: Uint8Array;
  readonly merkleRoot?: Uint8Array;
  /** Script path only: the leaf being satisfied. */
  readonly leafHash?: Uint8Array;
}

/** Returns a 64-byte BIP340 signature for the request, or throws when it will not sign. */
export type SchnorrSigner = (request: TaprootSignRequest) => Uint8Array;

export interface SignOptions {
  /**
   * Sighash types the signer accepts in PSBT_IN_SIGHASH_TYPE (BIP174: a signer must refuse
   * unacceptable ones). Default: SIGHASH_DEFAULT and SIGHASH_ALL, which commit to every output.
   */
  readonly allowedSighashTypes?: readonly number[];
  /**
   * ECDSA only: grind the RFC6979 nonce until R is 32 bytes, as Bitcoin Core does (one byte
   * smaller signatures). Default true; false gives plain RFC6979 signatures.
   */
  readonly grindLowR?: boolean;
}

export type SignOutcome = 'signed' | 'already-signed' | 'not-our-key';

function refuse(index: number, message: string): never {
  throw new PsbtError('PSBT_SIGN_REFUSED', `input ${index}: ${message}`);
}

function checkSignable(psbt: Transaction, index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index >= psbt.inputsLength)
    throw new RangeError(`"index" expected an input index below ${psbt.inputsLength}, got ${index}`);
  const issues = checkPsbtInput(psbt, index);
  if (issues.length) refuse(index, issues.map((i) => `${i.code}: ${i.message}`).join('; '));
  const input = psbt.getInput(index);
  if (input.finalScriptSig?.length || input.finalScriptWitness?.length) refuse(index, 'is already finalized');
}

function checkSighash(index: number, sighashType: number, options: SignOptions | undefined): void {
  const allowed = options?.allowedSighashTypes ?? [SIGHASH_DEFAULT, SIGHASH_ALL];
  if (!allowed.includes(sighashType)) refuse(index, `sighash type 0x${sighashType.toString(16)} is not accepted (allowed: ${allowed.join(', ')})`);
}

/** BIP341 commits to every spent output, so every input needs its amount and script. */
function allPrevouts(psbt: Transaction): { scripts: Uint8Array[]; amounts: bigint[] } {
  const scripts: Uint8Array[] = [];
  const amounts: bigint[] = [];
  for (let i = 0; i < psbt.inputsLength; i++) {
    const prevout = inputPrevout(psbt.getInput(i));
    if (!prevout) throw new PsbtError('PSBT_MISSING_UTXO', `input ${i} has no UTXO; a taproot signature commits to every spent output`);
    scripts.push(prevout.script);
    amounts.push(prevout.amount);
  }
  return { scripts, amounts };
}

function taprootContext(psbt: Transaction, index: number, options: SignOptions | undefined) {
  checkSignable(psbt, index);
  const input = psbt.getInput(index);
  const prevout = inputPrevout(input)!;
  if (classifyScript(prevout.script) !== 'p2tr') refuse(index, 'does not spend a taproot output');
  const sighashType = input.sighashType ?? SIGHASH_DEFAULT;
  if (!TAPROOT_SIGHASH_TYPES.has(sighashType)) refuse(index, `sighash type 0x${sighashType.toString(16)} is not valid for taproot`);
  checkSighash(index, sighashType, options);
  // OP_1 <32-byte x-only output key>.
  return { input, outputKey: prevout.script.subarray(2), sighashType, prevouts: allPrevouts(psbt) };
}

function checkedSignature(index: number, signature: Uint8Array, sighash: Uint8Array, publicKey: Uint8Array, sighashType: number): Uint8Array {
  if (signature.length !== 64 || !schnorr.verify(signature, sighash, publicKey))
    throw new PsbtError('PSBT_BAD_SIGNATURE', `input ${index}: the signer returned a signature that does not verify under ${hex.encode(publicKey)}`);
  // BIP341: SIGHASH_DEFAULT signatures are 64 bytes; any other type appends its byte.
  return sighashType === SIGHASH_DEFAULT ? signature : concatBytes(signature, new Uint8Array([sighashType]));
}

/**
 * Adds a BIP341 key-path signature (PSBT_IN_TAP_KEY_SIG) to a taproot input. The signer signs for
 * the output key tweaked from PSBT_IN_TAP_INTERNAL_KEY and PSBT_IN_TAP_MERKLE_ROOT.
 */
export function signTaprootKeyPath(psbt: Transaction, index: number, signer: SchnorrSigner, options?: SignOptions): SignOutcome {
  const { input, outputKey, sighashType, prevouts } = taprootContext(psbt, index, options);
  if (input.tapKeySig) return 'already-signed';
  if (!input.tapInternalKey) refuse(index, 'has no PSBT_IN_TAP_INTERNAL_KEY to sign the key path for');
  const sighash = psbt.preimageWitnessV1(index, prevouts.scripts, sighashType, prevouts.amounts);
  const signature = signer({
    inputIndex: index,
    path: 'key',
    sighash,
    sighashType,
    publicKey: outputKey,
    internalKey: input.tapInternalKey,
    merkleRoot: input.tapMerkleRoot ?? new Uint8Array(),
  });
  psbt.updateInput(index, { tapKeySig: checkedSignature(index, signature, sighash, outputKey, sighashType) }, true);
  return 'signed';
}

/**
 * Adds a BIP342 script-path signature (PSBT_IN_TAP_SCRIPT_SIG) by `publicKey` for the leaf with
 * hash `leafHash`, which must be listed in PSBT_IN_TAP_LEAF_SCRIPT.
 */
export function signTaprootScriptPath(
  psbt: Transaction,
  index: number,
  leaf: { readonly leafHash: Uint8Array; readonly publicKey: Uint8Array },
  signer: SchnorrSigner,
  options?: SignOptions,
): SignOutcome {
  const { input, sighashType, prevouts } = taprootContext(psbt, index, options);
  const entry = (input.tapLeafScript ?? []).find(([, s]) => equalBytes(tapLeafHash(s.subarray(0, -1), s[s.length - 1]), leaf.leafHash));
  if (!entry) refuse(index, `has no PSBT_IN_TAP_LEAF_SCRIPT for leaf ${hex.encode(leaf.leafHash)}`);
  const script = entry[1].subarray(0, -1);
  const leafVersion = entry[1][entry[1].length - 1]!;
  if (!pushes(index, script, [leaf.publicKey])) return 'not-our-key';
  if ((input.tapScriptSig ?? []).some(([k]) => equalBytes(k.pubKey, leaf.publicKey) && equalBytes(k.leafHash, leaf.leafHash)))
    return 'already-signed';
  const sighash = psbt.preimageWitnessV1(index, prevouts.scripts, sighashType, prevouts.amounts, -1, script, leafVersion);
  const signature = signer({ inputIndex: index, path: 'script', sighash, sighashType, publicKey: leaf.publicKey, leafHash: leaf.leafHash });
  const tapScriptSig = checkedSignature(index, signature, sighash, leaf.publicKey, sighashType);
  psbt.updateInput(index, { tapScriptSig: [[{ pubKey: leaf.publicKey, leafHash: leaf.leafHash }, tapScriptSig]] }, true);
  return 'signed';
}

/**
 * Adds an ECDSA partial signature (low-R, RFC6979) for `privateKey` to a P2PKH, P2WPKH, P2SH or
 * P2WSH input whose script contains the key or its hash. An input already carrying this key's
 * signature is left as it is, like Bitcoin Core's signer.
 */
export function signEcdsaInput(psbt: Transaction, index: number, privateKey: Uint8Array, options?: SignOptions): SignOutcome {
  checkSignable(psbt, index);
  const input = psbt.getInput(index);
  const prevout = inputPrevout(input)!;
  if (classifyScript(prevout.script) === 'p2tr') refuse(index, 'spends a taproot output; use a Schnorr signer');
  const pubkey = pubECDSA(privateKey);
  if ((input.partialSig ?? []).some(([k]) => equalBytes(k, pubkey))) return 'already-signed';
  if (!pushes(index, input.witnessScript ?? input.redeemScript ?? prevout.script, [pubkey, hash160(pubkey)])) return 'not-our-key';
  const sighashType = input.sighashType ?? SIGHASH_ALL;
  checkSighash(index, sighashType, options);
  try {
    if (options?.grindLowR === false) {
      // btc-signer fixes nonce grinding per Transaction, so plain RFC6979 signs on a copy.
      const plain = Transaction.fromPSBT(psbt.toPSBT(), { ...psbt.opts, lowR: false });
      plain.signIdx(privateKey, index, [sighashType as SigHash]);
      psbt.updateInput(index, { partialSig: plain.getInput(index).partialSig! }, true);
    } else psbt.signIdx(privateKey, index, [sighashType as SigHash]);
  } catch (err) {
    refuse(index, err instanceof Error ? err.message : String(err));
  }
  return 'signed';
}

/** Whether the script pushes one of `needles` (a key or its hash); an unparsable script is refused. */
function pushes(index: number, script: Uint8Array, needles: readonly Uint8Array[]): boolean {
  let ops;
  try {
    ops = Script.decode(script);
  } catch (err) {
    return refuse(index, `script does not parse: ${err instanceof Error ? err.message : String(err)}`);
  }
  return ops.some((op) => op instanceof Uint8Array && needles.some((n) => equalBytes(op, n)));
}

/**
 * A {@link SchnorrSigner} holding one private key: tweaks it for key-path requests whose internal
 * key is its own, signs script-path requests for its own x-only key, and refuses anything else.
 * `auxRand` fixes BIP340's auxiliary randomness (tests); by default it is fresh per signature.
 */
export function privateKeySchnorrSigner(privateKey: Uint8Array, auxRand?: Uint8Array): SchnorrSigner {
  const own = pubSchnorr(privateKey);
  return (request) => {
    if (request.path === 'key') {
      if (!request.internalKey || !equalBytes(request.internalKey, own)) throw new Error('key path: internal key is not this signer\'s key');
      const merkleRoot = request.merkleRoot ?? new Uint8Array();
      const [outputKey] = taprootTweakPubkey(own, merkleRoot);
      if (!equalBytes(outputKey, request.publicKey)) throw new Error('key path: tweaked key does not match the requested output key');
      return signSchnorr(request.sighash, taprootTweakPrivKey(privateKey, merkleRoot), auxRand);
    }
    if (!equalBytes(request.publicKey, own)) throw new Error('script path: requested key is not this signer\'s key');
    return signSchnorr(request.sighash, privateKey, auxRand);
  };
}
