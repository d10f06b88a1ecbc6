// CScriptNum encoding and minimal pushes (Bitcoin Core script.h / CheckMinimalPush) across the
// boundaries where encodings change size or need a sign byte, cross-checked with
// @scure/btc-signer's ScriptNum and Script encoders.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Script, ScriptNum } from '@scure/btc-signer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeScriptNumber, encodeScriptNumber, pushData, pushNumber } from '../../../core/bitcoin/script-number.js';

// [value, CScriptNum bytes, push fragment]
const BOUNDARIES: [number, string, string][] = [
  [0, '', '00'],
  ...Array.from({ length: 16 }, (_, i): [number, string, string] => [i + 1, (i + 1).toString(16).padStart(2, '0'), (0x51 + i).toString(16)]),
  [17, '11', '0111'],
  [127, '7f', '017f'],
  [128, '8000', '028000'],
  [255, 'ff00', '02ff00'],
  [256, '0001', '020001'],
  [32767, 'ff7f', '02ff7f'],
  [32768, '008000', '03008000'],
  [2 ** 31 - 1, 'ffffff7f', '04ffffff7f'],
  [2 ** 31, '0000008000', '050000008000'],
  [-1, '81', '4f'],
  [-2, '82', '0182'],
  [-127, 'ff', '01ff'],
  [-128, '8080', '028080'],
  [-255, 'ff80', '02ff80'],
  [-256, '0081', '020081'],
  [-(2 ** 31 - 1), 'ffffffff', '04ffffffff'],
];

describe('script numbers at encoding boundaries', () => {
  for (const [value, num, push] of BOUNDARIES) {
    it(`${value}: CScriptNum ${num || '(empty)'}, push ${push}`, () => {
      expect(bytesToHex(encodeScriptNumber(value))).toBe(num);
      expect(bytesToHex(encodeScriptNumber(BigInt(value)))).toBe(num);
      expect(bytesToHex(pushNumber(value))).toBe(push);
      expect(decodeScriptNumber(hexToBytes(num), 5)).toBe(BigInt(value));
      expect(bytesToHex(ScriptNum().encode(BigInt(value)))).toBe(num);
      expect(bytesToHex(Script.encode([value]))).toBe(push);
    });
  }
});

describe('script number decoding', () => {
  it.each([
    ['00', 'zero as 0x00'],
    ['80', 'negative zero'],
    ['0100', 'padding byte on a positive number'],
    ['0180', 'padding byte on a negative number'],
    ['ff0000', 'two padding bytes'],
  ])('rejects %s (%s) as SCRIPT_NUMBER_NOT_MINIMAL', (hex) => {
    expect(() => decodeScriptNumber(hexToBytes(hex))).toThrow(expect.objectContaining({ code: 'SCRIPT_NUMBER_NOT_MINIMAL' }));
  });

  it('accepts a sign byte that is needed', () => {
    expect(decodeScriptNumber(hexToBytes('8000'))).toBe(128n);
    expect(decodeScriptNumber(hexToBytes('ff80'))).toBe(-255n);
  });

  it('limits the length to 4 bytes by default and 5 for locktimes', () => {
    expect(() => decodeScriptNumber(hexToBytes('0000008000'))).toThrow(expect.objectContaining({ code: 'SCRIPT_NUMBER_TOO_LONG' }));
    expect(decodeScriptNumber(hexToBytes('0000008000'), 5)).toBe(2n ** 31n);
  });

  it('round-trips and agrees with @scure/btc-signer on random values', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 39n) + 1n, max: 2n ** 39n - 1n }), (n) => {
        const bytes = encodeScriptNumber(n);
        expect(bytes.length).toBeLessThanOrEqual(5);
        expect(decodeScriptNumber(bytes, 5)).toBe(n);
        expect(bytesToHex(bytes)).toBe(bytesToHex(ScriptNum().encode(n)));
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects non-integers', () => {
    expect(() => encodeScriptNumber(1.5)).toThrow(RangeError);
    expect(() => pushNumber(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});

describe('minimal data pushes', () => {
  it.each([
    ['', '00'],
    ['01', '51'],
    ['10', '60'],
    ['11', '0111'],
    ['81', '4f'],
    ['00', '0100'],
    ['ab'.repeat(75), '4b' + 'ab'.repeat(75)],
    ['ab'.repeat(76), '4c4c' + 'ab'.repeat(76)],
    ['ab'.repeat(255), '4cff' + 'ab'.repeat(255)],
    ['ab'.repeat(256), '4d0001' + 'ab'.repeat(256)],
    ['ab'.repeat(520), '4d0802' + 'ab'.repeat(520)],
  ])('push of %s', (data, expected) => {
    expect(bytesToHex(pushData(hexToBytes(data)))).toBe(expected);
  });

  it('uses OP_PUSHDATA4 beyond 65535 bytes', () => {
    const out = pushData(new Uint8Array(65536));
    expect(bytesToHex(out.subarray(0, 5))).toBe('4e00000100');
    expect(out.length).toBe(65541);
  });
});
