// Fuzz: what co-signers send — key cards, setup files and PSBTs — either decodes or is refused with
// a typed error. Key cards and setup files: a value or DecodeError, nothing else. A PSBT read as a
// payment of the account (planInputs + signingProgress): a value, DecodeError, or the typed
// refusals SharedAccountError / PsbtError / MusigError.
// Run counts: random text at fuzzRuns; mutated valid cards at fuzzRuns/10 (each one that survives
// costs a Base58 xpub and a point decompression); mutated setup files at fuzzRuns/100 and mutated
// PSBTs at fuzzRuns/200 (a survivor re-derives the account and runs BIP327 KeyAgg several times),
// which keeps the file to a few seconds at the default 100k.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { regtest } from '../../../core/bitcoin/networks.js';
import { decodePsbt, encodePsbt, PsbtError } from '../../../core/bitcoin/psbt.js';
import { MusigError } from '../../../core/musig/errors.js';
import { SharedAccountError } from '../../../core/musig/coordination/errors.js';
import { formatKeyCard, parseKeyCard } from '../../../core/musig/coordination/key-card.js';
import { planInputs } from '../../../core/musig/coordination/input-plan.js';
import { formatSetup, parseSetup, sharedSetup } from '../../../core/musig/coordination/setup.js';
import { signingProgress } from '../../../core/musig/coordination/signing.js';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.js';
import { accountOf, people, proposal } from './coordination-fixtures.js';

const [alice, bob] = people();
const cardText = formatKeyCard(alice!.card, regtest);
const fx = accountOf([alice!, bob!], 2, { who: alice!, lock: 'older', value: 30 });
const setupText = formatSetup(sharedSetup('Fuzz', fx.policy, 0));
const psbtBytes = encodePsbt(proposal(fx, [{ chain: 0, index: 0, value: 50_000n }], { signers: [0, 1] }));

function decoderOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
}

function typedOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DecodeError || err instanceof SharedAccountError || err instanceof PsbtError || err instanceof MusigError)) throw err;
  }
}

/** Text with a few characters replaced, inserted or deleted. */
const mutatedText = (base: string) =>
  fc.array(fc.tuple(fc.nat(base.length), fc.constantFrom('replace', 'insert', 'delete'), fc.string({ minLength: 1, maxLength: 1 })), { minLength: 1, maxLength: 4 }).map((edits) => {
    let s = base;
    for (const [at, op, c] of edits) {
      const i = at % (s.length + 1);
      s = op === 'replace' ? s.slice(0, i) + c + s.slice(i + 1) : op === 'insert' ? s.slice(0, i) + c + s.slice(i) : s.slice(0, i) + s.slice(i + 1);
    }
    return s;
  });

const mutatedBytes = (base: Uint8Array) =>
  fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }).map((edits) => {
    const b = base.slice();
    for (const [at, v] of edits) b[at] = v;
    return b;
  });

describe('shared-account decoders fuzz', () => {
  it('the fixtures decode', () => {
    expect(parseKeyCard(cardText, regtest).text).toBe(alice!.card.text);
    expect(parseSetup(setupText, regtest, 'x').descriptor).toBe(sharedSetup('Fuzz', fx.policy, 0).descriptor);
    expect(planInputs(decodePsbt(psbtBytes), { policy: fx.policy, outputs: fx.account })).toHaveLength(1);
  });

  it(
    'key cards: random text is a card or DecodeError',
    () => {
      fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 40 }), fc.json({ maxDepth: 2 })), (text) => decoderOnly(() => parseKeyCard(text, regtest))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'key cards: mutated valid cards are a card or DecodeError',
    () => {
      fc.assert(fc.property(mutatedText(cardText), (text) => decoderOnly(() => parseKeyCard(text, regtest))), { numRuns: Math.ceil(fuzzRuns / 10) });
    },
    fuzzTimeout,
  );

  it(
    'setup files: random text and mutated valid files are a setup or DecodeError',
    () => {
      fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => decoderOnly(() => parseSetup(text, regtest, 'x'))), { numRuns: Math.ceil(fuzzRuns / 10) });
      fc.assert(fc.property(mutatedText(setupText), (text) => decoderOnly(() => parseSetup(text, regtest, 'x'))), { numRuns: Math.ceil(fuzzRuns / 100) });
    },
    fuzzTimeout,
  );

  it(
    'PSBTs from co-signers: mutated proposals are planned or refused with a typed error',
    () => {
      fc.assert(
        fc.property(mutatedBytes(psbtBytes), (bytes) =>
          typedOnly(() => {
            const tx = decodePsbt(bytes);
            signingProgress(tx, planInputs(tx, { policy: fx.policy, outputs: fx.account }), fx.policy);
          }),
        ),
        { numRuns: Math.ceil(fuzzRuns / 1000) },
      );
    },
    fuzzTimeout,
  );
});
