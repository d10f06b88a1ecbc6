/**
 * The PSBT fields a shared-account proposal carries, so every co-signer can check and sign it
 * with nothing but the account descriptor:
 * - inputs (BIP371): PSBT_IN_TAP_INTERNAL_KEY, PSBT_IN_TAP_MERKLE_ROOT, exactly one
 *   PSBT_IN_TAP_LEAF_SCRIPT for a script-path spend (none for the key path: that absence *is*
 *   the choice of path), PSBT_IN_TAP_BIP32_DERIVATION for the internal key (BIP328 synthetic
 *   origin), the leaf's keys (with the leaf hash) and every signing participant's account key;
 * - inputs (BIP373): PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS for the aggregate being signed;
 * - change outputs: internal key, tap tree, derivation and MuSig2 participants, so a co-signer
 *   can recognise the change as the account's own.
 *
 * Not here: choosing coins (core/wallet/shared-send.ts), nonces and signatures (signing.ts).
 * Spec: BIP371 https://github.com/bitcoin/bips/blob/master/bip-0371.mediawiki,
 *       BIP373 https://github.com/bitcoin/bips/blob/master/bip-0373.mediawiki
 */
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { TaprootControlBlock } from '@scure/btc-signer/psbt.js';
import { compareBytes } from '@scure/btc-signer/utils.js';
import type { DerivedKey, DerivedOutput, KeyOrigin } from '../../bitcoin/descriptor/index.js';
import { updatePsbtInput, updatePsbtOutput } from '../../bitcoin/psbt.js';
import { toXOnly } from '../../bitcoin/taproot.js';
import { setParticipants } from '../psbt-fields.js';
import type { SpendPath } from './spend-path.js';

type TapDerivation = [Uint8Array, { hashes: Uint8Array[]; der: { fingerprint: number; path: number[] } }];

/** Merges derivations per x-only key (a key in several places lists every leaf hash once). */
function derivations(entries: readonly { key: Uint8Array; origin: KeyOrigin; leafHash: Uint8Array | null }[]): TapDerivation[] {
  const byKey = new Map<string, TapDerivation>();
  for (const e of entries) {
    const id = bytesToHex(e.key);
    let d = byKey.get(id);
    if (!d) {
      d = [e.key, { hashes: [], der: { fingerprint: e.origin.fingerprint, path: [...e.origin.path] } }];
      byKey.set(id, d);
    }
    if (e.leafHash && !d[1].hashes.some((h) => bytesToHex(h) === bytesToHex(e.leafHash!))) d[1].hashes.push(e.leafHash);
  }
  return [...byKey.values()];
}

function musigKeyOf(path: SpendPath, output: DerivedOutput): DerivedKey | null {
  if (path.kind === 'key') return output.keys[0]!;
  if (path.kind === 'musig-leaf') return output.taproot!.leafKeys[path.leaf]![0]!;
  return null;
}

/** BIP371/BIP373 fields of input `i` spending `output` along `path`. */
export function proposeInput(tx: Transaction, i: number, output: DerivedOutput, path: SpendPath): void {
  const taproot = output.taproot;
  if (!taproot) throw new TypeError('"output" expected a taproot output of the shared account');
  const internal = output.keys[0]!;
  const entries: { key: Uint8Array; origin: KeyOrigin; leafHash: Uint8Array | null }[] = [{ key: internal.pubkey, origin: internal.origin, leafHash: null }];
  if (path.kind !== 'key') {
    for (const k of taproot.leafKeys[path.leaf]!) entries.push({ key: k.pubkey, origin: k.origin, leafHash: taproot.leaves[path.leaf]!.leafHash });
  }
  const leaf = path.kind === 'key' ? null : taproot.leaves[path.leaf]!;
  const musigKey = musigKeyOf(path, output);
  if (musigKey) {
    for (const p of musigKey.musig!.participants) entries.push({ key: toXOnly(p.pubkey), origin: p.origin, leafHash: null });
  }
  updatePsbtInput(tx, i, {
    tapInternalKey: taproot.internalKey,
    ...(taproot.merkleRoot && { tapMerkleRoot: taproot.merkleRoot }),
    ...(leaf && { tapLeafScript: [[TaprootControlBlock.decode(leaf.controlBlock), concatBytes(leaf.script, Uint8Array.of(leaf.leafVersion))]] }),
    tapBip32Derivation: derivations(entries),
  });
  if (musigKey) {
    const participants = musigKey.musig!.participants.map((p) => p.pubkey).sort(compareBytes);
    setParticipants(tx, { input: i }, { aggregateKey: musigKey.musig!.aggregate, participants });
  }
}

/** Fields that let co-signers recognise output `o` as the account's change (`output` at chain 1). */
export function proposeChange(tx: Transaction, o: number, output: DerivedOutput): void {
  const taproot = output.taproot;
  if (!taproot) throw new TypeError('"output" expected a taproot output of the shared account');
  const internal = output.keys[0]!;
  updatePsbtOutput(tx, o, {
    tapInternalKey: taproot.internalKey,
    ...(taproot.leaves.length > 0 && {
      // BIP371 PSBT_OUT_TAP_TREE: (depth, leaf version, script) in depth-first order.
      tapTree: taproot.leaves.map((l) => ({ depth: (l.controlBlock.length - 33) / 32, version: l.leafVersion, script: Uint8Array.from(l.script) })),
    }),
    tapBip32Derivation: derivations([{ key: internal.pubkey, origin: internal.origin, leafHash: null }]),
  });
  const participants = internal.musig!.participants.map((p) => p.pubkey).sort(compareBytes);
  setParticipants(tx, { output: o }, { aggregateKey: internal.musig!.aggregate, participants });
}
