/**
 * A wallet account as an output descriptor with receive/change branches — `tr([fp/86'/c'/0']xpub/<0;1>/*)`
 * for BIP86 seed wallets, or whatever tr() descriptor a watch-only import brings — and the
 * scripts it derives. Public data only: signing keys come from the unlocked seed (`unlocked.ts`).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { deriveBip86Account } from '../bitcoin/bip86.js';
import {
  formatDescriptor,
  parseDescriptor,
  toPublicDescriptor,
  type Descriptor,
  type KeyExpression,
  type ScriptExpression,
} from '../bitcoin/descriptor/index.js';
import { deriveDescriptor, multipathBranches, type DerivedOutput, type MusigAggregate } from '../bitcoin/descriptor/derive.js';
import { DecodeError } from '../bitcoin/errors.js';
import { ExtendedKey, fingerprintHex } from '../bitcoin/hdkey.js';
import type { Network } from '../bitcoin/networks.js';
import { musigAggregate } from '../musig/descriptor.js';
import type { Chain } from './tx-graph.js';

export interface Account {
  readonly descriptor: Descriptor;
  /** Canonical text with checksum, public keys only. */
  readonly text: string;
  /** Master fingerprint of the account key's origin (hex), or of the key itself. */
  readonly fingerprint: string;
  readonly network: Network;
  output(chain: Chain, index: number): DerivedOutput;
  script(chain: Chain, index: number): Uint8Array;
}

function originFingerprint(key: KeyExpression): number | undefined {
  if ('origin' in key && key.origin) return key.origin.fingerprint;
  return key.kind === 'xkey' ? key.key.fingerprint : undefined;
}

function topKey(script: ScriptExpression): KeyExpression | undefined {
  return script.type === 'tr' ? script.internalKey : undefined;
}

/** KeyAgg once per participant set: a musig() key aggregates the same keys at every index. */
function memoized(aggregate: MusigAggregate): MusigAggregate {
  const cache = new Map<string, Uint8Array>();
  return (pubkeys) => {
    const id = pubkeys.map(bytesToHex).join();
    let key = cache.get(id);
    if (!key) {
      key = aggregate(pubkeys);
      cache.set(id, key);
    }
    return key;
  };
}

/** `aggregate` is BIP390's KeySort + KeyAgg unless a caller injects another (musig() keys need one). */
export function accountFromDescriptor(descriptor: Descriptor, aggregateKeys: MusigAggregate = musigAggregate): Account {
  const aggregate = memoized(aggregateKeys);
  const publicDescriptor = toPublicDescriptor(descriptor);
  const text = formatDescriptor(publicDescriptor, { checksum: true });
  const key = topKey(publicDescriptor.script);
  const fp = key ? originFingerprint(key) : undefined;
  const cache = new Map<string, DerivedOutput>();
  const output = (chain: Chain, index: number): DerivedOutput => {
    const id = `${chain}/${index}`;
    let out = cache.get(id);
    if (!out) {
      out = deriveDescriptor(publicDescriptor, { branch: chain, index, aggregate });
      cache.set(id, out);
    }
    return out;
  };
  return {
    descriptor: publicDescriptor,
    text,
    fingerprint: fp === undefined ? '00000000' : fingerprintHex(fp),
    network: descriptor.network,
    output,
    script: (chain, index) => output(chain, index).scriptPubKey,
  };
}

/** BIP86 account 0 of a seed: what a new or restored seed wallet watches. */
export function bip86Account(master: ExtendedKey, account = 0): Account {
  const accountKey = deriveBip86Account(master, account).neuter();
  const path = [86, master.network.coinType, account].map((i) => `${i}h`).join('/');
  const text = `tr([${fingerprintHex(master.fingerprint)}/${path}]${accountKey.toBase58()}/<0;1>/*)`;
  return accountFromDescriptor(parseDescriptor(text, master.network));
}

/**
 * Watch-only import: a tr() descriptor with receive/change branches (`/<0;1>/*`), or a bare account
 * xpub/tpub, read as BIP86 (`tr(xpub/<0;1>/*)`). Anything else is refused with a DecodeError that
 * says what Tapdesk expects.
 */
export function watchOnlyAccount(text: string, network: Network): Account {
  const trimmed = text.trim();
  const descriptorText = /^[xt]pub[1-9A-HJ-NP-Za-km-z]+$/.test(trimmed) ? `tr(${trimmed}/<0;1>/*)` : trimmed;
  const descriptor = parseDescriptor(descriptorText, network);
  if (descriptor.script.type !== 'tr') {
    throw new DecodeError('DESCRIPTOR_NOT_TAPROOT', 'Tapdesk watches Taproot accounts: expected a tr(...) descriptor or an xpub');
  }
  if (multipathBranches(descriptor) !== 2) {
    throw new DecodeError('DESCRIPTOR_NO_BRANCHES', 'expected receive and change branches, e.g. tr([fp/86h/0h/0h]xpub…/<0;1>/*)');
  }
  const account = accountFromDescriptor(descriptor);
  // Derive once now, so a descriptor that cannot produce scripts fails at import, not at sync.
  account.script(0, 0);
  return account;
}

export function scriptHex(account: Account, chain: Chain, index: number): string {
  return bytesToHex(account.script(chain, index));
}
