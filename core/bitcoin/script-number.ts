/**
 * Script numbers and minimal pushes: Bitcoin Core's `CScriptNum` encoding (little-endian
 * sign-magnitude, no padding), the opcode form of small numbers (OP_0, OP_1NEGATE, OP_1..OP_16)
 * and minimal data pushes (Core's `CheckMinimalPush`).
 *
 * This exists because @cmdcode/tapscript encodes numbers above 255 wrongly; every number that
 * goes into a script we build (multi_a thresholds, timelocks) is encoded here.
 * Not here: script parsing or execution.
 *
 * Spec: Bitcoin Core `src/script/script.h` (CScriptNum, CScript::push_int64),
 * `src/script/interpreter.cpp` (CheckMinimalPush), BIP62 rules 3 and 4.
 */
import { DecodeError } from './errors.js';

const OP_0 = 0x00;
const OP_PUSHDATA1 = 0x4c;
const OP_PUSHDATA2 = 0x4d;
const OP_PUSHDATA4 = 0x4e;
const OP_1NEGATE = 0x4f;
const OP_1 = 0x51;

function toBigInt(value: number | bigint, title: string): bigint {
  if (typeof value === 'bigint') return value;
  if (!Number.isSafeInteger(value)) throw new RangeError(`"${title}" expected a safe integer, got ${value}`);
  return BigInt(value);
}

/** Minimal CScriptNum bytes of `value` (zero is the empty array). */
export function encodeScriptNumber(value: number | bigint): Uint8Array {
  let n = toBigInt(value, 'value');
  if (n === 0n) return new Uint8Array(0);
  const negative = n < 0n;
  if (negative) n = -n;
  const out: number[] = [];
  for (; n > 0n; n >>= 8n) out.push(Number(n & 0xffn));
  const last = out.length - 1;
  // The top bit of the last byte is the sign: add a byte when the magnitude already uses it.
  if ((out[last]! & 0x80) !== 0) out.push(negative ? 0x80 : 0x00);
  else if (negative) out[last] = out[last]! | 0x80;
  return Uint8Array.from(out);
}

/**
 * Reads a CScriptNum, requiring minimal encoding. `maxLength` is 4 for arithmetic operands and 5
 * for CHECKLOCKTIMEVERIFY / CHECKSEQUENCEVERIFY arguments.
 */
export function decodeScriptNumber(bytes: Uint8Array, maxLength = 4): bigint {
  if (bytes.length > maxLength) {
    throw new DecodeError('SCRIPT_NUMBER_TOO_LONG', `"script number" expected at most ${maxLength} bytes, got ${bytes.length}`);
  }
  if (bytes.length === 0) return 0n;
  const last = bytes[bytes.length - 1]!;
  // A last byte of 0x00/0x80 is only allowed when it carries the sign for a full previous byte.
  if ((last & 0x7f) === 0 && (bytes.length === 1 || (bytes[bytes.length - 2]! & 0x80) === 0)) {
    throw new DecodeError('SCRIPT_NUMBER_NOT_MINIMAL', `"script number" is not minimally encoded`);
  }
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  const signBit = 1n << BigInt(bytes.length * 8 - 1);
  return (n & signBit) !== 0n ? -(n & (signBit - 1n)) : n;
}

/** The shortest script fragment pushing `data` (Core's CheckMinimalPush rules). */
export function pushData(data: Uint8Array): Uint8Array {
  const len = data.length;
  if (len === 0) return Uint8Array.of(OP_0);
  if (len === 1 && data[0]! >= 1 && data[0]! <= 16) return Uint8Array.of(OP_1 - 1 + data[0]!);
  if (len === 1 && data[0] === 0x81) return Uint8Array.of(OP_1NEGATE);
  let head: number[];
  if (len < OP_PUSHDATA1) head = [len];
  else if (len <= 0xff) head = [OP_PUSHDATA1, len];
  else if (len <= 0xffff) head = [OP_PUSHDATA2, len & 0xff, len >>> 8];
  else head = [OP_PUSHDATA4, len & 0xff, (len >>> 8) & 0xff, (len >>> 16) & 0xff, len >>> 24];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  out.set(data, head.length);
  return out;
}

/** The script fragment pushing the number `value`: OP_0, OP_1NEGATE, OP_1..OP_16 or minimal bytes. */
export function pushNumber(value: number | bigint): Uint8Array {
  const n = toBigInt(value, 'value');
  if (n === 0n) return Uint8Array.of(OP_0);
  if (n === -1n) return Uint8Array.of(OP_1NEGATE);
  if (n >= 1n && n <= 16n) return Uint8Array.of(OP_1 - 1 + Number(n));
  return pushData(encodeScriptNumber(n));
}
