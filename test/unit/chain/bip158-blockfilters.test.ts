// BIP158 basic block filters and BIP157 filter headers against the BIP's testnet vectors
// (bip-0158/testnet-19.json = Bitcoin Core src/test/data/blockfilters.json), plus matching.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import {
  BASIC_FILTER_M,
  basicFilter,
  basicFilterElements,
  decodeBasicFilter,
  encodeBasicFilter,
  filterHeader,
  GENESIS_PREV_FILTER_HEADER,
  matchAny,
} from '../../../core/chain/bip158.js';
import { blockHashOf, forEachOutputScript } from '../../../core/chain/block.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const [columns, ...rows] = vectorJson<[[string], ...Row[]]>('bip158-blockfilters.json');

describe('BIP158 vector file', () => {
  it('has the documented columns and 10 blocks', () => {
    expect(columns[0]).toBe(
      'Block Height,Block Hash,Block,[Prev Output Scripts for Block],Previous Basic Header,Basic Filter,Basic Header,Notes',
    );
    expect(rows).toHaveLength(10);
  });
});

describe('BIP158 basic filter vectors', () => {
  rows.forEach(([height, hash, blockHex, prevScriptsHex, prevHeader, filterHex, headerHex, notes], index) => {
    it(`BIP158 vector ${index} (height ${height}${notes ? `: ${notes}` : ''})`, () => {
      const block = hexToBytes(blockHex);
      const prevouts = prevScriptsHex.map((s) => hexToBytes(s));
      // Intermediate: the block hash that keys SipHash is the one of this header.
      expect(blockHashOf(block)).toBe(hash);
      // Intermediate: the element set (distinct, no empty, no OP_RETURN) and its size N.
      const elements = basicFilterElements(block, prevouts);
      const ids = elements.map((e) => bytesToHex(e));
      expect(new Set(ids).size).toBe(ids.length);
      for (const e of elements) {
        expect(e.length).toBeGreaterThan(0);
      }
      const outputs: string[] = [];
      forEachOutputScript(block, (s) => outputs.push(bytesToHex(s)));
      const expectedIds = new Set([
        ...outputs.filter((s) => s !== '' && !s.startsWith('6a')),
        ...prevScriptsHex.filter((s) => s !== ''),
      ]);
      expect(new Set(ids)).toEqual(expectedIds);
      const decoded = decodeBasicFilter(hexToBytes(filterHex));
      expect(decoded.n).toBe(elements.length);
      // The filter bytes and the header chained from the previous one.
      const filter = basicFilter(block, prevouts);
      expect(bytesToHex(filter)).toBe(filterHex);
      expect(filterHeader(filter, prevHeader)).toBe(headerHex);
      // Round trip: encoding the decoded set's elements in another order gives the same bytes.
      expect(bytesToHex(encodeBasicFilter(hash, [...elements].reverse()))).toBe(filterHex);
      // Matching: every element is found, alone and among strangers.
      for (const e of elements) {
        expect(matchAny(filter, hash, [e])).toBe(true);
        expect(matchAny(filter, hash, [hexToBytes('0014' + '00'.repeat(20)), e, hexToBytes('51')])).toBe(true);
      }
    });
  });

  it('BIP157 header chain: vector 1 (height 2) is the previous header of vector 2 (height 3)', () => {
    expect(rows[2]?.[4]).toBe(rows[1]?.[6]);
    expect(rows[0]?.[4]).toBe(GENESIS_PREV_FILTER_HEADER);
  });
});

describe('BIP158 matching', () => {
  const vector = rows.find((r) => r[0] === 926485) as Row;
  const [, hash, blockHex, prevHex, , filterHex] = vector;
  const filter = hexToBytes(filterHex);
  const block = hexToBytes(blockHex);
  const elements = basicFilterElements(block, prevHex.map((s) => hexToBytes(s)));
  const strangers = Array.from({ length: 200 }, (_, i) => hexToBytes('5120' + i.toString(16).padStart(64, '0')));

  it('finds a spent script (prevout) as well as an output script', () => {
    expect(matchAny(filter, hash, [hexToBytes('a914feb8a29635c56d9cd913122f90678756bf23887687')])).toBe(true);
  });

  it('rejects scripts that are not in the block', () => {
    expect(strangers.some((s) => elements.some((e) => bytesToHex(e) === bytesToHex(s)))).toBe(false);
    expect(matchAny(filter, hash, strangers)).toBe(false);
  });

  it('does not match an OP_RETURN output or an empty script', () => {
    const outputs: Uint8Array[] = [];
    forEachOutputScript(block, (s) => outputs.push(s));
    const opReturns = outputs.filter((s) => s[0] === 0x6a);
    expect(matchAny(filter, hash, [new Uint8Array(0)])).toBe(false);
    for (const s of opReturns) expect(matchAny(filter, hash, [s])).toBe(false);
  });

  it('is keyed by the block hash: the same filter under another hash misses its elements', () => {
    const other = rows[0]?.[1] as string;
    const hits = elements.filter((e) => matchAny(filter, other, [e])).length;
    expect(hits).toBeLessThan(elements.length);
  });

  it('an empty filter or an empty query set matches nothing', () => {
    const empty = hexToBytes(rows[9]?.[5] as string);
    expect(decodeBasicFilter(empty).n).toBe(0);
    expect(matchAny(empty, rows[9]?.[1] as string, elements)).toBe(false);
    expect(matchAny(filter, hash, [])).toBe(false);
  });

  it('a wallet of many scripts with one member in the block matches', () => {
    const member = elements[elements.length - 1] as Uint8Array;
    expect(matchAny(filter, hash, [...strangers, member])).toBe(true);
  });

  it('decoded values are ascending and below N·M', () => {
    const { n, values } = decodeBasicFilter(filter);
    for (let i = 1; i < n; i++) expect(values[i]).toBeGreaterThanOrEqual(values[i - 1] as number);
    expect(values[n - 1]).toBeLessThan(n * BASIC_FILTER_M);
  });
});

describe('BIP158 decoder errors', () => {
  const valid = hexToBytes(rows[6]?.[5] as string);
  const expectCode = (bytes: Uint8Array, code: string) => {
    expect(() => decodeBasicFilter(bytes)).toThrowError(DecodeError);
    try {
      decodeBasicFilter(bytes);
    } catch (err) {
      expect((err as DecodeError).code).toBe(code);
    }
  };

  it('empty input has no N', () => expectCode(new Uint8Array(0), 'BIP158_TRUNCATED'));
  it('truncated data', () => expectCode(valid.subarray(0, valid.length - 2), 'BIP158_TRUNCATED'));
  it('excess data after N values (Core: "encoded_filter contains excess data")', () =>
    expectCode(Uint8Array.from([...valid, 0]), 'BIP158_EXCESS_DATA'));
  it('non-canonical N', () => expectCode(Uint8Array.of(0xfd, 0x01, 0x00), 'BIP158_NONCANONICAL'));
  it('N above MAX_SIZE (Core: "ReadCompactSize(): size too large")', () =>
    expectCode(Uint8Array.of(0xfe, 0x01, 0x00, 0x00, 0x02), 'BIP158_TOO_MANY'));
  it('a truncated CompactSize', () => expectCode(Uint8Array.of(0xfe, 0x01), 'BIP158_TRUNCATED'));
  it('a quotient running off the end', () => expectCode(Uint8Array.of(0x01, 0xff, 0xff), 'BIP158_TRUNCATED'));
  it('bad block hash is a RangeError naming the field', () => {
    expect(() => matchAny(valid, 'zz', [])).toThrowError('"blockHash" expected 64 hex characters');
  });
});
