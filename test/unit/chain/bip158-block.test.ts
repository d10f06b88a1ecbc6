// The serialized-block reader BIP158 filter construction runs on (core/chain/block.ts), checked on
// the BIP158 vector blocks: txids reproduce each header's merkle root, input counts match the
// spent-script lists, and malformed blocks fail with the exact DecodeError.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { blockHashOf, displayHex, forEachOutputScript, hash256, readBlockTxs, readHeader } from '../../../core/chain/block.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];

function merkleRoot(txids: string[]): string {
  let level: Uint8Array[] = txids.map((t) => hexToBytes(t).reverse());
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i] as Uint8Array;
      next.push(hash256(a, level[i + 1] ?? a));
    }
    level = next;
  }
  return displayHex(level[0] as Uint8Array);
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DecodeError);
    return (err as DecodeError).code;
  }
  throw new Error('expected a DecodeError');
}

describe('BIP158 vector blocks through the block reader', () => {
  rows.forEach(([height, hash, blockHex, prevScripts], index) => {
    it(`BIP158 vector ${index} (height ${height}): hash, merkle root, input and output counts`, () => {
      const block = hexToBytes(blockHex);
      expect(blockHashOf(block)).toBe(hash);
      const header = readHeader(block);
      const txs = readBlockTxs(block);
      expect(merkleRoot(txs.map((t) => t.txid))).toBe(header.merkleRoot);
      // Every non-coinbase input spends exactly one of the listed prevout scripts.
      const inputs = txs.slice(1).reduce((sum, t) => sum + t.inputs.length, 0);
      expect(inputs).toBe(prevScripts.length);
      expect(txs[0]?.inputs).toEqual([{ txid: '00'.repeat(32), vout: 0xffffffff }]);
      // The fast path sees the same scripts in the same order.
      const scripts: string[] = [];
      const inputCounts = forEachOutputScript(block, (s) => scripts.push(bytesToHex(s)));
      expect(scripts).toEqual(txs.flatMap((t) => t.outputs.map((o) => bytesToHex(o.script))));
      expect(inputCounts).toEqual(txs.map((t) => t.inputs.length));
    });
  });

  it('genesis (testnet3) header fields', () => {
    const header = readHeader(hexToBytes(rows[0]?.[2] as string));
    expect(header).toEqual({
      version: 1,
      prevHash: '00'.repeat(32),
      merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      time: 1296688602,
      bits: 0x1d00ffff,
      nonce: 414098458,
    });
    const [coinbase] = readBlockTxs(hexToBytes(rows[0]?.[2] as string));
    expect(coinbase?.outputs[0]?.value).toBe(5_000_000_000n);
  });
});

describe('block reader errors', () => {
  const block = hexToBytes(rows[8]?.[2] as string); // segwit block
  it('a header shorter than 80 bytes', () => expect(codeOf(() => readHeader(block.subarray(0, 79)))).toBe('BLOCK_TRUNCATED'));
  it('a block cut inside a transaction', () =>
    expect(codeOf(() => readBlockTxs(block.subarray(0, block.length - 5)))).toBe('BLOCK_TRUNCATED'));
  it('bytes after the last transaction', () =>
    expect(codeOf(() => forEachOutputScript(Uint8Array.from([...block, 0]), () => {}))).toBe('BLOCK_TRAILING_DATA'));
  it('a non-canonical transaction count', () => {
    const bad = Uint8Array.from([...block.subarray(0, 80), 0xfd, 0x01, 0x00]);
    expect(codeOf(() => readBlockTxs(bad))).toBe('BLOCK_NONCANONICAL_SIZE');
  });
  it('a transaction count above MAX_SIZE', () => {
    const bad = Uint8Array.from([...block.subarray(0, 80), 0xfe, 0x01, 0x00, 0x00, 0x02]);
    expect(codeOf(() => readBlockTxs(bad))).toBe('BLOCK_SIZE_TOO_LARGE');
  });
  it('a segwit flag other than 0x01', () => {
    const bad = Uint8Array.from([...block.subarray(0, 80), 0x01, 1, 0, 0, 0, 0x00, 0x02]);
    expect(codeOf(() => readBlockTxs(bad))).toBe('BLOCK_BAD_TX');
  });
});
