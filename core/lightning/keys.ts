/**
 * BOLT 3 per-commitment key derivation: the per-commitment point, the keys tweaked from a basepoint
 * (`localpubkey`, `local_htlcpubkey`, `remote_htlcpubkey`, `local_delayedpubkey`, …) and the
 * blinded `revocationpubkey`, each with its private key. Keys are 33-byte compressed points,
 * secrets 32-byte big-endian scalars.
 *
 * It is not secret generation or storage (shachain.ts) and not script building (taproot/).
 * `remotepubkey` needs no function: with `option_static_remotekey` it is the remote
 * `payment_basepoint` itself.
 *
 * Spec: https://github.com/lightning/bolts/blob/master/03-transactions.md#key-derivation
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';

const { Point } = secp256k1;
const Fn = Point.Fn;

type Pt = ReturnType<typeof Point.fromBytes>;

function point(bytes: Uint8Array, title: string): Pt {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 33)
    throw new TypeError(`"${title}" expected 33-byte compressed point, got ${bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes}`);
  try {
    return Point.fromBytes(bytes);
  } catch {
    throw new RangeError(`"${title}" is not a valid secp256k1 point`);
  }
}

function scalar(bytes: Uint8Array, title: string): bigint {
  if (!(bytes instanceof Uint8Array) || bytes.length !== 32)
    throw new TypeError(`"${title}" expected 32-byte scalar, got ${bytes instanceof Uint8Array ? `${bytes.length} bytes` : typeof bytes}`);
  const n = Fn.fromBytes(bytes, true);
  if (!Fn.isValidNot0(n)) throw new RangeError(`"${title}" expected scalar in [1, n-1]`);
  return n;
}

function hashScalar(...parts: Uint8Array[]): bigint {
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    data.set(p, at);
    at += p.length;
  }
  // A SHA256 output above the group order is reduced, exactly as multiplying a point by it would.
  return Fn.create(Fn.fromBytes(sha256(data), true));
}

function publicKey(p: Pt, title: string): Uint8Array {
  if (p.is0()) throw new RangeError(`"${title}" derived the point at infinity`);
  return p.toBytes(true);
}

function secretKey(n: bigint, title: string): Uint8Array {
  if (Fn.is0(n)) throw new RangeError(`"${title}" derived the zero scalar`);
  return Fn.toBytes(n);
}

/** `per_commitment_point = per_commitment_secret · G`. */
export function perCommitmentPoint(perCommitmentSecret: Uint8Array): Uint8Array {
  return Point.BASE.multiply(scalar(perCommitmentSecret, 'perCommitmentSecret')).toBytes(true);
}

/** `pubkey = basepoint + SHA256(per_commitment_point || basepoint) · G`. */
export function derivePubkey(basepoint: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const base = point(basepoint, 'basepoint');
  point(perCommitmentPoint, 'perCommitmentPoint');
  const tweak = hashScalar(perCommitmentPoint, basepoint);
  return publicKey(base.add(Point.BASE.multiplyUnsafe(tweak)), 'pubkey');
}

/** `privkey = basepoint_secret + SHA256(per_commitment_point || basepoint)`. */
export function derivePrivkey(basepointSecret: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const secret = scalar(basepointSecret, 'basepointSecret');
  point(perCommitmentPoint, 'perCommitmentPoint');
  const basepoint = Point.BASE.multiply(secret).toBytes(true);
  return secretKey(Fn.add(secret, hashScalar(perCommitmentPoint, basepoint)), 'privkey');
}

/**
 * `revocationpubkey = revocation_basepoint · SHA256(revocation_basepoint || per_commitment_point)
 *                   + per_commitment_point · SHA256(per_commitment_point || revocation_basepoint)`.
 */
export function deriveRevocationPubkey(revocationBasepoint: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const base = point(revocationBasepoint, 'revocationBasepoint');
  const commit = point(perCommitmentPoint, 'perCommitmentPoint');
  const baseTweak = hashScalar(revocationBasepoint, perCommitmentPoint);
  const commitTweak = hashScalar(perCommitmentPoint, revocationBasepoint);
  // Both scalars are hashes of public points, so the variable-time double multiplication is safe.
  return publicKey(base.mulAddUnsafe(baseTweak, commit, commitTweak), 'revocationpubkey');
}

/**
 * `revocationprivkey = revocation_basepoint_secret · SHA256(revocation_basepoint || per_commitment_point)
 *                    + per_commitment_secret · SHA256(per_commitment_point || revocation_basepoint)`,
 * computable only once the counterparty has revealed `per_commitment_secret`.
 */
export function deriveRevocationPrivkey(revocationBasepointSecret: Uint8Array, perCommitmentSecret: Uint8Array): Uint8Array {
  const baseSecret = scalar(revocationBasepointSecret, 'revocationBasepointSecret');
  const commitSecret = scalar(perCommitmentSecret, 'perCommitmentSecret');
  const basepoint = Point.BASE.multiply(baseSecret).toBytes(true);
  const commitPoint = Point.BASE.multiply(commitSecret).toBytes(true);
  const sum = Fn.add(
    Fn.mul(baseSecret, hashScalar(basepoint, commitPoint)),
    Fn.mul(commitSecret, hashScalar(commitPoint, basepoint)),
  );
  return secretKey(sum, 'revocationprivkey');
}
