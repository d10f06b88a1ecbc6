// BIP327 NonceGen and NonceAgg against bip327-nonce_gen_vectors.json and
// bip327-nonce_agg_vectors.json, and the SecretNonce object's one-use guarantees.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/curves/utils.js';
import { describe, expect, it } from 'vitest';
import { nonceAgg, nonceGen, SecretNonce } from '../../../core/musig/nonce.js';
import { vectorJson } from '../../support/vectors.js';
import { expectMusigError, expectVectorError, type VectorError } from './musig-error.js';

const h = hexToBytes;
const lower = (s: string) => s.toLowerCase();
const opt = (s: string | null) => (s === null ? undefined : h(s));

interface NonceGenVectors {
  test_cases: {
    rand_: string;
    sk: string | null;
    pk: string;
    aggpk: string | null;
    msg: string | null;
    extra_in: string | null;
    expected_secnonce: string;
    expected_pubnonce: string;
  }[];
}
interface NonceAggVectors {
  pnonces: string[];
  valid_test_cases: { pnonce_indices: number[]; expected: string; comment?: string }[];
  error_test_cases: { pnonce_indices: number[]; error: VectorError; comment: string }[];
}

describe('BIP327 NonceGen', () => {
  const v = vectorJson<NonceGenVectors>('bip327-nonce_gen_vectors.json');
  v.test_cases.forEach((c, i) => {
    const present = ['sk', 'aggpk', 'msg', 'extra_in'].filter((k) => c[k as keyof typeof c] !== null);
    it(`BIP327 nonce_gen ${i}: with ${present.join(', ') || 'no optional inputs'}${c.msg === '' ? ' (empty msg)' : ''}`, () => {
      const asked: number[] = [];
      const { secretNonce, pubNonce } = nonceGen({
        publicKey: h(c.pk),
        secretKey: opt(c.sk),
        aggregateKey: opt(c.aggpk),
        message: opt(c.msg),
        extraIn: opt(c.extra_in),
        random: (n) => {
          asked.push(n);
          return h(c.rand_);
        },
      });
      expect(asked).toEqual([32]);
      expect(bytesToHex(secretNonce.toBytes())).toBe(lower(c.expected_secnonce));
      expect(bytesToHex(pubNonce)).toBe(lower(c.expected_pubnonce));
      // Intermediate: the secnonce ends with the signer's pubkey, and R_i = k_i·G.
      expect(bytesToHex(secretNonce.publicKey)).toBe(lower(c.pk));
      const secnonce = h(c.expected_secnonce);
      const r = concatBytes(
        secp256k1.getPublicKey(secnonce.subarray(0, 32), true),
        secp256k1.getPublicKey(secnonce.subarray(32, 64), true),
      );
      expect(bytesToHex(r)).toBe(lower(c.expected_pubnonce));
    });
  });

  it('rejects a random source that does not return 32 bytes', () => {
    const c = v.test_cases[0]!;
    expect(() => nonceGen({ publicKey: h(c.pk), random: () => new Uint8Array(31) })).toThrow(/"random\(32\)" expected 32 bytes, got 31/);
  });
});

describe('BIP327 NonceAgg', () => {
  const v = vectorJson<NonceAggVectors>('bip327-nonce_agg_vectors.json');
  const pnonces = v.pnonces.map(h);

  v.valid_test_cases.forEach((c, i) => {
    it(`BIP327 nonce_agg valid ${i}: nonces [${c.pnonce_indices}]${c.comment ? ` — ${c.comment}` : ''}`, () => {
      expect(bytesToHex(nonceAgg(c.pnonce_indices.map((k) => pnonces[k]!)))).toBe(lower(c.expected));
    });
  });

  v.error_test_cases.forEach((c, i) => {
    it(`BIP327 nonce_agg error ${i}: ${c.comment}`, () => {
      expectVectorError(() => nonceAgg(c.pnonce_indices.map((k) => pnonces[k]!)), c.error);
    });
  });

  it('blames a peer whose nonce has the wrong length', () => {
    expectVectorError(() => nonceAgg([pnonces[0]!, pnonces[1]!.subarray(0, 65)]), {
      type: 'invalid_contribution',
      signer: 1,
      contrib: 'pubnonce',
    });
  });
});

describe('SecretNonce', () => {
  const c = vectorJson<NonceGenVectors>('bip327-nonce_gen_vectors.json').test_cases[0]!;
  const fresh = () => SecretNonce.fromBytes(h(c.expected_secnonce));

  it('round-trips through toBytes/fromBytes for durable storage', () => {
    const n = fresh();
    expect(bytesToHex(n.toBytes())).toBe(lower(c.expected_secnonce));
    expect(n.used).toBe(false);
  });

  it('spends exactly once: consumed nonces refuse export and a second consumption', () => {
    const n = fresh();
    const bytes = SecretNonce._consume(n);
    expect(bytesToHex(bytes)).toBe(lower(c.expected_secnonce));
    expect(n.used).toBe(true);
    expectMusigError(() => n.toBytes(), 'NONCE_ALREADY_USED');
    expectMusigError(() => SecretNonce._consume(n), 'NONCE_ALREADY_USED');
  });

  it('does not copy the caller buffer by reference', () => {
    const buf = h(c.expected_secnonce);
    const n = SecretNonce.fromBytes(buf);
    buf.fill(0);
    expect(bytesToHex(n.toBytes())).toBe(lower(c.expected_secnonce));
  });

  it('keeps the secret out of JSON and util.inspect', async () => {
    const n = fresh();
    const secretHex = lower(c.expected_secnonce).slice(0, 64);
    expect(JSON.stringify({ n })).not.toContain(secretHex);
    const { inspect } = await import('node:util');
    expect(inspect(n)).toBe('SecretNonce(redacted)');
  });

  it('rejects k1 or k2 outside [1, n) as INVALID_SECNONCE', () => {
    const zeroK2 = h(c.expected_secnonce);
    zeroK2.fill(0, 32, 64);
    const e = expectMusigError(() => SecretNonce.fromBytes(zeroK2), 'INVALID_SECNONCE');
    expect(e.message).toBe('second secnonce value is out of range.');
    const bigK1 = h(c.expected_secnonce);
    bigK1.set(h('FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141'), 0);
    expect(expectMusigError(() => SecretNonce.fromBytes(bigK1), 'INVALID_SECNONCE').message).toBe(
      'first secnonce value is out of range.',
    );
  });
});
