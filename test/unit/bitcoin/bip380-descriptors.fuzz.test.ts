// Fuzz: descriptor parsing on token soup and on mutated valid descriptors either returns a
// descriptor (whose canonical text parses back to the same tree) or throws DecodeError.
// Bases hold few keys: validating each key is a curve operation, the expensive part of a parse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDescriptor, parseDescriptor } from '../../../core/bitcoin/descriptor/index.js';
import { mainnet } from '../../../core/bitcoin/networks.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

const XPUB = 'xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8';
const XONLY = 'a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd';
const COMPRESSED = '02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9';
const BASES = [
  'raw(deadbeef)',
  'addr(bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0)',
  `pkh([deadbeef/0h/1'/2]${XPUB}/<0;1>/*)`,
  `tr(${XONLY},{pk(${XONLY}),multi_a(1,${XONLY})})`,
  `sh(wsh(sortedmulti(1,${COMPRESSED})))`,
  `tr(musig(${XPUB},${XPUB}/1)/0/*)`,
  `wpkh(${COMPRESSED})#`,
];
const TOKENS = [
  'tr(', 'rawtr(', 'pk(', 'pkh(', 'wpkh(', 'sh(', 'wsh(', 'multi(', 'sortedmulti_a(', 'multi_a(', 'musig(', 'raw(', 'addr(', 'combo(',
  'and_v(', ')', '(', '{', '}', ',', '/', '*', 'h', "'", '<0;1>', '<', '>', ';', '[deadbeef]', '[', ']', '1', '0', '#', ' ',
  XONLY, COMPRESSED, 'Ü',
];

function check(text: string, roundTrip: boolean): void {
  const d = valueOrDecodeError(() => parseDescriptor(text, mainnet));
  if (d && roundTrip) expect(parseDescriptor(formatDescriptor(d), mainnet, { requireChecksum: true })).toEqual(d);
}

describe('descriptor parsing fuzz', () => {
  it(
    'handles token soup',
    () => {
      fc.assert(fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => t.join('')), (text) => check(text, true)), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'handles mutated valid descriptors',
    () => {
      const mutated = fc
        .record({ base: fc.constantFrom(...BASES), at: fc.nat(), op: fc.constantFrom('replace', 'insert', 'delete'), token: fc.constantFrom(...TOKENS, 'a', 'x', '9') })
        .map(({ base, at, op, token }) => {
          const i = at % base.length;
          if (op === 'delete') return base.slice(0, i) + base.slice(i + 1);
          return base.slice(0, i) + token + base.slice(op === 'replace' ? i + 1 : i);
        });
      // Each accepted mutant costs curve operations, so only every 16th is round-tripped.
      fc.assert(fc.property(mutated, fc.nat(15), (text, n) => check(text, n === 0)), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );
});
