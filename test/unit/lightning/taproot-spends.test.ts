// Simple taproot channel spend paths the vector file does not cover: every control block checked by
// an independent BIP341 commitment computation, every witness layout the proposal lists (key path and
// each leaf) signed and verified against the key it must satisfy, and the commitment construction
// rules of BOLT 3 the three transaction vectors do not reach (CLTV tie-break, remote opener,
// unaffordable fee, anchors without a balance, trimming boundary).
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { derivePrivkey, deriveRevocationPrivkey } from '../../../core/lightning/keys.js';
import {
  SIMPLE_TAPROOT_NUMS_HEX,
  acceptedHtlcOutput,
  anchorOutput,
  offeredHtlcOutput,
  secondLevelHtlcOutput,
  toLocalOutput,
  toRemoteOutput,
} from '../../../core/lightning/taproot/channel-scripts.js';
import { buildCommitment, commitmentFee, isTrimmed, type CommitmentParams } from '../../../core/lightning/taproot/commitment.js';
import { htlcSuccessTransaction, htlcTimeoutTransaction } from '../../../core/lightning/taproot/htlc-transactions.js';
import { keyPathSighash, scriptPathSighash, signKeyPath, signScriptPath, SIGHASH_SINGLE_ANYONECANPAY } from '../../../core/lightning/taproot/signing.js';
import type { TapLeaf, TaprootOutput } from '../../../core/lightning/taproot/tapscript-output.js';
import { transactionId, type UnsignedTransaction } from '../../../core/lightning/taproot/transaction.js';
import {
  acceptedHtlcSuccessWitness,
  acceptedHtlcTimeoutWitness,
  anchorSweepWitness,
  keyPathWitness,
  offeredHtlcSuccessWitness,
  offeredHtlcTimeoutWitness,
  secondLevelDelayWitness,
  toLocalDelayWitness,
  toLocalRevokeWitness,
  toRemoteWitness,
} from '../../../core/lightning/taproot/witness.js';
import { vectorJson } from '../../support/vectors.js';

const k = vectorJson<{ params: { keys: Record<string, string> } }>('lnd-test-vectors-taproot.json').params.keys;
const key = (name: string) => hex.decode(k[name]!);
const point = key('local_per_commit_point');
const pub = {
  localDelayed: key('derived_local_delayed_pubkey'),
  revocation: key('derived_revocation_pubkey'),
  remote: key('derived_remote_payment_pubkey'),
  localHtlc: key('derived_local_htlc_pubkey'),
  remoteHtlc: key('derived_remote_htlc_pubkey'),
};
const priv = {
  localDelayed: derivePrivkey(key('local_delayed_payment_basepoint_secret'), point),
  revocation: deriveRevocationPrivkey(key('remote_revocation_basepoint_secret'), key('local_per_commit_secret')),
  // Static remote key: the remote payment basepoint secret signs directly.
  remote: key('remote_payment_basepoint_secret'),
  localHtlc: derivePrivkey(key('local_htlc_basepoint_secret'), point),
  remoteHtlc: derivePrivkey(key('remote_htlc_basepoint_secret'), point),
};
const preimage = new Uint8Array(32).fill(0x42);
const htlcKeys = { revocationPubkey: pub.revocation, localHtlcPubkey: pub.localHtlc, remoteHtlcPubkey: pub.remoteHtlc, paymentHash: sha256(preimage) };
const delayKeys = { localDelayedPubkey: pub.localDelayed, revocationPubkey: pub.revocation, toSelfDelay: 144 };

const outputs = {
  toLocal: toLocalOutput(delayKeys),
  toRemote: toRemoteOutput(pub.remote),
  localAnchor: anchorOutput(pub.localDelayed),
  remoteAnchor: anchorOutput(pub.remote),
  offered: offeredHtlcOutput(htlcKeys),
  accepted: acceptedHtlcOutput({ ...htlcKeys, cltvExpiry: 800_000 }),
  secondLevel: secondLevelHtlcOutput(delayKeys),
};

function taggedHash(tag: string, ...parts: Uint8Array[]): Uint8Array {
  const t = sha256(new TextEncoder().encode(tag));
  return sha256(Uint8Array.from([...t, ...t, ...parts.flatMap((p) => [...p])]));
}

/** BIP341 script-path verification, written out: does (leaf, control block) commit to `out`'s output key? */
function controlBlockCommits(out: TaprootOutput<string>, leaf: TapLeaf): boolean {
  const cb = leaf.controlBlock;
  if ((cb.length - 33) % 32 !== 0 || (cb[0]! & 0xfe) !== 0xc0) return false;
  let node = taggedHash('TapLeaf', Uint8Array.of(0xc0, leaf.script.length), leaf.script);
  for (let at = 33; at < cb.length; at += 32) {
    const sibling = cb.subarray(at, at + 32);
    node = hex.encode(node) < hex.encode(sibling) ? taggedHash('TapBranch', node, sibling) : taggedHash('TapBranch', sibling, node);
  }
  const internal = cb.subarray(1, 33);
  const tweak = BigInt('0x' + hex.encode(taggedHash('TapTweak', internal, node)));
  const q = secp256k1.Point.fromBytes(Uint8Array.of(2, ...internal)).add(secp256k1.Point.BASE.multiply(tweak)).toBytes(true);
  return hex.encode(q.subarray(1)) === hex.encode(out.pkScript.subarray(2)) && (q[0]! & 1) === (cb[0]! & 1);
}

describe('control blocks (independent BIP341 check)', () => {
  for (const [name, out] of Object.entries(outputs)) {
    for (const [leafName, leaf] of Object.entries(out.leaves as Record<string, TapLeaf>)) {
      it(`${name}.${leafName}: control block commits to the output key`, () => {
        expect(controlBlockCommits(out, leaf)).toBe(true);
        const tampered = { ...leaf, controlBlock: Uint8Array.from(leaf.controlBlock) };
        tampered.controlBlock[0]! ^= 1;
        expect(controlBlockCommits(out, tampered)).toBe(false);
      });
    }
  }
  it('the NUMS-keyed outputs share the simple_taproot_nums internal key', () => {
    expect(hex.encode(outputs.toLocal.internalKey)).toBe(SIMPLE_TAPROOT_NUMS_HEX);
    expect(hex.encode(outputs.toRemote.internalKey)).toBe(SIMPLE_TAPROOT_NUMS_HEX);
  });
});

/** A one-input one-output spend of `out` (an output of some prior transaction). */
function spendOf(out: TaprootOutput<string>, sequence: number, lockTime = 0): { tx: UnsignedTransaction; spent: { amountSat: bigint; pkScript: Uint8Array }[] } {
  const tx: UnsignedTransaction = {
    version: 2,
    lockTime,
    inputs: [{ txid: 'aa'.repeat(32), index: 1, sequence }],
    outputs: [{ amountSat: 9_000n, pkScript: outputs.toRemote.pkScript }],
  };
  return { tx, spent: [{ amountSat: 10_000n, pkScript: out.pkScript }] };
}

const xOnly = (p: Uint8Array) => p.subarray(1);
const aux = new Uint8Array(32);

describe('witness layouts, signed and verified', () => {
  // [spend name, output, leaf, signer private key, key the leaf checks, sequence, lockTime, witness builder]
  const leafSpends: [string, TaprootOutput<string>, TapLeaf, Uint8Array, Uint8Array, number, number, (sig: Uint8Array) => readonly Uint8Array[], Uint8Array[]][] = [
    ['to_local delay', outputs.toLocal, outputs.toLocal.leaves.delay, priv.localDelayed, pub.localDelayed, 144, 0, (s) => toLocalDelayWitness(outputs.toLocal, s), []],
    ['to_local revoke', outputs.toLocal, outputs.toLocal.leaves.revoke, priv.revocation, pub.revocation, 0xffffffff, 0, (s) => toLocalRevokeWitness(outputs.toLocal, s), []],
    ['to_remote', outputs.toRemote, outputs.toRemote.leaves.settle, priv.remote, pub.remote, 1, 0, (s) => toRemoteWitness(outputs.toRemote, s), []],
    ['offered HTLC success (counterparty with preimage)', outputs.offered, outputs.offered.leaves.success, priv.remoteHtlc, pub.remoteHtlc, 1, 0, (s) => offeredHtlcSuccessWitness(outputs.offered, s, preimage), [preimage]],
    ['accepted HTLC timeout (counterparty after expiry)', outputs.accepted, outputs.accepted.leaves.timeout, priv.remoteHtlc, pub.remoteHtlc, 1, 800_000, (s) => acceptedHtlcTimeoutWitness(outputs.accepted, s), []],
    ['second-level delay', outputs.secondLevel, outputs.secondLevel.leaves.delay, priv.localDelayed, pub.localDelayed, 144, 0, (s) => secondLevelDelayWitness(outputs.secondLevel, s), []],
  ];
  for (const [name, out, leaf, signer, checked, sequence, lockTime, witnessOf, extra] of leafSpends) {
    it(`${name}: <sig> ${extra.length ? '<preimage> ' : ''}<leaf> <control block>`, () => {
      const { tx, spent } = spendOf(out, sequence, lockTime);
      const sighash = scriptPathSighash(tx, 0, spent, leaf.script);
      const sig = signScriptPath(sighash, signer);
      expect(schnorr.verify(sig, sighash, xOnly(checked))).toBe(true);
      // The leaf names the key this signature must satisfy.
      expect(hex.encode(leaf.script)).toContain(hex.encode(xOnly(checked)));
      expect(witnessOf(sig)).toEqual([sig, ...extra, leaf.script, leaf.controlBlock]);
    });
  }

  it('offered HTLC timeout and accepted HTLC success: <remote sig> <local sig> [<preimage>] <leaf> <control block>', () => {
    const remote = new Uint8Array(65).fill(1);
    const local = new Uint8Array(64).fill(2);
    expect(offeredHtlcTimeoutWitness(outputs.offered, remote, local)).toEqual([remote, local, outputs.offered.leaves.timeout.script, outputs.offered.leaves.timeout.controlBlock]);
    expect(acceptedHtlcSuccessWitness(outputs.accepted, remote, local, preimage)).toEqual([
      remote,
      local,
      preimage,
      outputs.accepted.leaves.success.script,
      outputs.accepted.leaves.success.controlBlock,
    ]);
  });

  it('anchor sweep by anyone after 16 blocks: <leaf> <control block>, no signature', () => {
    expect(anchorSweepWitness(outputs.localAnchor)).toEqual([outputs.localAnchor.leaves.sweep.script, outputs.localAnchor.leaves.sweep.controlBlock]);
    expect(hex.encode(outputs.remoteAnchor.leaves.sweep.script)).toBe('60b2');
  });

  // Key paths: revocation key (tweaked by the script root) sweeping HTLC and second-level outputs; anchor owners.
  const keyPaths: [string, TaprootOutput<string>, Uint8Array][] = [
    ['offered HTLC revocation sweep', outputs.offered, priv.revocation],
    ['accepted HTLC revocation sweep', outputs.accepted, priv.revocation],
    ['second-level revocation sweep', outputs.secondLevel, priv.revocation],
    ['local anchor by its owner', outputs.localAnchor, priv.localDelayed],
    ['remote anchor by its owner', outputs.remoteAnchor, priv.remote],
  ];
  for (const [name, out, signer] of keyPaths) {
    it(`${name}: <key path sig> verifies against the output key`, () => {
      const { tx, spent } = spendOf(out, 0xffffffff);
      const sighash = keyPathSighash(tx, 0, spent);
      const sig = signKeyPath(sighash, signer, out.tapscriptRoot, undefined, aux);
      expect(schnorr.verify(sig, sighash, out.outputKey)).toBe(true);
      expect(keyPathWitness(sig)).toEqual([sig]);
      // Untweaked, the same key does not satisfy the output.
      expect(schnorr.verify(signScriptPath(sighash, signer, undefined, aux), sighash, out.outputKey)).toBe(false);
    });
  }

  it('non-default sighash types append their byte; malformed signatures and preimages are rejected', () => {
    const { tx, spent } = spendOf(outputs.toRemote, 1);
    const sighash = scriptPathSighash(tx, 0, spent, outputs.toRemote.leaves.settle.script, SIGHASH_SINGLE_ANYONECANPAY);
    const sig = signScriptPath(sighash, priv.remote, SIGHASH_SINGLE_ANYONECANPAY, aux);
    expect(sig).toHaveLength(65);
    expect(sig[64]).toBe(0x83);
    expect(() => signScriptPath(sighash, priv.remote, 0x80)).toThrow(/"hashType" expected a BIP341 sighash type/);
    expect(() => toRemoteWitness(outputs.toRemote, new Uint8Array(63))).toThrow(/"remoteSig" expected 64- or 65-byte/);
    expect(() => offeredHtlcSuccessWitness(outputs.offered, sig, new Uint8Array(31))).toThrow(/"preimage" expected 32 bytes/);
    expect(() => scriptPathSighash(tx, 1, spent, outputs.toRemote.leaves.settle.script)).toThrow(/"inputIndex"/);
    expect(() => keyPathSighash(tx, 0, [])).toThrow(/"spent" expected one output per input/);
  });
});

describe('second-level HTLC transactions', () => {
  const spent = { commitmentTxid: 'bb'.repeat(32), outputIndex: 3, amountSat: 5_000n };
  it('HTLC-success: version 2, locktime 0, sequence 1, full amount to the second-level output', () => {
    const t = htlcSuccessTransaction({ ...spent, htlcOutput: outputs.accepted }, delayKeys);
    expect(t.tx).toEqual({
      version: 2,
      lockTime: 0,
      inputs: [{ txid: spent.commitmentTxid, index: 3, sequence: 1 }],
      outputs: [{ amountSat: 5_000n, pkScript: outputs.secondLevel.pkScript }],
    });
    expect(t.leaf).toEqual(outputs.accepted.leaves.success);
    expect(t.spent).toEqual({ amountSat: 5_000n, pkScript: outputs.accepted.pkScript });
  });
  it('HTLC-timeout: locktime cltv_expiry, spending the offered timeout leaf', () => {
    const t = htlcTimeoutTransaction({ ...spent, htlcOutput: outputs.offered }, delayKeys, 800_123);
    expect(t.tx.lockTime).toBe(800_123);
    expect(t.leaf).toEqual(outputs.offered.leaves.timeout);
    expect(transactionId(t.tx)).toMatch(/^[0-9a-f]{64}$/);
  });
  it('rejects a malformed txid, amount or expiry', () => {
    expect(() => htlcSuccessTransaction({ ...spent, commitmentTxid: 'BB'.repeat(32), htlcOutput: outputs.accepted }, delayKeys)).toThrow(/"commitmentTxid"/);
    expect(() => htlcSuccessTransaction({ ...spent, amountSat: -1n, htlcOutput: outputs.accepted }, delayKeys)).toThrow(/"amountSat" expected non-negative bigint, got -1/);
    expect(() => htlcTimeoutTransaction({ ...spent, htlcOutput: outputs.offered }, delayKeys, -5)).toThrow(/"cltvExpiry"/);
  });
});

describe('commitment construction rules', () => {
  const base: CommitmentParams = {
    fundingTxid: 'cc'.repeat(32),
    fundingOutputIndex: 1,
    obscuredCommitmentNumber: 7,
    localIsOpener: true,
    toLocalMsat: 6_000_000_000n,
    toRemoteMsat: 3_000_000_000n,
    feeratePerKw: 2_500,
    dustLimitSat: 354n,
    toSelfDelay: 144,
    keys: { localDelayedPubkey: pub.localDelayed, revocationPubkey: pub.revocation, remotePubkey: pub.remote, localHtlcPubkey: pub.localHtlc, remoteHtlcPubkey: pub.remoteHtlc },
    htlcs: [],
  };
  const kinds = (p: CommitmentParams) => buildCommitment(p).outputs.map((o) => o.kind).sort();

  it('two offered HTLCs with the same amount and payment hash are ordered by cltv_expiry (BOLT 3)', () => {
    const same = { direction: 'offered' as const, amountMsat: 5_000_000n, paymentHash: sha256(preimage) };
    const c = buildCommitment({ ...base, htlcs: [{ ...same, cltvExpiry: 506 }, { ...same, amountMsat: 5_000_999n, cltvExpiry: 505 }] });
    const htlcOutputs = c.outputs.filter((o) => o.kind === 'htlc');
    // Same whole-satoshi amount, identical scripts: the earlier expiry (second HTLC) comes first.
    expect(htlcOutputs.map((o) => o.htlcIndex)).toEqual([1, 0]);
    expect(htlcOutputs[0]!.output.pkScript).toEqual(htlcOutputs[1]!.output.pkScript);
  });

  it('the remote opener pays fee and anchors; locktime and sequence carry the obscured number', () => {
    const c = buildCommitment({ ...base, localIsOpener: false });
    const fee = commitmentFee(base.feeratePerKw, 0);
    expect(c.outputs.find((o) => o.kind === 'to_remote')!.amountSat).toBe(3_000_000n - fee - 660n);
    expect(c.outputs.find((o) => o.kind === 'to_local')!.amountSat).toBe(6_000_000n);
    expect(c.tx.lockTime).toBe(0x20000007);
    expect(c.tx.inputs[0]).toEqual({ txid: base.fundingTxid, index: 1, sequence: 0x80000000 });
  });

  it('an opener that cannot cover fee and anchors loses its output and its anchor (no HTLCs)', () => {
    expect(kinds({ ...base, toLocalMsat: 1_000_000n })).toEqual(['remote_anchor', 'to_remote']);
    expect(kinds({ ...base, toRemoteMsat: 0n })).toEqual(['local_anchor', 'to_local']);
  });

  it('untrimmed HTLCs keep both anchors even without balances', () => {
    const htlc = { direction: 'accepted' as const, amountMsat: 354_000n, paymentHash: sha256(preimage), cltvExpiry: 600 };
    expect(kinds({ ...base, toLocalMsat: 0n, toRemoteMsat: 0n, localIsOpener: false, htlcs: [htlc] })).toEqual(['htlc', 'local_anchor', 'remote_anchor']);
  });

  it('trims an HTLC exactly when its whole satoshis are below the dust limit, whatever the feerate', () => {
    const htlc = { direction: 'offered' as const, paymentHash: sha256(preimage), cltvExpiry: 600 };
    expect(isTrimmed({ ...htlc, amountMsat: 354_000n }, 354n)).toBe(false);
    expect(isTrimmed({ ...htlc, amountMsat: 353_999n }, 354n)).toBe(true);
    const c = buildCommitment({ ...base, feeratePerKw: 100_000, htlcs: [{ ...htlc, amountMsat: 353_999n }, { ...htlc, amountMsat: 354_000n }] });
    expect(c.trimmedHtlcs).toEqual([0]);
    expect(c.baseFeeSat).toBe(((968n + 172n) * 100_000n) / 1000n);
  });

  it('rejects negative amounts and malformed identifiers with titled errors', () => {
    expect(() => buildCommitment({ ...base, toLocalMsat: -1n })).toThrow(/"toLocalMsat" expected non-negative bigint, got -1/);
    expect(() => buildCommitment({ ...base, fundingTxid: 'xyz' })).toThrow(/"fundingTxid"/);
    expect(() => buildCommitment({ ...base, feeratePerKw: -1 })).toThrow(/"feeratePerKw" expected u32/);
  });
});
