// BIP386 test vectors (bip386.txt, parsed here): every valid tr() descriptor produces the listed
// scripts (children 0, 1, 2 when ranged) and prints back canonically; every invalid one is
// rejected with its reason code. The one valid vector BIP386 lists without scripts (pkh() in a
// tree, valid since BIP379) is checked against @scure/btc-signer's p2tr.
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { WIF } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { taprootTweakPubkey } from '@scure/btc-signer/utils.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { deriveDescriptor, formatDescriptor, isRangedDescriptor, parseDescriptor, toPublicDescriptor } from '../../../core/bitcoin/descriptor/index.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { mainnet } from '../../../core/bitcoin/networks.js';
import { verifyScriptPath } from '../../../core/bitcoin/taproot.js';
import { vectorText } from '../../support/vectors.js';
import { parseDescriptorVectors } from './descriptor-vectors.js';

const { valid, invalid } = parseDescriptorVectors(vectorText('bip386.txt'));

const INVALID_EXPECTED: Record<string, string> = {
  'Uncompressed private key': 'DESCRIPTOR_BAD_KEY',
  'Uncompressed public key': 'DESCRIPTOR_BAD_KEY',
  'tr() nested in wsh': 'DESCRIPTOR_BAD_CONTEXT',
  'tr() nested in sh': 'DESCRIPTOR_BAD_CONTEXT',
};

describe('BIP386 valid tr() descriptors', () => {
  it('has 6 valid and 4 invalid descriptors', () => {
    expect(valid).toHaveLength(6);
    expect(invalid).toHaveLength(4);
  });

  valid.forEach((v, i) => {
    const title = `BIP386 valid ${i}: ${v.descriptor.length > 70 ? `${v.descriptor.slice(0, 70)}…` : v.descriptor}`;
    if (v.scripts.length === 0) {
      it(`${title} (no scripts in BIP386; cross-checked with @scure/btc-signer)`, () => {
        const d = parseDescriptor(v.descriptor, mainnet);
        expect(d.script.type).toBe('tr');
        const out = deriveDescriptor(d);
        // tr(K, pkh(L)): one leaf DUP HASH160 <HASH160(xonly(L))> EQUALVERIFY CHECKSIG.
        const [internalHex, wif] = /^tr\(([0-9a-f]{64}),pkh\((\w+)\)\)$/.exec(v.descriptor)!.slice(1);
        const leafKey = secp256k1.getPublicKey(WIF().decode(wif!), true).slice(1);
        const leaf = concatBytes(hexToBytes('76a914'), ripemd160(sha256(leafKey)), hexToBytes('88ac'));
        expect(bytesToHex(out.taproot!.leaves[0]!.script)).toBe(bytesToHex(leaf));
        // btc-signer's p2tr refuses non-tapscript-template leaves, so tweak with its primitives.
        const [outputKey] = taprootTweakPubkey(hexToBytes(internalHex!), tapLeafHash(leaf));
        expect(bytesToHex(out.scriptPubKey)).toBe(`5120${bytesToHex(outputKey)}`);
        expect(formatDescriptor(d, { checksum: false })).toBe(v.descriptor);
      });
      return;
    }
    it(title, () => {
      const d = parseDescriptor(v.descriptor, mainnet);
      expect(formatDescriptor(d, { checksum: false })).toBe(v.descriptor);
      expect(isRangedDescriptor(d)).toBe(v.scripts.length === 3);
      const indices = v.scripts.length === 3 ? [0, 1, 2] : [undefined];
      indices.forEach((index, k) => {
        const out = deriveDescriptor(d, { index });
        expect(bytesToHex(out.scriptPubKey)).toBe(v.scripts[k]);
        expect(out.address!.startsWith('bc1p')).toBe(true);
        const tr = out.taproot!;
        expect(bytesToHex(tr.outputKey)).toBe(v.scripts[k]!.slice(4));
        // Every leaf's control block proves it against the output key.
        for (const leaf of tr.leaves) expect(verifyScriptPath(tr.outputKey, leaf.script, leaf.controlBlock)).toBe(true);
        expect(tr.leafKeys).toHaveLength(tr.leaves.length);
        for (const key of out.keys) expect(key.pubkey).toHaveLength(32);
        // The watch-only form produces the same script.
        expect(bytesToHex(deriveDescriptor(toPublicDescriptor(d), { index }).scriptPubKey)).toBe(v.scripts[k]);
      });
    });
  });
});

describe('BIP386 invalid tr() descriptors', () => {
  invalid.forEach((v, i) => {
    it(`BIP386 invalid ${i}: ${v.description}`, () => {
      const code = INVALID_EXPECTED[v.description];
      expect(code).toBeDefined();
      expect(() => parseDescriptor(v.descriptor, mainnet)).toThrow(DecodeError);
      expect(() => parseDescriptor(v.descriptor, mainnet)).toThrow(expect.objectContaining({ code }));
    });
  });
});
