/**
 * BIP32 hierarchical deterministic keys: master key from a seed, parsing and serializing extended
 * keys with each network's version bytes (xpub/xprv, tpub/tprv), derivation by path or index,
 * fingerprints, and BIP32 path strings (`m/86'/0'/0'/0/5`, `h` and `'` both mark hardened steps).
 *
 * Derivation arithmetic is @scure/bip32's; this module owns validation of untrusted extended keys
 * (every rejection is a DecodeError with a specific code, see `parseExtendedKey`) and the network.
 * Not here: BIP39 (`mnemonic.ts`), script types (`bip86.ts`, `descriptor/`).
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0032.mediawiki
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, equalBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { HDKey } from '@scure/bip32';
import { base58 } from '@scure/base';
import { DecodeError } from './errors.js';
import { type Network, NETWORKS, networksLabel } from './networks.js';

/** Offset of hardened child indices (2^31). */
export const HARDENED = 0x80000000;

const BASE58_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const CURVE_ORDER = secp256k1.Point.Fn.ORDER;

function fail(code: string, message: string): never {
  throw new DecodeError(code, message);
}

/** An extended key (private or public) on a network. Immutable; derivation returns new keys. */
export class ExtendedKey {
  private constructor(
    private readonly node: HDKey,
    readonly network: Network,
  ) {}

  /** The master key of a 16..64-byte seed (BIP39 seeds are 64 bytes). */
  static fromSeed(seed: Uint8Array, network: Network): ExtendedKey {
    if (!(seed instanceof Uint8Array) || seed.length < 16 || seed.length > 64) {
      throw new RangeError(`"seed" expected 16..64 bytes, got ${seed instanceof Uint8Array ? seed.length : typeof seed}`);
    }
    return new ExtendedKey(HDKey.fromMasterSeed(seed, network.bip32), network);
  }

  /**
   * A public extended key assembled from its parts, e.g. a BIP328 synthetic xpub over a MuSig2
   * aggregate key. `publicKey` must be a valid compressed point.
   */
  static fromPublicParts(parts: { publicKey: Uint8Array; chainCode: Uint8Array; network: Network; depth?: number; index?: number; parentFingerprint?: number }): ExtendedKey {
    const node = new HDKey({
      versions: parts.network.bip32,
      publicKey: parts.publicKey,
      chainCode: parts.chainCode,
      depth: parts.depth ?? 0,
      index: parts.index ?? 0,
      parentFingerprint: parts.parentFingerprint ?? 0,
    });
    return new ExtendedKey(node, parts.network);
  }

  /** Parses xprv/xpub/tprv/tpub text; see `parseExtendedKey`. */
  static parse(text: string, network?: Network): ExtendedKey {
    const { node, network: net } = decodeExtendedKey(text, network);
    return new ExtendedKey(node, net);
  }

  /** Parses the 78-byte serialization (as in PSBT_GLOBAL_XPUB); same checks and codes as `parse`. */
  static fromBytes(bytes: Uint8Array, network?: Network): ExtendedKey {
    const { node, network: net } = decodeExtendedKeyBytes(bytes, network);
    return new ExtendedKey(node, net);
  }

  get isPrivate(): boolean {
    return this.node.privateKey !== null;
  }
  get depth(): number {
    return this.node.depth;
  }
  /** Child index of this key in its parent (hardened indices include the 2^31 offset). */
  get index(): number {
    return this.node.index;
  }
  get parentFingerprint(): number {
    return this.node.parentFingerprint;
  }
  /** First 4 bytes of HASH160(public key), as a big-endian number. */
  get fingerprint(): number {
    return this.node.fingerprint;
  }
  get chainCode(): Uint8Array {
    return this.node.chainCode!;
  }
  /** 33-byte compressed public key. */
  get publicKey(): Uint8Array {
    return this.node.publicKey!;
  }
  /** 32-byte BIP340 x-only public key. */
  get xOnlyPublicKey(): Uint8Array {
    return this.node.publicKey!.slice(1);
  }
  /** 32-byte private key, or undefined for a public extended key. */
  get privateKey(): Uint8Array | undefined {
    return this.node.privateKey ?? undefined;
  }

  /** Derives one child; hardened indices need a private key. */
  deriveChild(index: number): ExtendedKey {
    if (!Number.isInteger(index) || index < 0 || index > 0xffffffff) throw new RangeError(`"index" expected a uint32, got ${index}`);
    if (index >= HARDENED && !this.isPrivate) {
      throw new RangeError(`"index" ${index - HARDENED}h is hardened but the key is public`);
    }
    return new ExtendedKey(this.node.deriveChild(index), this.network);
  }

  /** Derives along a path string (`m/86'/0'/0'`, relative to this key) or a list of indices. */
  derive(path: string | readonly number[]): ExtendedKey {
    const indices = typeof path === 'string' ? parseHdPath(path) : path;
    let key: ExtendedKey = this;
    for (const index of indices) key = key.deriveChild(index);
    return key;
  }

  /** The public extended key of this key. */
  neuter(): ExtendedKey {
    if (!this.isPrivate) return this;
    const n = this.node;
    return ExtendedKey.fromPublicParts({
      publicKey: this.publicKey,
      chainCode: this.chainCode,
      network: this.network,
      depth: n.depth,
      index: n.index,
      parentFingerprint: n.parentFingerprint,
    });
  }

  /** xprv/tprv for a private key, xpub/tpub for a public one. */
  toBase58(): string {
    return this.isPrivate ? this.node.privateExtendedKey : this.node.publicExtendedKey;
  }

  /** xpub/tpub, also for a private key. */
  toXpub(): string {
    return this.node.publicExtendedKey;
  }

  /** The 78-byte serialization of the public extended key (version, depth, parent, index, chain code, key). */
  toXpubBytes(): Uint8Array {
    const out = new Uint8Array(78);
    const view = new DataView(out.buffer);
    view.setUint32(0, this.network.bip32.public);
    out[4] = this.depth;
    view.setUint32(5, this.parentFingerprint);
    view.setUint32(9, this.index);
    out.set(this.chainCode, 13);
    out.set(this.publicKey, 45);
    return out;
  }

  /** Overwrites the private key bytes held by this key (locking the wallet). */
  wipe(): void {
    this.node.wipePrivateData();
  }
}

/**
 * Validates the 78-byte BIP32 serialization (the form PSBT_GLOBAL_XPUB carries). With `expected`,
 * the version bytes must be that network's (BIP32_WRONG_NETWORK otherwise); without, mainnet or
 * the test networks are inferred (the test networks share tpub/tprv, so the result names
 * `testnet`). Codes: BIP32_BAD_LENGTH, BIP32_UNKNOWN_VERSION, BIP32_WRONG_NETWORK,
 * BIP32_VERSION_KEY_MISMATCH, BIP32_BAD_KEY_PREFIX, BIP32_BAD_PRIVATE_KEY, BIP32_BAD_PUBLIC_KEY,
 * BIP32_BAD_ROOT (depth 0 with a parent fingerprint or index).
 */
function decodeExtendedKeyBytes(raw: Uint8Array, expected?: Network): { node: HDKey; network: Network } {
  if (!(raw instanceof Uint8Array) || raw.length !== 78) {
    fail('BIP32_BAD_LENGTH', `"extended key" expected 78 bytes, got ${raw instanceof Uint8Array ? raw.length : typeof raw}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const version = view.getUint32(0);
  const depth = raw[4]!;
  const parentFingerprint = view.getUint32(5);
  const index = view.getUint32(9);
  const chainCode = raw.subarray(13, 45);
  const key = raw.subarray(45);
  const owners = Object.values(NETWORKS).filter((n) => n.bip32.public === version || n.bip32.private === version);
  if (owners.length === 0) fail('BIP32_UNKNOWN_VERSION', `"extended key" has unknown version bytes 0x${version.toString(16).padStart(8, '0')}`);
  const network = expected ?? owners[0]!;
  if (!owners.includes(network)) {
    fail('BIP32_WRONG_NETWORK', `"extended key" is for ${networksLabel((n) => owners.includes(n))}, expected ${network.name}`);
  }
  const isPrivate = version === network.bip32.private;
  if (isPrivate) {
    if (key[0] === 2 || key[0] === 3) fail('BIP32_VERSION_KEY_MISMATCH', '"extended key" has private version bytes but holds a public key');
    if (key[0] !== 0) fail('BIP32_BAD_KEY_PREFIX', `"extended key" private key must start with 0x00, got 0x${key[0]!.toString(16).padStart(2, '0')}`);
    const k = bytesToNumberBE(key.subarray(1));
    if (k === 0n || k >= CURVE_ORDER) fail('BIP32_BAD_PRIVATE_KEY', '"extended key" private key is not in 1..n-1');
  } else {
    if (key[0] === 0) fail('BIP32_VERSION_KEY_MISMATCH', '"extended key" has public version bytes but holds a private key');
    if (key[0] !== 2 && key[0] !== 3) fail('BIP32_BAD_KEY_PREFIX', `"extended key" public key must start with 0x02 or 0x03, got 0x${key[0]!.toString(16).padStart(2, '0')}`);
  }
  if (depth === 0 && parentFingerprint !== 0) fail('BIP32_BAD_ROOT', '"extended key" has depth 0 but a non-zero parent fingerprint');
  if (depth === 0 && index !== 0) fail('BIP32_BAD_ROOT', '"extended key" has depth 0 but a non-zero child index');
  const common = { versions: network.bip32, depth, index, parentFingerprint, chainCode };
  if (isPrivate) return { node: new HDKey({ ...common, privateKey: key.subarray(1) }), network };
  try {
    // Everything else is checked above; the only thing left for HDKey to refuse is the point.
    return { node: new HDKey({ ...common, publicKey: key }), network };
  } catch {
    fail('BIP32_BAD_PUBLIC_KEY', `"extended key" public key ${bytesToHex(key)} is not on the curve`);
  }
}

/** Base58Check text around `decodeExtendedKeyBytes`; adds BIP32_BAD_CHARACTER and BIP32_BAD_CHECKSUM. */
function decodeExtendedKey(text: string, expected?: Network): { node: HDKey; network: Network } {
  if (typeof text !== 'string') fail('BIP32_BAD_CHARACTER', `"extended key" expected a string, got ${typeof text}`);
  // 82 bytes are 111-112 Base58 characters; refusing longer text keeps the quadratic decoder cheap.
  if (text.length > 120) fail('BIP32_BAD_LENGTH', `"extended key" expected about 111 characters, got ${text.length}`);
  for (let i = 0; i < text.length; i++) {
    if (!BASE58_ALPHABET.includes(text[i]!)) fail('BIP32_BAD_CHARACTER', `"extended key" has invalid character ${JSON.stringify(text[i])} at position ${i}`);
  }
  const decoded = base58.decode(text);
  if (decoded.length !== 82) fail('BIP32_BAD_LENGTH', `"extended key" expected 82 bytes with checksum, got ${decoded.length}`);
  const raw = decoded.subarray(0, 78);
  if (!equalBytes(sha256(sha256(raw)).subarray(0, 4), decoded.subarray(78))) {
    fail('BIP32_BAD_CHECKSUM', '"extended key" has an invalid Base58Check checksum');
  }
  try {
    return decodeExtendedKeyBytes(raw, expected);
  } finally {
    decoded.fill(0);
  }
}

/** Parses xprv/xpub/tprv/tpub text (error codes: see `decodeExtendedKeyBytes`, plus BIP32_BAD_CHARACTER and BIP32_BAD_CHECKSUM). */
export function parseExtendedKey(text: string, network?: Network): ExtendedKey {
  return ExtendedKey.parse(text, network);
}

/**
 * Parses `m/86'/0'/0'/0/5` (or `86h/...` steps, or just `m`) into child indices. Indices are
 * decimal below 2^31; `'` or `h` adds the hardened offset. Throws DecodeError BIP32_BAD_PATH.
 */
export function parseHdPath(path: string): number[] {
  if (typeof path !== 'string' || (path !== 'm' && !path.startsWith('m/'))) {
    fail('BIP32_BAD_PATH', `"path" must be "m" or start with "m/", got ${JSON.stringify(path)}`);
  }
  if (path === 'm') return [];
  return path
    .slice(2)
    .split('/')
    .map((step, i) => {
      const m = /^(\d{1,10})(['h]?)$/.exec(step);
      if (!m) fail('BIP32_BAD_PATH', `"path" step ${i + 1} ${JSON.stringify(step)} is not NUM, NUM' or NUMh`);
      const n = Number(m[1]);
      if (n >= HARDENED) fail('BIP32_BAD_PATH', `"path" step ${i + 1} index ${n} is not below 2^31`);
      return m[2] ? n + HARDENED : n;
    });
}

/** Formats child indices as `m/86'/0'/0'/0/5` (or with `h` as the hardened marker). */
export function formatHdPath(indices: readonly number[], hardenedMarker: "'" | 'h' = "'"): string {
  return ['m', ...indices.map((i) => (i >= HARDENED ? `${i - HARDENED}${hardenedMarker}` : `${i}`))].join('/');
}

/** A fingerprint as the 8 hex characters used in descriptors and PSBTs. */
export function fingerprintHex(fingerprint: number): string {
  return fingerprint.toString(16).padStart(8, '0');
}
