// Simple taproot channels (bolt-simple-taproot.md, lnd-test-vectors-taproot.json): the vector
// parameters re-derived from the seed (14 keys), and every script vector — 11 outputs, each with its
// leaf scripts, tapleaf hashes, tapscript root, internal key, output key, pkScript and control blocks.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { ripemd160 } from '@noble/hashes/legacy.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { derivePubkey, deriveRevocationPrivkey, deriveRevocationPubkey, perCommitmentPoint } from '../../../core/lightning/keys.js';
import {
  SIMPLE_TAPROOT_NUMS_HEX,
  acceptedHtlcOutput,
  anchorOutput,
  offeredHtlcOutput,
  secondLevelHtlcOutput,
  toLocalOutput,
  toRemoteOutput,
} from '../../../core/lightning/taproot/channel-scripts.js';
import { fundingOutput } from '../../../core/lightning/taproot/funding.js';
import type { TaprootOutput } from '../../../core/lightning/taproot/tapscript-output.js';
import { vectorJson } from '../../support/vectors.js';

interface ScriptVector {
  scripts: Record<string, string>;
  leaf_hashes: Record<string, string>;
  tapscript_root: string;
  internal_key: string;
  output_key: string;
  pkscript: string;
}
interface Vectors {
  params: { seed: string; funding_amount_satoshis: number; csv_delay: number; nums_point: string; keys: Record<string, string> };
  scripts: Record<string, ScriptVector> & { funding: { funding_tx_hex: string; combined_key: string; pkscript: string } };
}

const vectors = vectorJson<Vectors>('lnd-test-vectors-taproot.json');
const k = vectors.params.keys;
const h = (v: string) => hex.decode(v);
const key = (name: string) => h(k[name]!);
const compressed = (out: { outputKey: Uint8Array; outputKeyParity: 0 | 1 }) => hex.encode(Uint8Array.from([2 + out.outputKeyParity, ...out.outputKey]));

const csvDelay = vectors.params.csv_delay;
const htlcKeys = {
  revocationPubkey: key('derived_revocation_pubkey'),
  localHtlcPubkey: key('derived_local_htlc_pubkey'),
  remoteHtlcPubkey: key('derived_remote_htlc_pubkey'),
  // The script vectors use HTLC 0 of the transaction vectors: preimage 00…00, expiry 500.
  paymentHash: sha256(new Uint8Array(32)),
};
const delayKeys = { localDelayedPubkey: key('derived_local_delayed_pubkey'), revocationPubkey: key('derived_revocation_pubkey'), toSelfDelay: csvDelay };

describe('simple taproot vector parameters', () => {
  const labels: [string, string, string | undefined][] = [
    ['local_funding_privkey', 'local-funding', 'local_funding_pubkey'],
    ['remote_funding_privkey', 'remote-funding', 'remote_funding_pubkey'],
    ['local_payment_basepoint_secret', 'local-payment-basepoint', 'local_payment_basepoint'],
    ['remote_payment_basepoint_secret', 'remote-payment-basepoint', 'remote_payment_basepoint'],
    ['local_delayed_payment_basepoint_secret', 'local-delayed-payment-basepoint', 'local_delayed_payment_basepoint'],
    ['remote_revocation_basepoint_secret', 'remote-revocation-basepoint', 'remote_revocation_basepoint'],
    ['local_htlc_basepoint_secret', 'local-htlc-basepoint', 'local_htlc_basepoint'],
    ['remote_htlc_basepoint_secret', 'remote-htlc-basepoint', 'remote_htlc_basepoint'],
    ['local_per_commit_secret', 'local-per-commit-secret', undefined],
  ];
  labels.forEach(([secret, label, pub], i) => {
    it(`taproot params key ${i + 1}/9: ${secret} = SHA256(seed || "${label}")${pub ? `, ${pub} = ·G` : ''}`, () => {
      const derived = sha256(new Uint8Array([...h(vectors.params.seed), ...new TextEncoder().encode(label)]));
      expect(hex.encode(derived)).toBe(k[secret]);
      if (pub) expect(hex.encode(secp256k1.getPublicKey(derived))).toBe(k[pub]);
    });
  });

  const point = key('local_per_commit_point');
  it('taproot params derived 1/5: local_per_commit_point = local_per_commit_secret·G', () => {
    expect(hex.encode(perCommitmentPoint(key('local_per_commit_secret')))).toBe(k.local_per_commit_point);
  });
  it('taproot params derived 2/5: derived_local_delayed_pubkey from local_delayed_payment_basepoint', () => {
    expect(hex.encode(derivePubkey(key('local_delayed_payment_basepoint'), point))).toBe(k.derived_local_delayed_pubkey);
  });
  it('taproot params derived 3/5: derived_revocation_pubkey from remote_revocation_basepoint (and its privkey)', () => {
    expect(hex.encode(deriveRevocationPubkey(key('remote_revocation_basepoint'), point))).toBe(k.derived_revocation_pubkey);
    const priv = deriveRevocationPrivkey(key('remote_revocation_basepoint_secret'), key('local_per_commit_secret'));
    expect(hex.encode(secp256k1.getPublicKey(priv))).toBe(k.derived_revocation_pubkey);
  });
  it('taproot params derived 4/5: derived_local_htlc_pubkey and derived_remote_htlc_pubkey', () => {
    expect(hex.encode(derivePubkey(key('local_htlc_basepoint'), point))).toBe(k.derived_local_htlc_pubkey);
    expect(hex.encode(derivePubkey(key('remote_htlc_basepoint'), point))).toBe(k.derived_remote_htlc_pubkey);
  });
  it('taproot params derived 5/5: derived_remote_payment_pubkey is the untweaked remote payment basepoint (static remote key)', () => {
    expect(k.derived_remote_payment_pubkey).toBe(k.remote_payment_basepoint);
  });
  it('nums_point is simple_taproot_nums', () => {
    expect(vectors.params.nums_point).toBe(SIMPLE_TAPROOT_NUMS_HEX);
  });
});

/**
 * Asserts every field of a script vector, and each leaf's control block against the values the
 * vector gives: (0xc0 | output key parity) || x(internal_key) || the other leaf's hash.
 */
function expectScriptVector(out: TaprootOutput<string>, vector: ScriptVector, names: Record<string, string>): void {
  expect(Object.keys(vector.scripts).sort()).toEqual(Object.keys(names).sort());
  for (const [vectorName, ourName] of Object.entries(names)) {
    const leaf = out.leaves[ourName]!;
    expect(hex.encode(leaf.script)).toBe(vector.scripts[vectorName]);
    expect(hex.encode(leaf.leafHash)).toBe(vector.leaf_hashes[vectorName]);
    const siblings = Object.keys(names).filter((n) => n !== vectorName).map((n) => vector.leaf_hashes[n]!);
    const parity = vector.output_key.startsWith('03') ? 1 : 0;
    expect(hex.encode(leaf.controlBlock)).toBe((0xc0 | parity).toString(16) + vector.internal_key.slice(2) + siblings.join(''));
  }
  expect(hex.encode(out.tapscriptRoot)).toBe(vector.tapscript_root);
  expect(hex.encode(out.internalKey)).toBe(vector.internal_key);
  expect(compressed(out)).toBe(vector.output_key);
  expect(hex.encode(out.pkScript)).toBe(vector.pkscript);
}

describe('simple taproot script vectors', () => {
  const s = vectors.scripts;

  it('has the 11 script vectors', () => expect(Object.keys(s)).toHaveLength(11));

  it('taproot script vector 1/11: funding (MuSig2 KeyAgg of sorted funding keys, BIP86 tweak)', () => {
    const out = fundingOutput(key('local_funding_pubkey'), key('remote_funding_pubkey'));
    expect(hex.encode(out.outputKey)).toBe(s.funding.combined_key);
    expect(hex.encode(out.pkScript)).toBe(s.funding.pkscript);
    // KeySort puts 02956e… before 03b720…; the order of the arguments does not matter.
    expect(out.sortedPubkeys.map((p) => hex.encode(p))).toEqual([k.remote_funding_pubkey, k.local_funding_pubkey]);
    expect(fundingOutput(key('remote_funding_pubkey'), key('local_funding_pubkey')).outputKey).toEqual(out.outputKey);
    // Intermediate: the output key is the internal key tweaked by tagged_hash("TapTweak", internal key).
    const tweaked = secp256k1.Point.fromBytes(Uint8Array.from([2, ...out.internalKey])).add(secp256k1.Point.BASE.multiply(BigInt('0x' + hex.encode(out.tweak))));
    expect(hex.encode(tweaked.toBytes(true).subarray(1))).toBe(s.funding.combined_key);
    expect(tweaked.toBytes(true)[0]).toBe(2 + out.outputKeyParity);
    // The funding transaction of the vectors pays funding_amount to exactly this script.
    const fundingTx = Transaction.fromRaw(h(s.funding.funding_tx_hex), { allowUnknownInputs: true });
    expect(fundingTx.getOutput(0).script).toEqual(out.pkScript);
    expect(fundingTx.getOutput(0).amount).toBe(BigInt(vectors.params.funding_amount_satoshis));
  });

  it('taproot script vector 2/11: to_local (NUMS internal key; delay = "settle", revoke = "revocation")', () => {
    expectScriptVector(toLocalOutput(delayKeys), s.to_local!, { settle: 'delay', revocation: 'revoke' });
  });

  it('taproot script vector 3/11: to_remote (NUMS internal key; 1-block CSV leaf)', () => {
    expectScriptVector(toRemoteOutput(key('derived_remote_payment_pubkey')), s.to_remote!, { settle: 'settle' });
  });

  it('taproot script vector 4/11: local_anchor (local_delayedpubkey internal key; OP_16 CSV leaf)', () => {
    expectScriptVector(anchorOutput(key('derived_local_delayed_pubkey')), s.local_anchor!, { sweep: 'sweep' });
  });

  it('taproot script vector 5/11: remote_anchor (remotepubkey internal key; OP_16 CSV leaf)', () => {
    expectScriptVector(anchorOutput(key('derived_remote_payment_pubkey')), s.remote_anchor!, { sweep: 'sweep' });
  });

  // The file derives its local-commit and remote-commit entries from one key set (identical values),
  // so both entries are checked against the same construction.
  for (const [n, name] of [[6, 'offered_htlc_local_commit'], [7, 'offered_htlc_remote_commit']] as const) {
    it(`taproot script vector ${n}/11: ${name} (revocation internal key; timeout and success leaves)`, () => {
      const out = offeredHtlcOutput(htlcKeys);
      expectScriptVector(out, s[name]!, { timeout: 'timeout', success: 'success' });
      // Intermediate: the success leaf commits to RIPEMD160(payment_hash).
      expect(hex.encode(out.leaves.success.script)).toContain(hex.encode(ripemd160(htlcKeys.paymentHash)));
    });
  }

  // The file's accepted-HTLC entries put derived_local_htlc_pubkey where the proposal puts
  // remote_htlcpubkey and vice versa: they are the accepted HTLC as the *receiving* peer sees it
  // (the HTLC local offered, on the remote commitment, whose "local" HTLC key is the remote's).
  // With the roles named that way they match exactly; the accepted HTLC on the local commitment,
  // keyed as the proposal writes it, is proven by the HTLC-success transactions in
  // taproot-transactions.test.ts (leaf script and control block inside each witness).
  for (const [n, name] of [[8, 'accepted_htlc_local_commit'], [9, 'accepted_htlc_remote_commit']] as const) {
    it(`taproot script vector ${n}/11: ${name} (receiver's key roles; cltv_expiry 500)`, () => {
      const receiverView = { ...htlcKeys, localHtlcPubkey: htlcKeys.remoteHtlcPubkey, remoteHtlcPubkey: htlcKeys.localHtlcPubkey };
      expectScriptVector(acceptedHtlcOutput({ ...receiverView, cltvExpiry: 500 }), s[name]!, { timeout: 'timeout', success: 'success' });
      // The proposal-literal keying on the local commitment is a different output.
      expect(hex.encode(acceptedHtlcOutput({ ...htlcKeys, cltvExpiry: 500 }).pkScript)).not.toBe(s[name]!.pkscript);
    });
  }

  // Both second-level transactions pay to the same single-leaf output; the file names its leaf "success" in both.
  for (const [n, name] of [[10, 'second_level_htlc_success'], [11, 'second_level_htlc_timeout']] as const) {
    it(`taproot script vector ${n}/11: ${name} (revocation internal key; to_self_delay leaf)`, () => {
      expectScriptVector(secondLevelHtlcOutput(delayKeys), s[name]!, { success: 'delay' });
    });
  }
});

describe('channel script inputs', () => {
  it('rejects malformed keys, hashes and timelocks with titled errors', () => {
    expect(() => toLocalOutput({ ...delayKeys, toSelfDelay: 0 })).toThrow(/"toSelfDelay" expected block count/);
    expect(() => toLocalOutput({ ...delayKeys, localDelayedPubkey: new Uint8Array(32) })).toThrow(/"localDelayedPubkey" expected 33-byte/);
    expect(() => offeredHtlcOutput({ ...htlcKeys, paymentHash: new Uint8Array(20) })).toThrow(/"paymentHash" expected 32 bytes/);
    expect(() => acceptedHtlcOutput({ ...htlcKeys, cltvExpiry: 500_000_000 })).toThrow(/"cltvExpiry" expected block height/);
    expect(() => toRemoteOutput(Uint8Array.from([4, ...new Uint8Array(32)]))).toThrow(TypeError);
    expect(() => anchorOutput(h('02' + 'ff'.repeat(32)))).toThrow(/"anchorKey" is not a valid secp256k1 point/);
    expect(() => fundingOutput(key('local_funding_pubkey'), new Uint8Array(33))).toThrow(/"remoteFundingPubkey" expected 33-byte/);
  });
});
