// Shared accounts (MuSig2, 2 of 3 with a recovery leaf) against a single-key BIP86 account,
// measured in the same run: deriving an address (what every sync does for its lookahead), and one
// payment input from proposal to final witness with all three participants (plans, round 1, round
// 2, aggregation) against signing a BIP86 key-path input. Nonces are kept in memory here, so the
// figures are protocol CPU without SQLite's fsync.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { randomBytes } from 'node:crypto';
import { ExtendedKey } from '../../core/bitcoin/hdkey.js';
import { regtest } from '../../core/bitcoin/networks.js';
import { createPsbt, updatePsbtInput } from '../../core/bitcoin/psbt.js';
import { makeKeyCard } from '../../core/musig/coordination/key-card.js';
import { planInputs } from '../../core/musig/coordination/input-plan.js';
import { policyDescriptor, sharedPolicy } from '../../core/musig/coordination/policy.js';
import { proposeInput } from '../../core/musig/coordination/proposal.js';
import { addNonces, finalizeInputs, signRound, type NonceKeeper, type NonceState } from '../../core/musig/coordination/signing.js';
import { choosePath } from '../../core/musig/coordination/spend-path.js';
import { SecretNonce as Nonce } from '../../core/musig/nonce.js';
import { accountFromDescriptor, bip86Account } from '../../core/wallet/account.js';
import { UnlockedKeys } from '../../core/wallet/unlocked.js';
import type { createBench } from './harness.js';

const random = (n: number) => new Uint8Array(randomBytes(n));

function memoryKeeper(): NonceKeeper {
  const rows = new Map<string, { state: NonceState; session: string; message: Uint8Array; secret: Uint8Array | null }>();
  return {
    remember: ({ pubNonce, secretNonce, session, message }) => void rows.set(bytesToHex(pubNonce), { state: 'fresh', session, message, secret: secretNonce.toBytes() }),
    freshFor: () => null,
    discard: () => {},
    state: (pub) => rows.get(bytesToHex(pub)) ?? null,
    take: (pub) => Nonce.fromBytes(rows.get(bytesToHex(pub))!.secret!),
    commitUsed: (pub) => {
      const row = rows.get(bytesToHex(pub))!;
      if (row.state !== 'fresh') throw new Error('reused');
      row.state = 'used';
      row.secret = null;
    },
    discardOthers: () => 0,
  };
}

export default function (bench: typeof createBench): void {
  const b = bench('Shared accounts (2 of 3 + recovery) vs a single-key BIP86 account');
  const masters = ['Alice', 'Bob', 'Carol'].map((n) => ExtendedKey.fromSeed(sha256(utf8ToBytes(`bench ${n}`)), regtest));
  const cards = masters.map((m, i) => makeKeyCard(m, ['Alice', 'Bob', 'Carol'][i]!));
  const policy = sharedPolicy({ network: regtest, participants: cards, threshold: 2, recovery: { key: cards[0]!, lock: 'older', value: 30 } });
  const descriptor = policyDescriptor(policy);

  let sharedIndex = 0;
  let singleIndex = 0;
  const shared = accountFromDescriptor(descriptor);
  const single = bip86Account(masters[0]!);
  const sharedAddr = b.measure('shared account: derive one new address (key path + 3 subset leaves + recovery leaf)', () => shared.output(0, sharedIndex++), { seconds: 3 });
  const singleAddr = b.measure('BIP86 account: derive one new address', () => single.output(0, singleIndex++), { seconds: 3 });
  b.ratio('address derivation', sharedAddr, singleAddr);

  const keys = policy.participants.map((card) => {
    const master = masters[cards.findIndex((c) => c.text === card.text)]!;
    return master.derive(card.key.origin.path);
  });
  const output = shared.output(0, 0);
  const path = choosePath(policy, { signers: [0, 1, 2] });
  const oneInput = () => {
    const tx = createPsbt({ inputs: [{ txid: 'aa'.repeat(32), vout: 0, sequence: 0xfffffffd }], outputs: [{ script: output.scriptPubKey, amount: 90_000n }] });
    updatePsbtInput(tx, 0, { witnessUtxo: { script: output.scriptPubKey, amount: 100_000n } });
    proposeInput(tx, 0, output, path);
    const keepers = keys.map(() => memoryKeeper());
    const me = (i: number) => ({ participant: i, participantKey: keys[i]!, recoveryKey: null });
    keys.forEach((_, i) => addNonces(tx, planInputs(tx, { policy, outputs: shared }), me(i), keepers[i]!, random));
    keys.forEach((_, i) => signRound(tx, planInputs(tx, { policy, outputs: shared }), me(i), keepers[i]!));
    finalizeInputs(tx, planInputs(tx, { policy, outputs: shared }));
    return tx;
  };
  const unlocked = new UnlockedKeys(masters[0]!);
  const singleOut = single.output(0, 0);
  const singleInput = () => {
    const tx = createPsbt({ inputs: [{ txid: 'aa'.repeat(32), vout: 0, sequence: 0xfffffffd }], outputs: [{ script: singleOut.scriptPubKey, amount: 90_000n }] });
    const key = singleOut.keys[0]!;
    updatePsbtInput(tx, 0, {
      witnessUtxo: { script: singleOut.scriptPubKey, amount: 100_000n },
      tapInternalKey: key.pubkey,
      tapBip32Derivation: [[key.pubkey, { hashes: [], der: { fingerprint: key.origin.fingerprint, path: [...key.origin.path] } }]],
    });
    unlocked.signPsbt(tx);
    return tx;
  };
  const sharedSign = b.measure('shared account: one key-path input, 3 signers (plans, nonces, partial signatures, aggregate)', oneInput, { seconds: 5 });
  const singleSign = b.measure('BIP86 account: sign one key-path input', singleInput, { seconds: 3 });
  b.ratio('one input signed', sharedSign, singleSign);
}
