// Shared-account policies as descriptors: the tree rule (a pk(musig(subset)) leaf per k-subset up
// to 10 subsets, else one sortedmulti_a leaf) with the size claim behind it checked for every n and
// k, the deterministic layout (KeySort order, lexicographic subsets, recovery last, balanced), the
// exact descriptor text for each shape, reading descriptors back, and the refusals.
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { formatDescriptor, parseDescriptor } from '../../../core/bitcoin/descriptor/index.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { regtest } from '../../../core/bitcoin/networks.js';
import { pushNumber } from '../../../core/bitcoin/script-number.js';
import { inputWeight } from '../../../core/bitcoin/tx-size.js';
import { musigSigningContext } from '../../../core/musig/descriptor.js';
import { SharedAccountError } from '../../../core/musig/coordination/errors.js';
import {
  balancedTree,
  binomial,
  leafRoles,
  MAX_MUSIG_LEAVES,
  policyDescriptor,
  policyFromDescriptor,
  sharedPolicy,
  subsets,
  thresholdLayout,
  type Tree,
} from '../../../core/musig/coordination/policy.js';
import { accountFromDescriptor } from '../../../core/wallet/account.js';
import { person, type Person } from './coordination-fixtures.js';

const crowd: Person[] = ['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace'].map((n) => person(n));
const [alice, bob, carol] = crowd as [Person, Person, Person];
const dana = person('Dana (lawyer)');

function policyCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof SharedAccountError || err instanceof DecodeError) return err.code;
    throw err;
  }
  throw new Error('expected a refusal');
}

const text = (d: ReturnType<typeof policyDescriptor>) => formatDescriptor(d, { checksum: false });

describe('the tree rule', () => {
  it(`k = n: no threshold leaves; k < n: musig leaves while C(n,k) <= ${MAX_MUSIG_LEAVES}, else sortedmulti_a`, () => {
    const table: [number, number, string][] = [
      [2, 2, 'none'], [3, 2, 'musig-leaves'], [3, 3, 'none'], [4, 2, 'musig-leaves'], [4, 3, 'musig-leaves'],
      [5, 2, 'musig-leaves'], [5, 3, 'musig-leaves'], [5, 4, 'musig-leaves'], [6, 2, 'sortedmulti_a'], [6, 3, 'sortedmulti_a'],
      [6, 5, 'musig-leaves'], [7, 6, 'musig-leaves'], [11, 10, 'sortedmulti_a'], [15, 8, 'sortedmulti_a'], [15, 15, 'none'],
    ];
    for (const [n, k, layout] of table) expect([n, k, thresholdLayout(n, k)]).toEqual([n, k, layout]);
    for (let n = 2; n <= 15; n++) {
      for (let k = 2; k <= n; k++) {
        const expected = k === n ? 'none' : binomial(n, k) <= MAX_MUSIG_LEAVES ? 'musig-leaves' : 'sortedmulti_a';
        expect(thresholdLayout(n, k)).toBe(expected);
      }
    }
  });

  it('a subset leaf always spends smaller than the sortedmulti_a leaf (every n <= 15, k < n, with and without recovery)', () => {
    const depth = (leaves: number) => Math.ceil(Math.log2(leaves));
    for (let n = 3; n <= 15; n++) {
      for (let k = 2; k < n; k++) {
        for (const recovery of [0, 1]) {
          const musig = inputWeight({ type: 'p2tr-script', stackItemLengths: [64], leafScriptLength: 34, controlBlockLength: 33 + 32 * depth(binomial(n, k) + recovery) });
          const multiScript = 34 * n + pushNumber(k).length + 1;
          const multi = inputWeight({
            type: 'p2tr-script',
            stackItemLengths: [...Array<number>(k).fill(64), ...Array<number>(n - k).fill(0)],
            leafScriptLength: multiScript,
            controlBlockLength: 33 + 32 * depth(1 + recovery),
          });
          expect(musig, `${k}-of-${n}${recovery ? ' + recovery' : ''}`).toBeLessThan(multi);
        }
      }
    }
  });

  it('subsets come in lexicographic order; C(n,k) of them', () => {
    expect(subsets(3, 2)).toEqual([[0, 1], [0, 2], [1, 2]]);
    expect(subsets(4, 3)).toEqual([[0, 1, 2], [0, 1, 3], [0, 2, 3], [1, 2, 3]]);
    expect(subsets(7, 3)).toHaveLength(binomial(7, 3));
  });

  it('the balanced tree keeps the leaf order and depths within one of each other', () => {
    const depths = (t: Tree<number>, d = 0): [number, number][] => (Array.isArray(t) ? [...depths(t[0], d + 1), ...depths(t[1], d + 1)] : [[t as number, d]]);
    for (let count = 1; count <= 12; count++) {
      const leaves = Array.from({ length: count }, (_, i) => i);
      const found = depths(balancedTree(leaves));
      expect(found.map(([leaf]) => leaf)).toEqual(leaves);
      const ds = found.map(([, d]) => d);
      expect(Math.max(...ds) - Math.min(...ds)).toBeLessThanOrEqual(1);
      expect(Math.max(...ds)).toBe(Math.ceil(Math.log2(count)));
    }
    expect(balancedTree([0, 1, 2])).toEqual([[0, 1], 2]);
  });
});

describe('descriptors of each shape', () => {
  const keyOf = (p: Person) => p.card.text;
  const sorted = (ps: Person[]) => [...ps].sort((a, b) => (bytesToHex(a.card.publicKey) < bytesToHex(b.card.publicKey) ? -1 : 1));
  const musig = (ps: Person[]) => `musig(${sorted(ps).map(keyOf).join(',')})/<0;1>/*`;

  it('2 of 3 with a 30-block recovery key: musig key path, three subset leaves and the recovery leaf, balanced', () => {
    const policy = sharedPolicy({ network: regtest, participants: [carol.card, alice.card, bob.card], threshold: 2, recovery: { key: alice.card, lock: 'older', value: 30 } });
    const [a, b, c] = sorted([alice, bob, carol]);
    expect(policy.participants.map((p) => p.name)).toEqual([a, b, c].map((p) => p!.name));
    expect(text(policyDescriptor(policy))).toBe(
      `tr(${musig([alice, bob, carol])},{{pk(${musig([a!, b!])}),pk(${musig([a!, c!])})},{pk(${musig([b!, c!])}),and_v(v:pk(${keyOf(alice)}/<0;1>/*),older(30))}})`,
    );
    expect(leafRoles(policy)).toEqual([{ kind: 'musig', signers: [0, 1] }, { kind: 'musig', signers: [0, 2] }, { kind: 'musig', signers: [1, 2] }, { kind: 'recovery' }]);
  });

  it('the order the cards come in does not change the descriptor', () => {
    const orders = [[alice, bob, carol], [carol, bob, alice], [bob, alice, carol]];
    const texts = orders.map((ps) => text(policyDescriptor(sharedPolicy({ network: regtest, participants: ps.map((p) => p.card), threshold: 2, recovery: { key: dana.card, lock: 'after', value: 900_000 } }))));
    expect(new Set(texts).size).toBe(1);
  });

  it('3 of 6 uses one sortedmulti_a leaf (20 subsets would be too many), recovery beside it', () => {
    const six = crowd.slice(0, 6);
    const policy = sharedPolicy({ network: regtest, participants: six.map((p) => p.card), threshold: 3, recovery: { key: dana.card, lock: 'after', value: 1_798_761_600 } });
    const multi = `sortedmulti_a(3,${sorted(six).map((p) => `${keyOf(p)}/<0;1>/*`).join(',')})`;
    expect(text(policyDescriptor(policy))).toBe(`tr(${musig(six)},{${multi},and_v(v:pk(${keyOf(dana)}/<0;1>/*),after(1798761600))})`);
  });

  it('all of them (k = n): the key path only, or with the recovery leaf as the whole tree', () => {
    const both = [alice.card, bob.card];
    expect(text(policyDescriptor(sharedPolicy({ network: regtest, participants: both, threshold: 2 })))).toBe(`tr(${musig([alice, bob])})`);
    expect(text(policyDescriptor(sharedPolicy({ network: regtest, participants: both, threshold: 2, recovery: { key: bob.card, lock: 'older', value: 4320 } })))).toBe(
      `tr(${musig([alice, bob])},and_v(v:pk(${keyOf(bob)}/<0;1>/*),older(4320)))`,
    );
  });

  it('every participant derives the same outputs: leaf keys are the BIP328 children of each subset aggregate', () => {
    const policy = sharedPolicy({ network: regtest, participants: [alice.card, bob.card, carol.card], threshold: 2, recovery: { key: alice.card, lock: 'older', value: 30 } });
    const fromCards = accountFromDescriptor(policyDescriptor(policy));
    const fromText = accountFromDescriptor(parseDescriptor(formatDescriptor(policyDescriptor(policy)), regtest));
    for (const [chain, index] of [[0, 0], [0, 7], [1, 3]] as const) {
      const out = fromCards.output(chain, index);
      expect(bytesToHex(fromText.script(chain, index))).toBe(bytesToHex(out.scriptPubKey));
      const tap = out.taproot!;
      expect(tap.leaves).toHaveLength(4);
      tap.leafKeys.slice(0, 3).forEach((keys, leaf) => {
        const ctx = musigSigningContext(keys[0]!);
        expect(bytesToHex(tap.leaves[leaf]!.script)).toBe(`20${bytesToHex(ctx.xOnlyKey)}ac`);
        expect(keys[0]!.origin.path).toEqual([chain, index]);
      });
      const recoveryKey = alice.master.derive([...alice.card.key.origin.path, chain, index]).xOnlyPublicKey;
      expect(bytesToHex(tap.leaves[3]!.script)).toBe(`20${bytesToHex(recoveryKey)}ad011eb2`);
      expect(tap.leaves.map((l) => l.controlBlock.length)).toEqual([97, 97, 97, 97]);
    }
  });
});

describe('reading a descriptor back', () => {
  const base = sharedPolicy({ network: regtest, participants: [alice.card, bob.card, carol.card], threshold: 2, recovery: { key: alice.card, lock: 'older', value: 30 } });
  const written = formatDescriptor(policyDescriptor(base));

  it('gives the same policy, naming keys from the map and numbering the rest', () => {
    const names = new Map([[alice.card.text, 'Alice'], [bob.card.text, 'Bob']]);
    const back = policyFromDescriptor(parseDescriptor(written, regtest), names);
    expect(formatDescriptor(policyDescriptor(back))).toBe(written);
    expect(back.threshold).toBe(2);
    expect(back.recovery).toMatchObject({ lock: 'older', value: 30, key: { name: 'Alice', text: alice.card.text } });
    const carolIndex = back.participants.findIndex((p) => p.text === carol.card.text);
    expect(back.participants.map((p) => p.name)).toContain(`Participant ${carolIndex + 1}`);
  });

  it.each([
    ['3 of 6 with sortedmulti_a', () => sharedPolicy({ network: regtest, participants: crowd.slice(0, 6).map((p) => p.card), threshold: 3 })],
    ['3 of 4 with an outside recovery key after a date', () => sharedPolicy({ network: regtest, participants: crowd.slice(0, 4).map((p) => p.card), threshold: 3, recovery: { key: dana.card, lock: 'after', value: 1_798_761_600 } })],
    ['2 of 2', () => sharedPolicy({ network: regtest, participants: [alice.card, bob.card], threshold: 2 })],
  ])('round trip: %s', (_, make) => {
    const policy = make();
    const t = formatDescriptor(policyDescriptor(policy));
    expect(formatDescriptor(policyDescriptor(policyFromDescriptor(parseDescriptor(t, regtest))))).toBe(t);
  });

  const [a, b, c] = base.participants.map((p) => p.text) as [string, string, string];
  const refusals: [string, string, string][] = [
    ['a plain key path', `tr(${a}/<0;1>/*)`, 'SHARED_NOT_TAPDESK'],
    ['unsorted musig() participants', `tr(musig(${b},${a},${c})/<0;1>/*,{{pk(musig(${a},${b})/<0;1>/*),pk(musig(${a},${c})/<0;1>/*)},{pk(musig(${b},${c})/<0;1>/*),and_v(v:pk(${a}/<0;1>/*),older(30))}})`, 'SHARED_NOT_TAPDESK'],
    ['leaves in another order', `tr(musig(${a},${b},${c})/<0;1>/*,{{pk(musig(${a},${c})/<0;1>/*),pk(musig(${a},${b})/<0;1>/*)},{pk(musig(${b},${c})/<0;1>/*),and_v(v:pk(${a}/<0;1>/*),older(30))}})`, 'SHARED_NOT_TAPDESK'],
    ['a missing subset', `tr(musig(${a},${b},${c})/<0;1>/*,{pk(musig(${a},${b})/<0;1>/*),pk(musig(${a},${c})/<0;1>/*)})`, 'SHARED_NOT_TAPDESK'],
    ['two recovery leaves', `tr(musig(${a},${b})/<0;1>/*,{and_v(v:pk(${a}/<0;1>/*),older(30)),and_v(v:pk(${b}/<0;1>/*),older(30))})`, 'SHARED_NOT_TAPDESK'],
    ['a recovery key without /<0;1>/*', `tr(musig(${a},${b})/<0;1>/*,and_v(v:pk(${a}/0/*),older(30)))`, 'SHARED_NOT_TAPDESK'],
    ['a recovery delay over 65535 blocks', `tr(musig(${a},${b})/<0;1>/*,and_v(v:pk(${a}/<0;1>/*),older(65536)))`, 'SHARED_NOT_TAPDESK'],
    ['a single participant', `tr(musig(${a})/<0;1>/*)`, 'SHARED_NOT_TAPDESK'],
    ['a participant without origin', `tr(musig(${a},${b.replace(/^\[[^\]]*\]/, '')})/<0;1>/*)`, 'KEY_CARD_KEY'],
  ];
  refusals.forEach(([what, descriptor, expected]) => {
    it(`refuses ${what}: ${expected}`, () => {
      expect(policyCode(() => policyFromDescriptor(parseDescriptor(descriptor, regtest)))).toBe(expected);
    });
  });
});

describe('policy refusals (INVALID_POLICY)', () => {
  const cards = crowd.map((p) => p.card);
  const cases: [string, () => unknown][] = [
    ['one participant', () => sharedPolicy({ network: regtest, participants: [alice.card], threshold: 1 })],
    ['sixteen participants', () => sharedPolicy({ network: regtest, participants: Array.from({ length: 16 }, (_, i) => person(`P${i}`).card), threshold: 2 })],
    ['a threshold of 1', () => sharedPolicy({ network: regtest, participants: cards.slice(0, 3), threshold: 1 })],
    ['a threshold above n', () => sharedPolicy({ network: regtest, participants: cards.slice(0, 3), threshold: 4 })],
    ['the same key twice', () => sharedPolicy({ network: regtest, participants: [alice.card, bob.card, { ...alice.card, name: 'Alice again' }], threshold: 2 })],
    ['older(0)', () => sharedPolicy({ network: regtest, participants: cards.slice(0, 2), threshold: 2, recovery: { key: alice.card, lock: 'older', value: 0 } })],
    ['older(65536)', () => sharedPolicy({ network: regtest, participants: cards.slice(0, 2), threshold: 2, recovery: { key: alice.card, lock: 'older', value: 65_536 } })],
    ['after(2^31)', () => sharedPolicy({ network: regtest, participants: cards.slice(0, 2), threshold: 2, recovery: { key: alice.card, lock: 'after', value: 2 ** 31 } })],
  ];
  cases.forEach(([what, fn]) => {
    it(`refuses ${what}`, () => {
      expect(policyCode(fn)).toBe('INVALID_POLICY');
    });
  });
});
