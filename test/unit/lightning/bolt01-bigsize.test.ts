// BOLT 1 Appendix A: every BigSize decoding and encoding vector, read from the spec text.
import { bytesToHex as hex, hexToBytes as unhex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { bigSizeLength, decodeBigSize, encodeBigSize } from '../../../core/lightning/bigsize.js';
import { vectorText } from '../../support/vectors.js';

interface BigSizeVector {
  name: string;
  value: string;
  bytes: string;
  exp_error?: string;
}

const appendixA = vectorText('bolt01.md').split('## Appendix A: BigSize Test Vectors')[1]!.split('## Appendix B')[0]!;

/** The JSON block after `heading`; u64 values are quoted first so 2^64-1 survives JSON.parse. */
function block(heading: string): BigSizeVector[] {
  const after = appendixA.split(heading)[1]!;
  const json = after.split('```json')[1]!.split('```')[0]!;
  return JSON.parse(json.replace(/"value": (\d+)/g, '"value": "$1"')) as BigSizeVector[];
}

// The Go reference's error strings, mapped to our stable codes.
const errorCodes: Record<string, string> = {
  'decoded bigsize is not canonical': 'bigsize_not_canonical',
  'unexpected EOF': 'truncated',
  EOF: 'truncated',
};

describe('BOLT 1 Appendix A: BigSize decoding', () => {
  const vectors = block('### BigSize Decoding Tests');
  it('has the 18 decoding vectors of the spec', () => expect(vectors).toHaveLength(18));
  vectors.forEach((v, i) => {
    it(`BigSize decoding ${i}: ${v.name}`, () => {
      if (v.exp_error === undefined) {
        expect(decodeBigSize(unhex(v.bytes))).toBe(BigInt(v.value));
        return;
      }
      const code = errorCodes[v.exp_error];
      expect(code, `unmapped error "${v.exp_error}"`).toBeDefined();
      let caught: unknown;
      try {
        decodeBigSize(unhex(v.bytes));
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(DecodeError);
      expect((caught as DecodeError).code).toBe(code);
    });
  });
});

describe('BOLT 1 Appendix A: BigSize encoding', () => {
  const vectors = block('### BigSize Encoding Tests');
  it('has the 8 encoding vectors of the spec', () => expect(vectors).toHaveLength(8));
  vectors.forEach((v, i) => {
    it(`BigSize encoding ${i}: ${v.name}`, () => {
      expect(hex(encodeBigSize(BigInt(v.value)))).toBe(v.bytes);
      expect(bigSizeLength(BigInt(v.value))).toBe(v.bytes.length / 2);
    });
  });

  it('refuses values outside u64', () => {
    expect(() => encodeBigSize(-1n)).toThrow(RangeError);
    expect(() => encodeBigSize(1n << 64n)).toThrow(/"bigsize" expected bigint in 0..2\^64-1, got 18446744073709551616/);
  });

  it('rejects bytes after the value', () => {
    expect(() => decodeBigSize(unhex('0000'))).toThrow(expect.objectContaining({ code: 'trailing_bytes' }));
  });
});
