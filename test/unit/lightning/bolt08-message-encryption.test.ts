// BOLT 8 Appendix A "Message Encryption Tests": "hello" sent 1002 times (messages 0..1001), with
// the outputs the spec gives at 0, 1, 500, 501, 1000 and 1001 (two key rotations), the encrypted
// length/body of message 0 and 1, and the rotation HKDF lines; the receiving side decrypts them all.
import { bytesToHex as hex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { TransportCipher, _hkdf2 } from '../../../core/lightning/noise.js';
import { vectorText } from '../../support/vectors.js';
import { decodeErrorOf } from '../../support/decode-error.js';

const unhex = (s: string) => hexToBytes(s.replace(/^0x/, ''));
const text = vectorText('bolt08.md').split('## Message Encryption Tests')[1]!.split('# Acknowledgments')[0]!;
const field = (name: string) => new RegExp(`^\\s*${name}=(0x[0-9a-f]+)$`, 'm').exec(text)![1]!;
const keys = { ck: unhex(field('ck')), sk: unhex(field('sk')), rk: unhex(field('rk')) };
const outputs = [...text.matchAll(/output (\d+): (0x[0-9a-f]+)/g)].map((m) => ({ index: Number(m[1]), frame: m[2]!.slice(2) }));
const hello = new TextEncoder().encode('hello');

const decodeError = (fn: () => unknown): DecodeError => decodeErrorOf(fn);

/** Encrypts "hello" for message indexes 0..last, returning every frame. */
function sendAll(last: number): Uint8Array[] {
  const cipher = new TransportCipher(keys);
  return Array.from({ length: last + 1 }, () => cipher.encrypt(hello));
}

describe('BOLT 8 Appendix A: message encryption', () => {
  const frames = sendAll(1001);

  it('the spec lists outputs 0, 1, 500, 501, 1000, 1001', () => expect(outputs.map((o) => o.index)).toEqual([0, 1, 500, 501, 1000, 1001]));

  for (const { index, frame } of outputs) {
    it(`message encryption output ${index}`, () => expect(hex(frames[index]!)).toBe(frame));
  }

  it('messages 0 and 1: the encrypted length and body match the "encrypt l" / "encrypt m" lines', () => {
    const lines = [...text.matchAll(/# encrypt ([lm]): cleartext=(0x[0-9a-f]+), AD=NULL, sn=(0x[0-9a-f]+), sk=(0x[0-9a-f]+) => (0x[0-9a-f]+)/g)];
    expect(lines).toHaveLength(4);
    const parts = [frames[0]!.subarray(0, 18), frames[0]!.subarray(18), frames[1]!.subarray(0, 18), frames[1]!.subarray(18)];
    lines.forEach((m, i) => {
      expect(hex(parts[i]!)).toBe(m[5]!.slice(2));
      expect(m[4]).toBe(`0x${hex(keys.sk)}`); // no rotation yet
      expect(m[3]!.slice(2)).toBe(`00000000${i.toString(16).padStart(2, '0')}00000000000000`); // sn = 0,1,2,3 little-endian
    });
  });

  it('key rotations: each "k2, ck2 = HKDF(ck, k)" line of the spec', () => {
    const lines = [...text.matchAll(/# (0x[0-9a-f]+), (0x[0-9a-f]+) = HKDF\((0x[0-9a-f]+), (0x[0-9a-f]+)\)/g)];
    expect(lines).toHaveLength(4); // two rotations, each printed twice
    for (const [, ck2, k2, ck, k] of lines) expect(_hkdf2(unhex(ck!), unhex(k!)).map(hex)).toEqual([ck2!.slice(2), k2!.slice(2)]);
    // First rotation starts from the handshake's ck and sk; the second from the first's output.
    expect(lines[0]![3]).toBe(`0x${hex(keys.ck)}`);
    expect(lines[0]![4]).toBe(`0x${hex(keys.sk)}`);
    expect(lines[2]![3]).toBe(lines[0]![1]);
  });

  it('the receiver (keys swapped) decrypts all 1002 frames through both rotations', () => {
    const receiver = new TransportCipher({ ck: keys.ck, sk: keys.rk, rk: keys.sk });
    for (const frame of frames) {
      const length = receiver.decryptLength(frame.subarray(0, 18));
      expect(length).toBe(5);
      expect(receiver.decryptMessage(frame.subarray(18))).toEqual(hello);
    }
  });
});

describe('TransportCipher', () => {
  const pair = () => [new TransportCipher(keys), new TransportCipher({ ck: keys.ck, sk: keys.rk, rk: keys.sk })] as const;

  it('frames are 18 + length + 16 bytes, up to a 65535-byte message', () => {
    const [a, b] = pair();
    for (const n of [0, 1, 1024, 65535]) {
      const m = new Uint8Array(n).map((_, i) => i);
      const frame = a.encrypt(m);
      expect(frame.length).toBe(18 + n + 16);
      expect(b.decryptLength(frame.subarray(0, 18))).toBe(n);
      expect(b.decryptMessage(frame.subarray(18))).toEqual(m);
    }
    expect(() => a.encrypt(new Uint8Array(65536))).toThrow(/"message" expected at most 65535 bytes, got 65536/);
  });

  it('a flipped bit in the length or the body is a bad MAC, after which the receiver refuses everything', () => {
    const [a, b] = pair();
    const frame = a.encrypt(hello);
    frame[3]! ^= 1;
    expect(decodeError(() => b.decryptLength(frame.subarray(0, 18))).code).toBe('bad_mac');
    frame[3]! ^= 1;
    expect(decodeError(() => b.decryptLength(frame.subarray(0, 18))).code).toBe('bad_mac');

    const [c, d] = pair();
    const f2 = c.encrypt(hello);
    f2[20]! ^= 0x80;
    expect(d.decryptLength(f2.subarray(0, 18))).toBe(5);
    expect(decodeError(() => d.decryptMessage(f2.subarray(18))).code).toBe('bad_mac');
  });

  it('a reordered frame fails, and so does a replayed one (nonces advance)', () => {
    const [a, b] = pair();
    a.encrypt(hello); // frame 0, never delivered
    const second = a.encrypt(hello);
    expect(decodeError(() => b.decryptLength(second.subarray(0, 18))).code).toBe('bad_mac');

    const [c, d] = pair();
    const frame = c.encrypt(hello);
    expect(d.decryptLength(frame.subarray(0, 18))).toBe(5);
    expect(d.decryptMessage(frame.subarray(18))).toEqual(hello);
    expect(decodeError(() => d.decryptLength(frame.subarray(0, 18))).code).toBe('bad_mac');
  });

  it('a body of the wrong size or out of order is refused', () => {
    const [a, b] = pair();
    const frame = a.encrypt(hello);
    expect(decodeError(() => b.decryptMessage(frame.subarray(18))).code).toBe('frame_order');
    expect(b.decryptLength(frame.subarray(0, 18))).toBe(5);
    expect(decodeError(() => b.decryptLength(frame.subarray(0, 18))).code).toBe('frame_order');
    expect(decodeError(() => b.decryptMessage(frame.subarray(18, 30))).code).toBe('truncated');
    expect(decodeError(() => new TransportCipher(keys).decryptLength(frame.subarray(0, 17))).code).toBe('truncated');
  });
});
