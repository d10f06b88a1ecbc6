/**
 * BIP327 key aggregation: KeySort, KeyAgg and ApplyTweak (plain and x-only), plus the BIP341
 * TapTweak as an x-only tweak. https://github.com/bitcoin/bips/blob/master/bip-0327.mediawiki#key-generation-and-aggregation
 *
 * The arithmetic is `@scure/btc-signer/musig2.js`; this module gives it our shape: a
 * `KeyAggContext` that carries the participant keys *and* the tweaks applied so far (a signing
 * session needs both), exports the aggregate as the 32-byte x-only key (GetXonlyPubkey, what goes
 * into a P2TR output) and as the 33-byte plain key (GetPlainPubkey, what BIP328 xpubs and BIP373
 * PSBT fields use), and reports failures as `MusigError` with the BIP's blame.
 *
 * Not here: choosing the participant order. BIP327 aggregates keys in the order given; protocols
 * that want order independence (BIP390 descriptors) call `keySort` first, BIP328/BIP373 do not.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE, concatBytes } from '@noble/curves/utils.js';
import { InvalidContributionErr, keyAggregate, sortKeys } from '@scure/btc-signer/musig2.js';
import { expectBytes, expectBytesList, MusigError } from './errors.js';

export interface Tweak {
  /** 32-byte big-endian scalar; zero is allowed, n or more is not. */
  readonly tweak: Uint8Array;
  /** true: x-only tweak (BIP341 TapTweak style), false: plain tweak (BIP32 derivation style). */
  readonly xOnly: boolean;
}

export interface KeyAggContext {
  /** Participant keys (33-byte compressed) in aggregation order. */
  readonly publicKeys: readonly Uint8Array[];
  /** Tweaks applied to the aggregate, in order. */
  readonly tweaks: readonly Tweak[];
  /** x(Q): the 32-byte x-only aggregate after all tweaks (BIP327 GetXonlyPubkey). */
  readonly xOnlyKey: Uint8Array;
  /** cbytes(Q): the 33-byte compressed aggregate after all tweaks (BIP327 GetPlainPubkey). */
  readonly plainKey: Uint8Array;
}

const CURVE_ORDER = secp256k1.Point.Fn.ORDER;
// scure reports ApplyTweak's infinity failure as a plain Error; this is its message in 2.4.1
// (pinned). The BIP327 tweak vectors assert the mapping, so a library change fails the tests.
const SCURE_TWEAK_INFINITY = 'The result of tweaking cannot be infinity';

/** BIP327 IndividualPubkey: the 33-byte compressed public key of a signer's secret key. */
export function individualPubkey(secretKey: Uint8Array): Uint8Array {
  expectBytes('secretKey', secretKey, 32);
  if (!secp256k1.utils.isValidSecretKey(secretKey)) {
    throw new MusigError('INVALID_SECRET_KEY', '"secretKey" is not a scalar in [1, n)');
  }
  return secp256k1.getPublicKey(secretKey, true);
}

/** BIP327 KeySort: a sorted copy (lexicographic on the 33-byte encodings); duplicates are kept. */
export function keySort(publicKeys: readonly Uint8Array[]): Uint8Array[] {
  expectBytesList('publicKeys', publicKeys, 33);
  if (publicKeys.length === 0) throw new RangeError('"publicKeys" expected at least 1 key, got 0');
  return sortKeys(publicKeys.map((k) => k.slice()));
}

/**
 * BIP327 KeyAgg followed by ApplyTweak for each tweak. Throws MusigError INVALID_CONTRIBUTION
 * (contrib 'pubkey', signer = index of the first key that is not a valid point), then
 * TWEAK_OUT_OF_RANGE / TWEAK_INFINITY in the BIP's order.
 */
export function keyAgg(publicKeys: readonly Uint8Array[], tweaks: readonly Tweak[] = []): KeyAggContext {
  expectBytesList('publicKeys', publicKeys, 33);
  if (publicKeys.length === 0) throw new RangeError('"publicKeys" expected at least 1 key, got 0');
  if (!Array.isArray(tweaks)) throw new TypeError(`"tweaks" expected array, got ${typeof tweaks}`);
  tweaks.forEach((t, i) => {
    expectBytes(`tweaks[${i}].tweak`, t?.tweak, 32);
    if (typeof t.xOnly !== 'boolean') throw new TypeError(`"tweaks[${i}].xOnly" expected boolean, got ${typeof t.xOnly}`);
  });
  // KeyAgg validates every key before any tweak is looked at, so blame comes out as in the BIP.
  publicKeys.forEach((key, i) => {
    try {
      secp256k1.Point.fromBytes(key);
    } catch {
      throw MusigError.contribution(i, 'pubkey');
    }
  });
  for (const t of tweaks) {
    if (bytesToNumberBE(t.tweak) >= CURVE_ORDER) throw new MusigError('TWEAK_OUT_OF_RANGE', 'The tweak must be less than n.');
  }
  const keys = publicKeys.map((k) => k.slice());
  const ownTweaks = tweaks.map((t) => Object.freeze({ tweak: t.tweak.slice(), xOnly: t.xOnly }));
  let aggregate;
  try {
    aggregate = keyAggregate(
      keys,
      ownTweaks.map((t) => t.tweak),
      ownTweaks.map((t) => t.xOnly),
    );
  } catch (err) {
    if (err instanceof InvalidContributionErr) throw MusigError.contribution(err.idx, 'pubkey');
    if (err instanceof Error && err.message === SCURE_TWEAK_INFINITY) {
      throw new MusigError('TWEAK_INFINITY', 'The result of tweaking cannot be infinity.');
    }
    throw err;
  }
  const plainKey = aggregate.aggPublicKey.toBytes(true);
  return Object.freeze({
    publicKeys: Object.freeze(keys),
    tweaks: Object.freeze(ownTweaks),
    xOnlyKey: plainKey.slice(1),
    plainKey,
  });
}

/** BIP327 ApplyTweak on an existing context: a new context with one more tweak. */
export function applyTweak(ctx: KeyAggContext, tweak: Uint8Array, xOnly: boolean): KeyAggContext {
  return keyAgg(ctx.publicKeys, [...ctx.tweaks, { tweak, xOnly }]);
}

/**
 * The BIP341 output-key tweak as a BIP327 x-only tweak: t = hash_TapTweak(x(Q) || merkleRoot),
 * with no merkle root for a key-path-only output (BIP86). The result's `xOnlyKey` is the
 * P2TR output key. https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki#constructing-and-spending-taproot-outputs
 */
export function applyTaprootTweak(ctx: KeyAggContext, merkleRoot?: Uint8Array): KeyAggContext {
  if (merkleRoot !== undefined) expectBytes('merkleRoot', merkleRoot, 32);
  const tweak = schnorr.utils.taggedHash('TapTweak', concatBytes(ctx.xOnlyKey, merkleRoot ?? new Uint8Array(0)));
  return applyTweak(ctx, tweak, true);
}
