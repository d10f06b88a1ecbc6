// Test vectors of BIP387 (multi_a, sortedmulti_a), copied verbatim (bullet lines of each "Test Vectors" section) from
// bitcoin/bips @ 7fe0b034ec967b52a5a28276419117326df93263 because test/vectors does not carry them.
// Every valid descriptor produces the listed scripts, cross-checked with @scure/btc-signer's
// p2tr_ms leaf; every invalid one is rejected with its reason code. Thresholds above 16 and key
// counts around the 999 limit exercise the script-number encoding.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { p2tr_ms } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { deriveDescriptor, formatDescriptor, isRangedDescriptor, parseDescriptor } from '../../../core/bitcoin/descriptor/index.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { mainnet } from '../../../core/bitcoin/networks.js';
import { parseDescriptorVectors } from './descriptor-vectors.js';

const BIP387 = String.raw`
* <tt>tr(L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1,multi_a(1,KzoAz5CanayRKex3fSLQ2BwJpN7U52gZvxMyk78nDMHuqrUxuSJy))</tt>
** <tt>5120eb5bd3894327d75093891cc3a62506df7d58ec137fcd104cdd285d67816074f3</tt>
* <tt>tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,multi_a(1,669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))</tt>
** <tt>5120eb5bd3894327d75093891cc3a62506df7d58ec137fcd104cdd285d67816074f3</tt>
* <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(2,[00000000/111'/222]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc,xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0))</tt>
** <tt>51202eea93581594a43c0c8423b70dc112e5651df63984d108d4fc8ccd3b63b4eafa</tt>
* <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,sortedmulti_a(2,[00000000/111'/222]xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc,xprv9uPDJpEQgRQfDcW7BkF7eTya6RPxXeJCqCJGHuCJ4GiRVLzkTXBAJMu2qaMWPrS7AANYqdq6vcBcBUdJCVVFceUvJFjaPdGZ2y9WACViL4L/0))</tt>
** <tt>512016fa6a6ba7e98c54b5bf43b3144912b78a61b60b02f6a74172b8dcb35b12bc30</tt>
* <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,sortedmulti_a(2,xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL/*,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0/0/*))</tt>
** <tt>5120abd47468515223f58a1a18edfde709a7a2aab2b696d59ecf8c34f0ba274ef772</tt>
** <tt>5120fe62e7ed20705bd1d3678e072bc999acb014f07795fa02cb8f25a7aa787e8cbd</tt>
** <tt>51201311093750f459039adaa2a5ed23b0f7a8ae2c2ffb07c5390ea37e2fb1050b41</tt>
* <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(2,xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U/2147483647'/0,xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt/1/2/*,xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi/10/20/30/40/*'))</tt>
** <tt>5120e4c8f2b0a7d3a688ac131cb03248c0d4b0a59bbd4f37211c848cfbd22a981192</tt>
** <tt>5120827faedaa21e52fca2ac83b53afd1ab7d4d1e6ce67ff42b19f2723d48b5a19ab</tt>
** <tt>5120647495ed09de61a3a324704f9203c130d655bf3141f9b748df8f7be7e9af55a4</tt>
Invalid descriptors
* Unsupported top level: <tt>multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0)</tt>
* Unsupported <tt>sh()</tt> context: <tt>sh(multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))</tt>
* Unsupported <tt>wsh()</tt> context: <tt>wsh(multi_a(1,03669b8afcec803a0d323e9a17f3ea8e68e8abe5a278020a929adbec52421adbd0))</tt>
* Invalid threshold: <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(a,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))</tt>
* Threshold of 0: <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(0,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))</tt>
* Uncompressed pubkey: <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(1,04a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd5b8dec5235a0fa8722476c7709c02559e3aa73aa03918ba2d492eea75abea235))</tt>
* Threshold larger than keys: <tt>tr(50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0,multi_a(3,L4rK1yDtCWekvXuE6oXD9jCYfFNV2cWRpVuPLBcCU2z8TrisoyY1,5KYZdUEo39z3FPrtuX2QbbwGnNP5zTd7yyr2SC1j299sBCnWjss))</tt>
`;

const INVALID_CODES = [
  'DESCRIPTOR_BAD_CONTEXT', 'DESCRIPTOR_BAD_CONTEXT', 'DESCRIPTOR_BAD_CONTEXT', 'DESCRIPTOR_BAD_THRESHOLD',
  'DESCRIPTOR_BAD_THRESHOLD', 'DESCRIPTOR_BAD_KEY', 'DESCRIPTOR_BAD_THRESHOLD',
];
const { valid, invalid } = parseDescriptorVectors(BIP387);

describe('BIP387 test vectors', () => {
  it('has 6 valid and 7 invalid descriptors', () => {
    expect([valid.length, invalid.length]).toEqual([6, 7]);
  });
  valid.forEach((v, i) => {
    it(`BIP387 valid ${i}: ${v.descriptor.slice(0, 80)}…`, () => {
      const d = parseDescriptor(v.descriptor, mainnet);
      expect(formatDescriptor(d, { checksum: false })).toBe(v.descriptor.replaceAll("'", 'h'));
      const indices = v.scripts.length === 3 ? [0, 1, 2] : [undefined];
      expect(isRangedDescriptor(d)).toBe(indices.length === 3);
      indices.forEach((index, k) => {
        const out = deriveDescriptor(d, { index });
        expect(bytesToHex(out.scriptPubKey)).toBe(v.scripts[k]);
        // The leaf is btc-signer's k-of-n CHECKSIGADD template over the same (sorted) keys.
        const leafKeys = out.taproot!.leafKeys[0]!.map((key) => key.pubkey);
        const threshold = (d.script as { tree: { threshold: number } }).tree.threshold;
        const sorted = v.descriptor.includes('sortedmulti_a');
        const expected = p2tr_ms(threshold, sorted ? [...leafKeys].sort((a, b) => (bytesToHex(a) < bytesToHex(b) ? -1 : 1)) : leafKeys).script;
        expect(bytesToHex(out.taproot!.leaves[0]!.script)).toBe(bytesToHex(expected));
      });
    });
  });
  invalid.forEach((v, i) => {
    it(`BIP387 invalid ${i}: ${v.description}`, () => {
      expect(() => parseDescriptor(v.descriptor, mainnet)).toThrow(DecodeError);
      expect(() => parseDescriptor(v.descriptor, mainnet)).toThrow(expect.objectContaining({ code: INVALID_CODES[i] }));
    });
  });
});

describe('multi_a() thresholds and key counts', () => {
  const keys = Array.from({ length: 999 }, (_, i) => bytesToHex(schnorr.getPublicKey(hexToBytes((i + 1).toString(16).padStart(64, '0')))));
  const internal = keys[0]!;

  it.each([16, 17, 127, 128, 255, 256, 999])('encodes a threshold of %i like @scure/btc-signer', (k) => {
    const n = Math.max(k, 20);
    const d = parseDescriptor(`tr(${internal},multi_a(${k},${keys.slice(0, n).join(',')}))`, mainnet);
    const leaf = deriveDescriptor(d).taproot!.leaves[0]!.script;
    expect(bytesToHex(leaf)).toBe(bytesToHex(p2tr_ms(k, keys.slice(0, n).map(hexToBytes)).script));
  });

  it('allows 999 keys and refuses 1000', () => {
    const extra = bytesToHex(schnorr.getPublicKey(hexToBytes((1000).toString(16).padStart(64, '0'))));
    expect(() => parseDescriptor(`tr(${internal},multi_a(1,${[...keys, extra].join(',')}))`, mainnet)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_TOO_MANY_KEYS' }));
  });
});
