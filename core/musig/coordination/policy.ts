/**
 * Shared-account policies and their descriptors: "any k of these n participants, or one recovery
 * key alone after a delay", as `tr(musig(K1..Kn)/<0;1>/*, TREE)`.
 *
 * - Key path: the MuSig2 aggregate of all n account keys (BIP390 KeySort + KeyAgg), derived
 *   `/<0;1>/*` from its BIP328 synthetic xpub. On chain it is an ordinary single-key spend.
 * - Threshold (k < n), the tree rule: one `pk(musig(subset)/<0;1>/*)` leaf per k-subset while
 *   there are at most MAX_MUSIG_LEAVES subsets; otherwise one `sortedmulti_a(k, K1/<0;1>/*, …)` leaf.
 *   A subset leaf is always the smaller spend (one 64-byte signature and a 34-byte script against
 *   k signatures and a 34n-byte script), but the tree, the descriptor and the work per address grow
 *   with C(n,k), so past 10 subsets the single sortedmulti_a leaf wins.
 * - Recovery (optional): `and_v(v:pk(R/<0;1>/*),older(N))` (N blocks after each coin confirmed,
 *   1..65535) or `and_v(v:pk(R/<0;1>/*),after(T))` (a block height below 500,000,000, else a Unix
 *   time). R may be one of the participants' keys or another card.
 * - Ordering, so every participant derives the same addresses from the same cards whatever order
 *   they were entered in: participants in KeySort order of their 33-byte keys (also inside every
 *   musig()); subset leaves in lexicographic order of participant positions, then the recovery
 *   leaf; the tree is balanced by halving the leaf list (the left half takes the odd leaf), so
 *   depths differ by at most one.
 *
 * `policyFromDescriptor` reads such a descriptor back and accepts it only if rebuilding it gives
 * the identical text. Not here: plain-words descriptions (policy-words.ts), PSBTs (proposal.ts).
 * Spec: BIP386 tr(), BIP390 musig(), BIP328, BIP387 sortedmulti_a, BIP379 and_v/older/after.
 */
import { compareBytes } from '@scure/btc-signer/utils.js';
import {
  formatDescriptor,
  formatKeyExpression,
  type Descriptor,
  type KeyExpression,
  type LeafExpression,
  type TreeExpression,
} from '../../bitcoin/descriptor/index.js';
import { isTreeLeaf } from '../../bitcoin/descriptor/ast.js';
import { DecodeError } from '../../bitcoin/errors.js';
import type { Network } from '../../bitcoin/networks.js';
import { SharedAccountError } from './errors.js';
import { asCardKey, type CardKey, type KeyCard } from './key-card.js';

export const MIN_PARTICIPANTS = 2;
export const MAX_PARTICIPANTS = 15;
/** Most k-subsets that get a pk(musig()) leaf each; beyond, one sortedmulti_a leaf. */
export const MAX_MUSIG_LEAVES = 10;
/** BIP68 block-based relative locks hold 16 bits. */
export const MAX_OLDER_BLOCKS = 0xffff;
/** nLockTime values below this are block heights, at or above it Unix times (BIP65). */
export const LOCKTIME_THRESHOLD = 500_000_000;
const MAX_LOCKTIME = 2 ** 31 - 1;

export type ThresholdLayout = 'none' | 'musig-leaves' | 'sortedmulti_a';

export interface Recovery {
  readonly key: KeyCard;
  readonly lock: 'older' | 'after';
  readonly value: number;
}

export interface SharedPolicy {
  readonly network: Network;
  /** Canonical order: KeySort of the 33-byte keys. Indices into this list name participants everywhere. */
  readonly participants: readonly KeyCard[];
  readonly threshold: number;
  readonly recovery: Recovery | null;
  readonly layout: ThresholdLayout;
}

/** What each leaf of the tree is for, in depth-first order (the order of DerivedOutput leaves). */
export type LeafRole =
  | { readonly kind: 'musig'; readonly signers: readonly number[] }
  | { readonly kind: 'multi' }
  | { readonly kind: 'recovery' };

export function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** The tree rule for k of n (see the module header). */
export function thresholdLayout(n: number, k: number): ThresholdLayout {
  if (k === n) return 'none';
  return binomial(n, k) <= MAX_MUSIG_LEAVES ? 'musig-leaves' : 'sortedmulti_a';
}

/** Every k-subset of 0..n-1 in lexicographic order. */
export function subsets(n: number, k: number): number[][] {
  const out: number[][] = [];
  const pick = (start: number, chosen: number[]) => {
    if (chosen.length === k) return void out.push(chosen);
    for (let i = start; i <= n - (k - chosen.length); i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

function invalid(message: string): never {
  throw new SharedAccountError('INVALID_POLICY', message);
}

/** Checks a recovery timelock: older() in blocks 1..65535, after() a height or a Unix time below 2^31. */
export function checkTimelock(lock: 'older' | 'after', value: number): void {
  if (!Number.isSafeInteger(value) || value < 1) invalid(`"recovery delay" expected a positive integer, got ${value}`);
  if (lock === 'older' && value > MAX_OLDER_BLOCKS) invalid(`"recovery delay" expected at most ${MAX_OLDER_BLOCKS} blocks (BIP68), got ${value}`);
  if (lock === 'after' && value > MAX_LOCKTIME) invalid(`"recovery date" expected below 2^31, got ${value}`);
}

/** A validated policy in canonical order. Throws SharedAccountError INVALID_POLICY. */
export function sharedPolicy(input: { network: Network; participants: readonly KeyCard[]; threshold: number; recovery?: Recovery | null }): SharedPolicy {
  const { network, threshold } = input;
  const n = input.participants.length;
  if (n < MIN_PARTICIPANTS || n > MAX_PARTICIPANTS) invalid(`"participants" expected ${MIN_PARTICIPANTS} to ${MAX_PARTICIPANTS} key cards, got ${n}`);
  if (!Number.isSafeInteger(threshold) || threshold < 2 || threshold > n) invalid(`"threshold" expected an integer from 2 to ${n}, got ${threshold}`);
  const participants = [...input.participants].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
  participants.forEach((p, i) => {
    if (i > 0 && compareBytes(p.publicKey, participants[i - 1]!.publicKey) === 0) invalid(`"participants" has the same key twice (${participants[i - 1]!.name} and ${p.name})`);
  });
  const recovery = input.recovery ?? null;
  if (recovery) checkTimelock(recovery.lock, recovery.value);
  return { network, participants, threshold, recovery, layout: thresholdLayout(n, threshold) };
}

const BRANCHES = [[0, 1]] as const;

function ranged(key: CardKey): KeyExpression {
  return { ...key, steps: BRANCHES, wildcard: 'unhardened' };
}

function musigOf(cards: readonly KeyCard[]): KeyExpression {
  return { kind: 'musig', participants: cards.map((c) => c.key), steps: BRANCHES, wildcard: 'unhardened' };
}

export type Tree<T> = T | readonly [Tree<T>, Tree<T>];

/** Balanced binary tree over `leaves`, in order: the left half takes the odd leaf. */
export function balancedTree<T>(leaves: readonly T[]): Tree<T> {
  if (leaves.length === 0) throw new RangeError('"leaves" expected at least 1 leaf, got 0');
  if (leaves.length === 1) return leaves[0]!;
  const mid = Math.ceil(leaves.length / 2);
  return [balancedTree(leaves.slice(0, mid)), balancedTree(leaves.slice(mid))];
}

/** The leaves' roles in depth-first order. */
export function leafRoles(policy: SharedPolicy): LeafRole[] {
  const n = policy.participants.length;
  const roles: LeafRole[] =
    policy.layout === 'musig-leaves'
      ? subsets(n, policy.threshold).map((signers) => ({ kind: 'musig', signers }))
      : policy.layout === 'sortedmulti_a'
        ? [{ kind: 'multi' }]
        : [];
  if (policy.recovery) roles.push({ kind: 'recovery' });
  return roles;
}

function leafExpression(policy: SharedPolicy, role: LeafRole): LeafExpression {
  switch (role.kind) {
    case 'musig':
      return { type: 'pk', key: musigOf(role.signers.map((i) => policy.participants[i]!)) };
    case 'multi':
      return { type: 'sortedmulti_a', threshold: policy.threshold, keys: policy.participants.map((p) => ranged(p.key)) };
    case 'recovery':
      return { type: 'and_v', key: ranged(policy.recovery!.key.key), lock: policy.recovery!.lock, value: policy.recovery!.value };
  }
}

/** The account descriptor `tr(musig(all)/<0;1>/*[,TREE])` (public keys only). */
export function policyDescriptor(policy: SharedPolicy): Descriptor {
  const leaves = leafRoles(policy).map((role) => leafExpression(policy, role));
  const internalKey = musigOf(policy.participants);
  const tree: TreeExpression | undefined = leaves.length ? balancedTree(leaves) : undefined;
  return { network: policy.network, script: tree ? { type: 'tr', internalKey, tree } : { type: 'tr', internalKey } };
}

function notShared(message: string): never {
  throw new DecodeError('SHARED_NOT_TAPDESK', `"descriptor" ${message}`);
}

function flatten(tree: TreeExpression): LeafExpression[] {
  return isTreeLeaf(tree) ? [tree] : [...flatten(tree[0]), ...flatten(tree[1])];
}

function unranged(key: KeyExpression, what: string): CardKey {
  const ok = key.kind === 'xkey' && key.wildcard === 'unhardened' && key.steps.length === 1 && Array.isArray(key.steps[0]) && `${key.steps[0]}` === '0,1';
  if (!ok) notShared(`${what} must be an account key followed by /<0;1>/*`);
  return asCardKey({ ...(key as Extract<KeyExpression, { kind: 'xkey' }>), steps: [], wildcard: 'none' }, what);
}

/**
 * Reads a shared-account descriptor back into its policy. `names` maps canonical key text
 * (`[fp/…]xpub`) to a participant's name; unnamed keys become "Participant 1", "Participant 2", …
 * Anything that is not exactly what `policyDescriptor` builds is DecodeError SHARED_NOT_TAPDESK
 * (or the KEY_CARD_KEY of a key that cannot be a card).
 */
export function policyFromDescriptor(descriptor: Descriptor, names: ReadonlyMap<string, string> = new Map()): SharedPolicy {
  const { network, script } = descriptor;
  if (script.type !== 'tr' || script.internalKey.kind !== 'musig') notShared('must be tr(musig(...)/<0;1>/*, ...)');
  const musig = script.internalKey as Extract<KeyExpression, { kind: 'musig' }>;
  const keys = musig.participants.map((p) => asCardKey(p, 'musig() participant'));
  const nameOf = (key: CardKey, fallback: string) => names.get(formatKeyExpression(key, network)) ?? fallback;
  const cards: KeyCard[] = keys.map((key, i) => ({ name: nameOf(key, `Participant ${i + 1}`), key, text: formatKeyExpression(key, network), publicKey: key.key.publicKey }));
  const leaves = script.tree ? flatten(script.tree) : [];
  const timelocked = leaves.filter((l) => l.type === 'and_v');
  if (timelocked.length > 1) notShared('has more than one timelocked leaf');
  const first = leaves[0];
  const threshold =
    first?.type === 'pk' && first.key.kind === 'musig' ? first.key.participants.length : first?.type === 'sortedmulti_a' ? first.threshold : keys.length;
  let recovery: Recovery | null = null;
  if (timelocked[0]) {
    const leaf = timelocked[0] as Extract<LeafExpression, { type: 'and_v' }>;
    const key = unranged(leaf.key, 'recovery key');
    const text = formatKeyExpression(key, network);
    const same = cards.find((c) => c.text === text);
    recovery = { key: same ?? { name: nameOf(key, 'Recovery key'), key, text, publicKey: key.key.publicKey }, lock: leaf.lock, value: leaf.value };
  }
  let policy: SharedPolicy;
  try {
    policy = sharedPolicy({ network, participants: cards, threshold, recovery });
  } catch (err) {
    if (err instanceof SharedAccountError) notShared(`is not a policy Tapdesk builds: ${err.message}`);
    throw err;
  }
  const expected = formatDescriptor(policyDescriptor(policy), { checksum: false });
  if (expected !== formatDescriptor(descriptor, { checksum: false })) {
    notShared(`does not have the layout Tapdesk builds for ${threshold} of ${keys.length}${recovery ? ' with a recovery leaf' : ''} (keys in KeySort order, ${policy.layout} tree, balanced)`);
  }
  return policy;
}
