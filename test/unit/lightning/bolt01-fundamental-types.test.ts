// BOLT 1 "Fundamental Types": Appendix D signed-integer vectors (every one), truncated integers,
// short_channel_id, point, and the bounds every codec enforces on encode and decode.
import { bytesToHex as hex, hexToBytes as unhex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { addressDescriptor } from '../../../core/lightning/address-descriptor.js';
import {
  type Codec,
  counted,
  decode,
  encode,
  fixedList,
  list,
  point,
  s16,
  s32,
  s64,
  s8,
  shortChannelId,
  tu16,
  tu32,
  tu64,
  u16,
  u32,
  u64,
  u8,
  varbytes,
} from '../../../core/lightning/codec.js';
import { vectorText } from '../../support/vectors.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof DecodeError) return err.code;
    throw err;
  }
  throw new Error('expected a DecodeError, decoding succeeded');
}

describe('BOLT 1 Appendix D: signed integers', () => {
  const text = vectorText('bolt01.md').split('## Appendix D: Signed Integers Test Vectors')[1]!;
  const json = text.split('```json')[1]!.split('```')[0]!;
  // Quote the numbers first: ±2^63 do not survive JSON.parse as numbers.
  const vectors = JSON.parse(json.replace(/"value": (-?\d+)/g, '"value": "$1"')) as { value: string; bytes: string }[];
  const widths = { 1: s8, 2: s16, 4: s32 } as Record<number, Codec<number>>;

  it('has the 23 vectors of the spec', () => expect(vectors).toHaveLength(23));
  vectors.forEach((v, i) => {
    it(`signed integer ${i}: ${v.value} = ${v.bytes}`, () => {
      const size = v.bytes.length / 2;
      const value = BigInt(v.value);
      if (size === 8) {
        expect(hex(encode(s64, value))).toBe(v.bytes);
        expect(decode(s64, unhex(v.bytes))).toBe(value);
      } else {
        const codec = widths[size]!;
        expect(hex(encode(codec, Number(value)))).toBe(v.bytes);
        expect(decode(codec, unhex(v.bytes))).toBe(Number(value));
      }
      // The vector uses the smallest signed type that holds the value: every smaller one refuses it.
      for (const smaller of [1, 2, 4].filter((s) => s < size)) {
        expect(() => encode(widths[smaller]!, Number(value))).toThrow(RangeError);
      }
    });
  });
});

describe('truncated unsigned integers (tu16, tu32, tu64)', () => {
  it('omit leading zero bytes, zero is empty', () => {
    expect(hex(encode(tu64, 0n))).toBe('');
    expect(hex(encode(tu64, 1n))).toBe('01');
    expect(hex(encode(tu64, 0x0100n))).toBe('0100');
    expect(hex(encode(tu64, 0xffff_ffff_ffff_ffffn))).toBe('ffffffffffffffff');
    expect(hex(encode(tu32, 0x01_0000))).toBe('010000');
    expect(hex(encode(tu16, 65535))).toBe('ffff');
  });

  it('decode what they encode, and refuse a leading zero or too many bytes', () => {
    expect(decode(tu32, unhex('01000000'))).toBe(0x0100_0000);
    expect(decode(tu16, new Uint8Array())).toBe(0);
    expect(codeOf(() => decode(tu32, unhex('00ff')))).toBe('not_minimal');
    expect(codeOf(() => decode(tu32, unhex('0100000000')))).toBe('tlv_length');
    expect(codeOf(() => decode(tu16, unhex('010000')))).toBe('tlv_length');
  });

  it('refuse out-of-range values when encoding, naming the field', () => {
    expect(() => encode(tu16, 65536, 'cltv_delta')).toThrow(/"cltv_delta" expected integer in 0..65535, got 65536/);
    expect(() => encode(tu64, -1n, 'amount_msat')).toThrow(RangeError);
  });
});

describe('fixed-size unsigned integers', () => {
  it('are big-endian', () => {
    expect(hex(encode(u16, 0x0102))).toBe('0102');
    expect(hex(encode(u32, 0xfffffffe))).toBe('fffffffe');
    expect(hex(encode(u64, 0x0102030405060708n))).toBe('0102030405060708');
    expect(decode(u32, unhex('80000000'))).toBe(0x8000_0000);
  });

  it('refuse out-of-range and non-integer values with the field name', () => {
    expect(() => encode(u8, 256, 'channel_flags')).toThrow(/"channel_flags" expected integer in 0..255, got 256/);
    expect(() => encode(u16, 1.5, 'to_self_delay')).toThrow(TypeError);
    expect(() => encode(u64, -1n, 'amount')).toThrow(/"amount" expected bigint in 0..18446744073709551615, got -1/);
  });

  it('report a short read naming the field', () => {
    expect(() => decode(u32, unhex('000000'), 'feerate_per_kw')).toThrow(/"feerate_per_kw" needs 4 bytes, 3 left/);
  });
});

describe('short_channel_id', () => {
  it('is 3 bytes block, 3 bytes transaction index, 2 bytes output index', () => {
    const scid = { block: 539268, txIndex: 845, outputIndex: 1 };
    expect(hex(encode(shortChannelId, scid))).toBe('083a8400034d0001');
    expect(decode(shortChannelId, unhex('083a8400034d0001'))).toEqual(scid);
  });
});

describe('point', () => {
  const g = '0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798';
  it('accepts a compressed point on the curve', () => expect(hex(decode(point, unhex(g)))).toBe(g));
  it('refuses another prefix, or an x with no point', () => {
    expect(codeOf(() => decode(point, unhex('04' + g.slice(2))))).toBe('invalid_point');
    expect(codeOf(() => decode(point, unhex('02' + '00'.repeat(32))))).toBe('invalid_point');
    expect(codeOf(() => decode(point, unhex('02' + 'ff'.repeat(32))))).toBe('invalid_point');
  });
});

describe('lists and byte strings', () => {
  it('varbytes is a u16 length then the bytes', () => {
    expect(hex(encode(varbytes, unhex('abcd')))).toBe('0002abcd');
    expect(() => encode(varbytes, new Uint8Array(65536))).toThrow(RangeError);
    expect(codeOf(() => decode(varbytes, unhex('0003abcd')))).toBe('truncated');
  });

  it('counted refuses a count the remaining bytes cannot hold before reading any item', () => {
    expect(codeOf(() => decode(counted(u64), unhex('ffff' + '00'.repeat(16))))).toBe('truncated');
    expect(decode(counted(u16), unhex('00020001ffff'))).toEqual([1, 65535]);
  });

  it('list reads whole items to the end and refuses a partial one', () => {
    expect(decode(list(u16), unhex('00010002'))).toEqual([1, 2]);
    expect(codeOf(() => decode(list(u16), unhex('000100')))).toBe('truncated');
    expect(() => list(tu64)).toThrow(TypeError);
  });

  it('fixedList needs exactly n items', () => {
    expect(() => encode(fixedList(2, u8), [1])).toThrow(/expected 2 items, got 1/);
  });

  it('decode refuses trailing bytes', () => expect(codeOf(() => decode(u8, unhex('0102')))).toBe('trailing_bytes'));
});

describe('BOLT 7 address descriptors (for remote_addr)', () => {
  const cases: [string, string][] = [
    ['ipv4 127.0.0.1:9735', '017f0000012607'],
    ['ipv6 ::1:9735', '02' + '00'.repeat(15) + '01' + '2607'],
    ['torv3', '04' + 'ab'.repeat(35) + '2607'],
    ['dns example.com:9735', '050b' + hex(new TextEncoder().encode('example.com')) + '2607'],
    ['unknown type 7 kept raw', '07cafe'],
  ];
  for (const [name, wire] of cases) {
    it(`${name} round-trips`, () => expect(hex(encode(addressDescriptor, decode(addressDescriptor, unhex(wire))))).toBe(wire));
  }
  it('decodes parts', () => {
    expect(decode(addressDescriptor, unhex('017f0000012607'))).toEqual({ type: 'ipv4', addr: unhex('7f000001'), port: 9735 });
    expect(decode(addressDescriptor, unhex('050b' + hex(new TextEncoder().encode('example.com')) + '2607'))).toEqual({
      type: 'dns',
      hostname: 'example.com',
      port: 9735,
    });
  });
  it('refuses a non-ASCII or empty hostname and a short address', () => {
    expect(codeOf(() => decode(addressDescriptor, unhex('0501ff2607')))).toBe('invalid_hostname');
    expect(codeOf(() => decode(addressDescriptor, unhex('05002607')))).toBe('invalid_hostname');
    expect(codeOf(() => decode(addressDescriptor, unhex('017f00')))).toBe('truncated');
    expect(() => encode(addressDescriptor, { type: 'dns', hostname: 'ünï', port: 1 })).toThrow(/ASCII/);
  });
});
