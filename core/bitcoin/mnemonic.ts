/**
 * BIP39 mnemonics: generate (12 or 24 words from `crypto.getRandomValues`), validate with errors a
 * person can act on (which word, what it probably should be), convert to entropy and to the
 * 64-byte seed (PBKDF2-HMAC-SHA512, NFKD-normalized phrase and passphrase).
 *
 * Primitives come from @scure/bip39 and its wordlists. User input is normalized before use: NFKD,
 * lower case, any whitespace (including the ideographic space U+3000) as separator; the seed is
 * computed from the canonical phrase (single separators, Japanese with U+3000 as BIP39 specifies).
 * Not here: BIP32 derivation (`hdkey.ts`), storage or encryption of the phrase.
 *
 * Errors (DecodeError codes): BIP39_UNKNOWN_WORD (a `MnemonicWordError` carrying the 1-based
 * position, the word and the nearest wordlist entries), BIP39_BAD_LENGTH, BIP39_BAD_CHECKSUM.
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0039.mediawiki
 */
import * as bip39 from '@scure/bip39';
import { wordlist as czech } from '@scure/bip39/wordlists/czech.js';
import { wordlist as english } from '@scure/bip39/wordlists/english.js';
import { wordlist as french } from '@scure/bip39/wordlists/french.js';
import { wordlist as italian } from '@scure/bip39/wordlists/italian.js';
import { wordlist as japanese } from '@scure/bip39/wordlists/japanese.js';
import { wordlist as korean } from '@scure/bip39/wordlists/korean.js';
import { wordlist as portuguese } from '@scure/bip39/wordlists/portuguese.js';
import { wordlist as chineseSimplified } from '@scure/bip39/wordlists/simplified-chinese.js';
import { wordlist as spanish } from '@scure/bip39/wordlists/spanish.js';
import { wordlist as chineseTraditional } from '@scure/bip39/wordlists/traditional-chinese.js';
import { DecodeError } from './errors.js';

const WORDLISTS = {
  english,
  chinese_simplified: chineseSimplified,
  chinese_traditional: chineseTraditional,
  czech,
  french,
  italian,
  japanese,
  korean,
  portuguese,
  spanish,
} as const satisfies Record<string, string[]>;

export type MnemonicLanguage = keyof typeof WORDLISTS;
export const MNEMONIC_LANGUAGES = Object.keys(WORDLISTS) as MnemonicLanguage[];

const VALID_WORD_COUNTS = [12, 15, 18, 21, 24] as const;
const IDEOGRAPHIC_SPACE = '\u3000';

/** A word that is not in the wordlist, with where it is and what it is probably meant to be. */
export class MnemonicWordError extends DecodeError {
  constructor(
    /** 1-based position in the phrase. */
    readonly position: number,
    readonly word: string,
    /** Nearest wordlist entries, best first. */
    readonly suggestions: readonly string[],
  ) {
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map((s) => JSON.stringify(s)).join(' or ')}?` : '';
    super('BIP39_UNKNOWN_WORD', `"mnemonic" word ${position} ${JSON.stringify(word)} is not in the BIP39 wordlist${hint}`);
  }
}

function wordlistOf(language: MnemonicLanguage): string[] {
  const list = (WORDLISTS as Record<string, string[] | undefined>)[language];
  if (!list) throw new RangeError(`"language" expected one of ${MNEMONIC_LANGUAGES.join(', ')}, got ${JSON.stringify(language)}`);
  return list;
}

function joinWords(words: readonly string[], language: MnemonicLanguage): string {
  return words.join(language === 'japanese' ? IDEOGRAPHIC_SPACE : ' ');
}

function splitWords(phrase: string): string[] {
  if (typeof phrase !== 'string') throw new TypeError(`"mnemonic" expected a string, got ${typeof phrase}`);
  // NFKD also turns U+3000 into a plain space.
  const words = phrase.normalize('NFKD').toLowerCase().trim().split(/\s+/u);
  return words.length === 1 && words[0] === '' ? [] : words;
}

/** Levenshtein distance, for suggestions only (words are at most 8 letters). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** The wordlist entries nearest to `input` (edit distance, then shared prefix), best first. */
export function suggestWords(input: string, language: MnemonicLanguage = 'english', limit = 3): string[] {
  const word = input.normalize('NFKD').toLowerCase().trim();
  return wordlistOf(language)
    .map((w) => ({ w, d: editDistance(word, w), p: commonPrefix(word, w) }))
    .sort((x, y) => x.d - y.d || y.p - x.p || (x.w < y.w ? -1 : 1))
    .slice(0, limit)
    .map((x) => x.w);
}

/**
 * Validates a phrase typed or pasted by a person and returns its canonical form. Unknown words
 * are reported first (the most specific fix), then the word count, then the checksum.
 */
export function normalizeMnemonic(phrase: string, language: MnemonicLanguage = 'english'): string {
  const list = wordlistOf(language);
  const words = splitWords(phrase);
  const known = new Set(list);
  words.forEach((word, i) => {
    if (!known.has(word)) throw new MnemonicWordError(i + 1, word, suggestWords(word, language));
  });
  if (!(VALID_WORD_COUNTS as readonly number[]).includes(words.length)) {
    throw new DecodeError('BIP39_BAD_LENGTH', `"mnemonic" expected ${VALID_WORD_COUNTS.join(', ')} words, got ${words.length}`);
  }
  const canonical = joinWords(words, language);
  try {
    bip39.mnemonicToEntropy(canonical, list);
  } catch {
    throw new DecodeError('BIP39_BAD_CHECKSUM', '"mnemonic" checksum does not match: a word is wrong or the words are out of order');
  }
  return canonical;
}

/** The entropy a phrase encodes (16..32 bytes); throws DecodeError as `normalizeMnemonic`. */
export function mnemonicToEntropy(phrase: string, language: MnemonicLanguage = 'english'): Uint8Array {
  return bip39.mnemonicToEntropy(normalizeMnemonic(phrase, language), wordlistOf(language));
}

/** The phrase for 16, 20, 24, 28 or 32 bytes of entropy. */
export function entropyToMnemonic(entropy: Uint8Array, language: MnemonicLanguage = 'english'): string {
  if (![16, 20, 24, 28, 32].includes(entropy.length)) {
    throw new RangeError(`"entropy" expected 16, 20, 24, 28 or 32 bytes, got ${entropy.length}`);
  }
  return bip39.entropyToMnemonic(entropy, wordlistOf(language));
}

/** A new phrase of 12 or 24 words from the platform CSPRNG. */
export function generateMnemonic(wordCount: 12 | 24 = 24, language: MnemonicLanguage = 'english'): string {
  if (wordCount !== 12 && wordCount !== 24) throw new RangeError(`"wordCount" expected 12 or 24, got ${String(wordCount)}`);
  const entropy = new Uint8Array(wordCount === 12 ? 16 : 32);
  globalThis.crypto.getRandomValues(entropy);
  try {
    return entropyToMnemonic(entropy, language);
  } finally {
    entropy.fill(0);
  }
}

/**
 * The 64-byte BIP39 seed of a validated phrase and an optional passphrase (both NFKD-normalized by
 * PBKDF2's salt/password rules). Throws DecodeError for an invalid phrase.
 */
export function mnemonicToSeed(phrase: string, passphrase = '', language: MnemonicLanguage = 'english'): Uint8Array {
  if (typeof passphrase !== 'string') throw new TypeError(`"passphrase" expected a string, got ${typeof passphrase}`);
  return bip39.mnemonicToSeedSync(normalizeMnemonic(phrase, language), passphrase);
}
