// BIP39 vectors from trezor/python-mnemonic (entropy -> mnemonic -> seed -> BIP32 root xprv, passphrase
// "TREZOR"), plus the validation errors people see when they mistype a phrase.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { validateMnemonic } from '@scure/bip39';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { ExtendedKey } from '../../../core/bitcoin/hdkey.js';
import {
  entropyToMnemonic,
  generateMnemonic,
  MNEMONIC_LANGUAGES,
  type MnemonicLanguage,
  mnemonicToEntropy,
  mnemonicToSeed,
  MnemonicWordError,
  normalizeMnemonic,
  suggestWords,
} from '../../../core/bitcoin/mnemonic.js';
import { mainnet } from '../../../core/bitcoin/networks.js';
import { vectorJson } from '../../support/vectors.js';

type Vector = [entropy: string, mnemonic: string, seed: string, xprv: string];
const vectors = vectorJson<Record<string, Vector[]>>('bip39-vectors.json');

/** Wordlists python-mnemonic has but BIP39 does not list, so @scure/bip39 does not ship them. */
const UNSHIPPED: Record<string, string> = {
  russian: '@scure/bip39 2.4.0 ships no Russian wordlist (not one of the BIP39 wordlists)',
  turkish: '@scure/bip39 2.4.0 ships no Turkish wordlist (not one of the BIP39 wordlists)',
};

/** The vectors' phrases are NFC; ours are NFKD with BIP39's separator (U+3000 for Japanese). */
function canonical(phrase: string, language: string): string {
  const nfkd = phrase.normalize('NFKD');
  return language === 'japanese' ? nfkd.replaceAll(' ', '\u3000') : nfkd;
}

describe('BIP39 vectors (python-mnemonic vectors.json, passphrase TREZOR)', () => {
  it('has 24 English vectors', () => {
    expect(vectors.english).toHaveLength(24);
  });
  for (const [language, list] of Object.entries(vectors)) {
    list.forEach(([entropy, phrase, seed, xprv], i) => {
      const title = `BIP39 ${language} vector ${i}: ${entropy.length * 4}-bit entropy ${entropy.slice(0, 8)}…`;
      if (language in UNSHIPPED) {
        it.skip(`${title} — ${UNSHIPPED[language]}`, () => {});
        return;
      }
      it(title, () => {
        const lang = language as MnemonicLanguage;
        expect(MNEMONIC_LANGUAGES).toContain(lang);
        expect(entropyToMnemonic(hexToBytes(entropy), lang)).toBe(canonical(phrase, lang));
        expect(normalizeMnemonic(phrase, lang)).toBe(canonical(phrase, lang));
        expect(bytesToHex(mnemonicToEntropy(phrase, lang))).toBe(entropy);
        const seedBytes = mnemonicToSeed(phrase, 'TREZOR', lang);
        expect(bytesToHex(seedBytes)).toBe(seed);
        expect(ExtendedKey.fromSeed(seedBytes, mainnet).toBase58()).toBe(xprv);
      });
    });
  }
});

describe('BIP39 phrase validation', () => {
  const valid = 'legal winner thank year wave sausage worth useful legal winner thank yellow';

  it('normalizes case, extra and ideographic whitespace to the canonical phrase', () => {
    expect(normalizeMnemonic(`  Legal WINNER\tthank\u3000year wave sausage worth useful legal winner thank yellow \n`)).toBe(valid);
    expect(bytesToHex(mnemonicToSeed(` ${valid.toUpperCase()} `, 'TREZOR'))).toBe(vectors.english![1]![2]);
  });

  it('points at an unknown word with its 1-based position and nearest suggestions', () => {
    const typo = valid.replace('sausage', 'sausag');
    try {
      normalizeMnemonic(typo);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(MnemonicWordError);
      const e = err as MnemonicWordError;
      expect(e).toBeInstanceOf(DecodeError);
      expect(e.code).toBe('BIP39_UNKNOWN_WORD');
      expect(e.position).toBe(6);
      expect(e.word).toBe('sausag');
      expect(e.suggestions[0]).toBe('sausage');
      expect(e.message).toContain('word 6 "sausag" is not in the BIP39 english wordlist');
      expect(e.suggestions).toContain('sausage');
    }
  });

  it('reports the unknown word before the word count', () => {
    expect(() => normalizeMnemonic('abandon abandon abandonn')).toThrow(expect.objectContaining({ code: 'BIP39_UNKNOWN_WORD', position: 3 }));
  });

  it('gives no suggestions for words more than 3 edits from every entry', () => {
    expect(suggestWords('qqqqqqqqqq')).toEqual([]);
    expect(suggestWords('xyzzy').length).toBeLessThanOrEqual(3);
  });

  it('suggests transpositions and prefixes', () => {
    expect(suggestWords('abandno')[0]).toBe('abandon');
    expect(suggestWords('zoo')[0]).toBe('zoo');
    expect(suggestWords('vaccum')).toContain('vacuum');
  });

  it.each([0, 1, 11, 13, 23, 25])('rejects %i words with BIP39_BAD_LENGTH', (n) => {
    const phrase = Array.from({ length: n }, () => 'abandon').join(' ');
    expect(() => normalizeMnemonic(phrase)).toThrow(expect.objectContaining({ code: 'BIP39_BAD_LENGTH' }));
  });

  it('rejects a wrong checksum with BIP39_BAD_CHECKSUM', () => {
    const swapped = valid.replace('thank yellow', 'thank year');
    expect(() => normalizeMnemonic(swapped)).toThrow(expect.objectContaining({ code: 'BIP39_BAD_CHECKSUM' }));
    expect(() => mnemonicToSeed(swapped)).toThrow(expect.objectContaining({ code: 'BIP39_BAD_CHECKSUM' }));
  });

  it('agrees with @scure/bip39 on which random phrases are valid', () => {
    const phrase = fc.constantFrom(12, 15, 18, 21, 24).chain((n) => fc.array(fc.constantFrom(...english), { minLength: n, maxLength: n }));
    let accepted = 0;
    fc.assert(
      fc.property(phrase, (words) => {
        const text = words.join(' ');
        let ours: boolean;
        try {
          normalizeMnemonic(text);
          ours = true;
          accepted++;
        } catch (err) {
          expect(err).toMatchObject({ code: 'BIP39_BAD_CHECKSUM' });
          ours = false;
        }
        expect(ours).toBe(validateMnemonic(text, english));
      }),
      { numRuns: 3000 },
    );
    // About 1 in 2^(words/3) random phrases has a valid checksum; some must have been accepted.
    expect(accepted).toBeGreaterThan(0);
  });

  it('accepts 15, 18 and 21 words for import', () => {
    for (const bytes of [20, 24, 28]) {
      const phrase = entropyToMnemonic(new Uint8Array(bytes).fill(7));
      expect(normalizeMnemonic(phrase).split(' ')).toHaveLength((bytes * 8 + bytes / 4) / 11);
    }
  });

  it('checks words against the chosen language', () => {
    const ja = vectors.japanese![0]![1];
    expect(() => normalizeMnemonic(ja, 'english')).toThrow(expect.objectContaining({ code: 'BIP39_UNKNOWN_WORD', position: 1 }));
    expect(normalizeMnemonic(ja.replaceAll('\u3000', ' '), 'japanese')).toBe(canonical(ja, 'japanese'));
  });
});

describe('BIP39 generation', () => {
  it.each([12, 24] as const)('generates valid %i-word phrases that differ each time', (n) => {
    const a = generateMnemonic(n);
    const b = generateMnemonic(n);
    expect(a.split(' ')).toHaveLength(n);
    expect(normalizeMnemonic(a)).toBe(a);
    expect(a).not.toBe(b);
    expect(mnemonicToEntropy(a)).toHaveLength(n === 12 ? 16 : 32);
  });

  it('rejects other word counts and entropy sizes', () => {
    expect(() => generateMnemonic(18 as 12)).toThrow(RangeError);
    expect(() => entropyToMnemonic(new Uint8Array(15))).toThrow(RangeError);
  });
});
