// BIP328 synthetic xpubs against bip328-vectors.json, and signing for keys derived from them.
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { HDKey } from '@scure/bip32';
import { describe, expect, it } from 'vitest';
import { aggregateHDKey, BIP328_CHAIN_CODE, deriveKeyAgg, syntheticXpub } from '../../../core/musig/bip328.js';
import { applyTaprootTweak, individualPubkey, keyAgg } from '../../../core/musig/keyagg.js';
import { nonceAgg, nonceGen } from '../../../core/musig/nonce.js';
import { createSession, partialSigAgg, partialSign } from '../../../core/musig/session.js';
import { vectorJson } from '../../support/vectors.js';

type Bip328Vector = { aggregate_pubkey: string; keys: string[]; xpub: string };
const vectors = vectorJson<Bip328Vector[]>('bip328-vectors.json');

describe('BIP328 synthetic xpub', () => {
  it('BIP328 chain code is SHA256("MuSig2MuSig2MuSig2")', () => {
    expect(bytesToHex(BIP328_CHAIN_CODE)).toBe(bytesToHex(sha256(new TextEncoder().encode('MuSig2MuSig2MuSig2'))));
  });

  vectors.forEach((v, i) => {
    it(`BIP328 vector ${i}: ${v.keys.length} keys → ${v.xpub.slice(0, 16)}…`, () => {
      // Intermediate: KeyAgg over the keys in the order given (BIP328 does not sort).
      const ctx = keyAgg(v.keys.map(hexToBytes));
      expect(bytesToHex(ctx.plainKey)).toBe(v.aggregate_pubkey);
      expect(syntheticXpub(ctx.plainKey)).toBe(v.xpub);
      const parsed = HDKey.fromExtendedKey(v.xpub);
      expect([parsed.depth, parsed.parentFingerprint, parsed.index]).toEqual([0, 0, 0]);
      expect(bytesToHex(parsed.chainCode!)).toBe(bytesToHex(BIP328_CHAIN_CODE));
      expect(bytesToHex(parsed.publicKey!)).toBe(v.aggregate_pubkey);
    });
  });

  it('uses other version bytes when asked (tpub)', () => {
    const key = hexToBytes(vectors[0]!.aggregate_pubkey);
    const tpub = syntheticXpub(key, { private: 0x04358394, public: 0x043587cf });
    expect(tpub.startsWith('tpub')).toBe(true);
    expect(bytesToHex(HDKey.fromExtendedKey(tpub, { private: 0x04358394, public: 0x043587cf }).publicKey!)).toBe(vectors[0]!.aggregate_pubkey);
  });
});

describe('BIP328 derivation for signing', () => {
  const v = vectors[1]!;
  const ctx = keyAgg(v.keys.map(hexToBytes));

  it('deriveKeyAgg(ctx, [1, 2]) equals BIP32 m/1/2 of the synthetic xpub, as two plain tweaks', () => {
    const derived = deriveKeyAgg(ctx, [1, 2]);
    expect(bytesToHex(derived.plainKey)).toBe(bytesToHex(HDKey.fromExtendedKey(v.xpub).derive('m/1/2').publicKey!));
    expect(derived.tweaks.map((t) => t.xOnly)).toEqual([false, false]);
    expect(bytesToHex(deriveKeyAgg(ctx, []).plainKey)).toBe(v.aggregate_pubkey);
  });

  it('refuses hardened steps and already-tweaked contexts', () => {
    expect(() => deriveKeyAgg(ctx, [0x80000000])).toThrow(/"path\[0\]" expected unhardened index/);
    expect(() => deriveKeyAgg(applyTaprootTweak(ctx), [0])).toThrow(/untweaked/);
    expect(() => aggregateHDKey(ctx.xOnlyKey)).toThrow(/"aggregateKey" expected 33 bytes, got 32/);
  });

  it('participants sign for a derived, taproot-tweaked child key', () => {
    const sks = [7, 8].map((i) => secp256k1.utils.randomSecretKey(new Uint8Array(48).fill(i)));
    const signing = applyTaprootTweak(deriveKeyAgg(keyAgg(sks.map(individualPubkey)), [0, 5]));
    const msg = new Uint8Array(32).fill(0xab);
    const nonces = sks.map((sk, i) => nonceGen({ publicKey: individualPubkey(sk), secretKey: sk, random: () => new Uint8Array(32).fill(i + 1) }));
    const session = createSession(signing, nonceAgg(nonces.map((n) => n.pubNonce)), msg);
    const sig = partialSigAgg(session, nonces.map((n, i) => partialSign(session, n.secretNonce, sks[i]!)));
    expect(schnorr.verify(sig, msg, signing.xOnlyKey)).toBe(true);
  });
});
