/**
 * Descriptor rewrites: the BIP389 expansion of a multipath descriptor into one descriptor per
 * branch, and the watch-only form without private keys (BIP380 "Normalization of Key Expressions
 * with Hardened Derivation": derive the xpub at the last hardened step and extend the origin).
 *
 * Not here: parsing or printing (`parse.ts`, `format.ts`).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { HARDENED } from '../hdkey.js';
import { type Descriptor, type KeyExpression, mapScriptKeys, type PathStep } from './ast.js';
import { multipathBranches } from './derive.js';

function pickBranch(steps: readonly PathStep[], branch: number): number[] {
  return steps.map((s) => (typeof s === 'number' ? s : s[branch]!));
}

function keyAtBranch(key: KeyExpression, branch: number): KeyExpression {
  if (key.kind === 'xkey') return { ...key, steps: pickBranch(key.steps, branch) };
  if (key.kind === 'musig') {
    return { ...key, steps: pickBranch(key.steps, branch), participants: key.participants.map((p) => keyAtBranch(p, branch)) };
  }
  return key;
}

/** BIP389: one descriptor per multipath branch (the descriptor itself when it has none). */
export function expandMultipath(descriptor: Descriptor): Descriptor[] {
  const branches = multipathBranches(descriptor);
  if (branches === 1) return [descriptor];
  return Array.from({ length: branches }, (_, b) => ({
    network: descriptor.network,
    script: mapScriptKeys(descriptor.script, (k) => keyAtBranch(k, b)),
  }));
}

function publicKey(key: KeyExpression): KeyExpression {
  switch (key.kind) {
    case 'hex':
      return key;
    case 'wif':
      return { kind: 'hex', ...(key.origin && { origin: key.origin }), pubkey: secp256k1.getPublicKey(key.privateKey, key.compressed) };
    case 'musig':
      return { ...key, participants: key.participants.map(publicKey) };
    case 'xkey': {
      if (!key.key.isPrivate) return key;
      if (key.wildcard === 'hardened') throw new RangeError('"descriptor" has a hardened wildcard /*h after an xprv; it has no watch-only form');
      const hardened = key.steps.map((s) => (typeof s === 'number' ? s >= HARDENED : s.some((i) => i >= HARDENED)));
      const last = hardened.lastIndexOf(true);
      const prefix = key.steps.slice(0, last + 1);
      if (prefix.some((s) => typeof s !== 'number')) {
        throw new RangeError('"descriptor" has a hardened multipath step after an xprv; expand it per branch first');
      }
      if (last < 0) return { ...key, key: key.key.neuter() };
      const indices = prefix as number[];
      const origin = key.origin
        ? { fingerprint: key.origin.fingerprint, path: [...key.origin.path, ...indices] }
        : { fingerprint: key.key.fingerprint, path: indices };
      return { kind: 'xkey', origin, key: key.key.derive(indices).neuter(), steps: key.steps.slice(last + 1), wildcard: key.wildcard };
    }
  }
}

/** The watch-only descriptor: WIF keys become public keys, xprvs become xpubs (BIP380 normalized). */
export function toPublicDescriptor(descriptor: Descriptor): Descriptor {
  return { network: descriptor.network, script: mapScriptKeys(descriptor.script, publicKey) };
}
