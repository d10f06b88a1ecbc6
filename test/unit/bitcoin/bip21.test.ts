// BIP21 payment URIs: the BIP's own examples (section "Examples", written out here), unified QR
// codes with lightning=, amounts at the 8-decimal limit, case-insensitive upper-case QR form, and
// every way a URI is refused, each against its error code.
import { describe, expect, it } from 'vitest';
import { buildBip21, formatBtc, parseBip21 } from '../../../core/bitcoin/bip21.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { mainnet as NETWORK, testnet as TEST_NETWORK } from '../../../core/bitcoin/networks.js';
import { decodeErrorOf } from '../../support/decode-error.js';

// BIP21's examples use 175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W, whose Base58Check checksum is wrong
// (see the first test); the examples run with their query strings on a valid P2PKH address.
const BIP21_EXAMPLE_ADDRESS = '175tWpb8K1S7NmH4Zx6rewF9WQrcZv245W';
const ADDR = '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2';
const BECH32 = 'bc1qylh3u67j673h6y6alv70m0pl2yz53tzhvxgg7u';
const INVOICE =
  'lnbc10u1p3pj257pp5yztkwjcz5ftl5laxkav23zmzekaw37zk6kmv80pk4xaev5qhtz7qdpdwd3xger9wd5kwm36yprx7u3qd36kucmgyp282etnv3shjcqzpgxqyz5vqsp5usyc4lk9chsfp53kvcnvq456ganh60d89reykdngsmtj6yw3nhvq9qyyssqjcewm5cjwz4a6rfjx77c490yced6pemk0upkxhy89cmm7sct66k8gneanwykzgdrwrfje69h9u5u0w57rrcsysas7gadwmzxc8c6t0spjazup6';

const decodeError = (uri: string): DecodeError => decodeErrorOf(() => parseBip21(uri, NETWORK), `parseBip21(${uri})`);

describe('BIP21 examples', () => {
  it('BIP21\'s example address itself fails its checksum: BIP21_ADDRESS', () => {
    const err = decodeError(`bitcoin:${BIP21_EXAMPLE_ADDRESS}`);
    expect(err.code).toBe('BIP21_ADDRESS');
    expect(err.message).toContain('ADDRESS_BAD_CHECKSUM');
  });
  it('BIP21 example 1: just an address', () => {
    expect(parseBip21(`bitcoin:${ADDR}`, NETWORK)).toEqual({ address: ADDR, amount: null, label: null, message: null, lightning: null, params: [] });
  });
  it('BIP21 example 2: with name (label=Luke-Jr)', () => {
    expect(parseBip21(`bitcoin:${ADDR}?label=Luke-Jr`, NETWORK).label).toBe('Luke-Jr');
  });
  it('BIP21 example 3: request 20.30 BTC to "Luke-Jr"', () => {
    const r = parseBip21(`bitcoin:${ADDR}?amount=20.3&label=Luke-Jr`, NETWORK);
    expect(r.amount).toBe(2_030_000_000n);
    expect(r.label).toBe('Luke-Jr');
  });
  it('BIP21 example 4: request 50 BTC with message "Donation for project xyz"', () => {
    const r = parseBip21(`bitcoin:${ADDR}?amount=50&label=Luke-Jr&message=Donation%20for%20project%20xyz`, NETWORK);
    expect(r).toMatchObject({ amount: 5_000_000_000n, label: 'Luke-Jr', message: 'Donation for project xyz' });
  });
  it('BIP21 example 5: unknown required parameters → BIP21_REQUIRED_PARAM', () => {
    const err = decodeError(`bitcoin:${ADDR}?req-somethingyoudontunderstand=50&req-somethingelseyoudontget=999`);
    expect(err.code).toBe('BIP21_REQUIRED_PARAM');
    expect(err.message).toContain('"req-somethingyoudontunderstand"');
  });
  it('BIP21 example 6: unknown optional parameters are kept', () => {
    const r = parseBip21(`bitcoin:${ADDR}?somethingyoudontunderstand=50&somethingelseyoudontget=999`, NETWORK);
    expect(r.params).toEqual([
      ['somethingyoudontunderstand', '50'],
      ['somethingelseyoudontget', '999'],
    ]);
  });
});

describe('unified QR (lightning=) and the upper-case form', () => {
  const uri = `BITCOIN:${BECH32.toUpperCase()}?AMOUNT=0.00001&LABEL=sbddesign%3A%20For%20lunch%20Tuesday&MESSAGE=For%20lunch%20Tuesday&LIGHTNING=${INVOICE.toUpperCase()}`;
  it('parses an all-upper-case unified QR: bech32 address lower-cased, keys case-insensitive', () => {
    const r = parseBip21(uri, NETWORK);
    expect(r.address).toBe(BECH32);
    expect(r.amount).toBe(1000n);
    expect(r.label).toBe('sbddesign: For lunch Tuesday');
    expect(r.message).toBe('For lunch Tuesday');
    expect(r.lightning).toBe(INVOICE.toUpperCase());
  });
  it('accepts a lightning-only URI with an empty address', () => {
    expect(parseBip21(`bitcoin:?lightning=${INVOICE}`, NETWORK)).toMatchObject({ address: null, lightning: INVOICE });
  });
  it('refuses a lightning value that is no invoice or offer', () => {
    expect(decodeError(`bitcoin:${BECH32}?lightning=hello`).code).toBe('BIP21_LIGHTNING');
  });
});

describe('amounts', () => {
  const amount = (a: string) => parseBip21(`bitcoin:${BECH32}?amount=${a}`, NETWORK).amount;
  it('reads up to 8 decimals exactly, with or without leading/trailing digits', () => {
    expect(amount('0.00000001')).toBe(1n);
    expect(amount('1.')).toBe(100_000_000n);
    expect(amount('.5')).toBe(50_000_000n);
    expect(amount('21000000')).toBe(2_100_000_000_000_000n);
    expect(amount('0.12345678')).toBe(12_345_678n);
  });
  for (const [text, why] of [
    ['0.000000001', 'more than 8 decimals'],
    ['1e-8', 'a decimal number'],
    ['1,5', 'a decimal number'],
    ['-1', 'a decimal number'],
    ['', 'a decimal number'],
    ['.', 'a decimal number'],
    ['0', 'greater than 0'],
    ['21000000.00000001', 'exceeds 21 million BTC'],
  ] as const) {
    it(`refuses amount=${JSON.stringify(text)} (${why}) with BIP21_AMOUNT`, () => {
      const err = decodeError(`bitcoin:${BECH32}?amount=${text}`);
      expect(err.code).toBe('BIP21_AMOUNT');
      expect(err.message).toContain(why);
    });
  }
  it('formats satoshis as the shortest BTC decimal', () => {
    expect([1n, 100_000_000n, 150_000_000n, 2_030_000_000n, 12_345_678n].map(formatBtc)).toEqual(['0.00000001', '1', '1.5', '20.3', '0.12345678']);
  });
});

describe('refusals', () => {
  it('BIP21_SCHEME for another scheme', () => expect(decodeError(`litecoin:${ADDR}`).code).toBe('BIP21_SCHEME'));
  it('BIP21_ADDRESS for a bad checksum, a testnet address on mainnet, or no address at all', () => {
    expect(decodeError(`bitcoin:${ADDR.slice(0, -1)}X`).code).toBe('BIP21_ADDRESS');
    expect(decodeError('bitcoin:tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx').code).toBe('BIP21_ADDRESS');
    expect(decodeError('bitcoin:?amount=1').code).toBe('BIP21_ADDRESS');
  });
  it('BIP21_DUPLICATE_PARAM for a repeated parameter, whatever its case', () => {
    const err = decodeError(`bitcoin:${BECH32}?amount=1&AMOUNT=2`);
    expect(err.code).toBe('BIP21_DUPLICATE_PARAM');
    expect(err.message).toBe('"amount" appears more than once');
  });
  it('BIP21_ENCODING for malformed percent-encoding', () => {
    const err = decodeError(`bitcoin:${BECH32}?label=%E2%82`);
    expect(err.code).toBe('BIP21_ENCODING');
    expect(err.message).toBe('"label" has malformed percent-encoding');
  });
  it('keeps "+" as a plus sign (RFC 3986), not a space', () => {
    expect(parseBip21(`bitcoin:${BECH32}?message=1+1%3D2`, NETWORK).message).toBe('1+1=2');
  });
});

describe('building URIs', () => {
  it('round-trips amount, label, message and lightning through parse', () => {
    const uri = buildBip21({ address: BECH32, amount: 150_000_000n, label: 'Café & co', message: 'order #42: 2×☕', lightning: INVOICE }, NETWORK);
    expect(uri).toBe(`bitcoin:${BECH32}?amount=1.5&label=Caf%C3%A9%20%26%20co&message=order%20%2342%3A%202%C3%97%E2%98%95&lightning=${INVOICE}`);
    expect(parseBip21(uri, NETWORK)).toEqual({
      address: BECH32,
      amount: 150_000_000n,
      label: 'Café & co',
      message: 'order #42: 2×☕',
      lightning: INVOICE,
      params: [],
    });
  });
  it('builds a bare URI and validates the address against the network', () => {
    expect(buildBip21({ address: ADDR }, NETWORK)).toBe(`bitcoin:${ADDR}`);
    expect(() => buildBip21({ address: ADDR }, TEST_NETWORK)).toThrow('"address" expected a testnet address');
    expect(() => buildBip21({ address: BECH32, amount: 0n }, NETWORK)).toThrow('"amount" expected satoshis between 1 and 21e14, got 0');
  });
});
