/**
 * A shared account's spending policy in plain words, for the screens and the API:
 * "Any 2 of Alice, Bob, Carol; after 30 blocks (~5 hours), Alice alone".
 *
 * Block counts are turned into time at the 10-minute target spacing, rounded to the most natural
 * unit (minutes below 2 hours, hours below 2 days, days below 2 months, then months: a BIP68
 * delay is at most 65,535 blocks, about 15 months). An absolute lock reads "from block 900,000" or "from 2027-01-01 00:00 UTC".
 * Pure text; not here: the policy itself (policy.ts).
 */
import { LOCKTIME_THRESHOLD } from './policy.js';

const MINUTES_PER_BLOCK = 10;

function plural(n: number, unit: string): string {
  return `${n.toLocaleString('en-US')} ${unit}${n === 1 ? '' : 's'}`;
}

/** "~5 hours" for 30 blocks. */
export function approximateDuration(blocks: number): string {
  const minutes = blocks * MINUTES_PER_BLOCK;
  if (minutes < 120) return `~${plural(minutes, 'minute')}`;
  const hours = minutes / 60;
  if (hours < 48) return `~${plural(Math.round(hours), 'hour')}`;
  const days = hours / 24;
  if (days < 60) return `~${plural(Math.round(days), 'day')}`;
  return `~${plural(Math.round(days / 30.4375), 'month')}`;
}

/** "after 30 blocks (~5 hours)", "from block 900,000", "from 2027-01-01 00:00 UTC". */
export function describeTimelock(lock: 'older' | 'after', value: number): string {
  if (lock === 'older') return `after ${plural(value, 'block')} (${approximateDuration(value)})`;
  if (value < LOCKTIME_THRESHOLD) return `from block ${value.toLocaleString('en-US')}`;
  const iso = new Date(value * 1000).toISOString();
  return `from ${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** Names in alphabetical order: the account's own order (KeySort of the keys) means nothing to people. */
export function sortedNames(names: readonly string[]): string[] {
  return [...names].sort((a, b) => a.localeCompare(b, 'en'));
}

/** "Any 2 of Alice, Bob, Carol", "All 3 of Alice, Bob, Carol", "Both Alice and Bob". */
export function describeThreshold(unsorted: readonly string[], threshold: number): string {
  const names = sortedNames(unsorted);
  if (threshold === names.length) return names.length === 2 ? `Both ${names[0]} and ${names[1]}` : `All ${names.length} of ${names.join(', ')}`;
  return `Any ${threshold} of ${names.join(', ')}`;
}

export interface PolicyWordsInput {
  readonly participants: readonly { readonly name: string }[];
  readonly threshold: number;
  readonly recovery: { readonly key: { readonly name: string }; readonly lock: 'older' | 'after'; readonly value: number } | null;
}

/** The whole policy in one sentence. */
export function describePolicy(policy: PolicyWordsInput): string {
  const main = describeThreshold(policy.participants.map((p) => p.name), policy.threshold);
  if (!policy.recovery) return main;
  return `${main}; ${describeTimelock(policy.recovery.lock, policy.recovery.value)}, ${policy.recovery.key.name} alone`;
}
