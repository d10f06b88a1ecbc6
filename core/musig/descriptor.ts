/**
 * BIP390 `musig()` descriptor keys, wired to our BIP327 KeyAgg.
 * https://github.com/bitcoin/bips/blob/master/bip-0390.mediawiki
 *
 * The descriptor engine (core/bitcoin/descriptor) parses `musig(KEY,…)[/steps]` and derives the
 * participants; it cannot import core/musig, so KeyAgg is injected. BIP390 aggregates the
 * participants after KeySort, and derivation steps after `musig()` are BIP328 derivation from the
 * aggregate's synthetic xpub. `deriveMusigDescriptor` is `deriveDescriptor` with our KeyAgg;
 * `musigSigningContext` turns a derived `musig()` key back into the KeyAgg context the
 * participants sign with (BIP328 steps as plain tweaks, as in bip328.ts).
 *
 * Not here: parsing and script building (core/bitcoin/descriptor), signing (session.ts).
 */
import { equalBytes } from '@noble/curves/utils.js';
import {
  type DerivedKey,
  type DerivedOutput,
  type Descriptor,
  deriveDescriptor,
  type DeriveOptions,
  type MusigAggregate,
} from '../bitcoin/descriptor/index.js';
import { deriveKeyAgg } from './bip328.js';
import { keyAgg, type KeyAggContext, keySort } from './keyagg.js';

/** BIP390 aggregation: KeySort, then KeyAgg; the 33-byte plain aggregate key. */
export const musigAggregate: MusigAggregate = (pubkeys) => keyAgg(keySort(pubkeys)).plainKey;

/** `deriveDescriptor` with BIP327 KeyAgg for `musig()` keys. */
export function deriveMusigDescriptor(descriptor: Descriptor, options: Omit<DeriveOptions, 'aggregate'> = {}): DerivedOutput {
  return deriveDescriptor(descriptor, { ...options, aggregate: musigAggregate });
}

/**
 * The KeyAgg context for signing with a `musig()` key of a derived descriptor: the participants
 * KeySort-ed and aggregated, then the key's BIP328 derivation path applied as plain tweaks. Its
 * `xOnlyKey` is the key the script uses; for a key-path spend of a `tr()` whose internal key this
 * is, apply `applyTaprootTweak(ctx, output.taproot.merkleRoot)` on top.
 */
export function musigSigningContext(key: DerivedKey): KeyAggContext {
  if (key.musig === undefined) throw new TypeError('"key" expected a musig() key (DerivedKey.musig is absent)');
  const root = keyAgg(keySort(key.musig.participants.map((p) => p.pubkey)));
  if (!equalBytes(root.plainKey, key.musig.aggregate)) {
    throw new RangeError('"key.musig.aggregate" is not the BIP390 aggregate of its participants');
  }
  // Without derivation steps the origin is the aggregate itself (empty path).
  const signing = deriveKeyAgg(root, key.origin.path);
  const scriptKey = key.pubkey.length === 32 ? signing.xOnlyKey : signing.plainKey;
  if (!equalBytes(scriptKey, key.pubkey)) throw new RangeError('"key.pubkey" is not the BIP328 derivation of its musig() aggregate');
  return signing;
}
