// Simple taproot channel transaction vectors (lnd-test-vectors-taproot.json "transactions"): the 3
// commitment transactions rebuilt from their parameters and signed by MuSig2 from the given secret
// nonces (nonces, partial signature, final witness, full serialization), and the 7 second-level HTLC
// transactions rebuilt and signed (counterparty SIGHASH_SINGLE|ANYONECANPAY and holder
// SIGHASH_DEFAULT BIP340 signatures with zero aux randomness, full serialization).
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { Session, nonceAggregate } from '@scure/btc-signer/musig2.js';
import { describe, expect, it } from 'vitest';
import { commitmentObscuringFactor, obscureCommitmentNumber } from '../../../core/lightning/commitment-number.js';
import { derivePrivkey } from '../../../core/lightning/keys.js';
import { buildCommitment, commitmentSighash, type CommitmentParams } from '../../../core/lightning/taproot/commitment.js';
import { fundingOutput } from '../../../core/lightning/taproot/funding.js';
import { commitmentHtlcTransactions, localHtlcSighash, remoteHtlcSighash } from '../../../core/lightning/taproot/htlc-transactions.js';
import { SIGHASH_DEFAULT, SIGHASH_SINGLE_ANYONECANPAY, signScriptPath } from '../../../core/lightning/taproot/signing.js';
import { serializeSigned } from '../../../core/lightning/taproot/transaction.js';
import { acceptedHtlcSuccessWitness, keyPathWitness, offeredHtlcTimeoutWitness } from '../../../core/lightning/taproot/witness.js';
import { vectorJson } from '../../support/vectors.js';

interface TxVector {
  name: string;
  local_balance_msat: number;
  remote_balance_msat: number;
  fee_per_kw: number;
  dust_limit_satoshis?: number;
  htlcs: { incoming: boolean; amount_msat: number; expiry: number; preimage: string }[] | null;
  local_sec_nonce: string;
  remote_sec_nonce: string;
  local_nonce: string;
  remote_nonce: string;
  remote_partial_sig: string;
  expected_commitment_tx_hex: string;
  htlc_descs: { remote_partial_sig_hex: string; resolution_tx_hex: string }[] | null;
}
interface Vectors {
  params: { funding_amount_satoshis: number; dust_limit_satoshis: number; csv_delay: number; commit_height: number; keys: Record<string, string> };
  scripts: { funding: { funding_tx_hex: string } };
  transactions: TxVector[];
}

const vectors = vectorJson<Vectors>('lnd-test-vectors-taproot.json');
const k = vectors.params.keys;
const key = (name: string) => hex.decode(k[name]!);
const parse = (raw: string) => Transaction.fromRaw(hex.decode(raw), { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });

const funding = fundingOutput(key('local_funding_pubkey'), key('remote_funding_pubkey'));
const fundingTxid = parse(vectors.scripts.funding.funding_tx_hex).id;
const fundingSpent = { amountSat: BigInt(vectors.params.funding_amount_satoshis), pkScript: funding.pkScript };
const commitPoint = key('local_per_commit_point');
const htlcPrivkeys = {
  local: derivePrivkey(key('local_htlc_basepoint_secret'), commitPoint),
  remote: derivePrivkey(key('remote_htlc_basepoint_secret'), commitPoint),
};
const secondLevelKeys = {
  revocationPubkey: key('derived_revocation_pubkey'),
  localDelayedPubkey: key('derived_local_delayed_pubkey'),
  toSelfDelay: vectors.params.csv_delay,
};
const zeroAux = new Uint8Array(32);

/** The local party's commitment (local opened the channel), as every transaction vector describes it. */
function params(v: TxVector): CommitmentParams {
  const factor = commitmentObscuringFactor(key('local_payment_basepoint'), key('remote_payment_basepoint'));
  return {
    fundingTxid,
    fundingOutputIndex: 0,
    obscuredCommitmentNumber: obscureCommitmentNumber(vectors.params.commit_height, factor),
    localIsOpener: true,
    toLocalMsat: BigInt(v.local_balance_msat),
    toRemoteMsat: BigInt(v.remote_balance_msat),
    feeratePerKw: v.fee_per_kw,
    dustLimitSat: BigInt(v.dust_limit_satoshis ?? vectors.params.dust_limit_satoshis),
    toSelfDelay: vectors.params.csv_delay,
    keys: {
      localDelayedPubkey: key('derived_local_delayed_pubkey'),
      revocationPubkey: key('derived_revocation_pubkey'),
      remotePubkey: key('derived_remote_payment_pubkey'),
      localHtlcPubkey: key('derived_local_htlc_pubkey'),
      remoteHtlcPubkey: key('derived_remote_htlc_pubkey'),
    },
    htlcs: (v.htlcs ?? []).map((x) => ({
      direction: x.incoming ? 'accepted' : 'offered',
      amountMsat: BigInt(x.amount_msat),
      paymentHash: sha256(hex.decode(x.preimage)),
      cltvExpiry: x.expiry,
    })),
  };
}

// Fees and trimming the vectors imply (BOLT 3 formula with weight 968 + 172 per untrimmed HTLC).
const expected = [
  { baseFee: 14520n, trimmed: [] as number[], outputs: 4 },
  { baseFee: 1177n, trimmed: [], outputs: 9 },
  { baseFee: 844n, trimmed: [0, 1, 2], outputs: 6 },
];

describe('simple taproot commitment transaction vectors', () => {
  it('has the 3 transaction vectors with 7 HTLC transactions between them', () => {
    expect(vectors.transactions).toHaveLength(3);
    expect(vectors.transactions.flatMap((t) => t.htlc_descs ?? [])).toHaveLength(7);
  });

  vectors.transactions.forEach((v, i) => {
    it(`taproot commitment vector ${i + 1}/3: ${v.name}`, () => {
      const commitment = buildCommitment(params(v));
      const want = parse(v.expected_commitment_tx_hex);
      // Unsigned structure: fee, trimming, outputs in BIP69 order, obscured commitment number, txid.
      expect(commitment.baseFeeSat).toBe(expected[i]!.baseFee);
      expect(commitment.trimmedHtlcs).toEqual(expected[i]!.trimmed);
      expect(commitment.tx.outputs).toHaveLength(expected[i]!.outputs);
      commitment.tx.outputs.forEach((o, j) => {
        expect(o.amountSat).toBe(want.getOutput(j).amount);
        expect(o.pkScript).toEqual(want.getOutput(j).script);
      });
      expect(commitment.tx.lockTime).toBe(want.lockTime);
      expect(commitment.tx.inputs[0]).toEqual({ txid: fundingTxid, index: 0, sequence: want.getInput(0).sequence });
      expect(commitment.txid).toBe(want.id);
      // The opener pays fee and both anchors; to_remote is the remote balance untouched.
      const toLocal = commitment.outputs.find((o) => o.kind === 'to_local')!;
      expect(toLocal.amountSat).toBe(BigInt(v.local_balance_msat) / 1000n - expected[i]!.baseFee - 660n);
      expect(commitment.outputs.find((o) => o.kind === 'to_remote')!.amountSat).toBe(BigInt(v.remote_balance_msat) / 1000n);

      // MuSig2: the public nonces are the secret nonces' points, the remote partial signature over
      // our sighash matches, and the aggregate is the witness of the expected transaction.
      for (const [sec, pub] of [[v.local_sec_nonce, v.local_nonce], [v.remote_sec_nonce, v.remote_nonce]] as const) {
        const s = hex.decode(sec);
        const pubNonce = [s.subarray(0, 32), s.subarray(32, 64)].map((k1) => secp256k1.Point.BASE.multiply(BigInt('0x' + hex.encode(k1))).toBytes(true));
        expect(hex.encode(Uint8Array.from([...pubNonce[0]!, ...pubNonce[1]!]))).toBe(pub);
      }
      const sighash = commitmentSighash(commitment, fundingSpent);
      const pubNonces = [hex.decode(v.local_nonce), hex.decode(v.remote_nonce)];
      const session = new Session(nonceAggregate(pubNonces), [...funding.sortedPubkeys], sighash, [funding.tweak], [true]);
      const remotePartial = session.sign(hex.decode(v.remote_sec_nonce), key('remote_funding_privkey'));
      expect(hex.encode(remotePartial)).toBe(v.remote_partial_sig);
      const localPartial = session.sign(hex.decode(v.local_sec_nonce), key('local_funding_privkey'));
      const signerIndex = (pub: string) => funding.sortedPubkeys.findIndex((p) => hex.encode(p) === pub);
      expect(session.partialSigVerify(remotePartial, pubNonceOrder(pubNonces, signerIndex), signerIndex(k.remote_funding_pubkey!))).toBe(true);
      const signature = session.partialSigAgg([localPartial, remotePartial]);
      expect(schnorr.verify(signature, sighash, funding.outputKey)).toBe(true);
      expect(want.getInput(0).finalScriptWitness).toEqual([signature]);
      expect(hex.encode(serializeSigned(commitment.tx, [keyPathWitness(signature)]))).toBe(v.expected_commitment_tx_hex);
    });
  });
});

/** Public nonces ordered like the session's (KeySort-ordered) keys: local's nonce at local's key index. */
function pubNonceOrder(pubNonces: Uint8Array[], signerIndex: (pub: string) => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  out[signerIndex(k.local_funding_pubkey!)] = pubNonces[0]!;
  out[signerIndex(k.remote_funding_pubkey!)] = pubNonces[1]!;
  return out;
}

describe('simple taproot HTLC transaction vectors', () => {
  let n = 0;
  vectors.transactions.forEach((v, t) => {
    (v.htlc_descs ?? []).forEach((desc, j) => {
      n += 1;
      const p = params(v);
      const commitment = buildCommitment(p);
      const htlcTx = commitmentHtlcTransactions(commitment, secondLevelKeys)[j]!;
      const htlc = v.htlcs![htlcTx.htlcIndex]!;
      it(`taproot HTLC tx vector ${n}/7 (commitment ${t + 1}, output ${htlcTx.commitmentOutputIndex}): ${htlcTx.kind}, ${htlc.amount_msat / 1000} sat, expiry ${htlc.expiry}`, () => {
        const want = parse(desc.resolution_tx_hex);
        const htlcOutput = commitment.outputs[htlcTx.commitmentOutputIndex]!;
        if (htlcOutput.kind !== 'htlc') throw new Error('spent output is not an HTLC');
        // Unsigned structure: spends the right commitment output, zero fee, locktime per kind.
        expect(htlcTx.kind).toBe(htlc.incoming ? 'htlc-success' : 'htlc-timeout');
        expect(htlcTx.tx.inputs).toEqual([{ txid: commitment.txid, index: htlcTx.commitmentOutputIndex, sequence: 1 }]);
        expect(want.getInput(0).txid).toEqual(hex.decode(commitment.txid));
        expect(htlcTx.tx.lockTime).toBe(htlc.incoming ? 0 : htlc.expiry);
        expect(htlcTx.tx.outputs).toEqual([{ amountSat: BigInt(htlc.amount_msat / 1000), pkScript: want.getOutput(0).script }]);
        // Counterparty signature: SIGHASH_SINGLE|ANYONECANPAY, BIP340 with zero aux randomness.
        const remoteSig = signScriptPath(remoteHtlcSighash(htlcTx), htlcPrivkeys.remote, SIGHASH_SINGLE_ANYONECANPAY, zeroAux);
        expect(hex.encode(remoteSig)).toBe(desc.remote_partial_sig_hex + '83');
        expect(schnorr.verify(remoteSig.subarray(0, 64), remoteHtlcSighash(htlcTx), key('derived_remote_htlc_pubkey').subarray(1))).toBe(true);
        // Holder signature: SIGHASH_DEFAULT, 64 bytes.
        const localSig = signScriptPath(localHtlcSighash(htlcTx), htlcPrivkeys.local, SIGHASH_DEFAULT, zeroAux);
        expect(localSig).toHaveLength(64);
        const witness = htlcTx.kind === 'htlc-success'
          ? acceptedHtlcSuccessWitness(htlcOutput.output, remoteSig, localSig, hex.decode(htlc.preimage))
          : offeredHtlcTimeoutWitness(htlcOutput.output, remoteSig, localSig);
        // Witness items one by one (signatures, preimage, leaf script, control block), then the whole transaction.
        expect(want.getInput(0).finalScriptWitness).toEqual([...witness]);
        expect(witness.at(-2)).toEqual(htlcTx.leaf.script);
        expect(witness.at(-1)).toEqual(htlcTx.leaf.controlBlock);
        expect(hex.encode(serializeSigned(htlcTx.tx, [witness]))).toBe(desc.resolution_tx_hex);
      });
    });
  });
});
