// BIP380 test vectors (bip380.txt, the mediawiki "Test Vectors" section parsed here): every
// checksum/character-set case and every valid and invalid key expression. Valid keys are parsed
// inside pk() (the context that allows all of them), printed back, and derived; the derived key
// and its origin are checked against @scure/bip32 / btc-signer's WIF decoder independently.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { HDKey } from '@scure/bip32';
import { createBase58check } from '@scure/base';
import { WIF } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import {
  deriveDescriptor,
  descriptorChecksum,
  formatDescriptor,
  isRangedDescriptor,
  parseDescriptor,
  toPublicDescriptor,
  verifyChecksum,
  withChecksum,
} from '../../../core/bitcoin/descriptor/index.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { HARDENED } from '../../../core/bitcoin/hdkey.js';
import { mainnet, regtest } from '../../../core/bitcoin/networks.js';
import { vectorText } from '../../support/vectors.js';

interface Bullet {
  section: 'checksum' | 'valid' | 'invalid';
  description: string;
  expression: string;
}

/** The bullets of bip380.txt, by the heading they sit under. */
function bullets(): Bullet[] {
  let section: Bullet['section'] | undefined;
  const out: Bullet[] = [];
  for (const line of vectorText('bip380.txt').split('\n')) {
    if (line.startsWith('The following tests cover the checksum')) section = 'checksum';
    else if (line.startsWith('Valid expressions')) section = 'valid';
    else if (line.startsWith('Invalid expression')) section = 'invalid';
    const m = /^\* (.*?):? ?<tt>([^<]*)<\/tt>$/.exec(line);
    if (m && section) out.push({ section, description: m[1]!, expression: m[2]! });
  }
  return out;
}
const all = bullets();
const checksumCases = all.filter((b) => b.section === 'checksum');
const validKeys = all.filter((b) => b.section === 'valid');
const invalidKeys = all.filter((b) => b.section === 'invalid');

// Expected outcome per checksum case, keyed by BIP380's description.
const CHECKSUM_EXPECTED: Record<string, string | null> = {
  'Valid checksum': null,
  'No checksum': null,
  'Missing checksum': 'DESCRIPTOR_MISSING_CHECKSUM',
  'Too long checksum (9 chars)': 'DESCRIPTOR_BAD_CHECKSUM',
  'Too short checksum (7 chars)': 'DESCRIPTOR_BAD_CHECKSUM',
  'Error in payload': 'DESCRIPTOR_BAD_CHECKSUM',
  'Error in checksum': 'DESCRIPTOR_BAD_CHECKSUM',
  'Invalid characters in payload': 'DESCRIPTOR_BAD_CHARACTER',
};

// Expected code per invalid key expression, in BIP380's order (descriptions repeat).
const INVALID_EXPECTED: [string, string][] = [
  ['Children indicator in key origin', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Trailing slash in key origin', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Too short fingerprint', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Too long fingerprint', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Invalid hardened indicators', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Invalid hardened indicators', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Invalid hardened indicators', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Invalid hardened indicators', 'DESCRIPTOR_BAD_PATH'],
  ['Private key with derivation', 'DESCRIPTOR_BAD_PATH'],
  ['Private key with derivation children', 'DESCRIPTOR_BAD_PATH'],
  ['Derivation index out of range', 'DESCRIPTOR_BAD_PATH'],
  ['Invalid derivation index', 'DESCRIPTOR_BAD_PATH'],
  ['Multiple key origins', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Missing key origin start', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Non hex fingerprint', 'DESCRIPTOR_BAD_ORIGIN'],
  ['Key origin with no public key', 'DESCRIPTOR_BAD_KEY'],
];

describe('BIP380 checksum and character set', () => {
  it('has 8 checksum cases, 21 valid and 16 invalid key expressions', () => {
    expect(checksumCases).toHaveLength(8);
    expect(validKeys).toHaveLength(21);
    expect(invalidKeys).toHaveLength(16);
  });

  checksumCases.forEach((c, i) => {
    it(`BIP380 checksum case ${i}: ${c.description}`, () => {
      expect(c.description in CHECKSUM_EXPECTED).toBe(true);
      const code = CHECKSUM_EXPECTED[c.description];
      if (code === null) {
        const d = parseDescriptor(c.expression, mainnet);
        expect(d.script).toEqual({ type: 'raw', script: hexToBytes('deadbeef') });
        expect(formatDescriptor(d)).toBe('raw(deadbeef)#89f8spxm');
        expect(verifyChecksum(c.expression)).toBe('raw(deadbeef)');
      } else {
        expect(() => parseDescriptor(c.expression, mainnet)).toThrow(DecodeError);
        expect(() => parseDescriptor(c.expression, mainnet)).toThrow(expect.objectContaining({ code }));
      }
    });
  });

  it('computes checksums and can require them', () => {
    expect(descriptorChecksum('raw(deadbeef)')).toBe('89f8spxm');
    expect(withChecksum('raw(deadbeef)')).toBe('raw(deadbeef)#89f8spxm');
    expect(() => parseDescriptor('raw(deadbeef)', mainnet, { requireChecksum: true })).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_MISSING_CHECKSUM' }));
    expect(parseDescriptor('raw(deadbeef)#89f8spxm', mainnet, { requireChecksum: true }).script.type).toBe('raw');
    // Every single-character change of the body is detected (BIP380: any 1 symbol error).
    const body = 'raw(deadbeef)';
    for (let i = 0; i < body.length; i++) {
      for (const c of '0123456789abcdefgh()') {
        if (c === body[i]) continue;
        const changed = body.slice(0, i) + c + body.slice(i + 1);
        expect(() => verifyChecksum(`${changed}#89f8spxm`)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_BAD_CHECKSUM' }));
      }
    }
  });
});

const H = (n: number) => n + HARDENED;
/** Independent derivation of an extended key along a BIP32 path with @scure/bip32. */
function scureDerive(xkey: string, steps: string[]): string {
  const path = steps.length === 0 ? 'm' : `m/${steps.map((s) => s.replace(/h$/, "'")).join('/')}`;
  return bytesToHex(HDKey.fromExtendedKey(xkey).derive(path).publicKey!);
}
function parseIndex(step: string): number {
  return /['h]$/.test(step) ? H(Number(step.slice(0, -1))) : Number(step);
}

describe('BIP380 valid key expressions', () => {
  validKeys.forEach((v, i) => {
    it(`BIP380 valid key ${i}: ${v.description}`, () => {
      const text = `pk(${v.expression})`;
      const d = parseDescriptor(text, mainnet);
      // Canonical print parses back to the same tree and verifies its own checksum.
      const printed = formatDescriptor(d);
      expect(parseDescriptor(printed, mainnet, { requireChecksum: true })).toEqual(d);
      expect(printed.replace(/#.*$/, '')).toBe(text.replaceAll("'", 'h'));

      const m = /^(?:\[([0-9a-f]{8})((?:\/[0-9]+['h]?)*)\])?([^/]+)((?:\/[^/]+)*)$/.exec(v.expression)!;
      const [, fp, originPath = '', key, rest = ''] = m;
      const steps = rest.split('/').filter(Boolean);
      const originIndices = originPath.split('/').filter(Boolean).map(parseIndex);
      const wildcard = steps.at(-1)?.startsWith('*');
      const fixed = wildcard ? steps.slice(0, -1) : steps;
      expect(isRangedDescriptor(d)).toBe(!!wildcard);

      if (key!.startsWith('xpub') || key!.startsWith('xprv')) {
        const hardenedFromPublic = key!.startsWith('xpub') && steps.some((s) => /['h]$/.test(s));
        for (const index of wildcard ? [0, 1, 2] : [undefined]) {
          if (hardenedFromPublic) {
            expect(() => deriveDescriptor(d, { index })).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_CANNOT_DERIVE' }));
            continue;
          }
          const childSteps = wildcard ? [...fixed, steps.at(-1) === '*' ? `${index}` : `${index}h`] : fixed;
          const out = deriveDescriptor(d, { index });
          const derived = out.keys[0]!;
          expect(bytesToHex(derived.pubkey)).toBe(scureDerive(key!, childSteps));
          expect(bytesToHex(out.scriptPubKey)).toBe(`21${scureDerive(key!, childSteps)}ac`);
          expect(derived.origin.path).toEqual([...originIndices, ...childSteps.map(parseIndex)]);
          expect(derived.origin.fingerprint).toBe(fp ? parseInt(fp, 16) : HDKey.fromExtendedKey(key!).fingerprint);
          expect(derived.privateKey !== undefined).toBe(key!.startsWith('xprv'));
        }
        return;
      }
      const out = deriveDescriptor(d);
      let pubkey: string;
      if (/^[0-9a-f]+$/.test(key!)) {
        pubkey = key!;
      } else {
        // WIF: btc-signer's decoder only takes compressed keys, so decode uncompressed ones by hand.
        const compressed = key!.startsWith('K') || key!.startsWith('L');
        const priv = compressed ? WIF().decode(key!) : createBase58check(sha256).decode(key!).slice(1, 33);
        pubkey = bytesToHex(secp256k1.getPublicKey(priv, compressed));
        expect(bytesToHex(out.keys[0]!.privateKey!)).toBe(bytesToHex(priv));
      }
      expect(bytesToHex(out.keys[0]!.pubkey)).toBe(pubkey);
      expect(bytesToHex(out.scriptPubKey)).toBe(`${pubkey.length === 66 ? '21' : '41'}${pubkey}ac`);
      if (fp) expect(out.keys[0]!.origin).toEqual({ fingerprint: parseInt(fp, 16), path: originIndices });
      expect(out.address).toBeUndefined();
    });
  });
});

describe('BIP380 invalid key expressions', () => {
  invalidKeys.forEach((v, i) => {
    it(`BIP380 invalid key ${i}: ${v.description}`, () => {
      const [description, code] = INVALID_EXPECTED[i]!;
      expect(v.description).toBe(description);
      for (const text of [`pk(${v.expression})`, `pkh(${v.expression})`]) {
        expect(() => parseDescriptor(text, mainnet)).toThrow(DecodeError);
        expect(() => parseDescriptor(text, mainnet)).toThrow(expect.objectContaining({ code }));
      }
    });
  });
});

describe('BIP380 normalization of hardened derivation (watch-only form)', () => {
  // BIP381 lists these two as producing the same script: the second is the first, normalized.
  const PRIVATE = "pkh(xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0)";
  const PUBLIC = 'pkh([bd16bee5/2147483647h]xpub69H7F5dQzmVd3vPuLKtcXJziMEQByuDidnX3YdwgtNsecY5HRGtAAQC5mXTt4dsv9RzyjgDjAQs9VGVV6ydYCHnprc9vvaA5YtqWyL6hyds/0)';

  it('derives the xpub at the last hardened step and extends the origin', () => {
    const normalized = toPublicDescriptor(parseDescriptor(PRIVATE, mainnet));
    expect(formatDescriptor(normalized, { checksum: false })).toBe(PUBLIC);
    expect(bytesToHex(deriveDescriptor(normalized).scriptPubKey)).toBe('76a914ebdc90806a9c4356c1c88e42216611e1cb4c1c1788ac');
    // Origins agree, so PSBT derivation paths are the same from either form.
    expect(deriveDescriptor(normalized).keys[0]!.origin).toEqual(deriveDescriptor(parseDescriptor(PRIVATE, mainnet)).keys[0]!.origin);
  });

  it('turns WIF keys into public keys and keeps unhardened xprv paths', () => {
    const wif = toPublicDescriptor(parseDescriptor('wpkh([deadbeef/1h]L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)', mainnet));
    expect(formatDescriptor(wif, { checksum: false })).toBe('wpkh([deadbeef/1h]03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)');
    const xprv = 'xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc';
    const xpub = 'xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL';
    expect(formatDescriptor(toPublicDescriptor(parseDescriptor(`tr(${xprv}/<0;1>/*)`, mainnet)), { checksum: false })).toBe(`tr(${xpub}/<0;1>/*)`);
  });

  it('refuses what has no watch-only form', () => {
    const xprv = 'xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U';
    expect(() => toPublicDescriptor(parseDescriptor(`wpkh(${xprv}/0/*h)`, mainnet))).toThrow(RangeError);
    expect(() => toPublicDescriptor(parseDescriptor(`wpkh(${xprv}/<0h;1h>/*)`, mainnet))).toThrow(RangeError);
  });
});

describe('descriptors on test networks and derivation options', () => {
  const TPUB = 'tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp';

  it('parses tpubs and produces regtest addresses', () => {
    const d = parseDescriptor(`tr(${TPUB}/0/*)`, regtest);
    expect(deriveDescriptor(d, { index: 0 }).address!.startsWith('bcrt1p')).toBe(true);
    expect(() => parseDescriptor(`tr(${TPUB}/0/*)`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_BAD_KEY' }));
    expect(() => parseDescriptor('wpkh(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1)', regtest)).toThrow(/WIF key is for mainnet, expected regtest/);
  });

  it('requires an index for ranged descriptors and a branch for multipath ones', () => {
    const d = parseDescriptor(`tr(${TPUB}/<0;1>/*)`, regtest);
    expect(() => deriveDescriptor(d, { branch: 0 })).toThrow(RangeError);
    expect(() => deriveDescriptor(d, { index: 0 })).toThrow(RangeError);
    expect(() => deriveDescriptor(d, { index: -1, branch: 0 })).toThrow(RangeError);
    expect(() => deriveDescriptor(d, { index: 2 ** 31, branch: 0 })).toThrow(RangeError);
    expect(deriveDescriptor(d, { index: 0, branch: 1 }).keys[0]!.origin.path).toEqual([1, 0]);
  });

  it('rejects unknown and unsupported script expressions with their own codes', () => {
    const k = '03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd';
    expect(() => parseDescriptor(`foo(${k})`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_UNKNOWN_FUNCTION' }));
    expect(() => parseDescriptor(`combo(${k})`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_UNSUPPORTED' }));
    expect(() => parseDescriptor(`wsh(and_v(v:pk(${k}),older(10)))`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_UNSUPPORTED' }));
    expect(() => parseDescriptor(`tr(${k.slice(2)},and_v(v:pk(${k}),sha256(${'00'.repeat(32)})))`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_UNSUPPORTED' }));
    expect(() => parseDescriptor(`tr(${k.slice(2)},{pk(${k})})`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_BAD_TREE' }));
    expect(() => parseDescriptor(`pk(${k}`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_SYNTAX' }));
    expect(() => parseDescriptor(`pk(${k}))`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_SYNTAX' }));
    // Long junk is refused without quadratic Base58 work.
    expect(() => parseDescriptor(`pk(${'1'.repeat(200_000)})`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_BAD_KEY' }));
  });
});
