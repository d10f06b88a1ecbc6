/**
 * Script structure as consensus and policy see it, without executing anything: splitting a script
 * into operations (Core's `GetOp`), classifying output scripts (Core's `Solver` types), push-only
 * checks, witness programs, sigop counting (BIP16/BIP141 cost), and the BIP34 height push.
 *
 * Not here: script execution and signatures (interpreter.ts, backed by bitcore-lib), text forms
 * (script-text.ts).
 */

export const OP = {
  OP_0: 0x00,
  PUSHDATA1: 0x4c,
  PUSHDATA2: 0x4d,
  PUSHDATA4: 0x4e,
  OP_1NEGATE: 0x4f,
  OP_RESERVED: 0x50,
  OP_1: 0x51,
  OP_16: 0x60,
  RETURN: 0x6a,
  DUP: 0x76,
  EQUAL: 0x87,
  EQUALVERIFY: 0x88,
  HASH160: 0xa9,
  CHECKSIG: 0xac,
  CHECKSIGVERIFY: 0xad,
  CHECKMULTISIG: 0xae,
  CHECKMULTISIGVERIFY: 0xaf,
  CHECKSIGADD: 0xba,
} as const;

export interface Op {
  code: number;
  /** The pushed bytes, for push opcodes (0x00–0x4e). */
  data?: Uint8Array;
}

/** Splits a script into operations; `null` when a push runs past the end (Core: GetOp fails). */
export function parseScript(script: Uint8Array): Op[] | null {
  const ops: Op[] = [];
  let pc = 0;
  while (pc < script.length) {
    const code = script[pc++]!;
    if (code > OP.PUSHDATA4) {
      ops.push({ code });
      continue;
    }
    let len = code;
    if (code === OP.PUSHDATA1) {
      if (pc + 1 > script.length) return null;
      len = script[pc]!;
      pc += 1;
    } else if (code === OP.PUSHDATA2) {
      if (pc + 2 > script.length) return null;
      len = script[pc]! | (script[pc + 1]! << 8);
      pc += 2;
    } else if (code === OP.PUSHDATA4) {
      if (pc + 4 > script.length) return null;
      len = (script[pc]! | (script[pc + 1]! << 8) | (script[pc + 2]! << 16) | (script[pc + 3]! << 24)) >>> 0;
      pc += 4;
    }
    if (pc + len > script.length) return null;
    ops.push({ code, data: script.subarray(pc, pc + len) });
    pc += len;
  }
  return ops;
}

/** Core's IsPushOnly: every operation is at most OP_16 (OP_RESERVED counts, as in Core). */
export function isPushOnly(script: Uint8Array): boolean {
  const ops = parseScript(script);
  return ops !== null && ops.every((op) => op.code <= OP.OP_16);
}

export function isSmallInteger(code: number): boolean {
  return code >= OP.OP_1 && code <= OP.OP_16;
}

export function decodeSmallInteger(code: number): number {
  return code === OP.OP_0 ? 0 : code - (OP.OP_1 - 1);
}

export interface WitnessProgram {
  version: number;
  program: Uint8Array;
}

/** BIP141: a 1-byte version push (OP_0, OP_1..OP_16) then one 2–40 byte direct push, nothing else. */
export function witnessProgram(script: Uint8Array): WitnessProgram | null {
  if (script.length < 4 || script.length > 42) return null;
  const v = script[0]!;
  if (v !== OP.OP_0 && !isSmallInteger(v)) return null;
  if (script[1]! + 2 !== script.length) return null;
  return { version: decodeSmallInteger(v), program: script.subarray(2) };
}

export function isP2SH(script: Uint8Array): boolean {
  return script.length === 23 && script[0] === OP.HASH160 && script[1] === 0x14 && script[22] === OP.EQUAL;
}

export function isP2TR(script: Uint8Array): boolean {
  return script.length === 34 && script[0] === OP.OP_1 && script[1] === 0x20;
}

/** Bitcoin Core's TxoutType names, as `scriptPubKey.type` prints them. */
export type OutputType =
  | 'nonstandard'
  | 'anchor'
  | 'pubkey'
  | 'pubkeyhash'
  | 'scripthash'
  | 'multisig'
  | 'nulldata'
  | 'witness_v0_keyhash'
  | 'witness_v0_scripthash'
  | 'witness_v1_taproot'
  | 'witness_unknown';

export interface Classified {
  type: OutputType;
  /** multisig: required signatures and the keys. */
  required?: number;
  keys?: Uint8Array[];
  /** pubkey: the key. */
  pubkey?: Uint8Array;
  witness?: WitnessProgram;
}

/** Core's CPubKey::ValidSize: the length implied by the first byte matches. */
export function validPubkeySize(key: Uint8Array): boolean {
  const h = key[0];
  if (key.length === 33) return h === 2 || h === 3;
  if (key.length === 65) return h === 4 || h === 6 || h === 7;
  return false;
}

/** Pay-to-anchor (P2A): OP_1 <0x4e73>. */
export function isPayToAnchor(script: Uint8Array): boolean {
  return script.length === 4 && script[0] === OP.OP_1 && script[1] === 2 && script[2] === 0x4e && script[3] === 0x73;
}

/** Core's `Solver`, reduced to what classification needs. */
export function classify(script: Uint8Array): Classified {
  if (isPayToAnchor(script)) return { type: 'anchor', witness: witnessProgram(script)! };
  if (isP2SH(script)) return { type: 'scripthash' };
  const wp = witnessProgram(script);
  if (wp) {
    if (wp.version === 0 && wp.program.length === 20) return { type: 'witness_v0_keyhash', witness: wp };
    if (wp.version === 0 && wp.program.length === 32) return { type: 'witness_v0_scripthash', witness: wp };
    if (wp.version === 1 && wp.program.length === 32) return { type: 'witness_v1_taproot', witness: wp };
    if (wp.version !== 0) return { type: 'witness_unknown', witness: wp };
    return { type: 'nonstandard' };
  }
  if (script.length >= 1 && script[0] === OP.RETURN && isPushOnly(script.subarray(1))) return { type: 'nulldata' };
  if (
    (script.length === 35 || script.length === 67) &&
    script[0] === script.length - 2 &&
    script[script.length - 1] === OP.CHECKSIG &&
    validPubkeySize(script.subarray(1, script.length - 1))
  ) {
    return { type: 'pubkey', pubkey: script.subarray(1, script.length - 1) };
  }
  if (
    script.length === 25 &&
    script[0] === OP.DUP &&
    script[1] === OP.HASH160 &&
    script[2] === 0x14 &&
    script[23] === OP.EQUALVERIFY &&
    script[24] === OP.CHECKSIG
  ) {
    return { type: 'pubkeyhash' };
  }
  const multi = matchMultisig(script);
  if (multi) return { type: 'multisig', ...multi };
  return { type: 'nonstandard' };
}

function matchMultisig(script: Uint8Array): { required: number; keys: Uint8Array[] } | null {
  if (script[script.length - 1] !== OP.CHECKMULTISIG) return null;
  const ops = parseScript(script.subarray(0, script.length - 1));
  if (!ops || ops.length < 3) return null;
  const first = ops[0]!;
  const last = ops[ops.length - 1]!;
  if (!isSmallInteger(first.code) || !isSmallInteger(last.code)) return null;
  const keys: Uint8Array[] = [];
  for (const op of ops.slice(1, -1)) {
    if (!op.data || !validPubkeySize(op.data)) return null;
    keys.push(op.data);
  }
  const required = decodeSmallInteger(first.code);
  const n = decodeSmallInteger(last.code);
  if (keys.length !== n || n < required) return null;
  return { required, keys };
}

/** Core's CScript::GetSigOpCount(fAccurate). */
export function countSigOps(script: Uint8Array, accurate: boolean): number {
  let n = 0;
  let last = 0xff;
  let pc = 0;
  // Walks ops by hand so a truncated push ends the count where Core's loop breaks.
  while (pc < script.length) {
    const code = script[pc++]!;
    if (code <= OP.PUSHDATA4) {
      let len = code;
      if (code === OP.PUSHDATA1) {
        if (pc + 1 > script.length) break;
        len = script[pc]!;
        pc += 1;
      } else if (code === OP.PUSHDATA2) {
        if (pc + 2 > script.length) break;
        len = script[pc]! | (script[pc + 1]! << 8);
        pc += 2;
      } else if (code === OP.PUSHDATA4) {
        if (pc + 4 > script.length) break;
        len = (script[pc]! | (script[pc + 1]! << 8) | (script[pc + 2]! << 16) | (script[pc + 3]! << 24)) >>> 0;
        pc += 4;
      }
      if (pc + len > script.length) break;
      pc += len;
    } else if (code === OP.CHECKSIG || code === OP.CHECKSIGVERIFY) {
      n += 1;
    } else if (code === OP.CHECKMULTISIG || code === OP.CHECKMULTISIGVERIFY) {
      n += accurate && isSmallInteger(last) ? decodeSmallInteger(last) : 20;
    }
    last = code;
  }
  return n;
}

/** The last push of a push-only scriptSig (the P2SH redeem script), or null. */
export function lastPush(scriptSig: Uint8Array): Uint8Array | null {
  const ops = parseScript(scriptSig);
  if (!ops || ops.length === 0) return null;
  if (!ops.every((op) => op.code <= OP.OP_16)) return null;
  const last = ops[ops.length - 1]!;
  return last.data ?? (last.code === OP.OP_0 ? new Uint8Array() : null);
}

/** Core's GetSigOpCount(scriptSig) on a P2SH output: accurate count of the redeem script. */
export function p2shSigOps(scriptSig: Uint8Array): number {
  const ops = parseScript(scriptSig);
  if (!ops) return 0;
  let data: Uint8Array = new Uint8Array();
  for (const op of ops) {
    if (op.code > OP.OP_16) return 0;
    data = op.data ?? new Uint8Array();
  }
  return countSigOps(data, true);
}

function witnessSigOps(wp: WitnessProgram, witness: Uint8Array[]): number {
  if (wp.version !== 0) return 0;
  if (wp.program.length === 20) return 1;
  if (wp.program.length === 32 && witness.length > 0) return countSigOps(witness[witness.length - 1]!, true);
  return 0;
}

/** Core's CountWitnessSigOps for one input. */
export function inputWitnessSigOps(scriptSig: Uint8Array, prevScript: Uint8Array, witness: Uint8Array[]): number {
  const wp = witnessProgram(prevScript);
  if (wp) return witnessSigOps(wp, witness);
  if (isP2SH(prevScript) && isPushOnly(scriptSig)) {
    const redeem = lastPush(scriptSig);
    const inner = redeem ? witnessProgram(redeem) : null;
    if (inner) return witnessSigOps(inner, witness);
  }
  return 0;
}

/** CScriptNum serialization: little-endian sign-magnitude, minimal. */
export function scriptNum(n: number): Uint8Array {
  if (n === 0) return new Uint8Array();
  const neg = n < 0;
  let abs = Math.abs(n);
  const out: number[] = [];
  while (abs > 0) {
    out.push(abs & 0xff);
    abs = Math.floor(abs / 256);
  }
  if (out[out.length - 1]! & 0x80) out.push(neg ? 0x80 : 0);
  else if (neg) out[out.length - 1]! |= 0x80;
  return Uint8Array.from(out);
}

/** Minimal push of `data` (direct push below 76 bytes, PUSHDATA1/2 above). */
export function pushData(data: Uint8Array): Uint8Array {
  const n = data.length;
  let prefix: number[];
  if (n < OP.PUSHDATA1) prefix = [n];
  else if (n <= 0xff) prefix = [OP.PUSHDATA1, n];
  else if (n <= 0xffff) prefix = [OP.PUSHDATA2, n & 0xff, n >>> 8];
  else throw new RangeError(`"data" expected at most 65535 bytes, got ${n}`);
  const out = new Uint8Array(prefix.length + n);
  out.set(prefix);
  out.set(data, prefix.length);
  return out;
}

/** `CScript() << n`: OP_0, OP_1NEGATE, OP_1..OP_16, or a minimal CScriptNum push (BIP34 height). */
export function pushInt(n: number): Uint8Array {
  if (n === 0) return Uint8Array.of(OP.OP_0);
  if (n === -1) return Uint8Array.of(OP.OP_1NEGATE);
  if (n >= 1 && n <= 16) return Uint8Array.of(OP.OP_1 - 1 + n);
  return pushData(scriptNum(n));
}
