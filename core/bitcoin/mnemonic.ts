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
 * position, the word and, on demand, the nearest wordlist entries), BIP39_BAD_LENGTH,
 * BIP39_BAD_CHECKSUM.
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0039.mediawiki
 */
import { sha256 } from '@noble/hashes/sha2.js';
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

/**
 * A word that is not in the wordlist, with where it is and what it is probably meant to be. The
 * suggestions are computed on first use, so rejecting input stays cheap for callers that only
 * need the code.
 */
export class MnemonicWordError extends DecodeError {
  #suggestions: readonly string[] | undefined;
  constructor(
    /** 1-based position in the phrase. */
    readonly position: number,
    readonly word: string,
    readonly language: MnemonicLanguage,
  ) {
    super('BIP39_UNKNOWN_WORD', `"mnemonic" word ${position} ${JSON.stringify(word)} is not in the BIP39 ${language} wordlist`);
  }

  /** Nearest wordlist entries (within 3 edits), best first. */
  get suggestions(): readonly string[] {
    this.#suggestions ??= suggestWords(this.word, this.language);
    return this.#suggestions;
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

/**
 * Levenshtein distance, or `limit + 1` as soon as it must exceed `limit` (suggestions only need
 * the few nearest words, so most of the 2048 comparisons stop after a row or two).
 */
function editDistance(a: string, b: string, limit: number, rowA: Uint16Array, rowB: Uint16Array): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev = rowA;
  let row = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (ca === b.charCodeAt(j - 1) ? 0 : 1);
      const del = prev[j]! + 1;
      const ins = row[j - 1]! + 1;
      const d = sub < del ? (sub < ins ? sub : ins) : del < ins ? del : ins;
      row[j] = d;
      if (d < best) best = d;
    }
    if (best > limit) return limit + 1;
    const t = prev;
    prev = row;
    row = t;
  }
  return prev[b.length]!;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** Longest input considered for suggestions; wordlist entries are far shorter. */
const MAX_SUGGESTION_INPUT = 24;
/** Farther than 3 edits a "suggestion" is a guess: BIP39 words differ within their first 4 letters. */
const MAX_SUGGESTION_DISTANCE = 3;

/**
 * The wordlist entries nearest to `input` (edit distance, then shared prefix), best first; only
 * entries within 3 edits, so garbage gets no suggestions.
 */
export function suggestWords(input: string, language: MnemonicLanguage = 'english', limit = 3): string[] {
  const word = input.normalize('NFKD').toLowerCase().trim().slice(0, MAX_SUGGESTION_INPUT);
  const list = wordlistOf(language);
  const size = Math.max(word.length, ...list.map((w) => w.length)) + 1;
  const prev = new Uint16Array(size);
  const row = new Uint16Array(size);
  const better = (x: Candidate, y: Candidate) => x.d - y.d || y.p - x.p || (x.w < y.w ? -1 : 1);
  const best: Candidate[] = [];
  for (const w of list) {
    const bound = best.length < limit ? MAX_SUGGESTION_DISTANCE : best[best.length - 1]!.d;
    const d = editDistance(word, w, bound, prev, row);
    if (d > bound) continue;
    const candidate = { w, d, p: commonPrefix(word, w) };
    if (best.length === limit && better(candidate, best[limit - 1]!) >= 0) continue;
    best.push(candidate);
    best.sort(better);
    if (best.length > limit) best.pop();
  }
  return best.map((c) => c.w);
}

interface Candidate {
  w: string;
  d: number;
  p: number;
}

const wordIndices = new Map<MnemonicLanguage, Map<string, number>>();
function wordIndex(language: MnemonicLanguage): Map<string, number> {
  let index = wordIndices.get(language);
  if (!index) {
    index = new Map(wordlistOf(language).map((w, i) => [w, i]));
    wordIndices.set(language, index);
  }
  return index;
}

/**
 * BIP39's checksum check over word indices: the first ENT/32 bits of SHA-256(entropy) must equal
 * the bits after the entropy. Same arithmetic as @scure/bip39's decoder (the tests compare the
 * two), without its per-call validation of the whole wordlist, which makes it ~100x slower.
 */
function checksumMatches(indices: readonly number[]): boolean {
  const totalBits = indices.length * 11;
  const checksumBits = totalBits / 33;
  const entropyBytes = (totalBits - checksumBits) / 8;
  const bytes = new Uint8Array(entropyBytes + 1);
  let acc = 0;
  let bits = 0;
  let pos = 0;
  for (const index of indices) {
    acc = (acc << 11) | index;
    bits += 11;
    while (bits >= 8) {
      bits -= 8;
      bytes[pos++] = (acc >>> bits) & 0xff;
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) bytes[pos] = acc << (8 - bits);
  const expected = sha256(bytes.subarray(0, entropyBytes))[0]! >> (8 - checksumBits);
  return bytes[entropyBytes]! >> (8 - checksumBits) === expected;
}

/**
 * Validates a phrase typed or pasted by a person and returns its canonical form. Unknown words
 * are reported first (the most specific fix), then the word count, then the checksum.
 */
export function normalizeMnemonic(phrase: string, language: MnemonicLanguage = 'english'): string {
  const words = splitWords(phrase);
  const index = wordIndex(language);
  const indices = words.map((word, i) => {
    const n = index.get(word);
    if (n === undefined) throw new MnemonicWordError(i + 1, word, language);
    return n;
  });
  if (!(VALID_WORD_COUNTS as readonly number[]).includes(words.length)) {
    throw new DecodeError('BIP39_BAD_LENGTH', `"mnemonic" expected ${VALID_WORD_COUNTS.join(', ')} words, got ${words.length}`);
  }
  if (!checksumMatches(indices)) {
    throw new DecodeError('BIP39_BAD_CHECKSUM', '"mnemonic" checksum does not match: a word is wrong or the words are out of order');
  }
  return joinWords(words, language);
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
