/**
 * The Playground's script validator: the one adapter around bitcore-lib's `Script.Interpreter`,
 * an implementation independent of the wallet's signing code (@noble/@scure), so a wallet bug
 * cannot validate its own mistakes. Covers legacy, P2SH, segwit v0 and taproot (BIP341 key path,
 * BIP342 tapscript incl. OP_CHECKSIGADD), CLTV (BIP65) and CSV (BIP112).
 * https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki
 *
 * Where bitcore-lib 11.5.1 departs from Bitcoin Core, this adapter corrects it, and says so:
 * - a failed key-path signature leaves no error string: reported as SCHNORR_SIG, or SCHNORR_SIG_HASHTYPE
 *   for an undefined hash type or SIGHASH_SINGLE without its output, as Core reports them;
 * - OP_CHECKMULTISIG(VERIFY) runs in tapscript: a leaf that bitcore accepts but that contains one
 *   (and no OP_SUCCESSx) fails with TAPSCRIPT_CHECKMULTISIG — stricter than Core only when the
 *   opcode sits in an unexecuted branch;
 * - SCRIPT_VERIFY_CLEANSTACK checks the wrong stack (it fails every spend), so the policy flags here
 *   leave it out: legacy/P2SH scripts that leave extra stack items are accepted to the mempool;
 * - taproot sighashes encode each spent script's length as one byte, so a taproot input of a
 *   transaction that also spends an output script of 253 bytes or more fails to verify;
 * - x-only keys that start with 0x00 lost that byte inside bitcore's BIP340/BIP341 hashes, so about
 *   one taproot spend in 256 was refused: corrected at load time, see `padCurveCoordinates` below.
 *
 * Not here: which flags a context uses beyond consensus/standard, or Core's reject-reason strings
 * (consensus.ts builds those from the ScriptError returned here).
 */
import { createRequire } from 'node:module';
import type { DecodedTx } from './wire.js';
import { isP2TR, parseScript } from './script.js';

export interface SpentOutput {
  value: bigint;
  script: Uint8Array;
}

/** `consensus`: the rules every block enforces; `standard`: consensus plus Core's policy flags. */
export type ScriptLevel = 'consensus' | 'standard';

export interface ScriptError {
  /** Core's ScriptError name, e.g. SCRIPT_ERR_SCHNORR_SIG. */
  code: string;
  /** Core's ScriptErrorString, e.g. "Invalid Schnorr signature". */
  message: string;
}

// bitcore-lib ships no types; this is the slice of it the adapter touches.
interface BitcoreScript {
  toBuffer(): Buffer;
}
interface BitcoreInput {
  script: BitcoreScript;
  witnesses: Buffer[];
  output?: unknown;
}
interface BitcoreTx {
  inputs: BitcoreInput[];
}
interface BitcoreInterpreter {
  errstr: string;
  verify(scriptSig: BitcoreScript, scriptPubKey: BitcoreScript, tx: BitcoreTx, nin: number, flags: number, witness: Buffer[], satoshis: number): boolean;
}
/** A bn.js number, as both bitcore and elliptic use them (only what the correction below needs). */
interface BigNum {
  toBuffer(...args: unknown[]): Buffer;
}
interface BigNumClass {
  new (n: number): BigNum;
  prototype: BigNum;
}
interface Bitcore {
  Transaction: { new (raw: Buffer): BitcoreTx; Output: new (o: { script: BitcoreScript; satoshis: number }) => unknown };
  Script: { fromBuffer(b: Buffer): BitcoreScript; Interpreter: { new (): BitcoreInterpreter } & Record<string, number> };
  crypto: { BN: BigNumClass; Point: { getG(): { x: { constructor: BigNumClass } } } };
}

const bitcore = createRequire(import.meta.url)('bitcore-lib') as Bitcore;
const I = bitcore.Script.Interpreter;

/**
 * Root cause of "Invalid Schnorr signature" for valid spends whose x-only key starts with 0x00:
 * bitcore extends bn.js's `toBuffer` to take `{ size: 32 }` (lib/crypto/bn.js, a fixed-width
 * big-endian encoding), but it pins bn.js 4.11.8 while elliptic needs ^4.11.9, so elliptic gets its
 * own nested copy of bn.js, which bitcore never extends. Curve point coordinates are elliptic's
 * numbers; on them `toBuffer({ size: 32 })` is stock bn.js `toBuffer(endian, length)`: the object
 * is read as an (unknown, so big-endian) endianness with no length, and the result is the minimal
 * encoding — 31 bytes when x starts with 0x00. Two such calls sit on the verification path:
 * - crypto/schnorr.js `getE`: the BIP340 challenge hashes `P.x.toBuffer({ size: 32 })`, so every
 *   signature for such a key (the key-path output key, or a tapscript CHECKSIG/CHECKSIGADD key)
 *   gets a wrong challenge and fails;
 * - publickey.js `computeTapTweakHash`: the TapTweak hash of such an internal key is wrong, so a
 *   script-path spend fails its commitment check (WITNESS_PROGRAM_MISMATCH).
 * Signature r and s are parsed into bitcore's own BN and output keys are compared as numbers, so
 * they were never affected. `getE` is module-private and cannot be replaced, so the correction is
 * at the cause: elliptic's bn.js `toBuffer` learns bitcore's options form by delegating to
 * bitcore's own implementation; calls with stock bn.js arguments are passed through unchanged.
 * It is applied only while the defect is observable, so an install where both share one bn.js (or
 * a fixed bitcore) is left alone. Only bitcore-lib uses elliptic in this tree.
 */
function padCurveCoordinates(): void {
  const CurveBN = bitcore.crypto.Point.getG().x.constructor;
  if (new CurveBN(1).toBuffer({ size: 32 }).length === 32) return;
  const stock = CurveBN.prototype.toBuffer;
  const bitcoreToBuffer = bitcore.crypto.BN.prototype.toBuffer;
  CurveBN.prototype.toBuffer = function (this: BigNum, ...args: unknown[]): Buffer {
    const [options] = args;
    const bitcoreOptions = typeof options === 'object' && options !== null;
    return bitcoreOptions ? bitcoreToBuffer.call(this, options) : stock.apply(this, args);
  };
}
padCurveCoordinates();

const CONSENSUS_FLAGS =
  I.SCRIPT_VERIFY_P2SH! |
  I.SCRIPT_VERIFY_DERSIG! |
  I.SCRIPT_VERIFY_NULLDUMMY! |
  I.SCRIPT_VERIFY_CHECKLOCKTIMEVERIFY! |
  I.SCRIPT_VERIFY_CHECKSEQUENCEVERIFY! |
  I.SCRIPT_VERIFY_WITNESS! |
  I.SCRIPT_VERIFY_TAPROOT!;

const STANDARD_FLAGS =
  CONSENSUS_FLAGS |
  I.SCRIPT_VERIFY_STRICTENC! |
  I.SCRIPT_VERIFY_MINIMALDATA! |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_NOPS! |
  I.SCRIPT_VERIFY_MINIMALIF! |
  I.SCRIPT_VERIFY_NULLFAIL! |
  I.SCRIPT_VERIFY_LOW_S! |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM! |
  I.SCRIPT_VERIFY_WITNESS_PUBKEYTYPE! |
  I.SCRIPT_VERIFY_CONST_SCRIPTCODE! |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION! |
  I.SCRIPT_VERIFY_DISCOURAGE_OP_SUCCESS! |
  I.SCRIPT_VERIFY_DISCOURAGE_UPGRADABLE_PUBKEYTYPE!;

/** Core's script_error.cpp, keyed by ScriptError name. */
const MESSAGES: Record<string, string> = {
  SCRIPT_ERR_EVAL_FALSE: 'Script evaluated without error but finished with a false/empty top stack element',
  SCRIPT_ERR_VERIFY: 'Script failed an OP_VERIFY operation',
  SCRIPT_ERR_EQUALVERIFY: 'Script failed an OP_EQUALVERIFY operation',
  SCRIPT_ERR_CHECKMULTISIGVERIFY: 'Script failed an OP_CHECKMULTISIGVERIFY operation',
  SCRIPT_ERR_CHECKSIGVERIFY: 'Script failed an OP_CHECKSIGVERIFY operation',
  SCRIPT_ERR_NUMEQUALVERIFY: 'Script failed an OP_NUMEQUALVERIFY operation',
  SCRIPT_ERR_SCRIPT_SIZE: 'Script is too big',
  SCRIPT_ERR_PUSH_SIZE: 'Push value size limit exceeded',
  SCRIPT_ERR_OP_COUNT: 'Operation limit exceeded',
  SCRIPT_ERR_STACK_SIZE: 'Stack size limit exceeded',
  SCRIPT_ERR_SIG_COUNT: 'Signature count negative or greater than pubkey count',
  SCRIPT_ERR_PUBKEY_COUNT: 'Pubkey count negative or limit exceeded',
  SCRIPT_ERR_BAD_OPCODE: 'Opcode missing or not understood',
  SCRIPT_ERR_DISABLED_OPCODE: 'Attempted to use a disabled opcode',
  SCRIPT_ERR_INVALID_STACK_OPERATION: 'Operation not valid with the current stack size',
  SCRIPT_ERR_INVALID_ALTSTACK_OPERATION: 'Operation not valid with the current altstack size',
  SCRIPT_ERR_OP_RETURN: 'OP_RETURN was encountered',
  SCRIPT_ERR_UNBALANCED_CONDITIONAL: 'Invalid OP_IF construction',
  SCRIPT_ERR_NEGATIVE_LOCKTIME: 'Negative locktime',
  SCRIPT_ERR_UNSATISFIED_LOCKTIME: 'Locktime requirement not satisfied',
  SCRIPT_ERR_SIG_HASHTYPE: 'Signature hash type missing or not understood',
  SCRIPT_ERR_SIG_DER: 'Non-canonical DER signature',
  SCRIPT_ERR_MINIMALDATA: 'Data push larger than necessary',
  SCRIPT_ERR_SIG_PUSHONLY: 'Only push operators allowed in signatures',
  SCRIPT_ERR_SIG_HIGH_S: 'Non-canonical signature: S value is unnecessarily high',
  SCRIPT_ERR_SIG_NULLDUMMY: 'Dummy CHECKMULTISIG argument must be zero',
  SCRIPT_ERR_MINIMALIF: 'OP_IF/NOTIF argument must be minimal',
  SCRIPT_ERR_SIG_NULLFAIL: 'Signature must be zero for failed CHECK(MULTI)SIG operation',
  SCRIPT_ERR_DISCOURAGE_UPGRADABLE_NOPS: 'NOPx reserved for soft-fork upgrades',
  SCRIPT_ERR_DISCOURAGE_UPGRADABLE_WITNESS_PROGRAM: 'Witness version reserved for soft-fork upgrades',
  SCRIPT_ERR_DISCOURAGE_UPGRADABLE_TAPROOT_VERSION: 'Taproot version reserved for soft-fork upgrades',
  SCRIPT_ERR_DISCOURAGE_OP_SUCCESS: 'OP_SUCCESSx reserved for soft-fork upgrades',
  SCRIPT_ERR_DISCOURAGE_UPGRADABLE_PUBKEYTYPE: 'Public key version reserved for soft-fork upgrades',
  SCRIPT_ERR_PUBKEYTYPE: 'Public key is neither compressed or uncompressed',
  SCRIPT_ERR_CLEANSTACK: 'Stack size must be exactly one after execution',
  SCRIPT_ERR_WITNESS_PROGRAM_WRONG_LENGTH: 'Witness program has incorrect length',
  SCRIPT_ERR_WITNESS_PROGRAM_WITNESS_EMPTY: 'Witness program was passed an empty witness',
  SCRIPT_ERR_WITNESS_PROGRAM_MISMATCH: 'Witness program hash mismatch',
  SCRIPT_ERR_WITNESS_MALLEATED: 'Witness requires empty scriptSig',
  SCRIPT_ERR_WITNESS_MALLEATED_P2SH: 'Witness requires only-redeemscript scriptSig',
  SCRIPT_ERR_WITNESS_UNEXPECTED: 'Witness provided for non-witness script',
  SCRIPT_ERR_WITNESS_PUBKEYTYPE: 'Using non-compressed keys in segwit',
  SCRIPT_ERR_SCHNORR_SIG_SIZE: 'Invalid Schnorr signature size',
  SCRIPT_ERR_SCHNORR_SIG_HASHTYPE: 'Invalid Schnorr signature hash type',
  SCRIPT_ERR_SCHNORR_SIG: 'Invalid Schnorr signature',
  SCRIPT_ERR_TAPROOT_WRONG_CONTROL_SIZE: 'Invalid Taproot control block size',
  SCRIPT_ERR_TAPSCRIPT_VALIDATION_WEIGHT: 'Too much signature validation relative to witness weight',
  SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG: 'OP_CHECKMULTISIG(VERIFY) is not available in tapscript',
  SCRIPT_ERR_TAPSCRIPT_MINIMALIF: 'OP_IF/NOTIF argument must be minimal in tapscript',
  SCRIPT_ERR_OP_CODESEPARATOR: 'Using OP_CODESEPARATOR in non-witness script',
  SCRIPT_ERR_SIG_FINDANDDELETE: 'Signature is found in scriptCode',
  SCRIPT_ERR_UNKNOWN_ERROR: 'unknown error',
};

/** bitcore's error names that differ from Core's. */
const RENAMED: Record<string, string> = {
  SCRIPT_ERR_EVAL_FALSE_IN_STACK: 'SCRIPT_ERR_EVAL_FALSE',
  SCRIPT_ERR_EVAL_FALSE_NO_RESULT: 'SCRIPT_ERR_EVAL_FALSE',
  SCRIPT_ERR_EVAL_FALSE_NO_P2SH_STACK: 'SCRIPT_ERR_EVAL_FALSE',
  SCRIPT_ERR_EVAL_FALSE_IN_P2SH_STACK: 'SCRIPT_ERR_EVAL_FALSE',
  SCRIPT_ERR_SIG_DER_INVALID_FORMAT: 'SCRIPT_ERR_SIG_DER',
  SCRIPT_ERR_SIG_DER_HIGH_S: 'SCRIPT_ERR_SIG_HIGH_S',
  SCRIPT_ERR_NULLFAIL: 'SCRIPT_ERR_SIG_NULLFAIL',
  SCRIPT_ERR_UNDEFINED_OPCODE: 'SCRIPT_ERR_BAD_OPCODE',
};

export function scriptError(code: string): ScriptError {
  const name = RENAMED[code] ?? (code in MESSAGES ? code : 'SCRIPT_ERR_UNKNOWN_ERROR');
  return { code: name, message: MESSAGES[name]! };
}

const ANNEX_TAG = 0x50;
const TAPSCRIPT_LEAF = 0xc0;

function isOpSuccess(code: number): boolean {
  return (
    code === 80 || code === 98 || (code >= 126 && code <= 129) || (code >= 131 && code <= 134) ||
    (code >= 137 && code <= 138) || (code >= 141 && code <= 142) || (code >= 149 && code <= 153) ||
    (code >= 187 && code <= 254)
  );
}

/** The witness stack without a BIP341 annex. */
function withoutAnnex(witness: Uint8Array[]): Uint8Array[] {
  const last = witness[witness.length - 1];
  return witness.length >= 2 && last && last.length > 0 && last[0] === ANNEX_TAG ? witness.slice(0, -1) : witness;
}

function isValidSchnorrHashtype(t: number): boolean {
  return t <= 0x03 || (t >= 0x81 && t <= 0x83);
}

/**
 * Verifies the input scripts of one transaction against the outputs it spends. Build it once per
 * transaction; `verify` may then be asked for any input and level.
 */
export class ScriptChecker {
  private readonly btx: BitcoreTx;
  private readonly prevScripts: BitcoreScript[];

  constructor(
    private readonly tx: DecodedTx,
    private readonly spent: readonly SpentOutput[],
  ) {
    if (spent.length !== tx.inputs.length) {
      throw new RangeError(`"spent" expected ${tx.inputs.length} outputs, got ${spent.length}`);
    }
    this.btx = new bitcore.Transaction(Buffer.from(tx.raw));
    this.prevScripts = spent.map((s) => bitcore.Script.fromBuffer(Buffer.from(s.script)));
    // Taproot sighashes commit to every spent output, so every input carries its own.
    this.btx.inputs.forEach((input, i) => {
      input.output = new bitcore.Transaction.Output({ script: this.prevScripts[i]!, satoshis: Number(spent[i]!.value) });
    });
  }

  /** null when input `index` is valid at `level`, else Core's script error. */
  verify(index: number, level: ScriptLevel): ScriptError | null {
    const input = this.btx.inputs[index]!;
    const interp = new I();
    let ok: boolean;
    try {
      ok = interp.verify(
        input.script,
        this.prevScripts[index]!,
        this.btx,
        index,
        level === 'consensus' ? CONSENSUS_FLAGS : STANDARD_FLAGS,
        // bitcore pops P2WPKH witness items off the array it is given: hand it a copy each time.
        [...input.witnesses],
        Number(this.spent[index]!.value),
      );
    } catch {
      return scriptError('SCRIPT_ERR_UNKNOWN_ERROR');
    }
    if (!ok) return scriptError(interp.errstr || this.silentFailure(index));
    return this.tapscriptMultisig(index);
  }

  /** First failing input at `level`, or null when every input verifies. */
  verifyAll(level: ScriptLevel): { input: number; error: ScriptError } | null {
    for (let i = 0; i < this.tx.inputs.length; i++) {
      const error = this.verify(i, level);
      if (error) return { input: i, error };
    }
    return null;
  }

  /** bitcore returns false with no error string only for a failed taproot key-path signature. */
  private silentFailure(index: number): string {
    const stack = withoutAnnex(this.tx.inputs[index]!.witness);
    if (isP2TR(this.spent[index]!.script) && stack.length === 1) {
      const sig = stack[0]!;
      if (sig.length === 65) {
        const t = sig[64]!;
        if (!isValidSchnorrHashtype(t) || ((t & 3) === 3 && index >= this.tx.outputs.length)) return 'SCRIPT_ERR_SCHNORR_SIG_HASHTYPE';
      }
      return 'SCRIPT_ERR_SCHNORR_SIG';
    }
    return 'SCRIPT_ERR_UNKNOWN_ERROR';
  }

  private tapscriptMultisig(index: number): ScriptError | null {
    if (!isP2TR(this.spent[index]!.script)) return null;
    const stack = withoutAnnex(this.tx.inputs[index]!.witness);
    if (stack.length < 2) return null;
    const control = stack[stack.length - 1]!;
    if ((control[0]! & 0xfe) !== TAPSCRIPT_LEAF) return null;
    const ops = parseScript(stack[stack.length - 2]!);
    if (!ops || ops.some((op) => isOpSuccess(op.code))) return null;
    const multisig = ops.some((op) => op.code === 0xae || op.code === 0xaf);
    return multisig ? scriptError('SCRIPT_ERR_TAPSCRIPT_CHECKMULTISIG') : null;
  }
}
