/**
 * BIP86 single-key Taproot accounts: the account path m/86'/coin'/account', receive (0) and change
 * (1) chains, and for each child key its internal key, BIP341 output key (tweaked with no script
 * tree), P2TR scriptPubKey and address.
 *
 * Not here: descriptors (`descriptor/` expresses the same as `tr(KEY/<0;1>/*)`), gap-limit scanning.
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0086.mediawiki
 */
import { scriptPubKeyToAddress } from './address.js';
import { type ExtendedKey, HARDENED } from './hdkey.js';
import type { Network } from './networks.js';
import { taprootOutput } from './taproot.js';

export const BIP86_PURPOSE = 86;
export const RECEIVE_CHAIN = 0;
export const CHANGE_CHAIN = 1;
export type Bip86Chain = typeof RECEIVE_CHAIN | typeof CHANGE_CHAIN;

export interface Bip86Output {
  /** 32-byte x-only internal key P. */
  internalKey: Uint8Array;
  /** 32-byte x-only output key Q = P + hash_TapTweak(P)G. */
  outputKey: Uint8Array;
  parity: 0 | 1;
  tweak: Uint8Array;
  scriptPubKey: Uint8Array;
  address: string;
}

export interface Bip86Address extends Bip86Output {
  chain: Bip86Chain;
  index: number;
  /** The child key at account/chain/index (private when the account key is). */
  key: ExtendedKey;
}

function assertIndex(value: number, title: string): void {
  if (!Number.isInteger(value) || value < 0 || value >= HARDENED) {
    throw new RangeError(`"${title}" expected an integer in 0..2^31-1, got ${value}`);
  }
}

/** m/86'/coin'/account' as child indices; coin is the network's BIP44 coin type. */
export function bip86AccountPath(network: Network, account: number): number[] {
  assertIndex(account, 'account');
  return [BIP86_PURPOSE + HARDENED, network.coinType + HARDENED, account + HARDENED];
}

/** m/86'/coin'/account'/chain/index as child indices. */
export function bip86Path(network: Network, account: number, chain: Bip86Chain, index: number): number[] {
  assertIndex(index, 'index');
  assertChain(chain);
  return [...bip86AccountPath(network, account), chain, index];
}

/** The account key m/86'/coin'/account' of a private master key. */
export function deriveBip86Account(master: ExtendedKey, account: number): ExtendedKey {
  if (!master.isPrivate || master.depth !== 0) throw new RangeError('"master" expected a private key at depth 0');
  return master.derive(bip86AccountPath(master.network, account));
}

/** The key-path-only Taproot output of a public key (33-byte compressed or 32-byte x-only). */
export function bip86Output(publicKey: Uint8Array, network: Network): Bip86Output {
  const out = taprootOutput(publicKey);
  return {
    internalKey: out.internalKey,
    outputKey: out.outputKey,
    parity: out.parity,
    tweak: out.tweak,
    scriptPubKey: out.scriptPubKey,
    address: scriptPubKeyToAddress(out.scriptPubKey, network),
  };
}

function assertChain(chain: Bip86Chain): void {
  if (chain !== RECEIVE_CHAIN && chain !== CHANGE_CHAIN) throw new RangeError(`"chain" expected 0 or 1, got ${String(chain)}`);
}

/** The address at chain/index under an account key (xprv or xpub at m/86'/coin'/account'). */
export function deriveBip86Address(account: ExtendedKey, chain: Bip86Chain, index: number): Bip86Address {
  return deriveBip86Addresses(account, chain, index, 1)[0]!;
}

/** `count` consecutive addresses from chain/start (the chain key is derived once, e.g. for gap-limit scans). */
export function deriveBip86Addresses(account: ExtendedKey, chain: Bip86Chain, start: number, count: number): Bip86Address[] {
  assertChain(chain);
  assertIndex(start, 'start');
  if (!Number.isInteger(count) || count < 0 || start + count > HARDENED) throw new RangeError(`"count" expected an integer with start + count <= 2^31, got ${count}`);
  const chainKey = account.deriveChild(chain);
  return Array.from({ length: count }, (_, i) => {
    const key = chainKey.deriveChild(start + i);
    return { ...bip86Output(key.publicKey, account.network), chain, index: start + i, key };
  });
}
