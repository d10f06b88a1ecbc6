/**
 * Partially Signed Bitcoin Transactions (v0 and v2): decode from base64, hex or bytes, encode,
 * combine, finalize, extract, and a plain-data summary for review screens.
 *
 * What this is: the wallet's PSBT boundary over @scure/btc-signer's `Transaction`. Untrusted bytes
 * first pass `psbt-fields.ts` (framing and field rules, stable `DecodeError` codes), then btc-signer
 * decodes them with unknown and proprietary records kept (BIP174: a PSBT must round-trip them).
 * Operations on a decoded PSBT fail with {@link PsbtError}.
 * What this is not: signing (`psbt-sign.ts`), signer-side consistency checks (`psbt-check.ts`), or
 * transaction building (core/wallet).
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0174.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0370.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0371.mediawiki
 */
import { base64, hex } from '@scure/base';
import { OutScript, Transaction, type TxOpts } from '@scure/btc-signer';
import {
  TaprootControlBlock,
  type TransactionInput,
  type TransactionInputUpdate,
  type TransactionOutput,
  type TransactionOutputUpdate,
} from '@scure/btc-signer/psbt.js';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { sha256x2 } from '@scure/btc-signer/utils.js';
import { scriptPubKeyToAddress } from './address.js';
import { DecodeError, decoding } from './errors.js';
import type { Network } from './networks.js';
import { readPsbtMaps } from './psbt-fields.js';
import { type InputSpend, transactionWeight, weightToVsize } from './tx-size.js';

export type { PsbtDecodeCode } from './psbt-fields.js';

/** What can go wrong operating on an already decoded PSBT. */
export type PsbtErrorCode =
  | 'PSBT_COMBINE_MISMATCH'
  | 'PSBT_UPDATE_REJECTED'
  | 'PSBT_FINALIZE_FAILED'
  | 'PSBT_NOT_FINALIZED'
  | 'PSBT_SIGN_REFUSED'
  | 'PSBT_BAD_SIGNATURE'
  | 'PSBT_MISSING_UTXO';

/** A refused PSBT operation (combine, sign, finalize, extract); `code` is stable for callers to branch on. */
export class PsbtError extends Error {
  override readonly name = 'PsbtError';
  constructor(
    readonly code: PsbtErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * btc-signer options for PSBTs that come from elsewhere: keep unknown and proprietary records
 * (BIP174), keep an absent PSBT_GLOBAL_TX_MODIFIABLE absent (byte-exact v2 round trips), accept any
 * output script and transaction version (decoding is not policy), grind low-R ECDSA signatures like
 * Bitcoin Core, and leave script consistency to `checkPsbtInputs`, which the signer runs.
 */
export const PSBT_TX_OPTIONS: Readonly<TxOpts> = Object.freeze({
  unknown: 'ignore',
  proprietary: 'ignore',
  allowMissingTxModifiable: false,
  allowUnknownOutputs: true,
  allowUnknownVersion: true,
  disableScriptCheck: true,
  lowR: true,
});

const HEX_PSBT = /^(?:[0-9a-fA-F]{2})+$/;

/**
 * Decodes a PSBT given as raw bytes, base64 text or hex text (v0 or v2). Throws {@link DecodeError}
 * with a `PSBT_*` code; the message names the map and field at fault.
 */
export function decodePsbt(input: string | Uint8Array): Transaction {
  const bytes = typeof input === 'string' ? psbtTextToBytes(input) : input;
  readPsbtMaps(bytes);
  return decoding('PSBT_INVALID', 'PSBT', () => Transaction.fromPSBT(bytes, PSBT_TX_OPTIONS));
}

function psbtTextToBytes(text: string): Uint8Array {
  const trimmed = text.trim();
  // Base64 PSBTs start "cHNidP8", never all-hex, so all-hex text is taken as hex.
  if (HEX_PSBT.test(trimmed)) return hex.decode(trimmed.toLowerCase());
  try {
    return base64.decode(trimmed);
  } catch (err) {
    throw new DecodeError('PSBT_BAD_ENCODING', `PSBT text is neither hex nor valid base64: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export interface PsbtDraft {
  /** Transaction version, 2 by default. */
  readonly txVersion?: number;
  /** nLockTime (PSBTv2: PSBT_GLOBAL_FALLBACK_LOCKTIME), 0 by default. */
  readonly lockTime?: number;
  /** Outpoints to spend; txid in the usual display (RPC) byte order. */
  readonly inputs: readonly { readonly txid: string; readonly vout: number; readonly sequence?: number }[];
  readonly outputs: readonly { readonly script: Uint8Array; readonly amount: bigint }[];
  /** PSBT version to produce, 0 by default. */
  readonly psbtVersion?: 0 | 2;
}

/**
 * BIP174/BIP370 Creator: a PSBT for the given outpoints and outputs, with empty input and output
 * maps for Updaters to fill. Sequences default to 0xffffffff like Bitcoin Core's createpsbt.
 */
export function createPsbt(draft: PsbtDraft): Transaction {
  const psbt = new Transaction({
    ...PSBT_TX_OPTIONS,
    version: draft.txVersion ?? 2,
    lockTime: draft.lockTime ?? 0,
    PSBTVersion: draft.psbtVersion ?? 0,
  });
  draft.inputs.forEach((input, i) => {
    if (!/^[0-9a-f]{64}$/.test(input.txid)) throw new TypeError(`"inputs[${i}].txid" expected 64 lowercase hex characters, got ${JSON.stringify(input.txid)}`);
    psbt.addInput({ txid: input.txid, index: input.vout, sequence: input.sequence ?? 0xffffffff });
  });
  for (const output of draft.outputs) psbt.addOutput({ script: output.script, amount: output.amount });
  return psbt;
}

/**
 * BIP174 Updater for one input: merges the given fields (UTXOs, scripts, derivations, taproot
 * fields, sighash type) into the input map. Fails with `PSBT_UPDATE_REJECTED` when a field
 * contradicts one already present or a signature already commits to it.
 */
export function updatePsbtInput(psbt: Transaction, index: number, update: TransactionInputUpdate): void {
  try {
    psbt.updateInput(index, update);
  } catch (err) {
    throw new PsbtError('PSBT_UPDATE_REJECTED', `input ${index} cannot be updated: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** BIP174 Updater for one output (scripts, derivations, taproot fields); see {@link updatePsbtInput}. */
export function updatePsbtOutput(psbt: Transaction, index: number, update: TransactionOutputUpdate): void {
  try {
    psbt.updateOutput(index, update);
  } catch (err) {
    throw new PsbtError('PSBT_UPDATE_REJECTED', `output ${index} cannot be updated: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Serializes a PSBT in its own version (v0 or v2). */
export function encodePsbt(psbt: Transaction): Uint8Array {
  return psbt.toPSBT();
}

/** Base64 form of {@link encodePsbt}, the usual text exchange format. */
export function encodePsbtBase64(psbt: Transaction): string {
  return base64.encode(psbt.toPSBT());
}

/**
 * BIP174 Combiner: merges PSBTs for the same unsigned transaction into a new one; the inputs are
 * not modified. Conflicting values for the same key fail with `PSBT_COMBINE_MISMATCH`.
 */
export function combinePsbts(psbts: readonly Transaction[]): Transaction {
  const [first, ...rest] = psbts;
  if (!first) throw new PsbtError('PSBT_COMBINE_MISMATCH', '"psbts" expected at least one PSBT, got 0');
  const combined = first.clone();
  rest.forEach((other, i) => {
    try {
      combined.combine(other);
    } catch (err) {
      throw new PsbtError('PSBT_COMBINE_MISMATCH', `PSBT ${i + 1} cannot be combined: ${err instanceof Error ? err.message : String(err)}`);
    }
  });
  return combined;
}

/**
 * BIP174 Input Finalizer for every input not yet final (key-path and supported script-path
 * taproot, P2WPKH, P2PKH, P2PK, multisig under P2SH/P2WSH). Fails with `PSBT_FINALIZE_FAILED`
 * naming the first input that lacks what it needs; inputs before it stay finalized.
 */
export function finalizePsbt(psbt: Transaction): void {
  for (let i = 0; i < psbt.inputsLength; i++) {
    if (inputStatus(psbt.getInput(i)) === 'finalized') continue;
    try {
      psbt.finalizeIdx(i);
    } catch (err) {
      throw new PsbtError('PSBT_FINALIZE_FAILED', `input ${i} cannot be finalized: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}

/** BIP174 Transaction Extractor: the network serialization of a fully finalized PSBT. */
export function extractTransaction(psbt: Transaction): Uint8Array {
  for (let i = 0; i < psbt.inputsLength; i++)
    if (inputStatus(psbt.getInput(i)) !== 'finalized') throw new PsbtError('PSBT_NOT_FINALIZED', `input ${i} is not finalized`);
  try {
    return psbt.extract();
  } catch (err) {
    throw new PsbtError('PSBT_NOT_FINALIZED', `transaction cannot be extracted: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// ---- summary ----------------------------------------------------------------------------------

export type ScriptType =
  | 'p2tr'
  | 'p2wpkh'
  | 'p2wsh'
  | 'p2sh'
  | 'p2sh-p2wpkh'
  | 'p2sh-p2wsh'
  | 'p2pkh'
  | 'p2pk'
  | 'p2ms'
  | 'op_return'
  | 'unknown';

export interface KeyOrigin {
  /** Public key as hex (33/65 bytes ECDSA, 32 bytes x-only for taproot). */
  readonly pubkey: string;
  /** Master key fingerprint, 8 hex characters. */
  readonly fingerprint: string;
  /** Derivation path, `m/86'/0'/0'/0/1` style. */
  readonly path: string;
}

export interface TaprootKeyOrigin extends KeyOrigin {
  /** Leaf hashes (hex) the key appears in; empty for the internal key. */
  readonly leafHashes: readonly string[];
}

export interface TaprootInputSummary {
  readonly internalKey: string | null;
  readonly merkleRoot: string | null;
  readonly keyPathSigned: boolean;
  readonly leaves: readonly { readonly leafHash: string; readonly leafVersion: number; readonly script: string; readonly controlBlock: string }[];
  readonly scriptPathSignatures: readonly { readonly pubkey: string; readonly leafHash: string }[];
  readonly derivations: readonly TaprootKeyOrigin[];
}

export interface PsbtInputSummary {
  readonly index: number;
  readonly prevout: { readonly txid: string; readonly vout: number };
  readonly sequence: number;
  /** Amount of the spent output, when the PSBT carries it. */
  readonly amount: bigint | null;
  /** scriptPubKey of the spent output as hex. */
  readonly script: string | null;
  readonly scriptType: ScriptType | null;
  readonly address: string | null;
  readonly utxo: 'witness' | 'non-witness' | 'both' | 'none';
  readonly sighashType: number | null;
  readonly status: 'unsigned' | 'signed' | 'finalized';
  /** ECDSA partial signatures present, by public key (hex). */
  readonly signedBy: readonly string[];
  readonly derivations: readonly KeyOrigin[];
  readonly taproot: TaprootInputSummary | null;
}

export interface PsbtOutputSummary {
  readonly index: number;
  readonly amount: bigint;
  readonly script: string;
  readonly scriptType: ScriptType;
  readonly address: string | null;
  readonly derivations: readonly KeyOrigin[];
  readonly taproot: {
    readonly internalKey: string | null;
    readonly tree: readonly { readonly depth: number; readonly leafVersion: number; readonly script: string }[];
    readonly derivations: readonly TaprootKeyOrigin[];
  } | null;
}

export interface PsbtSummary {
  readonly psbtVersion: 0 | 2;
  readonly txVersion: number;
  /** nLockTime the transaction will have (BIP370 "Determining Lock Time" for v2). */
  readonly lockTime: number;
  /** txid of the transaction without scriptSigs; the final txid when every input is segwit. */
  readonly unsignedTxid: string;
  readonly inputs: readonly PsbtInputSummary[];
  readonly outputs: readonly PsbtOutputSummary[];
  readonly totalIn: bigint | null;
  readonly totalOut: bigint;
  /** totalIn − totalOut, null while some input amount is unknown. */
  readonly fee: bigint | null;
  /** Weight once signed: exact for finalized inputs, estimated (largest standard signatures) otherwise. */
  readonly weight: number | null;
  readonly vsize: number | null;
  readonly vsizeEstimated: boolean;
  /** fee / vsize in sat/vB. */
  readonly feeRate: number | null;
  readonly finalized: boolean;
}

function inputStatus(input: TransactionInput): PsbtInputSummary['status'] {
  if (input.finalScriptSig?.length || input.finalScriptWitness?.length) return 'finalized';
  if (input.partialSig?.length || input.tapKeySig || input.tapScriptSig?.length) return 'signed';
  return 'unsigned';
}

/** The spent output an input commits to, from whichever UTXO record it carries. */
export function inputPrevout(input: TransactionInput): { amount: bigint; script: Uint8Array } | null {
  if (input.nonWitnessUtxo && input.index !== undefined) return input.nonWitnessUtxo.outputs[input.index] ?? null;
  return input.witnessUtxo ?? null;
}

/** Names a scriptPubKey's standard type; P2SH is refined by the redeem script when known. */
export function classifyScript(script: Uint8Array, redeemScript?: Uint8Array): ScriptType {
  let decoded;
  try {
    decoded = OutScript.decode(script);
  } catch {
    return script[0] === 0x6a ? 'op_return' : 'unknown';
  }
  switch (decoded.type) {
    case 'tr':
      return 'p2tr';
    case 'wpkh':
      return 'p2wpkh';
    case 'wsh':
      return 'p2wsh';
    case 'pkh':
      return 'p2pkh';
    case 'pk':
      return 'p2pk';
    case 'ms':
      return 'p2ms';
    case 'sh': {
      if (!redeemScript) return 'p2sh';
      const inner = classifyScript(redeemScript);
      return inner === 'p2wpkh' ? 'p2sh-p2wpkh' : inner === 'p2wsh' ? 'p2sh-p2wsh' : 'p2sh';
    }
    default:
      return script[0] === 0x6a ? 'op_return' : 'unknown';
  }
}

function addressOf(script: Uint8Array, network: Network | undefined): string | null {
  if (!network) return null;
  try {
    return scriptPubKeyToAddress(script, network);
  } catch {
    // Bare multisig, P2PK, OP_RETURN and non-standard scripts have no address.
    return null;
  }
}

function formatPath(path: readonly number[]): string {
  return ['m', ...path.map((i) => (i >= 0x80000000 ? `${i - 0x80000000}'` : String(i)))].join('/');
}

function fingerprintHex(fingerprint: number): string {
  return fingerprint.toString(16).padStart(8, '0');
}

function origins(list: readonly [Uint8Array, { fingerprint: number; path: number[] }][] | undefined): KeyOrigin[] {
  return (list ?? []).map(([pubkey, der]) => ({ pubkey: hex.encode(pubkey), fingerprint: fingerprintHex(der.fingerprint), path: formatPath(der.path) }));
}

function tapOrigins(
  list: readonly [Uint8Array, { hashes: Uint8Array[]; der: { fingerprint: number; path: number[] } }][] | undefined,
): TaprootKeyOrigin[] {
  return (list ?? []).map(([pubkey, { hashes, der }]) => ({
    pubkey: hex.encode(pubkey),
    fingerprint: fingerprintHex(der.fingerprint),
    path: formatPath(der.path),
    leafHashes: hashes.map((h) => hex.encode(h)),
  }));
}

function taprootInput(input: TransactionInput): TaprootInputSummary | null {
  const leaves = (input.tapLeafScript ?? []).map(([cb, scriptWithVersion]) => {
    const leafVersion = scriptWithVersion[scriptWithVersion.length - 1]!;
    const script = scriptWithVersion.subarray(0, -1);
    return {
      leafHash: hex.encode(tapLeafHash(script, leafVersion)),
      leafVersion,
      script: hex.encode(script),
      controlBlock: hex.encode(TaprootControlBlock.encode(cb)),
    };
  });
  const hasTaproot =
    input.tapInternalKey || input.tapMerkleRoot || input.tapKeySig || leaves.length || input.tapScriptSig?.length || input.tapBip32Derivation?.length;
  if (!hasTaproot) return null;
  return {
    internalKey: input.tapInternalKey ? hex.encode(input.tapInternalKey) : null,
    merkleRoot: input.tapMerkleRoot ? hex.encode(input.tapMerkleRoot) : null,
    keyPathSigned: !!input.tapKeySig,
    leaves,
    scriptPathSignatures: (input.tapScriptSig ?? []).map(([k]) => ({ pubkey: hex.encode(k.pubKey), leafHash: hex.encode(k.leafHash) })),
    derivations: tapOrigins(input.tapBip32Derivation),
  };
}

/** BIP341 "unspendable" internal key H: a script-path-only output has no key path to estimate. */
const NUMS_KEY = '50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0';

/** How the input will most likely be satisfied, for size estimation; null when it cannot be told. */
function expectedSpend(input: TransactionInput, type: ScriptType | null): InputSpend | null {
  if (inputStatus(input) === 'finalized')
    return {
      type: 'custom',
      scriptSigLength: input.finalScriptSig?.length ?? 0,
      witnessItemLengths: input.finalScriptWitness?.length ? input.finalScriptWitness.map((w) => w.length) : null,
    };
  switch (type) {
    case 'p2tr':
      if (input.tapKeySig) return { type: 'p2tr-key', sighashByte: input.tapKeySig.length === 65 };
      if (input.tapInternalKey && hex.encode(input.tapInternalKey) !== NUMS_KEY)
        return { type: 'p2tr-key', sighashByte: !!input.sighashType };
      return null;
    case 'p2wpkh':
      return { type: 'p2wpkh' };
    case 'p2sh-p2wpkh':
      return { type: 'p2sh-p2wpkh' };
    case 'p2pkh':
      return { type: 'p2pkh', uncompressed: input.bip32Derivation?.[0]?.[0].length === 65 };
    case 'p2wsh': {
      const m = multisigThreshold(input.witnessScript);
      if (m === null) return null;
      return { type: 'p2wsh', stackItemLengths: multisigStack(m), witnessScriptLength: input.witnessScript!.length };
    }
    case 'p2sh-p2wsh': {
      const m = multisigThreshold(input.witnessScript);
      if (m === null) return null;
      // scriptSig pushes the 34-byte P2WSH program as the redeem script.
      return { type: 'custom', scriptSigLength: 35, witnessItemLengths: [...multisigStack(m), input.witnessScript!.length] };
    }
    case 'p2sh': {
      const m = multisigThreshold(input.redeemScript);
      if (m === null) return null;
      const redeem = input.redeemScript!.length;
      // OP_0, m signature pushes, then the redeem script push (OP_PUSHDATA1/2 past 75/255 bytes).
      const scriptSigLength = 1 + m * 73 + (redeem < 0x4c ? 1 : redeem <= 0xff ? 2 : 3) + redeem;
      return { type: 'custom', scriptSigLength, witnessItemLengths: null };
    }
    default:
      return null;
  }
}

/** m of a bare m-of-n CHECKMULTISIG script, null for anything else. */
function multisigThreshold(script: Uint8Array | undefined): number | null {
  if (!script) return null;
  try {
    const decoded = OutScript.decode(script);
    return decoded.type === 'ms' ? decoded.m : null;
  } catch {
    return null;
  }
}

/** CHECKMULTISIG's extra empty item, then m signatures of the largest standard size. */
function multisigStack(m: number): number[] {
  return [0, ...Array<number>(m).fill(72)];
}

function inputSummary(input: TransactionInput, index: number, network: Network | undefined): PsbtInputSummary {
  const prevout = inputPrevout(input);
  const scriptType = prevout ? classifyScript(prevout.script, input.redeemScript) : null;
  return {
    index,
    prevout: { txid: hex.encode(input.txid ?? new Uint8Array(32)), vout: input.index ?? 0 },
    sequence: input.sequence ?? 0xffffffff,
    amount: prevout?.amount ?? null,
    script: prevout ? hex.encode(prevout.script) : null,
    scriptType,
    address: prevout ? addressOf(prevout.script, network) : null,
    utxo: input.witnessUtxo ? (input.nonWitnessUtxo ? 'both' : 'witness') : input.nonWitnessUtxo ? 'non-witness' : 'none',
    sighashType: input.sighashType ?? null,
    status: inputStatus(input),
    signedBy: (input.partialSig ?? []).map(([pubkey]) => hex.encode(pubkey)),
    derivations: origins(input.bip32Derivation),
    taproot: taprootInput(input),
  };
}

function outputSummary(output: TransactionOutput, index: number, network: Network | undefined): PsbtOutputSummary {
  const script = output.script ?? new Uint8Array();
  const hasTaproot = output.tapInternalKey || output.tapTree || output.tapBip32Derivation?.length;
  return {
    index,
    amount: output.amount ?? 0n,
    script: hex.encode(script),
    scriptType: classifyScript(script, output.redeemScript),
    address: addressOf(script, network),
    derivations: origins(output.bip32Derivation),
    taproot: hasTaproot
      ? {
          internalKey: output.tapInternalKey ? hex.encode(output.tapInternalKey) : null,
          tree: (output.tapTree ?? []).map((leaf) => ({ depth: leaf.depth, leafVersion: leaf.version, script: hex.encode(leaf.script) })),
          derivations: tapOrigins(output.tapBip32Derivation),
        }
      : null,
  };
}

/**
 * Plain-data view of a PSBT for review and display: inputs with prevout, amount, script and
 * signing state, outputs, fee and feerate. Addresses are filled in when `network` is given.
 */
export function summarizePsbt(psbt: Transaction, network?: Network): PsbtSummary {
  const inputs: PsbtInputSummary[] = [];
  const spends: (InputSpend | null)[] = [];
  for (let i = 0; i < psbt.inputsLength; i++) {
    const input = psbt.getInput(i);
    const summary = inputSummary(input, i, network);
    inputs.push(summary);
    spends.push(expectedSpend(input, summary.scriptType));
  }
  const outputs: PsbtOutputSummary[] = [];
  for (let i = 0; i < psbt.outputsLength; i++) outputs.push(outputSummary(psbt.getOutput(i), i, network));

  const totalOut = outputs.reduce((sum, o) => sum + o.amount, 0n);
  const totalIn = inputs.every((i) => i.amount !== null) ? inputs.reduce((sum, i) => sum + i.amount!, 0n) : null;
  const fee = totalIn === null ? null : totalIn - totalOut;
  const known = spends.every((s): s is InputSpend => s !== null);
  const weight = known
    ? transactionWeight(spends as InputSpend[], outputs.map((o) => o.script.length / 2))
    : null;
  const vsize = weight === null ? null : weightToVsize(weight);
  const finalized = inputs.every((i) => i.status === 'finalized');
  return {
    psbtVersion: psbt.opts.PSBTVersion === 2 ? 2 : 0,
    txVersion: psbt.version,
    lockTime: psbt.lockTime,
    unsignedTxid: hex.encode(sha256x2(psbt.unsignedTx).reverse()),
    inputs,
    outputs,
    totalIn,
    totalOut,
    fee,
    weight,
    vsize,
    vsizeEstimated: !finalized,
    feeRate: fee === null || vsize === null || vsize === 0 ? null : Number(fee) / vsize,
    finalized,
  };
}
