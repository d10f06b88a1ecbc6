// BOLT 3 Appendix E key derivation (all 4 vectors, with the intermediate values the spec lists),
// plus the per-commitment keys Appendix C derives for its transaction vectors (7 extra checks).
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import {
  derivePrivkey,
  derivePubkey,
  deriveRevocationPrivkey,
  deriveRevocationPubkey,
  perCommitmentPoint,
} from '../../../core/lightning/keys.js';
import { vectorText } from '../../support/vectors.js';

const bolt03 = vectorText('bolt03.md');
const appendixE = bolt03.slice(bolt03.indexOf('# Appendix E'), bolt03.indexOf('# Appendix F'));
const appendixC = bolt03.slice(bolt03.indexOf('# Appendix C'), bolt03.indexOf('# Appendix D'));

/** The value after `label:` (first occurrence), without 0x and without the WIF-style trailing 01. */
function field(text: string, label: string, keyBytes = 0): string {
  const m = new RegExp(`${label}:\\s*(?:0x)?([0-9a-f]+)`).exec(text);
  if (!m) throw new Error(`vector field ${label} missing`);
  return keyBytes ? m[1]!.slice(0, keyBytes * 2) : m[1]!;
}

const h = hex.decode;
const G = secp256k1.Point.BASE;

describe('BOLT 3 Appendix E key derivation', () => {
  const baseSecret = field(appendixE, 'base_secret');
  const perCommitmentSecret = field(appendixE, 'per_commitment_secret');
  const basepoint = field(appendixE, 'base_point');
  const commitPoint = field(appendixE, 'per_commitment_point');

  it('common inputs: base_point = base_secret·G, per_commitment_point = per_commitment_secret·G', () => {
    expect(hex.encode(G.multiply(BigInt('0x' + baseSecret)).toBytes(true))).toBe(basepoint);
    expect(hex.encode(perCommitmentPoint(h(perCommitmentSecret)))).toBe(commitPoint);
  });

  it('BOLT3 Appendix E vector 1: derivation of pubkey from basepoint and per_commitment_point', () => {
    // Intermediate: the tweak the spec prints, SHA256(per_commitment_point || basepoint).
    expect(hex.encode(sha256(h(commitPoint + basepoint)))).toBe('cbcdd70fcfad15ea8e9e5c5a12365cf00912504f08ce01593689dd426bca9ff0');
    expect(hex.encode(derivePubkey(h(basepoint), h(commitPoint)))).toBe(field(appendixE, 'localpubkey'));
  });

  it('BOLT3 Appendix E vector 2: derivation of private key from basepoint secret and per_commitment_secret', () => {
    const priv = derivePrivkey(h(baseSecret), h(commitPoint));
    expect(hex.encode(priv)).toBe(field(appendixE, 'localprivkey'));
    // The private key matches the derived public key.
    expect(hex.encode(secp256k1.getPublicKey(priv))).toBe(field(appendixE, 'localpubkey'));
  });

  it('BOLT3 Appendix E vector 3: derivation of revocation pubkey from basepoint and per_commitment_point', () => {
    // Intermediates: both hash tweaks and both products the spec prints.
    const baseTweak = BigInt('0x' + hex.encode(sha256(h(basepoint + commitPoint))));
    const commitTweak = BigInt('0x' + hex.encode(sha256(h(commitPoint + basepoint))));
    expect(baseTweak.toString(16)).toBe('efbf7ba5a074276701798376950a64a90f698997cce0dff4d24a6d2785d20963');
    expect(hex.encode(secp256k1.Point.fromBytes(h(basepoint)).multiply(baseTweak).toBytes(true))).toBe(
      '02c00c4aadc536290422a807250824a8d87f19d18da9d610d45621df22510db8ce',
    );
    expect(hex.encode(secp256k1.Point.fromBytes(h(commitPoint)).multiply(commitTweak).toBytes(true))).toBe(
      '0325ee7d3323ce52c4b33d4e0a73ab637711057dd8866e3b51202a04112f054c43',
    );
    expect(hex.encode(deriveRevocationPubkey(h(basepoint), h(commitPoint)))).toBe(field(appendixE, 'revocationpubkey'));
  });

  it('BOLT3 Appendix E vector 4: derivation of revocation secret from basepoint_secret and per_commitment_secret', () => {
    const priv = deriveRevocationPrivkey(h(baseSecret), h(perCommitmentSecret));
    expect(hex.encode(priv)).toBe(field(appendixE, 'revocationprivkey'));
    expect(hex.encode(secp256k1.getPublicKey(priv))).toBe(field(appendixE, 'revocationpubkey'));
  });
});

describe('BOLT 3 Appendix C per-commitment keys', () => {
  const commitPoint = field(appendixC, 'INTERNAL: local_per_commitment_point');
  const localPaymentBasepoint = field(appendixC, 'local_payment_basepoint');
  const remotePaymentBasepoint = field(appendixC, 'remote_payment_basepoint');

  it('Appendix C: local_per_commitment_point from x_local_per_commitment_secret', () => {
    expect(hex.encode(perCommitmentPoint(h(field(appendixC, 'x_local_per_commitment_secret', 32))))).toBe(commitPoint);
  });

  it('Appendix C: local_privkey from local_payment_basepoint_secret', () => {
    const priv = derivePrivkey(h(field(appendixC, 'INTERNAL: local_payment_basepoint_secret', 32)), h(commitPoint));
    expect(hex.encode(priv)).toBe(field(appendixC, 'local_privkey', 32));
  });

  it('Appendix C: local_htlcpubkey and remote_htlcpubkey from the HTLC basepoints', () => {
    expect(hex.encode(derivePubkey(h(field(appendixC, 'local_htlc_basepoint')), h(commitPoint)))).toBe(field(appendixC, 'local_htlcpubkey'));
    expect(hex.encode(derivePubkey(h(field(appendixC, 'remote_htlc_basepoint')), h(commitPoint)))).toBe(field(appendixC, 'remote_htlcpubkey'));
    // The vectors reuse the payment basepoints as HTLC basepoints.
    expect(field(appendixC, 'local_htlc_basepoint')).toBe(localPaymentBasepoint);
    expect(field(appendixC, 'remote_htlc_basepoint')).toBe(remotePaymentBasepoint);
  });

  it('Appendix C: local_delayedpubkey and local_delayed_privkey', () => {
    const basepoint = field(appendixC, 'INTERNAL: local_delayed_payment_basepoint');
    const secret = field(appendixC, 'INTERNAL: local_delayed_payment_basepoint_secret', 32);
    expect(hex.encode(derivePubkey(h(basepoint), h(commitPoint)))).toBe(field(appendixC, 'local_delayedpubkey'));
    expect(hex.encode(derivePrivkey(h(secret), h(commitPoint)))).toBe(field(appendixC, 'INTERNAL: local_delayed_privkey', 32));
  });

  it('Appendix C: local_revocation_pubkey from remote_revocation_basepoint', () => {
    const basepoint = field(appendixC, 'INTERNAL: remote_revocation_basepoint');
    expect(hex.encode(deriveRevocationPubkey(h(basepoint), h(commitPoint)))).toBe(field(appendixC, 'local_revocation_pubkey'));
  });

  it('Appendix C: remote_privkey (pre-static_remotekey tweak of remote_payment_basepoint_secret)', () => {
    const secret = field(appendixC, 'INTERNAL: remote_payment_basepoint_secret', 32);
    expect(hex.encode(derivePrivkey(h(secret), h(commitPoint)))).toBe(field(appendixC, 'INTERNAL: remote_privkey', 32));
  });
});

describe('key derivation input checks', () => {
  const point = h('025f7117a78150fe2ef97db7cfc83bd57b2e2c0d0dd25eaf467a4a1c2a45ce1486');
  it('rejects malformed points and scalars with titled errors', () => {
    expect(() => derivePubkey(new Uint8Array(32), point)).toThrow(/"basepoint" expected 33-byte/);
    expect(() => derivePubkey(point, h('02' + '00'.repeat(32)))).toThrow(/"perCommitmentPoint" is not a valid/);
    expect(() => perCommitmentPoint(new Uint8Array(32))).toThrow(RangeError);
    expect(() => perCommitmentPoint(h('ff'.repeat(32)))).toThrow(/"perCommitmentSecret" expected scalar/);
    expect(() => deriveRevocationPrivkey(new Uint8Array(31), new Uint8Array(32))).toThrow(TypeError);
  });
});
