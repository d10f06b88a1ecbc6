/**
 * Which way a shared-account coin is spent, chosen from who signs: all n participants use the key
 * path (one MuSig2 signature, indistinguishable from a single-key spend); exactly k use their
 * subset's `pk(musig())` leaf (or the sortedmulti_a leaf, where any k may sign); the recovery key
 * uses the timelocked leaf alone. Also the size each path adds to a transaction, for coin
 * selection and fees.
 *
 * Not here: the PSBT fields of a path (proposal.ts), signing (signing.ts).
 */
import type { DerivedOutput } from '../../bitcoin/descriptor/index.js';
import type { InputSpend } from '../../bitcoin/tx-size.js';
import { SharedAccountError } from './errors.js';
import { leafRoles, type SharedPolicy } from './policy.js';
import { describeTimelock, sortedNames } from './policy-words.js';

const SCHNORR_SIGNATURE = 64;

export type SpendPath =
  /** All participants, MuSig2 over the key path. */
  | { readonly kind: 'key'; readonly signers: readonly number[] }
  /** Exactly the threshold, MuSig2 over their subset's leaf. */
  | { readonly kind: 'musig-leaf'; readonly leaf: number; readonly signers: readonly number[] }
  /** The sortedmulti_a leaf: any `threshold` participants add a plain script signature each. */
  | { readonly kind: 'multi-leaf'; readonly leaf: number }
  /** The recovery key alone, once its timelock has passed. */
  | { readonly kind: 'recovery'; readonly leaf: number };

export type PathChoice = { readonly signers: readonly number[] } | 'recovery';

/**
 * The path for a choice of signers (participant indices in canonical order). Throws
 * SharedAccountError INVALID_SIGNERS for any set that is neither everyone nor exactly k, and
 * for recovery on an account without a recovery leaf.
 */
export function choosePath(policy: SharedPolicy, choice: PathChoice): SpendPath {
  const roles = leafRoles(policy);
  if (choice === 'recovery') {
    if (!policy.recovery) throw new SharedAccountError('INVALID_SIGNERS', 'this account has no recovery key');
    return { kind: 'recovery', leaf: roles.length - 1 };
  }
  const n = policy.participants.length;
  const signers = [...new Set(choice.signers)].sort((a, b) => a - b);
  if (signers.some((i) => !Number.isSafeInteger(i) || i < 0 || i >= n)) {
    throw new SharedAccountError('INVALID_SIGNERS', `"signers" expected participant numbers 0 to ${n - 1}, got ${choice.signers.join(', ')}`);
  }
  if (signers.length === n) return { kind: 'key', signers };
  if (signers.length !== policy.threshold) {
    throw new SharedAccountError('INVALID_SIGNERS', `choose exactly ${policy.threshold} signers (script path) or all ${n} (key path), got ${signers.length}`);
  }
  if (policy.layout === 'sortedmulti_a') return { kind: 'multi-leaf', leaf: 0 };
  const leaf = roles.findIndex((r) => r.kind === 'musig' && r.signers.join() === signers.join());
  return { kind: 'musig-leaf', leaf, signers };
}

/** How an input spent along `path` will be satisfied, for size and fee estimates. */
export function spendEstimate(policy: SharedPolicy, path: SpendPath, output: DerivedOutput): InputSpend {
  if (path.kind === 'key') return { type: 'p2tr-key' };
  const leaf = output.taproot?.leaves[path.leaf];
  if (!leaf) throw new RangeError(`"path.leaf" ${path.leaf} is not a leaf of this output`);
  const n = policy.participants.length;
  const k = policy.threshold;
  // sortedmulti_a consumes one stack item per key: k signatures and an empty item for the others.
  const stackItemLengths = path.kind === 'multi-leaf' ? [...Array<number>(k).fill(SCHNORR_SIGNATURE), ...Array<number>(n - k).fill(0)] : [SCHNORR_SIGNATURE];
  return { type: 'p2tr-script', stackItemLengths, leafScriptLength: leaf.script.length, controlBlockLength: leaf.controlBlock.length };
}

function names(policy: SharedPolicy, signers: readonly number[]): string {
  const list = sortedNames(signers.map((i) => policy.participants[i]!.name));
  return list.length <= 2 ? list.join(' and ') : `${list.slice(0, -1).join(', ')} and ${list[list.length - 1]}`;
}

/** "Key path: Alice, Bob and Carol sign together" and the like, for review screens. */
export function describePath(policy: SharedPolicy, path: SpendPath): string {
  switch (path.kind) {
    case 'key':
      return `Key path: ${names(policy, path.signers)} sign together (looks like a single-key payment)`;
    case 'musig-leaf':
      return `Script path: ${names(policy, path.signers)} sign together`;
    case 'multi-leaf':
      return `Script path: any ${policy.threshold} of ${names(policy, policy.participants.map((_, i) => i))} sign`;
    case 'recovery':
      return `Recovery: ${policy.recovery!.key.name} alone, ${describeTimelock(policy.recovery!.lock, policy.recovery!.value)}`;
  }
}
