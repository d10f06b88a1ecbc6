// Fuzz: BIP21 URI parsing on random text and on mutated valid URIs either returns a payment
// request — whose address and amount rebuild into a URI that parses to the same values — or throws
// DecodeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBip21, parseBip21 } from '../../../core/bitcoin/bip21.js';
import { mainnet as NETWORK } from '../../../core/bitcoin/networks.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

const VALID = [
  'bitcoin:1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2?amount=20.3&label=Luke-Jr',
  'bitcoin:bc1qylh3u67j673h6y6alv70m0pl2yz53tzhvxgg7u?amount=0.00001&message=For%20lunch%20Tuesday&x=1',
  'BITCOIN:BC1QYLH3U67J673H6Y6ALV70M0PL2YZ53TZHVXGG7U?AMOUNT=1.5&LIGHTNING=LNBC10U1P3PJ257PP5YZTKWJCZ5FTL5',
  'bitcoin:?lightning=lnbc1pvjluezpp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypq',
  'bitcoin:3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy?req-x=1',
];
const CHARS = 'bitcoin:?&=%.0123456789abcdefABCDEF-+ lnbc1qpzry9x8gf2tvdw0s3jn54khce6mua7lreq-amountlabelmessage';

function check(uri: string): void {
  const parsed = valueOrDecodeError(() => parseBip21(uri, NETWORK), { code: /^BIP21_/ });
  if (parsed === undefined || parsed.address === null) return;
  const again = parseBip21(
    buildBip21({ address: parsed.address, ...(parsed.amount !== null ? { amount: parsed.amount } : {}), ...(parsed.label !== null ? { label: parsed.label } : {}) }, NETWORK),
    NETWORK,
  );
  expect([again.address, again.amount, again.label]).toEqual([parsed.address, parsed.amount, parsed.label]);
}

function mutate({ base, at, op, char }: { base: string; at: number; op: string; char: string }): string {
  const i = at % base.length;
  if (op === 'replace') return base.slice(0, i) + char + base.slice(i + 1);
  if (op === 'insert') return base.slice(0, i) + char + base.slice(i);
  return base.slice(0, i) + base.slice(i + 1);
}

describe('BIP21 parsing fuzz', () => {
  it(
    'random text parses or throws DecodeError',
    () =>
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 40 }).map((s) => `bitcoin:${s}`)), check),
        { numRuns: fuzzRuns },
      ),
    fuzzTimeout,
  );
  it(
    'mutated valid URIs parse or throw DecodeError',
    () =>
      fc.assert(
        fc.property(
          fc.record({ base: fc.constantFrom(...VALID), at: fc.nat(), op: fc.constantFrom('replace', 'insert', 'delete'), char: fc.constantFrom(...CHARS) }),
          (m) => check(mutate(m)),
        ),
        { numRuns: fuzzRuns },
      ),
    fuzzTimeout,
  );
});
