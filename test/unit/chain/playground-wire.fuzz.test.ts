// Fuzz: the Playground decodes transactions and blocks that anyone can send to its RPC and Esplora
// endpoints. On random and on mutated valid inputs the decoders return a value or throw DecodeError,
// nothing else; what decodes re-encodes to the same bytes; address parsing never throws.
import { hex } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressToScript } from '../../../core/chain/playground/address.js';
import { GENESIS_BLOCK_HEX } from '../../../core/chain/playground/params.js';
import { decodeBlock, decodeHeader, decodeTx, encodeBlock, encodeTx } from '../../../core/chain/playground/wire.js';
import { assertSameBytes, fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];
// Small seeds only, so each run stays cheap (every decoded transaction is hashed twice).
const blocks = [hex.decode(GENESIS_BLOCK_HEX), ...rows.map((r) => hex.decode(r[2])).filter((b) => b.length < 400)];
const witnessTx = decodeBlock(hex.decode(rows.find((r) => r[0] === 1263442)![2])).txs.find((t) => t.hasWitness)!.raw;
const txs = [...blocks.flatMap((b) => decodeBlock(b).txs.map((t) => t.raw)).filter((t) => t.length < 250), witnessTx];

function tx(bytes: Uint8Array): void {
  const t = valueOrDecodeError(() => decodeTx(bytes));
  if (t) assertSameBytes(encodeTx(t), bytes, 'transaction re-encoding');
}
function block(bytes: Uint8Array): void {
  const b = valueOrDecodeError(() => decodeBlock(bytes));
  if (b) assertSameBytes(encodeBlock(b.headerRaw, b.txs), bytes, 'block re-encoding');
}

describe('Playground wire decoders fuzz', () => {
  it('random and mutated transactions decode (and re-encode exactly) or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), mutatedBytes(txs)), tx), { numRuns: fuzzRuns });
  });

  it('random and mutated blocks and headers decode (blocks re-encode exactly) or throw DecodeError', { timeout: fuzzTimeout }, () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 100 }), mutatedBytes(blocks)), (bytes) => {
        block(bytes);
        valueOrDecodeError(() => decodeHeader(bytes.subarray(0, 80)));
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
