/**
 * Human-readable forms of scripts that the Playground's APIs print: Bitcoin Core's `asm`
 * (ScriptToAsmStr, with sighash decoding for scriptSigs) and inferred descriptor (`desc`, BIP380
 * checksum), and Esplora's rust-bitcoin style asm and `scriptpubkey_type`.
 * https://github.com/bitcoin/bips/blob/master/bip-0380.mediawiki
 *
 * Not here: parsing descriptors, anything that decides validity.
 */
import { hex } from '@scure/base';
import { scriptToAddress } from './address.js';
import { classify, OP, parseScript } from './script.js';

const BASE_NAMES: Record<number, string> = {
  0x4c: 'OP_PUSHDATA1', 0x4d: 'OP_PUSHDATA2', 0x4e: 'OP_PUSHDATA4', 0x50: 'OP_RESERVED',
  0x61: 'OP_NOP', 0x62: 'OP_VER', 0x63: 'OP_IF', 0x64: 'OP_NOTIF', 0x65: 'OP_VERIF', 0x66: 'OP_VERNOTIF',
  0x67: 'OP_ELSE', 0x68: 'OP_ENDIF', 0x69: 'OP_VERIFY', 0x6a: 'OP_RETURN', 0x6b: 'OP_TOALTSTACK',
  0x6c: 'OP_FROMALTSTACK', 0x6d: 'OP_2DROP', 0x6e: 'OP_2DUP', 0x6f: 'OP_3DUP', 0x70: 'OP_2OVER',
  0x71: 'OP_2ROT', 0x72: 'OP_2SWAP', 0x73: 'OP_IFDUP', 0x74: 'OP_DEPTH', 0x75: 'OP_DROP', 0x76: 'OP_DUP',
  0x77: 'OP_NIP', 0x78: 'OP_OVER', 0x79: 'OP_PICK', 0x7a: 'OP_ROLL', 0x7b: 'OP_ROT', 0x7c: 'OP_SWAP',
  0x7d: 'OP_TUCK', 0x7e: 'OP_CAT', 0x7f: 'OP_SUBSTR', 0x80: 'OP_LEFT', 0x81: 'OP_RIGHT', 0x82: 'OP_SIZE',
  0x83: 'OP_INVERT', 0x84: 'OP_AND', 0x85: 'OP_OR', 0x86: 'OP_XOR', 0x87: 'OP_EQUAL', 0x88: 'OP_EQUALVERIFY',
  0x89: 'OP_RESERVED1', 0x8a: 'OP_RESERVED2', 0x8b: 'OP_1ADD', 0x8c: 'OP_1SUB', 0x8d: 'OP_2MUL',
  0x8e: 'OP_2DIV', 0x8f: 'OP_NEGATE', 0x90: 'OP_ABS', 0x91: 'OP_NOT', 0x92: 'OP_0NOTEQUAL', 0x93: 'OP_ADD',
  0x94: 'OP_SUB', 0x95: 'OP_MUL', 0x96: 'OP_DIV', 0x97: 'OP_MOD', 0x98: 'OP_LSHIFT', 0x99: 'OP_RSHIFT',
  0x9a: 'OP_BOOLAND', 0x9b: 'OP_BOOLOR', 0x9c: 'OP_NUMEQUAL', 0x9d: 'OP_NUMEQUALVERIFY',
  0x9e: 'OP_NUMNOTEQUAL', 0x9f: 'OP_LESSTHAN', 0xa0: 'OP_GREATERTHAN', 0xa1: 'OP_LESSTHANOREQUAL',
  0xa2: 'OP_GREATERTHANOREQUAL', 0xa3: 'OP_MIN', 0xa4: 'OP_MAX', 0xa5: 'OP_WITHIN', 0xa6: 'OP_RIPEMD160',
  0xa7: 'OP_SHA1', 0xa8: 'OP_SHA256', 0xa9: 'OP_HASH160', 0xaa: 'OP_HASH256', 0xab: 'OP_CODESEPARATOR',
  0xac: 'OP_CHECKSIG', 0xad: 'OP_CHECKSIGVERIFY', 0xae: 'OP_CHECKMULTISIG', 0xaf: 'OP_CHECKMULTISIGVERIFY',
  0xb0: 'OP_NOP1', 0xb3: 'OP_NOP4', 0xb4: 'OP_NOP5', 0xb5: 'OP_NOP6', 0xb6: 'OP_NOP7', 0xb7: 'OP_NOP8',
  0xb8: 'OP_NOP9', 0xb9: 'OP_NOP10', 0xba: 'OP_CHECKSIGADD', 0xff: 'OP_INVALIDOPCODE',
};

/** Core's GetOpName. */
function coreOpName(code: number): string {
  if (code === OP.OP_0) return '0';
  if (code === OP.OP_1NEGATE) return '-1';
  if (code >= OP.OP_1 && code <= OP.OP_16) return String(code - 0x50);
  if (code === 0xb1) return 'OP_CHECKLOCKTIMEVERIFY';
  if (code === 0xb2) return 'OP_CHECKSEQUENCEVERIFY';
  return BASE_NAMES[code] ?? 'OP_UNKNOWN';
}

/** rust-bitcoin's opcode names, which Esplora prints. */
function rustOpName(code: number): string {
  if (code === OP.OP_0) return 'OP_0';
  if (code === OP.OP_1NEGATE) return 'OP_PUSHNUM_NEG1';
  if (code >= OP.OP_1 && code <= OP.OP_16) return `OP_PUSHNUM_${code - 0x50}`;
  if (code === 0xb1) return 'OP_CLTV';
  if (code === 0xb2) return 'OP_CSV';
  if (code >= 0xbb && code <= 0xfe) return `OP_RETURN_${code}`;
  return BASE_NAMES[code] ?? `OP_UNKNOWN_${code}`;
}

/** CScriptNum(vch, false).getint() for pushes of up to 4 bytes. */
function smallNum(data: Uint8Array): number {
  if (data.length === 0) return 0;
  let v = 0;
  for (let i = 0; i < data.length; i++) v += data[i]! * 2 ** (8 * i);
  const last = data[data.length - 1]!;
  if (last & 0x80) return -(v - 0x80 * 2 ** (8 * (data.length - 1)));
  return v;
}

const SIGHASH_NAMES: Record<number, string> = {
  0x01: 'ALL', 0x02: 'NONE', 0x03: 'SINGLE', 0x81: 'ALL|ANYONECANPAY', 0x82: 'NONE|ANYONECANPAY', 0x83: 'SINGLE|ANYONECANPAY',
};

/** BIP66 IsValidSignatureEncoding: a strict DER signature followed by one hashtype byte. */
function isDerSignature(sig: Uint8Array): boolean {
  const n = sig.length;
  if (n < 9 || n > 73) return false;
  if (sig[0] !== 0x30 || sig[1] !== n - 3) return false;
  const lenR = sig[3]!;
  if (5 + lenR >= n) return false;
  const lenS = sig[5 + lenR]!;
  if (lenR + lenS + 7 !== n) return false;
  if (sig[2] !== 0x02 || lenR === 0 || sig[4]! & 0x80) return false;
  if (lenR > 1 && sig[4] === 0 && !(sig[5]! & 0x80)) return false;
  if (sig[lenR + 4] !== 0x02 || lenS === 0 || sig[lenR + 6]! & 0x80) return false;
  if (lenS > 1 && sig[lenR + 6] === 0 && !(sig[lenR + 7]! & 0x80)) return false;
  return true;
}

/** Core's ScriptToAsmStr; `sighashDecode` is what scriptSig printing turns on. */
export function coreAsm(script: Uint8Array, sighashDecode = false): string {
  const parts: string[] = [];
  const unspendable = script.length > 0 && script[0] === OP.RETURN;
  const ops = parseScript(script);
  if (!ops) {
    // Print what parses, then Core's marker for the truncated push.
    for (const op of parsePrefix(script)) parts.push(coreOp(op.code, op.data, sighashDecode && !unspendable));
    parts.push('[error]');
    return parts.join(' ');
  }
  for (const op of ops) parts.push(coreOp(op.code, op.data, sighashDecode && !unspendable));
  return parts.join(' ');
}

function coreOp(code: number, data: Uint8Array | undefined, sighashDecode: boolean): string {
  if (code > OP.PUSHDATA4 || !data) return coreOpName(code);
  if (data.length <= 4) return String(smallNum(data));
  if (sighashDecode && isDerSignature(data)) {
    const name = SIGHASH_NAMES[data[data.length - 1]!];
    if (name) return `${hex.encode(data.subarray(0, -1))}[${name}]`;
  }
  return hex.encode(data);
}

/** The operations before a truncated push. */
function parsePrefix(script: Uint8Array): { code: number; data?: Uint8Array }[] {
  for (let end = script.length - 1; end >= 0; end--) {
    const ops = parseScript(script.subarray(0, end));
    if (ops) return ops;
  }
  return [];
}

/** rust-bitcoin's Script::to_asm_string, as Esplora's `*_asm` fields print it. */
export function esploraAsm(script: Uint8Array): string {
  const parts: string[] = [];
  let pc = 0;
  while (pc < script.length) {
    const code = script[pc++]!;
    if (code === OP.OP_0) {
      parts.push('OP_0');
      continue;
    }
    if (code > OP.PUSHDATA4) {
      parts.push(rustOpName(code));
      continue;
    }
    let len = code;
    let sizeBytes = 0;
    if (code === OP.PUSHDATA1) sizeBytes = 1;
    else if (code === OP.PUSHDATA2) sizeBytes = 2;
    else if (code === OP.PUSHDATA4) sizeBytes = 4;
    if (sizeBytes > 0) {
      if (pc + sizeBytes > script.length) {
        parts.push('<unexpected end>');
        break;
      }
      len = 0;
      for (let i = 0; i < sizeBytes; i++) len += script[pc + i]! * 2 ** (8 * i);
      pc += sizeBytes;
    }
    if (pc + len > script.length) {
      parts.push('<push past end>');
      break;
    }
    const name = sizeBytes > 0 ? rustOpName(code) : `OP_PUSHBYTES_${code}`;
    parts.push(`${name} ${hex.encode(script.subarray(pc, pc + len))}`);
    pc += len;
  }
  return parts.join(' ');
}

/** Esplora's `scriptpubkey_type` (electrs: empty, op_return, p2pk, p2pkh, p2sh, v0_p2wpkh, …). */
export function esploraScriptType(script: Uint8Array): string {
  if (script.length === 0) return 'empty';
  if (script[0] === OP.RETURN) return 'op_return';
  const type = classify(script).type;
  switch (type) {
    case 'pubkey':
      return 'p2pk';
    case 'pubkeyhash':
      return 'p2pkh';
    case 'scripthash':
      return 'p2sh';
    case 'witness_v0_keyhash':
      return 'v0_p2wpkh';
    case 'witness_v0_scripthash':
      return 'v0_p2wsh';
    case 'witness_v1_taproot':
      return 'v1_p2tr';
    default:
      return provablyUnspendable(script[0]!) ? 'provably_unspendable' : 'unknown';
  }
}

/** rust-bitcoin's is_provably_unspendable: the first opcode aborts or is disabled. */
function provablyUnspendable(first: number): boolean {
  const aborts = [0x50, 0x62, 0x65, 0x66, 0x89, 0x8a, 0x7e, 0x7f, 0x80, 0x81, 0x83, 0x84, 0x85, 0x86, 0x8d, 0x8e, 0x95, 0x96, 0x97, 0x98, 0x99];
  return aborts.includes(first) || first >= 0xba;
}

const INPUT_CHARSET =
  '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];

function polymod(c: bigint, val: number): bigint {
  const c0 = c >> 35n;
  c = ((c & 0x7ffffffffn) << 5n) ^ BigInt(val);
  for (let i = 0; i < 5; i++) if ((c0 >> BigInt(i)) & 1n) c ^= GENERATOR[i]!;
  return c;
}

/** BIP380 descriptor checksum (8 characters). */
export function descriptorChecksum(desc: string): string {
  let c = 1n;
  let cls = 0;
  let clscount = 0;
  for (const ch of desc) {
    const pos = INPUT_CHARSET.indexOf(ch);
    if (pos < 0) throw new RangeError(`"descriptor" has a character outside the descriptor charset: ${JSON.stringify(ch)}`);
    c = polymod(c, pos & 31);
    cls = cls * 3 + (pos >> 5);
    if (++clscount === 3) {
      c = polymod(c, cls);
      cls = 0;
      clscount = 0;
    }
  }
  if (clscount > 0) c = polymod(c, cls);
  for (let i = 0; i < 8; i++) c = polymod(c, 0);
  c ^= 1n;
  let out = '';
  for (let i = 0; i < 8; i++) out += CHECKSUM_CHARSET[Number((c >> BigInt(5 * (7 - i))) & 31n)];
  return out;
}

/** What Core's InferDescriptor prints for an output script when it knows no keys. */
export function inferDescriptor(script: Uint8Array): string {
  const c = classify(script);
  let desc: string;
  if (c.type === 'pubkey') desc = `pk(${hex.encode(c.pubkey!)})`;
  else if (c.type === 'multisig') desc = `multi(${c.required},${c.keys!.map((k) => hex.encode(k)).join(',')})`;
  else if (c.type === 'witness_v1_taproot') desc = `rawtr(${hex.encode(c.witness!.program)})`;
  else {
    const address = scriptToAddress(script);
    desc = address ? `addr(${address})` : `raw(${hex.encode(script)})`;
  }
  return `${desc}#${descriptorChecksum(desc)}`;
}
