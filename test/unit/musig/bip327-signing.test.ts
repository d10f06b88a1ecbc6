// BIP327 Sign, PartialSigVerify, PartialSigAgg and DeterministicSign against
// bip327-sign_verify_vectors.json, bip327-tweak_vectors.json, bip327-det_sign_vectors.json and
// bip327-sig_agg_vectors.json; then whole sessions and the nonce-reuse guarantees of our API.
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import { applyTaprootTweak, individualPubkey, keyAgg, type Tweak } from '../../../core/musig/keyagg.js';
import { nonceAgg, nonceGen, SecretNonce } from '../../../core/musig/nonce.js';
import {
  createSession,
  deterministicSign,
  partialSigAgg,
  partialSign,
  partialSigVerify,
} from '../../../core/musig/session.js';
import { vectorJson } from '../../support/vectors.js';
import { expectMusigError, expectVectorError, type VectorError } from './musig-error.js';

const h = hexToBytes;
const lower = (s: string) => s.toLowerCase();
const pick = <T>(all: T[], indices: number[]) => indices.map((i) => all[i]!);
const tweakList = (tweaks: Uint8Array[], indices: number[], xOnly: boolean[]): Tweak[] =>
  indices.map((t, j) => ({ tweak: tweaks[t]!, xOnly: xOnly[j]! }));

/** BIP327 PartialSigVerify in the BIP's own order (NonceAgg, then the session context). */
function bipPartialSigVerify(psig: Uint8Array, pubnonces: Uint8Array[], pubkeys: Uint8Array[], tweaks: Tweak[], msg: Uint8Array, i: number) {
  const aggnonce = nonceAgg(pubnonces);
  return partialSigVerify(createSession(keyAgg(pubkeys, tweaks), aggnonce, msg), psig, pubnonces, i);
}

interface SignVerifyVectors {
  sk: string;
  pubkeys: string[];
  secnonces: string[];
  pnonces: string[];
  aggnonces: string[];
  msgs: string[];
  valid_test_cases: { key_indices: number[]; nonce_indices: number[]; aggnonce_index: number; msg_index: number; signer_index: number; expected: string; comment?: string }[];
  sign_error_test_cases: { key_indices: number[]; aggnonce_index: number; msg_index: number; secnonce_index: number; error: VectorError; comment: string }[];
  verify_fail_test_cases: { sig: string; key_indices: number[]; nonce_indices: number[]; msg_index: number; signer_index: number; comment: string }[];
  verify_error_test_cases: { sig: string; key_indices: number[]; nonce_indices: number[]; msg_index: number; signer_index: number; error: VectorError; comment: string }[];
}

describe('BIP327 Sign and PartialSigVerify (sign_verify_vectors)', () => {
  const v = vectorJson<SignVerifyVectors>('bip327-sign_verify_vectors.json');
  const sk = h(v.sk);
  const [pubkeys, pnonces, aggnonces, msgs] = [v.pubkeys, v.pnonces, v.aggnonces, v.msgs].map((l) => l.map(h)) as Uint8Array[][];

  it('BIP327 sign_verify setup: the vector secret key owns pubkeys[0] and secnonces[0]', () => {
    expect(bytesToHex(individualPubkey(sk))).toBe(lower(v.pubkeys[0]!));
    expect(bytesToHex(SecretNonce.fromBytes(h(v.secnonces[0]!)).publicKey)).toBe(lower(v.pubkeys[0]!));
  });

  v.valid_test_cases.forEach((c, i) => {
    it(`BIP327 sign_verify valid ${i}: keys [${c.key_indices}], signer ${c.signer_index}${c.comment ? ` — ${c.comment}` : ''}`, () => {
      const keys = pick(pubkeys!, c.key_indices);
      const nonces = pick(pnonces!, c.nonce_indices);
      const msg = msgs![c.msg_index]!;
      // Intermediate: the listed aggnonce is NonceAgg of the listed pubnonces.
      expect(bytesToHex(nonceAgg(nonces))).toBe(lower(v.aggnonces[c.aggnonce_index]!));
      const session = createSession(keyAgg(keys), aggnonces![c.aggnonce_index]!, msg);
      const psig = partialSign(session, SecretNonce.fromBytes(h(v.secnonces[0]!)), sk);
      expect(bytesToHex(psig)).toBe(lower(c.expected));
      expect(partialSigVerify(session, psig, nonces, c.signer_index)).toBe(true);
      expect(bipPartialSigVerify(psig, nonces, keys, [], msg, c.signer_index)).toBe(true);
    });
  });

  v.sign_error_test_cases.forEach((c, i) => {
    it(`BIP327 sign_verify sign error ${i}: ${c.comment.split('. ')[0]}`, () => {
      expectVectorError(() => {
        const session = createSession(keyAgg(pick(pubkeys!, c.key_indices)), aggnonces![c.aggnonce_index]!, msgs![c.msg_index]!);
        return partialSign(session, SecretNonce.fromBytes(h(v.secnonces[c.secnonce_index]!)), sk);
      }, c.error);
    });
  });

  v.verify_fail_test_cases.forEach((c, i) => {
    it(`BIP327 sign_verify verify fail ${i}: ${c.comment}`, () => {
      const ok = bipPartialSigVerify(h(c.sig), pick(pnonces!, c.nonce_indices), pick(pubkeys!, c.key_indices), [], msgs![c.msg_index]!, c.signer_index);
      expect(ok).toBe(false);
    });
  });

  v.verify_error_test_cases.forEach((c, i) => {
    it(`BIP327 sign_verify verify error ${i}: ${c.comment}`, () => {
      expectVectorError(
        () => bipPartialSigVerify(h(c.sig), pick(pnonces!, c.nonce_indices), pick(pubkeys!, c.key_indices), [], msgs![c.msg_index]!, c.signer_index),
        c.error,
      );
    });
  });
});

interface TweakVectors {
  sk: string;
  pubkeys: string[];
  secnonce: string;
  pnonces: string[];
  aggnonce: string;
  tweaks: string[];
  msg: string;
  valid_test_cases: { key_indices: number[]; nonce_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; signer_index: number; expected: string; comment: string }[];
  error_test_cases: { key_indices: number[]; nonce_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; signer_index: number; error: VectorError; comment: string }[];
}

describe('BIP327 signing with tweaks (tweak_vectors)', () => {
  const v = vectorJson<TweakVectors>('bip327-tweak_vectors.json');
  const [pubkeys, pnonces, tweaks] = [v.pubkeys, v.pnonces, v.tweaks].map((l) => l.map(h)) as Uint8Array[][];

  v.valid_test_cases.forEach((c, i) => {
    it(`BIP327 tweak valid ${i}: ${c.comment.split('. ')[0]}`, () => {
      const keys = pick(pubkeys!, c.key_indices);
      const nonces = pick(pnonces!, c.nonce_indices);
      const ts = tweakList(tweaks!, c.tweak_indices, c.is_xonly);
      expect(bytesToHex(nonceAgg(nonces))).toBe(lower(v.aggnonce));
      const ctx = keyAgg(keys, ts);
      expect(ctx.tweaks.length).toBe(ts.length);
      const session = createSession(ctx, h(v.aggnonce), h(v.msg));
      const psig = partialSign(session, SecretNonce.fromBytes(h(v.secnonce)), h(v.sk));
      expect(bytesToHex(psig)).toBe(lower(c.expected));
      expect(partialSigVerify(session, psig, nonces, c.signer_index)).toBe(true);
    });
  });

  v.error_test_cases.forEach((c, i) => {
    it(`BIP327 tweak error ${i}: ${c.comment}`, () => {
      expectVectorError(() => {
        const session = createSession(keyAgg(pick(pubkeys!, c.key_indices), tweakList(tweaks!, c.tweak_indices, c.is_xonly)), h(v.aggnonce), h(v.msg));
        return partialSign(session, SecretNonce.fromBytes(h(v.secnonce)), h(v.sk));
      }, c.error);
    });
  });
});

interface DetSignVectors {
  sk: string;
  pubkeys: string[];
  msgs: string[];
  valid_test_cases: { rand: string | null; aggothernonce: string; key_indices: number[]; tweaks: string[]; is_xonly: boolean[]; msg_index: number; signer_index: number; expected: [string, string]; comment?: string }[];
  error_test_cases: { rand: string | null; aggothernonce: string; key_indices: number[]; tweaks: string[]; is_xonly: boolean[]; msg_index: number; signer_index: number; error: VectorError; comment: string }[];
}

describe('BIP327 DeterministicSign (det_sign_vectors)', () => {
  const v = vectorJson<DetSignVectors>('bip327-det_sign_vectors.json');
  const [pubkeys, msgs] = [v.pubkeys, v.msgs].map((l) => l.map(h)) as Uint8Array[][];
  const run = (c: DetSignVectors['valid_test_cases'][number] | DetSignVectors['error_test_cases'][number]) =>
    deterministicSign({
      secretKey: h(v.sk),
      aggOtherNonce: h(c.aggothernonce),
      keyAgg: keyAgg(
        pick(pubkeys!, c.key_indices),
        c.tweaks.map((t, j) => ({ tweak: h(t), xOnly: c.is_xonly[j]! })),
      ),
      message: msgs![c.msg_index]!,
      rand: c.rand === null ? undefined : h(c.rand),
    });

  v.valid_test_cases.forEach((c, i) => {
    it(`BIP327 det_sign valid ${i}: keys [${c.key_indices}], rand ${c.rand === null ? 'absent' : c.rand.slice(0, 4)}…${c.comment ? ` — ${c.comment}` : ''}`, () => {
      const { pubNonce, partialSig } = run(c);
      expect(bytesToHex(pubNonce)).toBe(lower(c.expected[0]));
      expect(bytesToHex(partialSig)).toBe(lower(c.expected[1]));
      // Intermediate: our nonce and the others' aggregate combine into a valid aggnonce.
      expect(nonceAgg([pubNonce, h(c.aggothernonce)]).length).toBe(66);
    });
  });

  v.error_test_cases.forEach((c, i) => {
    it(`BIP327 det_sign error ${i}: ${c.comment}`, () => {
      expectVectorError(() => run(c), c.error);
    });
  });
});

interface SigAggVectors {
  pubkeys: string[];
  pnonces: string[];
  tweaks: string[];
  psigs: string[];
  msg: string;
  valid_test_cases: { aggnonce: string; nonce_indices: number[]; key_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; psig_indices: number[]; expected: string }[];
  error_test_cases: { aggnonce: string; nonce_indices: number[]; key_indices: number[]; tweak_indices: number[]; is_xonly: boolean[]; psig_indices: number[]; error: VectorError; comment: string }[];
}

describe('BIP327 PartialSigAgg (sig_agg_vectors)', () => {
  const v = vectorJson<SigAggVectors>('bip327-sig_agg_vectors.json');
  const [pubkeys, pnonces, tweaks, psigs] = [v.pubkeys, v.pnonces, v.tweaks, v.psigs].map((l) => l.map(h)) as Uint8Array[][];
  const msg = h(v.msg);

  v.valid_test_cases.forEach((c, i) => {
    it(`BIP327 sig_agg valid ${i}: keys [${c.key_indices}], ${c.tweak_indices.length} tweaks`, () => {
      expect(bytesToHex(nonceAgg(pick(pnonces!, c.nonce_indices)))).toBe(lower(c.aggnonce));
      const ctx = keyAgg(pick(pubkeys!, c.key_indices), tweakList(tweaks!, c.tweak_indices, c.is_xonly));
      const sig = partialSigAgg(createSession(ctx, h(c.aggnonce), msg), pick(psigs!, c.psig_indices));
      expect(bytesToHex(sig)).toBe(lower(c.expected));
      // Intermediate: the aggregate is an ordinary BIP340 signature for the tweaked x-only key.
      expect(schnorr.verify(sig, msg, ctx.xOnlyKey)).toBe(true);
    });
  });

  v.error_test_cases.forEach((c, i) => {
    it(`BIP327 sig_agg error ${i}: ${c.comment}`, () => {
      const ctx = keyAgg(pick(pubkeys!, c.key_indices), tweakList(tweaks!, c.tweak_indices, c.is_xonly));
      expectVectorError(() => partialSigAgg(createSession(ctx, h(c.aggnonce), msg), pick(psigs!, c.psig_indices)), c.error);
    });
  });
});

describe('MuSig2 sessions through our API', () => {
  const secretKeys = [1, 2, 3].map((i) => secp256k1.utils.randomSecretKey(new Uint8Array(48).fill(i)));
  const publicKeys = secretKeys.map(individualPubkey);
  const message = new TextEncoder().encode('tapdesk shared account spend');
  let counter = 0;
  const random = (n: number) => new Uint8Array(n).fill(++counter);

  function round1(ctx: ReturnType<typeof keyAgg>) {
    const nonces = secretKeys.map((sk, i) => nonceGen({ publicKey: publicKeys[i]!, secretKey: sk, aggregateKey: ctx.xOnlyKey, message, random }));
    const pubNonces = nonces.map((n) => n.pubNonce);
    return { nonces, pubNonces, session: createSession(ctx, nonceAgg(pubNonces), message) };
  }

  it('3-of-3 with a taproot tweak produces a BIP340 signature for the output key', () => {
    const ctx = applyTaprootTweak(keyAgg(publicKeys));
    const { nonces, pubNonces, session } = round1(ctx);
    const psigs = nonces.map((n, i) => partialSign(session, n.secretNonce, secretKeys[i]!));
    psigs.forEach((p, i) => expect(partialSigVerify(session, p, pubNonces, i)).toBe(true));
    // A partial signature is bound to its signer.
    expect(partialSigVerify(session, psigs[0]!, pubNonces, 1)).toBe(false);
    expect(partialSigVerify(session, psigs[0]!.subarray(0, 31), pubNonces, 0)).toBe(false);
    const sig = partialSigAgg(session, psigs);
    expect(schnorr.verify(sig, message, ctx.xOnlyKey)).toBe(true);
  });

  it('a secret nonce cannot sign twice, not even in a different session', () => {
    const ctx = keyAgg(publicKeys);
    const { nonces, session } = round1(ctx);
    const nonce = nonces[0]!.secretNonce;
    partialSign(session, nonce, secretKeys[0]!);
    expect(nonce.used).toBe(true);
    expectMusigError(() => partialSign(session, nonce, secretKeys[0]!), 'NONCE_ALREADY_USED');
    const other = createSession(ctx, session.aggNonce, new TextEncoder().encode('another message'));
    expectMusigError(() => partialSign(other, nonce, secretKeys[0]!), 'NONCE_ALREADY_USED');
  });

  it('a failed signing attempt burns the nonce too', () => {
    const { nonces, session } = round1(keyAgg(publicKeys));
    const nonce = nonces[0]!.secretNonce;
    expectMusigError(() => partialSign(session, nonce, secretKeys[1]!), 'SECNONCE_PUBKEY_MISMATCH');
    expectMusigError(() => partialSign(session, nonce, secretKeys[0]!), 'NONCE_ALREADY_USED');
  });

  it('commit runs before release; a throwing commit keeps the partial signature in', () => {
    const { nonces, session } = round1(keyAgg(publicKeys));
    const committed: string[] = [];
    const psig = partialSign(session, nonces[0]!.secretNonce, secretKeys[0]!, (p) => committed.push(bytesToHex(p)));
    expect(committed).toEqual([bytesToHex(psig)]);

    const storeSaysUsed = () => {
      throw new Error('secnonce row already consumed');
    };
    expect(() => partialSign(session, nonces[1]!.secretNonce, secretKeys[1]!, storeSaysUsed)).toThrow('secnonce row already consumed');
    expect(nonces[1]!.secretNonce.used).toBe(true);
  });

  it('a stored nonce restored with fromBytes signs the same as the original would', () => {
    const ctx = keyAgg(publicKeys);
    const { nonces, pubNonces, session } = round1(ctx);
    const restored = SecretNonce.fromBytes(nonces[2]!.secretNonce.toBytes());
    const psig = partialSign(session, restored, secretKeys[2]!);
    expect(partialSigVerify(session, psig, pubNonces, 2)).toBe(true);
  });

  it('verification refuses nonces that are not the session aggnonce, and blames bad ones', () => {
    const ctx = keyAgg(publicKeys);
    const a = round1(ctx);
    const b = round1(ctx);
    const psig = partialSign(a.session, a.nonces[0]!.secretNonce, secretKeys[0]!);
    expectMusigError(() => partialSigVerify(a.session, psig, b.pubNonces, 0), 'AGGNONCE_MISMATCH');
    const bad = [a.pubNonces[0]!, a.pubNonces[1]!, new Uint8Array(66)];
    expectVectorError(() => partialSigVerify(a.session, psig, bad, 0), { type: 'invalid_contribution', signer: 2, contrib: 'pubnonce' });
    expect(() => partialSigVerify(a.session, psig, a.pubNonces, 3)).toThrow(/"signerIndex" expected integer in \[0, 3\), got 3/);
  });

  it('a hand-built context with a bad key is blamed on that key', () => {
    const { session } = round1(keyAgg(publicKeys));
    const forged = { ...session.keyAgg, publicKeys: [publicKeys[0]!, Uint8Array.of(2, ...new Uint8Array(32).fill(0xff)), publicKeys[2]!] };
    expectVectorError(() => createSession(forged, session.aggNonce, message), { type: 'invalid_contribution', signer: 1, contrib: 'pubkey' });
  });

  it('aggregation blames a partial signature of the wrong length', () => {
    const { session } = round1(keyAgg(publicKeys));
    const psigs = [new Uint8Array(32), new Uint8Array(31), new Uint8Array(32)];
    expectVectorError(() => partialSigAgg(session, psigs), { type: 'invalid_contribution', signer: 1, contrib: 'psig' });
  });

  it('deterministic signing as the last signer completes a 2-of-2 session', () => {
    const ctx = applyTaprootTweak(keyAgg(publicKeys.slice(0, 2)));
    const first = nonceGen({ publicKey: publicKeys[0]!, secretKey: secretKeys[0]!, random });
    const det = deterministicSign({ secretKey: secretKeys[1]!, aggOtherNonce: first.pubNonce, keyAgg: ctx, message });
    const session = createSession(ctx, nonceAgg([first.pubNonce, det.pubNonce]), message);
    expect(partialSigVerify(session, det.partialSig, [first.pubNonce, det.pubNonce], 1)).toBe(true);
    const psig0 = partialSign(session, first.secretNonce, secretKeys[0]!);
    expect(schnorr.verify(partialSigAgg(session, [psig0, det.partialSig]), message, ctx.xOnlyKey)).toBe(true);
  });
});
