// Fuzz: the Playground decodes transactions and blocks that anyone can send to its RPC and Esplora
// endpoints. On random and on mutated valid inputs the decoders return a value or throw DecodeError,
// nothing else; what decodes re-encodes to the same bytes; address parsing never throws.
import { hex } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { addressToScript } from '../../../core/chain/playground/address.js';
import { GENESIS_BLOCK_HEX } from '../../../core/chain/playground/params.js';
import { decodeBlock, decodeHeader, decodeTx, encodeBlock, encodeTx } from '../../../core/chain/playground/wire.js';
import { fuzzRuns, fuzzTimeout } from '../../support/fuzz.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];
// Small seeds only, so each run stays cheap (every decoded transaction is hashed twice).
const blocks = [hex.decode(GENESIS_BLOCK_HEX), ...rows.map((r) => hex.decode(r[2])).filter((b) => b.length < 400)];
const witnessTx = decodeBlock(hex.decode(rows.find((r) => r[0] === 1263442)![2])).txs.find((t) => t.hasWitness)!.raw;
const txs = [...blocks.flatMap((b) => decodeBlock(b).txs.map((t) => t.raw)).filter((t) => t.length < 250), witnessTx];

/** Plain byte comparison: expect().toEqual on typed arrays costs more than the decoding. */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function decodesOrDecodeError(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
}

function mutated(seeds: Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.constantFrom('flip', 'insert', 'delete', 'cut'), fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
    )
    .map(([seed, edits]) => {
      let bytes = [...seed];
      for (const [op, at, value] of edits) {
        const i = bytes.length === 0 ? 0 : at % bytes.length;
        if (op === 'flip') bytes[i] = ((bytes[i] ?? 0) ^ (value || 1)) & 0xff;
        else if (op === 'insert') bytes.splice(i, 0, value);
        else if (op === 'delete') bytes.splice(i, 1);
        else bytes = bytes.slice(0, i);
      }
      return Uint8Array.from(bytes);
    });
}

const tx = (bytes: Uint8Array) =>
  decodesOrDecodeError(() => {
    const t = decodeTx(bytes);
    if (!sameBytes(encodeTx(t), bytes)) expect(encodeTx(t)).toEqual(bytes);
  });
const block = (bytes: Uint8Array) =>
  decodesOrDecodeError(() => {
    const b = decodeBlock(bytes);
    if (!sameBytes(encodeBlock(b.headerRaw, b.txs), bytes)) expect(encodeBlock(b.headerRaw, b.txs)).toEqual(bytes);
  });

describe('Playground wire decoders fuzz', () => {
  it('random and mutated transactions decode (and re-encode exactly) or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), mutated(txs)), tx), { numRuns: fuzzRuns });
  });

  it('random and mutated blocks and headers decode (blocks re-encode exactly) or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), mutated(blocks)), (bytes) => {
        block(bytes);
        decodesOrDecodeError(() => decodeHeader(bytes.subarray(0, 80)));
      }),
      { numRuns: fuzzRuns },
    );
  });

  it('address parsing returns a script or null for any string', { timeout: fuzzTimeout }, () => {
    const seeds = ['bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', 'bcrt1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqc8gma6', 'mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn', '2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc'];
    const mutatedAddress = fc
      .tuple(fc.constantFrom(...seeds), fc.nat(), fc.constantFrom(...'qpzry9x8gf2tvdw0s3jn54khce6mua7lQP1bcrtmn23'))
      .map(([s, at, ch]) => s.slice(0, at % s.length) + ch + s.slice((at % s.length) + 1));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 40 }), mutatedAddress), (s) => {
        const script = addressToScript(s);
        if (script !== null && !(script instanceof Uint8Array)) expect.unreachable(`addressToScript returned ${String(script)}`);
      }),
      { numRuns: fuzzRuns },
    );
  });
});
