// MuSig2 (BIP327) signing sessions through core/musig, against single-key BIP340 sign + verify
// (@noble/curves) measured in the same run. A session is everything all signers and the
// aggregator compute: KeyAgg, one NonceGen per signer, NonceAgg, session context, one partial
// signature per signer, verification of every partial signature, and aggregation.
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { individualPubkey, keyAgg } from '../../core/musig/keyagg.js';
import { nonceAgg, nonceGen } from '../../core/musig/nonce.js';
import { createSession, partialSigAgg, partialSign, partialSigVerify } from '../../core/musig/session.js';
import { performance } from 'node:perf_hooks';
import type { createBench, Sample } from './harness.js';

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

/**
 * Measures two functions in alternating slices (the shared machine's load drifts within seconds,
 * so back-to-back blocks would compare different machines) and returns one Sample for each.
 */
function interleaved(b: ReturnType<typeof createBench>, a: [string, () => unknown], c: [string, () => unknown], rounds: number, sliceMs: number): [Sample, Sample] {
  const totals = [a, c].map(([name]) => ({ name, ops: 0, ms: 0 }));
  for (const [, fn] of [a, c]) fn(); // warm-up
  for (let r = 0; r < rounds; r++) {
    [a, c].forEach(([, fn], k) => {
      const start = performance.now();
      let now = start;
      do {
        fn();
        totals[k]!.ops++;
        now = performance.now();
      } while (now - start < sliceMs);
      totals[k]!.ms += now - start;
    });
  }
  return totals.map((t) => {
    const sample = { name: t.name, ops: (t.ops * 1000) / t.ms, perOpMs: t.ms / t.ops };
    b.line(`${t.name}: ${sample.ops.toFixed(2)} ops/s (${sample.perOpMs.toFixed(2)} ms/op, ${t.ops} ops)`);
    return sample;
  }) as [Sample, Sample];
}

export default function (bench: typeof createBench): void {
  const b = bench('MuSig2 sessions (BIP327 via core/musig) vs single-key BIP340');
  const message = randomBytes(32);

  const sk = secp256k1.utils.randomSecretKey();
  const xOnly = schnorr.getPublicKey(sk);
  const signAndVerify = () => {
    if (!schnorr.verify(schnorr.sign(message, sk), message, xOnly)) throw new Error('bench: schnorr');
  };

  for (const n of [2, 3]) {
    const { secretKeys, publicKeys } = signers(n);
    const ctx = keyAgg(publicKeys);
    if (!schnorr.verify(fullSession(secretKeys, publicKeys, message), message, ctx.xOnlyKey)) throw new Error('bench: invalid MuSig2 signature');
    const [reference, session] = interleaved(
      b,
      ['BIP340 sign + verify (1 key, @noble/curves)', signAndVerify],
      [`MuSig2 ${n}-of-${n} full session`, () => fullSession(secretKeys, publicKeys, message)],
      10,
      300,
    );
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
