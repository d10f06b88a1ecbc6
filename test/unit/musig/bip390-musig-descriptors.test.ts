// BIP390 musig() descriptors with our BIP327 KeyAgg injected into the descriptor engine: every
// valid descriptor in bip390.txt produces its listed scripts (children 0, 1, 2 when ranged), with
// the aggregate, the BIP328-derived key and the taproot output checked along the way; every
// invalid descriptor is rejected with a DecodeError.
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import { HDKey } from '@scure/bip32';
import { describe, expect, it } from 'vitest';
import { parseDescriptor } from '../../../core/bitcoin/descriptor/index.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { mainnet } from '../../../core/bitcoin/networks.js';
import { deriveMusigDescriptor, musigAggregate, musigSigningContext } from '../../../core/musig/descriptor.js';
import { applyTaprootTweak, keyAgg, keySort } from '../../../core/musig/keyagg.js';
import { nonceAgg, nonceGen } from '../../../core/musig/nonce.js';
import { createSession, partialSigAgg, partialSign } from '../../../core/musig/session.js';
import { vectorJson, vectorText } from '../../support/vectors.js';
import { parseDescriptorVectors } from '../bitcoin/descriptor-vectors.js';

const { valid, invalid } = parseDescriptorVectors(vectorText('bip390.txt'));
const hex = bytesToHex;

describe('BIP390 musig() aggregation', () => {
  it('BIP390 vector file: 6 valid and 14 invalid descriptors', () => {
    expect([valid.length, invalid.length]).toEqual([6, 14]);
  });

  it('musigAggregate is KeySort then KeyAgg (order of the written keys does not matter)', () => {
    const keys = vectorJson<{ keys: string[] }[]>('bip328-vectors.json')[1]!.keys.map(hexToBytes);
    const sorted = hex(keyAgg(keySort(keys)).plainKey);
    expect(hex(musigAggregate(keys))).toBe(sorted);
    expect(hex(musigAggregate([...keys].reverse()))).toBe(sorted);
    expect(sorted).not.toBe(hex(keyAgg(keys).plainKey));
  });
});

describe('BIP390 valid musig() descriptors', () => {
  valid.forEach((v, i) => {
    it(`BIP390 valid ${i}: ${v.descriptor.slice(0, 48)}… → ${v.scripts.length} script(s)`, () => {
      const d = parseDescriptor(v.descriptor, mainnet);
      const indices = v.scripts.length === 3 ? [0, 1, 2] : [undefined];
      indices.forEach((index, k) => {
        const out = deriveMusigDescriptor(d, { index });
        expect(hex(out.scriptPubKey)).toBe(v.scripts[k]);

        const musigKey = out.keys.find((key) => key.musig !== undefined)!;
        const participants = musigKey.musig!.participants.map((p) => p.pubkey);
        expect(hex(musigKey.musig!.aggregate)).toBe(hex(keyAgg(keySort(participants)).plainKey));
        // The signing context reproduces the key the script holds (BIP328 steps as plain tweaks).
        const signing = musigSigningContext(musigKey);
        expect(hex(signing.xOnlyKey)).toBe(hex(musigKey.pubkey));
        const tr = out.taproot!;
        if (v.descriptor.startsWith('rawtr(')) {
          expect(hex(out.scriptPubKey)).toBe(`5120${hex(signing.xOnlyKey)}`);
        } else if (hex(tr.internalKey) === hex(signing.xOnlyKey)) {
          // musig() as the internal key: key-path signers add the TapTweak over the merkle root.
          expect(hex(applyTaprootTweak(signing, tr.merkleRoot).xOnlyKey)).toBe(hex(tr.outputKey));
        } else {
          // musig() inside a leaf: the leaf script holds the derived aggregate.
          expect(hex(tr.leaves[0]!.script)).toContain(hex(signing.xOnlyKey));
        }
      });
    });
  });
});

describe('BIP390 invalid musig() descriptors', () => {
  invalid.forEach((v, i) => {
    it(`BIP390 invalid ${i}: ${v.description}`, () => {
      let err: unknown;
      try {
        deriveMusigDescriptor(parseDescriptor(v.descriptor, mainnet), { index: 0 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecodeError);
      const expected = v.description.includes('is not allowed in') ? 'DESCRIPTOR_MUSIG_CONTEXT' : 'DESCRIPTOR_BAD_MUSIG';
      expect((err as DecodeError).code).toBe(expected);
    });
  });
});

describe('signing for a musig() descriptor', () => {
  it('participants holding the descriptor keys sign a key-path spend of tr(musig(…)/0/*)', () => {
    const roots = [1, 2].map((i) => HDKey.fromMasterSeed(new Uint8Array(32).fill(i)));
    const d = parseDescriptor(`tr(musig(${roots.map((r) => r.publicExtendedKey).join(',')})/0/*)`, mainnet);
    const out = deriveMusigDescriptor(d, { index: 7 });
    const ctx = applyTaprootTweak(musigSigningContext(out.keys[0]!), out.taproot!.merkleRoot);
    expect(hex(ctx.xOnlyKey)).toBe(hex(out.taproot!.outputKey));
    // Each participant signs with its own key; KeyAgg order is the sorted one.
    const signers = ctx.publicKeys.map((pk) => roots.find((r) => hex(r.publicKey!) === hex(pk))!);
    const msg = new Uint8Array(32).fill(0x5a);
    const nonces = signers.map((s, j) => nonceGen({ publicKey: s.publicKey!, secretKey: s.privateKey!, random: () => new Uint8Array(32).fill(j + 10) }));
    const session = createSession(ctx, nonceAgg(nonces.map((n) => n.pubNonce)), msg);
    const sig = partialSigAgg(session, nonces.map((n, j) => partialSign(session, n.secretNonce, signers[j]!.privateKey!)));
    expect(schnorr.verify(sig, msg, out.taproot!.outputKey)).toBe(true);
  });
});
