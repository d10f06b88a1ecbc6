// The Playground's wire codec (BIP144 transactions, blocks, headers): real blocks from the BIP158
// vector file (testnet, incl. one with witness data) decode to their published hashes, their merkle
// roots recompute from our txids, and they re-encode byte for byte; the regtest genesis block is
// Core's; malformed bytes fail with the documented DecodeError codes.
import { hex } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { merkleRoot, witnessCommitment, witnessCommitmentIndex } from '../../../core/chain/playground/block-rules.js';
import { GENESIS_BLOCK_HEX, GENESIS_HASH } from '../../../core/chain/playground/params.js';
import { decodeBlock, decodeHeader, decodeTx, encodeBlock, encodeTx } from '../../../core/chain/playground/wire.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];

describe('blocks from the BIP158 vectors', () => {
  for (const [height, hash, raw, , , , , notes] of rows) {
    it(`BIP158 block ${height} (${notes || 'plain'}): hash, merkle root and re-encoding`, () => {
      const bytes = hex.decode(raw);
      const block = decodeBlock(bytes);
      expect(block.hash).toBe(hash);
      expect(merkleRoot(block.txs.map((t) => t.txid))).toEqual({ root: block.header.merkleRoot, mutated: false });
      expect(encodeBlock(block.headerRaw, block.txs)).toEqual(bytes);
      expect(block.size).toBe(bytes.length);
      expect(block.weight).toBe(block.strippedSize * 3 + block.size);
      for (const tx of block.txs) expect(encodeTx(tx)).toEqual(tx.raw);
    });
  }

  it('BIP158 block 1263442 carries witness data: wtxids differ and the commitment matches', () => {
    const block = decodeBlock(hex.decode(rows.find((r) => r[0] === 1263442)![2]));
    const witnessTxs = block.txs.filter((t) => t.hasWitness);
    expect(witnessTxs.length).toBeGreaterThan(0);
    for (const tx of witnessTxs) {
      expect(tx.wtxid).not.toBe(tx.txid);
      expect(tx.weight).toBe(tx.baseSize * 3 + tx.size);
      expect(tx.vsize).toBe(Math.ceil(tx.weight / 4));
      expect(encodeTx(tx, false).length).toBe(tx.baseSize);
    }
    const coinbase = block.txs[0]!;
    const at = witnessCommitmentIndex(coinbase);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(coinbase.outputs[at]!.script.subarray(6, 38)).toEqual(witnessCommitment(block.txs, coinbase.inputs[0]!.witness[0]!));
  });
});

describe('regtest genesis', () => {
  it('is Bitcoin Core’s regtest genesis block', () => {
    const block = decodeBlock(hex.decode(GENESIS_BLOCK_HEX));
    expect(block.hash).toBe(GENESIS_HASH);
    expect(block.header).toEqual({
      version: 1,
      prevHash: '0'.repeat(64),
      merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      time: 1296688602,
      bits: 0x207fffff,
      nonce: 2,
    });
    expect(block.txs[0]!.txid).toBe('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    expect(block.txs[0]!.outputs[0]!.value).toBe(5_000_000_000n);
    expect(decodeHeader(block.headerRaw)).toEqual(block.header);
  });
});

describe('malformed transactions', () => {
  const valid = decodeBlock(hex.decode(rows.find((r) => r[0] === 1263442)![2])).txs.find((t) => t.hasWitness)!.raw;
  const legacy = decodeBlock(hex.decode(GENESIS_BLOCK_HEX)).txs[0]!.raw;
  const code = (bytes: Uint8Array): string => {
    try {
      decodeTx(bytes);
    } catch (err) {
      expect(err).toBeInstanceOf(DecodeError);
      return (err as DecodeError).code;
    }
    return 'OK';
  };

  it('truncated input is TRUNCATED', () => {
    expect(code(valid.subarray(0, valid.length - 1))).toBe('TRUNCATED');
    expect(code(new Uint8Array())).toBe('TRUNCATED');
  });
  it('bytes after the locktime are TRAILING_BYTES', () => {
    expect(code(Uint8Array.from([...legacy, 0]))).toBe('TRAILING_BYTES');
  });
  it('a CompactSize with a longer encoding than needed is NON_CANONICAL', () => {
    // version, then input count 1 written as 0xfd 0x01 0x00.
    expect(code(Uint8Array.from([...legacy.subarray(0, 4), 0xfd, 0x01, 0x00, ...legacy.subarray(5)]))).toBe('NON_CANONICAL');
  });
  it('a CompactSize above 0x02000000 is TOO_LARGE', () => {
    expect(code(Uint8Array.from([...legacy.subarray(0, 4), 0xfe, 0x01, 0x00, 0x00, 0x04]))).toBe('TOO_LARGE');
  });
  it('the witness flag with only empty witnesses is SUPERFLUOUS_WITNESS', () => {
    const tx = decodeTx(valid);
    const stripped = encodeTx(tx, false);
    const bytes = Uint8Array.from([...stripped.subarray(0, 4), 0, 1, ...stripped.subarray(4, -4), ...tx.inputs.map(() => 0), ...stripped.subarray(-4)]);
    expect(code(bytes)).toBe('SUPERFLUOUS_WITNESS');
  });
  it('an unknown flag byte is UNKNOWN_FLAG', () => {
    const bytes = Uint8Array.from(valid);
    bytes[5] = 0x03;
    expect(code(bytes)).toBe('UNKNOWN_FLAG');
  });
  it('the valid transactions decode', () => {
    expect(code(valid)).toBe('OK');
    expect(code(legacy)).toBe('OK');
  });
});
