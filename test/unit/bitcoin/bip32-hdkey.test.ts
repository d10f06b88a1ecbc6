// BIP32 test vectors 1-4 (every chain entry, serialized both ways) and test vector 5 (every invalid
// extended key rejected, with the reason category), plus path strings and network version bytes.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { createBase58check } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { ExtendedKey, fingerprintHex, formatHdPath, HARDENED, parseExtendedKey, parseHdPath } from '../../../core/bitcoin/hdkey.js';
import { mainnet, regtest, signet, testnet, testnet4 } from '../../../core/bitcoin/networks.js';
import { vectorJson } from '../../support/vectors.js';

interface Bip32Vectors {
  valid: { vector: number; seed_hex: string; chains: { path: string; path_indices: number[]; ext_pub: string; ext_prv: string }[] }[];
  invalid_extended_keys: { vector: number; extended_key: string; reason: string }[];
}
const vectors = vectorJson<Bip32Vectors>('bip32.json');

/** BIP32 reason text -> our DecodeError code. */
function reasonCode(reason: string): string {
  if (/version \/ (pub|prv)key mismatch/.test(reason)) return 'BIP32_VERSION_KEY_MISMATCH';
  if (/invalid (pub|prv)key prefix/.test(reason)) return 'BIP32_BAD_KEY_PREFIX';
  if (reason.startsWith('zero depth with non-zero')) return 'BIP32_BAD_ROOT';
  if (reason === 'unknown extended key version') return 'BIP32_UNKNOWN_VERSION';
  if (/^private key (0|n) not in 1\.\.n-1$/.test(reason)) return 'BIP32_BAD_PRIVATE_KEY';
  if (reason.startsWith('invalid pubkey 02')) return 'BIP32_BAD_PUBLIC_KEY';
  if (reason === 'invalid checksum') return 'BIP32_BAD_CHECKSUM';
  throw new Error(`unmapped BIP32 reason: ${reason}`);
}

describe('BIP32 test vectors 1-4', () => {
  it('has 4 seeds and 17 chain entries', () => {
    expect(vectors.valid).toHaveLength(4);
    expect(vectors.valid.flatMap((v) => v.chains)).toHaveLength(17);
  });
  for (const v of vectors.valid) {
    const master = ExtendedKey.fromSeed(hexToBytes(v.seed_hex), mainnet);
    for (const chain of v.chains) {
      it(`BIP32 test vector ${v.vector} chain ${chain.path}`, () => {
        const pathString = chain.path.replaceAll('H', "'");
        expect(parseHdPath(pathString)).toEqual(chain.path_indices);
        expect(formatHdPath(chain.path_indices)).toBe(pathString);
        const key = master.derive(chain.path_indices);
        expect(key.toBase58()).toBe(chain.ext_prv);
        expect(key.toXpub()).toBe(chain.ext_pub);
        expect(key.neuter().toBase58()).toBe(chain.ext_pub);
        expect(key.depth).toBe(chain.path_indices.length);
        expect(key.index).toBe(chain.path_indices.at(-1) ?? 0);
        // Round trip through our parser, and derive the same key by the `h` spelling.
        const parsedPrv = parseExtendedKey(chain.ext_prv, mainnet);
        const parsedPub = parseExtendedKey(chain.ext_pub);
        expect(parsedPrv.isPrivate).toBe(true);
        expect(parsedPub.isPrivate).toBe(false);
        expect(parsedPrv.toBase58()).toBe(chain.ext_prv);
        expect(parsedPub.toBase58()).toBe(chain.ext_pub);
        expect(bytesToHex(parsedPub.publicKey)).toBe(bytesToHex(key.publicKey));
        // The 78-byte form (PSBT_GLOBAL_XPUB) is the Base58Check payload.
        expect(ExtendedKey.fromBytes(key.toXpubBytes()).toBase58()).toBe(chain.ext_pub);
        expect(bytesToHex(key.toXpubBytes())).toBe(bytesToHex(createBase58check(sha256).decode(chain.ext_pub)));
        expect(master.derive(chain.path.replaceAll('H', 'h')).toBase58()).toBe(chain.ext_prv);
        // Parent fingerprint and own fingerprint agree with the chain above this entry.
        if (chain.path_indices.length > 0) {
          const parent = master.derive(chain.path_indices.slice(0, -1));
          expect(key.parentFingerprint).toBe(parent.fingerprint);
        } else {
          expect(key.parentFingerprint).toBe(0);
        }
        expect(key.fingerprint).toBe(HDKey.fromExtendedKey(chain.ext_pub).fingerprint);
        // Public derivation of the last unhardened step matches private derivation.
        const last = chain.path_indices.at(-1);
        if (last !== undefined && last < HARDENED) {
          const parentPub = master.derive(chain.path_indices.slice(0, -1)).neuter();
          expect(parentPub.deriveChild(last).toBase58()).toBe(chain.ext_pub);
        }
      });
    }
  }
});

describe('BIP32 test vector 5 (invalid extended keys)', () => {
  it('has 16 invalid keys', () => {
    expect(vectors.invalid_extended_keys).toHaveLength(16);
  });
  vectors.invalid_extended_keys.forEach((v, i) => {
    it(`BIP32 test vector 5 key ${i}: ${v.reason}`, () => {
      const code = reasonCode(v.reason);
      expect(() => parseExtendedKey(v.extended_key)).toThrow(DecodeError);
      expect(() => parseExtendedKey(v.extended_key)).toThrow(expect.objectContaining({ code }));
      // Asking for a specific network gives the same category.
      expect(() => parseExtendedKey(v.extended_key, mainnet)).toThrow(expect.objectContaining({ code }));
      // The 78-byte form gives the same category (checksum failures have no 78-byte form).
      if (code !== 'BIP32_BAD_CHECKSUM') {
        const raw = createBase58check(sha256).decode(v.extended_key);
        expect(() => ExtendedKey.fromBytes(raw)).toThrow(expect.objectContaining({ code }));
      }
    });
  });
});

describe('BIP32 networks and errors', () => {
  const seed = hexToBytes('000102030405060708090a0b0c0d0e0f');

  it('serializes test-network keys as tpub/tprv and rejects them for mainnet', () => {
    for (const net of [testnet, testnet4, signet, regtest]) {
      const key = ExtendedKey.fromSeed(seed, net);
      expect(key.toBase58().startsWith('tprv')).toBe(true);
      expect(key.toXpub().startsWith('tpub')).toBe(true);
      expect(parseExtendedKey(key.toXpub(), net).network).toBe(net);
      expect(() => parseExtendedKey(key.toXpub(), mainnet)).toThrow(expect.objectContaining({ code: 'BIP32_WRONG_NETWORK' }));
      expect(() => parseExtendedKey(key.toXpub(), mainnet)).toThrow(/testnet\/testnet4\/signet\/regtest, expected mainnet/);
    }
    const xprv = ExtendedKey.fromSeed(seed, mainnet).toBase58();
    expect(() => parseExtendedKey(xprv, regtest)).toThrow(expect.objectContaining({ code: 'BIP32_WRONG_NETWORK' }));
    expect(parseExtendedKey(ExtendedKey.fromSeed(seed, regtest).toBase58()).network).toBe(testnet);
  });

  it('rejects bad characters and lengths with their own codes', () => {
    const xpub = vectors.valid[0]!.chains[0]!.ext_pub;
    expect(() => parseExtendedKey(xpub.replace('x', '0'))).toThrow(expect.objectContaining({ code: 'BIP32_BAD_CHARACTER' }));
    expect(() => parseExtendedKey(xpub.slice(0, -1))).toThrow(expect.objectContaining({ code: 'BIP32_BAD_LENGTH' }));
    expect(() => parseExtendedKey('')).toThrow(expect.objectContaining({ code: 'BIP32_BAD_LENGTH' }));
    expect(() => parseExtendedKey('x'.repeat(100_000))).toThrow(expect.objectContaining({ code: 'BIP32_BAD_LENGTH' }));
    expect(() => ExtendedKey.fromBytes(new Uint8Array(77))).toThrow(expect.objectContaining({ code: 'BIP32_BAD_LENGTH' }));
  });

  it('refuses hardened derivation from a public key', () => {
    const xpub = parseExtendedKey(vectors.valid[0]!.chains[0]!.ext_pub);
    expect(() => xpub.derive("m/0'")).toThrow(RangeError);
    expect(xpub.derive('m/0/1').depth).toBe(2);
  });

  it('parses path strings strictly', () => {
    expect(parseHdPath('m')).toEqual([]);
    expect(parseHdPath("m/86'/0h/0'/0/5")).toEqual([86 + HARDENED, HARDENED, HARDENED, 0, 5]);
    expect(formatHdPath([86 + HARDENED, 1 + HARDENED, 0], 'h')).toBe('m/86h/1h/0');
    for (const bad of ['', '86/0', 'm/', 'm//0', 'm/0H', 'm/-1', 'm/2147483648', 'm/1a', "m/0''", 'M/0', 'm/0/']) {
      expect(() => parseHdPath(bad), bad).toThrow(expect.objectContaining({ code: 'BIP32_BAD_PATH' }));
    }
  });

  it('formats fingerprints as 8 hex characters', () => {
    const master = ExtendedKey.fromSeed(seed, mainnet);
    expect(fingerprintHex(master.fingerprint)).toBe('3442193e');
    expect(fingerprintHex(0x1)).toBe('00000001');
  });

  it('wipes private key bytes', () => {
    const key = ExtendedKey.fromSeed(seed, mainnet);
    key.wipe();
    expect(key.isPrivate).toBe(false);
    expect(key.privateKey).toBeUndefined();
  });
});
