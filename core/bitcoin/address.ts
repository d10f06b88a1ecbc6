/**
 * Addresses ⇄ scriptPubKeys: Base58Check P2PKH/P2SH, bech32 segwit v0 (P2WPKH, P2WSH) and bech32m
 * v1+ (P2TR and future witness versions, which are valid recipients per BIP350). Decoding is
 * strict and checks the address belongs to the expected network; every failure is a DecodeError
 * with a stable code:
 *
 * ADDRESS_MIXED_CASE, ADDRESS_BAD_CHARACTER, ADDRESS_BAD_CHECKSUM (incl. bech32 vs bech32m
 * mismatch), ADDRESS_BAD_VERSION, ADDRESS_BAD_LENGTH, ADDRESS_BAD_PADDING, ADDRESS_WRONG_NETWORK,
 * ADDRESS_UNKNOWN_FORMAT; SCRIPT_NO_ADDRESS when encoding a script that has no address form.
 *
 * Not here: BIP21 URIs, silent payment addresses.
 * Spec: BIP173 (https://github.com/bitcoin/bips/blob/master/bip-0173.mediawiki), BIP350
 * (https://github.com/bitcoin/bips/blob/master/bip-0350.mediawiki), BIP141 witness programs.
 */
import { equalBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base58, bech32, bech32m, createBase58check } from '@scure/base';
import { DecodeError } from './errors.js';
import { type Network, NETWORKS, networksLabel } from './networks.js';

const base58check = createBase58check(sha256);

export type AddressType = 'p2pkh' | 'p2sh' | 'p2wpkh' | 'p2wsh' | 'p2tr' | 'witness';

export interface DecodedAddress {
  /** `witness` is any other witness program (future versions, or v1 of a length other than 32). */
  type: AddressType;
  scriptPubKey: Uint8Array;
  /** For segwit addresses. */
  witnessVersion?: number;
  /** Hash (P2PKH, P2SH) or witness program. */
  payload: Uint8Array;
}

const BECH32_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const BECH32_MAX_LENGTH = 90;

function fail(code: string, message: string): never {
  throw new DecodeError(code, message);
}

/** OP_n for a witness version 0..16. */
function versionOpcode(version: number): number {
  return version === 0 ? 0x00 : 0x50 + version;
}

function witnessScript(version: number, program: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + program.length);
  out[0] = versionOpcode(version);
  out[1] = program.length;
  out.set(program, 2);
  return out;
}

function witnessType(version: number, length: number): AddressType {
  if (version === 0) return length === 20 ? 'p2wpkh' : 'p2wsh';
  if (version === 1 && length === 32) return 'p2tr';
  return 'witness';
}

function decodeSegwit(address: string, network: Network): DecodedAddress {
  const lower = address.toLowerCase();
  const sep = lower.lastIndexOf('1');
  const hrp = lower.slice(0, sep);
  if (address.length > BECH32_MAX_LENGTH) fail('ADDRESS_BAD_LENGTH', `"address" longer than ${BECH32_MAX_LENGTH} characters`);
  const data = lower.slice(sep + 1);
  for (const [i, c] of [...data].entries()) {
    if (!BECH32_CHARSET.includes(c)) fail('ADDRESS_BAD_CHARACTER', `"address" has invalid character ${JSON.stringify(c)} at position ${sep + 1 + i}`);
  }
  if (data.length < 6) fail('ADDRESS_BAD_LENGTH', '"address" checksum is shorter than 6 characters');
  const asBech32 = bech32.decodeUnsafe(lower, BECH32_MAX_LENGTH);
  const asBech32m = asBech32 ? undefined : bech32m.decodeUnsafe(lower, BECH32_MAX_LENGTH);
  const decoded = asBech32 ?? asBech32m;
  if (!decoded) fail('ADDRESS_BAD_CHECKSUM', '"address" has an invalid bech32/bech32m checksum');
  if (decoded.words.length === 0) fail('ADDRESS_BAD_LENGTH', '"address" has an empty data section');
  const [version, ...words] = decoded.words as [number, ...number[]];
  if (version > 16) fail('ADDRESS_BAD_VERSION', `"address" witness version must be 0..16, got ${version}`);
  // BIP350: v0 uses bech32, every later version bech32m.
  if (version === 0 && !asBech32) fail('ADDRESS_BAD_CHECKSUM', '"address" is witness v0 but uses a bech32m checksum (v0 requires bech32)');
  if (version !== 0 && asBech32) fail('ADDRESS_BAD_CHECKSUM', `"address" is witness v${version} but uses a bech32 checksum (v1+ requires bech32m)`);
  const program = bech32.fromWordsUnsafe(words);
  if (!program) fail('ADDRESS_BAD_PADDING', '"address" has invalid padding in its 5-to-8 bit conversion');
  if (program.length < 2 || program.length > 40) fail('ADDRESS_BAD_LENGTH', `"address" witness program must be 2..40 bytes, got ${program.length}`);
  if (version === 0 && program.length !== 20 && program.length !== 32) {
    fail('ADDRESS_BAD_LENGTH', `"address" witness v0 program must be 20 or 32 bytes, got ${program.length}`);
  }
  // Checked last: a damaged address reports the damage, not its network.
  if (hrp !== network.bech32) {
    fail('ADDRESS_WRONG_NETWORK', `"address" is for ${networksLabel((n) => n.bech32 === hrp)} (prefix ${hrp}), expected ${network.name} (prefix ${network.bech32})`);
  }
  return { type: witnessType(version, program.length), scriptPubKey: witnessScript(version, program), witnessVersion: version, payload: program };
}

/** Base58 P2PKH/P2SH addresses are 26-35 characters; longer input is refused before decoding. */
const BASE58_MAX_LENGTH = 40;

function decodeBase58(address: string, network: Network): DecodedAddress {
  if (address.length > BASE58_MAX_LENGTH) fail('ADDRESS_BAD_LENGTH', `"address" longer than ${BASE58_MAX_LENGTH} characters`);
  for (const [i, c] of [...address].entries()) {
    if (!BASE58_ALPHABET.includes(c)) fail('ADDRESS_BAD_CHARACTER', `"address" has invalid character ${JSON.stringify(c)} at position ${i}`);
  }
  const raw = base58.decode(address);
  if (raw.length < 5) fail('ADDRESS_BAD_LENGTH', `"address" decodes to ${raw.length} bytes, too short for a checksum`);
  const data = raw.subarray(0, -4);
  if (!equalBytes(sha256(sha256(data)).subarray(0, 4), raw.subarray(-4))) {
    fail('ADDRESS_BAD_CHECKSUM', '"address" has an invalid Base58Check checksum');
  }
  if (data.length !== 21) fail('ADDRESS_BAD_LENGTH', `"address" payload must be 21 bytes, got ${data.length}`);
  const version = data[0]!;
  const hash = data.slice(1);
  if (version === network.pubKeyHash) {
    return { type: 'p2pkh', scriptPubKey: Uint8Array.of(0x76, 0xa9, 0x14, ...hash, 0x88, 0xac), payload: hash };
  }
  if (version === network.scriptHash) {
    return { type: 'p2sh', scriptPubKey: Uint8Array.of(0xa9, 0x14, ...hash, 0x87), payload: hash };
  }
  const owner = networksLabel((n) => n.pubKeyHash === version || n.scriptHash === version);
  if (owner !== 'no known network') {
    fail('ADDRESS_WRONG_NETWORK', `"address" is for ${owner} (version byte 0x${version.toString(16).padStart(2, '0')}), expected ${network.name}`);
  }
  fail('ADDRESS_UNKNOWN_FORMAT', `"address" has unknown Base58 version byte 0x${version.toString(16).padStart(2, '0')}`);
}

function knownHrp(lower: string): boolean {
  return Object.values(NETWORKS).some((n) => lower.startsWith(`${n.bech32}1`));
}

/** Decodes an address for `network`; throws DecodeError (see module header for the codes). */
export function decodeAddress(address: string, network: Network): DecodedAddress {
  if (typeof address !== 'string') fail('ADDRESS_UNKNOWN_FORMAT', `"address" expected a string, got ${typeof address}`);
  if (address.length === 0) fail('ADDRESS_UNKNOWN_FORMAT', '"address" is empty');
  const lower = address.toLowerCase();
  const upper = address.toUpperCase();
  if (knownHrp(lower)) {
    if (address !== lower && address !== upper) fail('ADDRESS_MIXED_CASE', '"address" mixes upper and lower case');
    return decodeSegwit(address, network);
  }
  if ([...address].every((c) => BASE58_ALPHABET.includes(c))) return decodeBase58(address, network);
  // Looks like bech32 with a prefix no network uses (BIP173 "invalid human-readable part").
  const sep = lower.lastIndexOf('1');
  if (sep > 0 && (bech32.decodeUnsafe(lower, BECH32_MAX_LENGTH) || bech32m.decodeUnsafe(lower, BECH32_MAX_LENGTH))) {
    fail('ADDRESS_UNKNOWN_FORMAT', `"address" has unknown human-readable part ${JSON.stringify(lower.slice(0, sep))}`);
  }
  fail('ADDRESS_UNKNOWN_FORMAT', '"address" is neither Base58Check nor bech32/bech32m with a known prefix');
}

/** The scriptPubKey an address pays to. */
export function addressToScriptPubKey(address: string, network: Network): Uint8Array {
  return decodeAddress(address, network).scriptPubKey;
}

/** Parses a witness program script (OP_n <2..40 bytes>) into version and program. */
function parseWitnessProgram(script: Uint8Array): { version: number; program: Uint8Array } | undefined {
  if (script.length < 4 || script.length > 42) return undefined;
  const op = script[0]!;
  const version = op === 0x00 ? 0 : op >= 0x51 && op <= 0x60 ? op - 0x50 : -1;
  if (version < 0 || script[1] !== script.length - 2) return undefined;
  return { version, program: script.slice(2) };
}

/**
 * The address of a scriptPubKey on `network`. Scripts without an address form (bare multisig,
 * P2PK, OP_RETURN, invalid v0 programs) throw DecodeError SCRIPT_NO_ADDRESS.
 */
export function scriptPubKeyToAddress(script: Uint8Array, network: Network): string {
  const s = script;
  if (s.length === 25 && s[0] === 0x76 && s[1] === 0xa9 && s[2] === 0x14 && s[23] === 0x88 && s[24] === 0xac) {
    return base58check.encode(Uint8Array.of(network.pubKeyHash, ...s.subarray(3, 23)));
  }
  if (s.length === 23 && s[0] === 0xa9 && s[1] === 0x14 && s[22] === 0x87) {
    return base58check.encode(Uint8Array.of(network.scriptHash, ...s.subarray(2, 22)));
  }
  const wp = parseWitnessProgram(s);
  if (wp && (wp.version !== 0 || wp.program.length === 20 || wp.program.length === 32)) {
    const words = [wp.version, ...bech32.toWords(wp.program)];
    return (wp.version === 0 ? bech32 : bech32m).encode(network.bech32, words, BECH32_MAX_LENGTH);
  }
  fail('SCRIPT_NO_ADDRESS', '"scriptPubKey" has no address form');
}
