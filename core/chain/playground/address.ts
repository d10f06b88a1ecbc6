/**
 * Regtest addresses ↔ output scripts for the Playground's RPC and Esplora answers: base58check
 * P2PKH/P2SH, bech32 segwit v0 (BIP173) and bech32m v1+ (BIP350), HRP "bcrt".
 * https://github.com/bitcoin/bips/blob/master/bip-0350.mediawiki
 *
 * Not here: wallet address derivation (core/bitcoin); other networks' prefixes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32, bech32m, createBase58check } from '@scure/base';
import { REGTEST } from './params.js';
import { OP, witnessProgram } from './script.js';

const base58check = createBase58check(sha256);

function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** The output script an address pays to, or null when it is not a valid regtest address. */
export function addressToScript(address: string): Uint8Array | null {
  return segwitToScript(address) ?? base58ToScript(address);
}

function segwitToScript(address: string): Uint8Array | null {
  for (const codec of [bech32, bech32m]) {
    let decoded;
    try {
      decoded = codec.decode(address as `${string}1${string}`, 90);
    } catch {
      continue;
    }
    if (decoded.prefix !== REGTEST.bech32) return null;
    const [version, ...data] = decoded.words;
    if (version === undefined || version > 16) return null;
    // BIP350: v0 uses bech32, every later version bech32m.
    if ((version === 0) !== (codec === bech32)) return null;
    let program: Uint8Array;
    try {
      program = codec.fromWords(data);
    } catch {
      return null;
    }
    if (program.length < 2 || program.length > 40) return null;
    if (version === 0 && program.length !== 20 && program.length !== 32) return null;
    return concat([version === 0 ? OP.OP_0 : OP.OP_1 - 1 + version, program.length], program);
  }
  return null;
}

function base58ToScript(address: string): Uint8Array | null {
  let payload: Uint8Array;
  try {
    payload = base58check.decode(address);
  } catch {
    return null;
  }
  if (payload.length !== 21) return null;
  const hash = payload.subarray(1);
  if (payload[0] === REGTEST.pubKeyHash) return concat([OP.DUP, OP.HASH160, 20], hash, [OP.EQUALVERIFY, OP.CHECKSIG]);
  if (payload[0] === REGTEST.scriptHash) return concat([OP.HASH160, 20], hash, [OP.EQUAL]);
  return null;
}

/** The regtest address of an output script, when it has one (Core's ExtractDestination). */
export function scriptToAddress(script: Uint8Array): string | undefined {
  const wp = witnessProgram(script);
  if (wp) {
    if (wp.version === 0 && wp.program.length !== 20 && wp.program.length !== 32) return undefined;
    const codec = wp.version === 0 ? bech32 : bech32m;
    return codec.encode(REGTEST.bech32, [wp.version, ...codec.toWords(wp.program)], 90);
  }
  if (script.length === 25 && script[0] === OP.DUP && script[1] === OP.HASH160 && script[2] === 20 && script[23] === OP.EQUALVERIFY && script[24] === OP.CHECKSIG) {
    return base58check.encode(concat([REGTEST.pubKeyHash], script.subarray(3, 23)));
  }
  if (script.length === 23 && script[0] === OP.HASH160 && script[1] === 20 && script[22] === OP.EQUAL) {
    return base58check.encode(concat([REGTEST.scriptHash], script.subarray(2, 22)));
  }
  return undefined;
}
