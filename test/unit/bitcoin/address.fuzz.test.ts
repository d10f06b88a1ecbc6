// Fuzz: address decoding on random strings and on mutated valid addresses of every kind either
// returns a scriptPubKey that encodes back to the same address, or throws DecodeError.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeAddress, scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { mainnet, type Network, regtest, testnet } from '../../../core/bitcoin/networks.js';
import { fuzzRuns, fuzzTimeout, valueOrDecodeError } from '../../support/fuzz.js';

const VALID = [
  '1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa',
  'BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4',
  'tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7',
  'bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0',
  'bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs',
  'BC1SW50QGDZ25J',
  'bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq2ckgcs',
];
const ALPHABET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7lQPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz1oOIl0 ';

function checkDecode(address: string, network: Network): void {
  const decoded = valueOrDecodeError(() => decodeAddress(address, network));
  if (!decoded) return;
  // Anything accepted is a real address: it encodes back to the same (lower-cased) text.
  const again = scriptPubKeyToAddress(decoded.scriptPubKey, network);
  expect(again === address || again === address.toLowerCase()).toBe(true);
}

const mutation = fc.record({
  base: fc.constantFrom(...VALID),
  at: fc.nat(),
  op: fc.constantFrom('replace', 'insert', 'delete', 'swap', 'case'),
  char: fc.constantFrom(...ALPHABET),
});
function mutate({ base, at, op, char }: { base: string; at: number; op: string; char: string }): string {
  const i = at % base.length;
  switch (op) {
    case 'replace':
      return base.slice(0, i) + char + base.slice(i + 1);
    case 'insert':
      return base.slice(0, i) + char + base.slice(i);
    case 'delete':
      return base.slice(0, i) + base.slice(i + 1);
    case 'swap':
      return i + 1 < base.length ? base.slice(0, i) + base[i + 1] + base[i] + base.slice(i + 2) : base;
    default:
      return base.slice(0, i) + (base[i] === base[i]!.toLowerCase() ? base[i]!.toUpperCase() : base[i]!.toLowerCase()) + base.slice(i + 1);
  }
}

describe('address decoding fuzz', () => {
  it(
    'returns a valid address or throws DecodeError on random strings',
    () => {
      fc.assert(
        fc.property(fc.oneof(fc.string({ maxLength: 100 }), fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 95 }).map((s) => `bc1${s}`)), fc.constantFrom(mainnet, testnet, regtest), (s, net) =>
          checkDecode(s, net),
        ),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );

  it(
    'returns a valid address or throws DecodeError on mutated valid addresses',
    () => {
      fc.assert(
        fc.property(mutation, fc.constantFrom(mainnet, testnet, regtest), (m, net) => checkDecode(mutate(m), net)),
        { numRuns: fuzzRuns },
      );
    },
    fuzzTimeout,
  );
});
