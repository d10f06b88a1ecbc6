// Account key cards (BIP87 m/87'/coin'/account'): derived from a seed, printed as one JSON line,
// parsed back (or from a bare key expression), and every malformed or unsafe card refused with
// its DecodeError code.
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { ExtendedKey, HARDENED } from '../../../core/bitcoin/hdkey.js';
import { mainnet, regtest, testnet } from '../../../core/bitcoin/networks.js';
import { formatKeyCard, keyCardPath, makeKeyCard, parseKeyCard } from '../../../core/musig/coordination/key-card.js';

const master = ExtendedKey.fromSeed(sha256(utf8ToBytes('key card seed')), regtest);
const fp = master.fingerprint.toString(16).padStart(8, '0');
const accountXpub = master.derive([87 + HARDENED, 1 + HARDENED, HARDENED]).neuter().toBase58();

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).code;
  }
  throw new Error('expected a DecodeError');
}

describe('key cards', () => {
  it('BIP87 path: purpose 87, coin 1 on test networks and 0 on mainnet, hardened account', () => {
    expect(keyCardPath(regtest, 0)).toEqual([87 + HARDENED, 1 + HARDENED, HARDENED]);
    expect(keyCardPath(mainnet, 4)).toEqual([87 + HARDENED, HARDENED, 4 + HARDENED]);
    expect(() => keyCardPath(regtest, -1)).toThrow(RangeError);
  });

  it('a seed makes the card [fp/87h/1h/0h]tpub… whose key is the account xpub', () => {
    const card = makeKeyCard(master, '  Alice   Smith ');
    expect(card.name).toBe('Alice Smith');
    expect(card.text).toBe(`[${fp}/87h/1h/0h]${accountXpub}`);
    expect(card.publicKey).toEqual(master.derive([87 + HARDENED, 1 + HARDENED, HARDENED]).publicKey);
    expect(makeKeyCard(master, 'A', 3).text).toContain('/87h/1h/3h]');
    expect(() => makeKeyCard(master.neuter(), 'A')).toThrow(TypeError);
  });

  it('prints as one JSON line and parses back to the same card', () => {
    const card = makeKeyCard(master, 'Alice');
    const text = formatKeyCard(card, regtest);
    expect(text).toBe(JSON.stringify({ tapdesk: 'key-card', version: 1, network: 'regtest', name: 'Alice', key: card.text }));
    const back = parseKeyCard(`  ${text}\n`, regtest);
    expect([back.name, back.text, back.publicKey]).toEqual([card.name, card.text, card.publicKey]);
  });

  it("a bare key expression is a card named Participant; ' and h hardened markers read the same", () => {
    const back = parseKeyCard(`[${fp}/87'/1'/0']${accountXpub}`, regtest);
    expect([back.name, back.text]).toEqual(['Participant', `[${fp}/87h/1h/0h]${accountXpub}`]);
  });

  const bad: [string, () => unknown, string][] = [
    ['not JSON', () => parseKeyCard('{"tapdesk":', regtest), 'KEY_CARD_SYNTAX'],
    ['another JSON shape', () => parseKeyCard('{"tapdesk":"key-card","version":2,"network":"regtest","name":"A","key":"x"}', regtest), 'KEY_CARD_SYNTAX'],
    ['a name over 64 characters', () => parseKeyCard(JSON.stringify({ tapdesk: 'key-card', version: 1, network: 'regtest', name: 'x'.repeat(65), key: `[${fp}/87h/1h/0h]${accountXpub}` }), regtest), 'KEY_CARD_SYNTAX'],
    ['a card of another network', () => parseKeyCard(formatKeyCard(makeKeyCard(master, 'A'), regtest), testnet), 'KEY_CARD_NETWORK'],
    ['a private key', () => parseKeyCard(`[${fp}/87h/1h/0h]${master.derive([87 + HARDENED, 1 + HARDENED, HARDENED]).toBase58()}`, regtest), 'KEY_CARD_KEY'],
    ['no origin', () => parseKeyCard(accountXpub, regtest), 'KEY_CARD_KEY'],
    ['derivation steps after the key', () => parseKeyCard(`[${fp}/87h/1h/0h]${accountXpub}/0/*`, regtest), 'KEY_CARD_KEY'],
    ['an unhardened origin step', () => parseKeyCard(`[${fp}/87h/1h/0]${accountXpub}`, regtest), 'KEY_CARD_KEY'],
    ['an origin shorter than the key depth', () => parseKeyCard(`[${fp}/87h/1h]${accountXpub}`, regtest), 'KEY_CARD_KEY'],
    ['a hex key', () => parseKeyCard(`[${fp}/87h/1h/0h]02${'11'.repeat(32)}`, regtest), 'KEY_CARD_KEY'],
    ['a mainnet xpub on regtest', () => parseKeyCard(`[${fp}/87h/0h/0h]${ExtendedKey.fromSeed(new Uint8Array(32).fill(1), mainnet).derive([87 + HARDENED, HARDENED, HARDENED]).neuter().toBase58()}`, regtest), 'KEY_CARD_KEY'],
    ['over 1,000 characters', () => parseKeyCard('x'.repeat(1001), regtest), 'KEY_CARD_SYNTAX'],
  ];
  bad.forEach(([what, fn, expected]) => {
    it(`refuses ${what}: ${expected}`, () => {
      expect(code(fn)).toBe(expected);
    });
  });
});
