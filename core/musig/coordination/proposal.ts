/**
 * The PSBT fields a shared-account proposal carries, so every co-signer can check and sign it
 * with nothing but the account descriptor, and so any BIP373 signer sees every way to spend:
 * - inputs (BIP371): PSBT_IN_TAP_INTERNAL_KEY, PSBT_IN_TAP_MERKLE_ROOT, a PSBT_IN_TAP_LEAF_SCRIPT
 *   for every leaf, PSBT_IN_TAP_BIP32_DERIVATION for the internal key (BIP328 synthetic origin),
 *   every leaf key (with its leaf hash) and every participant's account key;
 * - inputs (BIP373): PSBT_IN_MUSIG2_PARTICIPANT_PUBKEYS for the key-path aggregate and for the
 *   aggregate of each pk(musig()) leaf;
 * - inputs: the spend path the participants chose, as a proprietary record (BIP174
 *   PSBT_IN_PROPRIETARY, identifier "tapdesk", subtype 0): 0x00 for the key path, 0x01 followed by
 *   the 32-byte tapleaf hash for a script path. It tells every Tapdesk signer which one MuSig2
 *   session to make nonces for; a PSBT without it is read from its leaf scripts (none: the key
 *   path, exactly one: that leaf);
 * - change outputs: internal key, tap tree, derivation and MuSig2 participants, so a co-signer
 *   can recognise the change as the account's own.
 *
 * Not here: choosing coins (core/wallet/shared-send.ts), nonces and signatures (signing.ts).
 * Spec: BIP174 proprietary fields, BIP371 https://github.com/bitcoin/bips/blob/master/bip-0371.mediawiki,
 *       BIP373 https://github.com/bitcoin/bips/blob/master/bip-0373.mediawiki
 */
import { bytesToHex, concatBytes } from '@noble/hashes/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { TaprootControlBlock, type TransactionInput } from '@scure/btc-signer/psbt.js';
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

/** Proprietary key: compact-size length, identifier "tapdesk", subtype 0 (spend path), no key data. */
const SPEND_PATH_KEY = Uint8Array.of(7, ...new TextEncoder().encode('tapdesk'), 0);

function isSpendPathKey(key: Uint8Array): boolean {
  return key.length === SPEND_PATH_KEY.length && key.every((b, i) => b === SPEND_PATH_KEY[i]);
}

/**
 * The spend path an input's proprietary record names: null when there is none, 'key', or the
 * 32-byte leaf hash; 'invalid' for a record that is neither.
 */
export function recordedSpendPath(input: TransactionInput): null | 'key' | 'invalid' | Uint8Array {
  const record = (input.proprietary ?? []).find(([key]) => isSpendPathKey(key));
  if (!record) return null;
  const value = record[1];
  if (value.length === 1 && value[0] === 0) return 'key';
  if (value.length === 33 && value[0] === 1) return value.slice(1);
  return 'invalid';
}

function sortedKeys(key: DerivedKey): Uint8Array[] {
  return key.musig!.participants.map((p) => p.pubkey).sort(compareBytes);
}

/** BIP371/BIP373 fields of input `i` spending `output`, and the chosen `path`. */
export function proposeInput(tx: Transaction, i: number, output: DerivedOutput, path: SpendPath): void {
  const taproot = output.taproot;
  if (!taproot) throw new TypeError('"output" expected a taproot output of the shared account');
  const internal = output.keys[0]!;
  const entries: { key: Uint8Array; origin: KeyOrigin; leafHash: Uint8Array | null }[] = [{ key: internal.pubkey, origin: internal.origin, leafHash: null }];
  const aggregates: DerivedKey[] = [internal];
  taproot.leaves.forEach((leaf, j) => {
    for (const k of taproot.leafKeys[j]!) {
      entries.push({ key: k.pubkey, origin: k.origin, leafHash: leaf.leafHash });
      if (k.musig) aggregates.push(k);
    }
  });
  for (const p of internal.musig!.participants) entries.push({ key: toXOnly(p.pubkey), origin: p.origin, leafHash: null });
  const choice = path.kind === 'key' ? Uint8Array.of(0) : concatBytes(Uint8Array.of(1), taproot.leaves[path.leaf]!.leafHash);
  updatePsbtInput(tx, i, {
    tapInternalKey: taproot.internalKey,
    ...(taproot.merkleRoot && { tapMerkleRoot: taproot.merkleRoot }),
    ...(taproot.leaves.length > 0 && {
      tapLeafScript: taproot.leaves.map((l) => [TaprootControlBlock.decode(l.controlBlock), concatBytes(l.script, Uint8Array.of(l.leafVersion))] as [ReturnType<typeof TaprootControlBlock.decode>, Uint8Array]),
    }),
    tapBip32Derivation: derivations(entries),
    proprietary: [[SPEND_PATH_KEY, choice]],
  });
  for (const key of aggregates) setParticipants(tx, { input: i }, { aggregateKey: key.musig!.aggregate, participants: sortedKeys(key) });
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
  setParticipants(tx, { output: o }, { aggregateKey: internal.musig!.aggregate, participants: sortedKeys(internal) });
}
