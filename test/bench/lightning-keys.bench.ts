// BOLT 3 keys and shachain, simple taproot commitment building: throughput against the primitive
// each one is built on, measured in the same run.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { derivePubkey, deriveRevocationPubkey, perCommitmentPoint } from '../../core/lightning/keys.js';
import { SHACHAIN_MAX_INDEX, emptyShachain, insertSecret, perCommitmentSecret, deriveOldSecret } from '../../core/lightning/shachain.js';
import { buildCommitment } from '../../core/lightning/taproot/commitment.js';
import { toLocalOutput } from '../../core/lightning/taproot/channel-scripts.js';
import type { createBench as CreateBench } from './harness.js';

export default async function (createBench: typeof CreateBench): Promise<void> {
  const b = createBench('Lightning BOLT 3 keys, shachain, taproot commitment');
  const seed = sha256(new TextEncoder().encode('bench seed'));

  // generate_from_seed at index 2^48-1 flips all 48 bits: 48 SHA256 of 32 bytes.
  const hashes48 = b.measure('reference: 48 × sha256(32 bytes)', () => {
    let p = seed;
    for (let i = 0; i < 48; i++) p = sha256(p);
    return p;
  });
  const generate = b.measure('perCommitmentSecret(seed, 2^48-1)', () => perCommitmentSecret(seed, SHACHAIN_MAX_INDEX));
  b.ratio('generate_from_seed vs its hashes', generate, hashes48);

  const secrets = Array.from({ length: 4096 }, (_, k) => perCommitmentSecret(seed, SHACHAIN_MAX_INDEX - k));
  let chain = emptyShachain();
  let next = 0;
  const insert = b.measure(
    'insertSecret (sequential, amortized over 4096 secrets)',
    () => {
      if (next === secrets.length) {
        chain = emptyShachain();
        next = 0;
      }
      chain = insertSecret(chain, SHACHAIN_MAX_INDEX - next, secrets[next]!);
      next += 1;
    },
  );
  b.ratio('shachain insert vs generate_from_seed', insert, generate);
  let full = emptyShachain();
  secrets.forEach((s, k) => (full = insertSecret(full, SHACHAIN_MAX_INDEX - k, s)));
  let pick = 0;
  const derive = b.measure('deriveOldSecret (random among 4096 received)', () => {
    pick = (pick * 1103515245 + 12345) % 4096;
    return deriveOldSecret(full, SHACHAIN_MAX_INDEX - pick);
  });
  b.ratio('derive old secret vs generate_from_seed', derive, generate);

  const basepoint = secp256k1.getPublicKey(sha256(new TextEncoder().encode('basepoint')));
  const point = perCommitmentPoint(sha256(new TextEncoder().encode('per-commitment secret')));
  const baseMul = b.measure('reference: secp256k1.getPublicKey (one G multiplication)', () => secp256k1.getPublicKey(seed));
  const tweak = b.measure('derivePubkey (basepoint + SHA256(...)·G)', () => derivePubkey(basepoint, point));
  b.ratio('derivePubkey vs getPublicKey', tweak, baseMul);
  const revocation = b.measure('deriveRevocationPubkey (two-point multiplication)', () => deriveRevocationPubkey(basepoint, point));
  b.ratio('deriveRevocationPubkey vs getPublicKey', revocation, baseMul);

  const keys = {
    localDelayedPubkey: derivePubkey(basepoint, point),
    revocationPubkey: deriveRevocationPubkey(basepoint, point),
    remotePubkey: basepoint,
    localHtlcPubkey: derivePubkey(point, basepoint),
    remoteHtlcPubkey: point,
  };
  const htlcs = Array.from({ length: 5 }, (_, i) => ({
    direction: i % 2 ? ('offered' as const) : ('accepted' as const),
    amountMsat: BigInt(1_000_000 * (i + 1)),
    paymentHash: sha256(Uint8Array.of(i)),
    cltvExpiry: 500 + i,
  }));
  const oneOutput = b.measure('reference: toLocalOutput (one two-leaf taproot output)', () => toLocalOutput({ ...keys, toSelfDelay: 144 }));
  const commitment = b.measure('buildCommitment (5 HTLCs, 9 outputs, txid)', () =>
    buildCommitment({
      fundingTxid: 'ab'.repeat(32),
      fundingOutputIndex: 0,
      obscuredCommitmentNumber: 42,
      localIsOpener: true,
      toLocalMsat: 6_988_000_000n,
      toRemoteMsat: 3_000_000_000n,
      feeratePerKw: 644,
      dustLimitSat: 354n,
      toSelfDelay: 144,
      keys,
      htlcs,
    }),
  );
  b.ratio('commitment vs one taproot output', commitment, oneOutput);
}
