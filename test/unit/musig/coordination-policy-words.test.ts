// The policy in plain words, as the screens and the API show it.
import { describe, expect, it } from 'vitest';
import { regtest } from '../../../core/bitcoin/networks.js';
import { approximateDuration, describePolicy, describeThreshold, describeTimelock } from '../../../core/musig/coordination/policy-words.js';
import { sharedPolicy } from '../../../core/musig/coordination/policy.js';
import { describePath, choosePath } from '../../../core/musig/coordination/spend-path.js';
import { person } from './coordination-fixtures.js';

const named = (...names: string[]) => names.map((name) => ({ name }));

describe('policy in words', () => {
  it('the brief\'s example: "Any 2 of Alice, Bob, Carol; after 30 blocks (~5 hours), Alice alone"', () => {
    expect(describePolicy({ participants: named('Carol', 'Alice', 'Bob'), threshold: 2, recovery: { key: { name: 'Alice' }, lock: 'older', value: 30 } })).toBe(
      'Any 2 of Alice, Bob, Carol; after 30 blocks (~5 hours), Alice alone',
    );
  });

  it('from a real policy (cards in any order; names sorted alphabetically, not by key)', () => {
    const [alice, bob, carol] = ['Alice', 'Bob', 'Carol'].map((n) => person(n));
    const policy = sharedPolicy({ network: regtest, participants: [carol!.card, bob!.card, alice!.card], threshold: 2, recovery: { key: alice!.card, lock: 'older', value: 30 } });
    expect(describePolicy(policy)).toBe('Any 2 of Alice, Bob, Carol; after 30 blocks (~5 hours), Alice alone');
    expect(describePath(policy, choosePath(policy, { signers: [0, 1, 2] }))).toBe('Key path: Alice, Bob and Carol sign together (looks like a single-key payment)');
    const aliceAndCarol = [policy.participants.findIndex((p) => p.name === 'Carol'), policy.participants.findIndex((p) => p.name === 'Alice')];
    expect(describePath(policy, choosePath(policy, { signers: aliceAndCarol }))).toBe('Script path: Alice and Carol sign together');
    expect(describePath(policy, choosePath(policy, 'recovery'))).toBe('Recovery: Alice alone, after 30 blocks (~5 hours)');
  });

  it('thresholds', () => {
    expect(describeThreshold(['Bob', 'Alice'], 2)).toBe('Both Alice and Bob');
    expect(describeThreshold(['Carol', 'Bob', 'Alice'], 3)).toBe('All 3 of Alice, Bob, Carol');
    expect(describeThreshold(['Dave', 'Carol', 'Bob', 'Alice', 'Erin'], 3)).toBe('Any 3 of Alice, Bob, Carol, Dave, Erin');
    expect(describePolicy({ participants: named('Alice', 'Bob'), threshold: 2, recovery: null })).toBe('Both Alice and Bob');
  });

  it.each([
    [1, 'after 1 block (~10 minutes)'],
    [6, 'after 6 blocks (~60 minutes)'],
    [12, 'after 12 blocks (~2 hours)'],
    [30, 'after 30 blocks (~5 hours)'],
    [144, 'after 144 blocks (~24 hours)'],
    [288, 'after 288 blocks (~2 days)'],
    [1008, 'after 1,008 blocks (~7 days)'],
    [4320, 'after 4,320 blocks (~30 days)'],
    [8640, 'after 8,640 blocks (~2 months)'],
    [52560, 'after 52,560 blocks (~12 months)'],
    [65535, 'after 65,535 blocks (~15 months)'],
  ])('older(%i): %s', (blocks, words) => {
    expect(describeTimelock('older', blocks)).toBe(words);
  });

  it('absolute locks: a block height or a UTC date', () => {
    expect(describeTimelock('after', 900_000)).toBe('from block 900,000');
    expect(describeTimelock('after', 1_798_761_600)).toBe('from 2027-01-01 00:00 UTC');
    expect(describePolicy({ participants: named('Alice', 'Bob', 'Carol'), threshold: 2, recovery: { key: { name: 'Dana' }, lock: 'after', value: 1_798_761_600 } })).toBe(
      'Any 2 of Alice, Bob, Carol; from 2027-01-01 00:00 UTC, Dana alone',
    );
  });

  it('durations round to the natural unit', () => {
    expect([5, 11, 287, 8639].map(approximateDuration)).toEqual(['~50 minutes', '~110 minutes', '~48 hours', '~60 days']);
  });
});
