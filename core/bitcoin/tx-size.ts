/**
 * Exact transaction weight and virtual size, by input spend type and output script length, for fee
 * estimation before anything is signed (BIP141 weight: non-witness bytes × 4 + witness bytes).
 *
 * What this is: arithmetic over the serialization of BIP144 transactions — outpoint, scriptSig,
 * sequence, witness stack, outputs, version/locktime and the segwit marker/flag. ECDSA signatures are
 * counted at a caller-chosen length (default 72 bytes: a 71-byte low-S DER signature with a 33-byte
 * high R plus the sighash byte, the largest standard one); Schnorr signatures are 64 bytes, 65 with
 * an explicit sighash byte (BIP341).
 * What this is not: a script interpreter or a policy checker — it trusts the caller's description of
 * how each input will be satisfied.
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0141.mediawiki#transaction-size-calculations
 *       https://github.com/bitcoin/bips/blob/master/bip-0144.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki
 */

/** Largest standard ECDSA signature plus sighash byte: DER(33-byte r, 32-byte low s) + 1. */
export const MAX_ECDSA_SIGNATURE_LENGTH = 72;
const COMPRESSED_PUBKEY = 33;
const UNCOMPRESSED_PUBKEY = 65;
const SCHNORR_SIGNATURE = 64;
const WITNESS_SCALE = 4;
/** outpoint (32 + 4) + sequence (4). */
const INPUT_FIXED_BYTES = 40;
/** version (4) + locktime (4). */
const TX_FIXED_BYTES = 8;
/** The two witness-only bytes of BIP144: marker 0x00 and flag 0x01. */
const SEGWIT_MARKER_WEIGHT = 2;

/** scriptPubKey lengths of the standard output types. */
export const OUTPUT_SCRIPT_LENGTH = Object.freeze({
  p2tr: 34,
  p2wpkh: 22,
  p2wsh: 34,
  p2sh: 23,
  p2pkh: 25,
});

/** How an input will be satisfied, which fixes its size. */
export type InputSpend =
  /** Taproot key path: one 64-byte signature, 65 with a non-default sighash byte. */
  | { readonly type: 'p2tr-key'; readonly sighashByte?: boolean }
  /** Taproot script path: the stack items the leaf consumes, then the leaf script and control block. */
  | {
      readonly type: 'p2tr-script';
      readonly stackItemLengths: readonly number[];
      readonly leafScriptLength: number;
      readonly controlBlockLength: number;
      /** BIP341 annex length including its 0x50 prefix, when one is attached. */
      readonly annexLength?: number;
    }
  | { readonly type: 'p2wpkh'; readonly signatureLength?: number }
  | { readonly type: 'p2sh-p2wpkh'; readonly signatureLength?: number }
  /** P2WSH: the stack items the witness script consumes (empty items count as length 0). */
  | { readonly type: 'p2wsh'; readonly stackItemLengths: readonly number[]; readonly witnessScriptLength: number }
  | { readonly type: 'p2pkh'; readonly signatureLength?: number; readonly uncompressed?: boolean }
  /** Any other satisfaction, given as its scriptSig length and witness stack (null: no witness). */
  | { readonly type: 'custom'; readonly scriptSigLength: number; readonly witnessItemLengths: readonly number[] | null };

/** Bytes of a Bitcoin CompactSize integer. */
export function compactSizeLength(n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`"n" expected non-negative integer, got ${n}`);
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}

/** Bytes of a length-prefixed byte string (script or witness item). */
function varBytes(length: number): number {
  return compactSizeLength(length) + length;
}

/** Bytes of a script that pushes each item with the shortest standard push opcode. */
function pushesLength(itemLengths: readonly number[]): number {
  let total = 0;
  for (const n of itemLengths) total += (n < 0x4c ? 1 : n <= 0xff ? 2 : n <= 0xffff ? 3 : 5) + n;
  return total;
}

function witnessLength(itemLengths: readonly number[]): number {
  let total = compactSizeLength(itemLengths.length);
  for (const n of itemLengths) total += varBytes(n);
  return total;
}

function checkLength(name: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`"${name}" expected non-negative integer, got ${n}`);
  return n;
}

/** Non-witness scriptSig length and witness stack item lengths of a spend. */
function spendShape(spend: InputSpend): { scriptSig: number; witness: number[] | null } {
  switch (spend.type) {
    case 'p2tr-key':
      return { scriptSig: 0, witness: [SCHNORR_SIGNATURE + (spend.sighashByte ? 1 : 0)] };
    case 'p2tr-script': {
      const items = spend.stackItemLengths.map((n, i) => checkLength(`stackItemLengths[${i}]`, n));
      items.push(checkLength('leafScriptLength', spend.leafScriptLength));
      const cb = checkLength('controlBlockLength', spend.controlBlockLength);
      if (cb < 33 || (cb - 33) % 32 !== 0 || cb > 33 + 128 * 32)
        throw new RangeError(`"controlBlockLength" expected 33 + 32m bytes with m <= 128, got ${cb}`);
      items.push(cb);
      if (spend.annexLength !== undefined) items.push(checkLength('annexLength', spend.annexLength));
      return { scriptSig: 0, witness: items };
    }
    case 'p2wpkh':
      return { scriptSig: 0, witness: [signature(spend.signatureLength), COMPRESSED_PUBKEY] };
    case 'p2sh-p2wpkh':
      // scriptSig pushes the 22-byte v0 keyhash program as the redeem script.
      return { scriptSig: pushesLength([22]), witness: [signature(spend.signatureLength), COMPRESSED_PUBKEY] };
    case 'p2wsh': {
      const items = spend.stackItemLengths.map((n, i) => checkLength(`stackItemLengths[${i}]`, n));
      items.push(checkLength('witnessScriptLength', spend.witnessScriptLength));
      return { scriptSig: 0, witness: items };
    }
    case 'p2pkh': {
      const key = spend.uncompressed ? UNCOMPRESSED_PUBKEY : COMPRESSED_PUBKEY;
      return { scriptSig: pushesLength([signature(spend.signatureLength), key]), witness: null };
    }
    case 'custom':
      return {
        scriptSig: checkLength('scriptSigLength', spend.scriptSigLength),
        witness: spend.witnessItemLengths?.map((n, i) => checkLength(`witnessItemLengths[${i}]`, n)) ?? null,
      };
  }
}

function signature(length: number | undefined): number {
  const n = checkLength('signatureLength', length ?? MAX_ECDSA_SIGNATURE_LENGTH);
  if (n < 9 || n > 73) throw new RangeError(`"signatureLength" expected 9..73 bytes, got ${n}`);
  return n;
}

/** Whether the spend carries witness data (and so needs the segwit marker in its transaction). */
export function hasWitness(spend: InputSpend): boolean {
  return spendShape(spend).witness !== null;
}

/**
 * Weight of one input as it will be serialized once satisfied, witness included, excluding the
 * transaction-level marker/flag and the one-byte empty witness a non-witness input gets inside a
 * segwit transaction (both depend on the other inputs; {@link transactionWeight} adds them).
 */
export function inputWeight(spend: InputSpend): number {
  const { scriptSig, witness } = spendShape(spend);
  const base = INPUT_FIXED_BYTES + varBytes(scriptSig);
  return base * WITNESS_SCALE + (witness ? witnessLength(witness) : 0);
}

/** Weight of one output: amount (8) + length-prefixed scriptPubKey, all non-witness. */
export function outputWeight(scriptPubKeyLength: number): number {
  return (8 + varBytes(checkLength('scriptPubKeyLength', scriptPubKeyLength))) * WITNESS_SCALE;
}

/**
 * Weight of everything but the inputs and outputs: version, locktime, the two counts, and the
 * segwit marker/flag when any input has a witness.
 */
export function overheadWeight(inputCount: number, outputCount: number, segwit: boolean): number {
  const bytes = TX_FIXED_BYTES + compactSizeLength(inputCount) + compactSizeLength(outputCount);
  return bytes * WITNESS_SCALE + (segwit ? SEGWIT_MARKER_WEIGHT : 0);
}

/** Weight of a whole transaction from its input spends and output script lengths. */
export function transactionWeight(inputs: readonly InputSpend[], outputScriptLengths: readonly number[]): number {
  let weight = 0;
  let segwit = false;
  let legacyInputs = 0;
  for (const spend of inputs) {
    weight += inputWeight(spend);
    if (hasWitness(spend)) segwit = true;
    else legacyInputs++;
  }
  for (const length of outputScriptLengths) weight += outputWeight(length);
  // BIP144: once the marker is present every input has a witness field, empty ones being one 0x00.
  if (segwit) weight += legacyInputs;
  return weight + overheadWeight(inputs.length, outputScriptLengths.length, segwit);
}

/** BIP141 virtual size: weight / 4, rounded up. */
export function weightToVsize(weight: number): number {
  return Math.ceil(checkLength('weight', weight) / WITNESS_SCALE);
}
