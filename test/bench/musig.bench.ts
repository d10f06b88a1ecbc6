// MuSig2 (BIP327) signing sessions through core/musig, against single-key BIP340 sign + verify
// (@noble/curves) measured in the same run. A session is everything all signers and the
// aggregator compute: KeyAgg, one NonceGen per signer, NonceAgg, session context, one partial
// signature per signer, verification of every partial signature, and aggregation.
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { individualPubkey, keyAgg } from '../../core/musig/keyagg.js';
import { nonceAgg, nonceGen } from '../../core/musig/nonce.js';
import { createSession, partialSigAgg, partialSign, partialSigVerify } from '../../core/musig/session.js';
import type { createBench } from './harness.js';

function signers(n: number) {
  const secretKeys = Array.from({ length: n }, () => secp256k1.utils.randomSecretKey());
  return { secretKeys, publicKeys: secretKeys.map(individualPubkey) };
}

function fullSession(secretKeys: Uint8Array[], publicKeys: Uint8Array[], message: Uint8Array): Uint8Array {
  const ctx = keyAgg(publicKeys);
  const nonces = secretKeys.map((sk, i) =>
    nonceGen({ publicKey: publicKeys[i]!, secretKey: sk, aggregateKey: ctx.xOnlyKey, message, random: randomBytes }),
  );
  const pubNonces = nonces.map((n) => n.pubNonce);
  const session = createSession(ctx, nonceAgg(pubNonces), message);
  const psigs = nonces.map((n, i) => partialSign(session, n.secretNonce, secretKeys[i]!));
  psigs.forEach((p, i) => {
    if (!partialSigVerify(session, p, pubNonces, i)) throw new Error('bench: partial signature did not verify');
  });
  return partialSigAgg(session, psigs);
}

export default function (bench: typeof createBench): void {
  const b = bench('MuSig2 sessions (BIP327 via core/musig) vs single-key BIP340');
  const message = randomBytes(32);

  const sk = secp256k1.utils.randomSecretKey();
  const xOnly = schnorr.getPublicKey(sk);
  const reference = b.measure('BIP340 sign + verify (1 key, @noble/curves)', () => {
    if (!schnorr.verify(schnorr.sign(message, sk), message, xOnly)) throw new Error('bench: schnorr');
  }, { seconds: 3 });

  for (const n of [2, 3]) {
    const { secretKeys, publicKeys } = signers(n);
    const ctx = keyAgg(publicKeys);
    if (!schnorr.verify(fullSession(secretKeys, publicKeys, message), message, ctx.xOnlyKey)) throw new Error('bench: invalid MuSig2 signature');
    const session = b.measure(`MuSig2 ${n}-of-${n} full session`, () => fullSession(secretKeys, publicKeys, message), { seconds: 4 });
    b.ratio(`${n}-of-${n} session / BIP340 sign+verify`, session, reference);
    b.line(`${n}-of-${n}: ${session.perOpMs.toFixed(2)} ms per session = ${(session.perOpMs / reference.perOpMs).toFixed(1)}× one BIP340 sign+verify (${reference.perOpMs.toFixed(2)} ms)`);
  }

  // Where a 2-of-2 session's time goes, per step, in the same run.
  const { secretKeys, publicKeys } = signers(2);
  const ctx = keyAgg(publicKeys);
  b.measure('  step: KeyAgg (2 keys)', () => keyAgg(publicKeys));
  b.measure('  step: NonceGen (1 signer)', () => nonceGen({ publicKey: publicKeys[0]!, secretKey: secretKeys[0]!, random: randomBytes }));
  const nonces = secretKeys.map((s, i) => nonceGen({ publicKey: publicKeys[i]!, secretKey: s, random: randomBytes }));
  const pubNonces = nonces.map((n) => n.pubNonce);
  const aggNonce = nonceAgg(pubNonces);
  b.measure('  step: NonceAgg (2 nonces)', () => nonceAgg(pubNonces));
  b.measure('  step: session context', () => createSession(ctx, aggNonce, message));
  const session = createSession(ctx, aggNonce, message);
  b.measure('  step: Sign (1 signer, fresh nonce each time)', () => {
    const { secretNonce } = nonceGen({ publicKey: publicKeys[0]!, secretKey: secretKeys[0]!, random: randomBytes });
    return partialSign(session, secretNonce, secretKeys[0]!);
  });
  const psig = partialSign(session, nonces[0]!.secretNonce, secretKeys[0]!);
  b.measure('  step: PartialSigVerify (1 signature)', () => partialSigVerify(session, psig, pubNonces, 0));
}
