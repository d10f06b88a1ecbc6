// BOLT 8 Appendix A, "Initiator Tests" and "Responder Tests": every handshake vector, read from the
// spec text, including every failing act; the internal-state comments (h, ss, HKDF outputs, c, t)
// are asserted too.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex as hex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import {
  type InitiatorAwaitingActTwo,
  type ResponderAwaitingActThree,
  _ecdh,
  _hkdf2,
  initiatorActOne,
  initiatorActThree,
  responderActTwo,
  responderComplete,
} from '../../../core/lightning/noise.js';
import { vectorText } from '../../support/vectors.js';

const unhex = (s: string) => hexToBytes(s.replace(/^0x/, ''));

interface Step {
  act: string; // 'One' | 'Two' | 'Three' | '' (before any "# Act" comment)
  kind: 'input' | 'output' | 'comment';
  key?: string;
  value: string;
}

interface Vector {
  name: string;
  params: Record<string, string>;
  steps: Step[];
}

function vectors(section: string): Vector[] {
  const text = vectorText('bolt08.md').split(`## ${section}`)[1]!.split('```')[1]!;
  const out: Vector[] = [];
  let act = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line) continue;
    const name = /^name: (.*)$/.exec(line);
    if (name) {
      out.push({ name: name[1]!, params: {}, steps: [] });
      act = '';
      continue;
    }
    const v = out.at(-1)!;
    const param = /^(rs\.pub|ls\.priv|ls\.pub|e\.priv|e\.pub)[:=] ?(?:0x)?([0-9a-f]+)$/.exec(line);
    const io = /^(input|output): (.*)$/.exec(line);
    const actHeading = /^# Act (One|Two|Three)$/.exec(line);
    const kv = /^# ([\w.,]+)=(.*)$/.exec(line);
    if (param) v.params[param[1]!] = param[2]!;
    else if (io) v.steps.push({ act, kind: io[1] as 'input' | 'output', value: io[2]! });
    else if (actHeading) act = actHeading[1]!;
    else if (kv) v.steps.push({ act, kind: 'comment', key: kv[1]!, value: kv[2]! });
    else if (line.startsWith('#')) v.steps.push({ act, kind: 'comment', value: line.slice(2) });
  }
  return out;
}

/** The comment values of one act, by key; repeated keys (h) in order. */
function comments(v: Vector, act: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const s of v.steps) if (s.kind === 'comment' && s.act === act && s.key) m.set(s.key, [...(m.get(s.key) ?? []), s.value]);
  return m;
}

/** Every "# HKDF(a,b)" comment of an act checked against the "x,y=…" line after it (comment or output). */
function checkHkdfLines(v: Vector, act: string): number {
  const steps = v.steps.filter((s) => s.act === act);
  let checked = 0;
  steps.forEach((s, i) => {
    const call = /^HKDF\((0x[0-9a-f]+),(0x[0-9a-f]+|zero)\)$/.exec(s.value);
    if (!call) return;
    const result = steps[i + 1]!.value.replace(/^[\w,]+=/, '');
    const [a, b] = result.split(',').map(unhex);
    const ikm = call[2] === 'zero' ? new Uint8Array() : unhex(call[2]!);
    expect(_hkdf2(unhex(call[1]!), ikm).map(hex)).toEqual([hex(a!), hex(b!)]);
    checked++;
  });
  return checked;
}

/** "ERROR (ACT2_BAD_VERSION 1)" → the DecodeError our code must raise. */
function expectActError(expected: string, fn: () => unknown): void {
  const m = /^ERROR \((ACT\d_[A-Z_]+)(?: (\d+))?\)$/.exec(expected);
  if (!m) throw new Error(`not an error output: ${expected}`);
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DecodeError);
  expect((caught as DecodeError).code).toBe(m[1]!.toLowerCase());
  if (m[2]) expect((caught as DecodeError).message).toMatch(new RegExp(`version ${m[2]}\\b`));
}

const ios = (v: Vector, kind: 'input' | 'output') => v.steps.filter((s) => s.kind === kind).map((s) => s.value);

describe('BOLT 8 Appendix A: initiator', () => {
  const all = vectors('Initiator Tests');
  it('has the 5 initiator vectors of the spec', () => expect(all.map((v) => v.name)).toHaveLength(5));

  all.forEach((v, i) => {
    it(`initiator ${i}: ${v.name}`, () => {
      const p = v.params;
      const { actOne, state } = initiatorActOne({
        localSecret: unhex(p['ls.priv']!),
        remoteStatic: unhex(p['rs.pub']!),
        ephemeralSecret: unhex(p['e.priv']!),
      });
      const [actOneOut, actTwoOut, keysOut] = ios(v, 'output');
      expect(hex(actOne)).toBe(actOneOut!.slice(2));
      expect(hex(actOne.subarray(1, 34))).toBe(p['e.pub']);
      const [actTwo] = ios(v, 'input');
      if (actTwoOut!.startsWith('ERROR')) {
        expectActError(actTwoOut!, () => initiatorActThree(state, unhex(actTwo!)));
        return;
      }
      assertInitiatorTranscript(v, state, actOne, unhex(actTwo!), actTwoOut!, keysOut!);
    });
  });
});

function assertInitiatorTranscript(
  v: Vector,
  state: InitiatorAwaitingActTwo,
  actOne: Uint8Array,
  actTwo: Uint8Array,
  actThreeOut: string,
  keysOut: string,
): void {
  const p = v.params;
  // Act One
  const one = comments(v, 'One');
  expect(hex(_ecdh(unhex(p['e.priv']!), unhex(p['rs.pub']!)))).toBe(one.get('ss')![0]!.slice(2));
  const [ck1, tempK1] = one.get('ck,temp_k1')![0]!.split(',');
  expect(hex(state.ck)).toBe(ck1!.slice(2));
  expect(hex(actOne.subarray(34))).toBe(one.get('c')![0]);
  // c is the MAC under temp_k1 with the first h as associated data.
  expect(hex(chacha20poly1305(unhex(tempK1!), new Uint8Array(12), unhex(one.get('h')![0]!)).encrypt(new Uint8Array()))).toBe(one.get('c')![0]);
  expect(hex(state.h)).toBe(one.get('h')![1]!.slice(2));
  expect(checkHkdfLines(v, 'One')).toBe(1);

  // Act Two
  const two = comments(v, 'Two');
  const { actThree, keys, afterActTwo } = initiatorActThree(state, actTwo);
  expect(hex(actTwo.subarray(1, 34))).toBe(two.get('re')![0]!.slice(2));
  expect(hex(_ecdh(unhex(p['e.priv']!), actTwo.subarray(1, 34)))).toBe(two.get('ss')![0]!.slice(2));
  const [ck2, tempK2] = two.get('ck,temp_k2')![0]!.split(',');
  expect(hex(afterActTwo.ck)).toBe(ck2!.slice(2));
  expect(hex(afterActTwo.tempK2)).toBe(tempK2!.slice(2));
  expect(hex(afterActTwo.h)).toBe(two.get('h')![1]!.slice(2));
  expect(checkHkdfLines(v, 'Two')).toBe(1);

  // Act Three
  const three = comments(v, 'Three');
  expect(hex(actThree)).toBe(actThreeOut.slice(2));
  expect(hex(actThree.subarray(1, 50))).toBe(three.get('c')![0]!.slice(2));
  expect(hex(actThree.subarray(50))).toBe(three.get('t')![0]!.slice(2));
  expect(hex(keys.handshakeHash)).toBe(three.get('h')![0]!.slice(2));
  expect(hex(_ecdh(unhex(p['ls.priv']!), actTwo.subarray(1, 34)))).toBe(three.get('ss')![0]!.slice(2));
  expect(hex(keys.ck)).toBe(three.get('ck,temp_k3')![0]!.split(',')[0]!.slice(2));
  expect(checkHkdfLines(v, 'Three')).toBe(2);
  const [sk, rk] = /^sk,rk=(0x[0-9a-f]+),(0x[0-9a-f]+)$/.exec(keysOut)!.slice(1);
  expect(hex(keys.sk)).toBe(sk!.slice(2));
  expect(hex(keys.rk)).toBe(rk!.slice(2));
}

describe('BOLT 8 Appendix A: responder', () => {
  const all = vectors('Responder Tests');
  it('has the 10 responder vectors of the spec', () => expect(all).toHaveLength(10));

  all.forEach((v, i) => {
    it(`responder ${i}: ${v.name}`, () => {
      const p = v.params;
      const opts = { localSecret: unhex(p['ls.priv']!), ephemeralSecret: unhex(p['e.priv']!) };
      const [actOne, actThree] = ios(v, 'input');
      const [actTwoOut, finalOut] = ios(v, 'output');
      if (actTwoOut!.startsWith('ERROR')) {
        expectActError(actTwoOut!, () => responderActTwo(opts, unhex(actOne!)));
        return;
      }
      const { actTwo, state, afterActOne } = responderActTwo(opts, unhex(actOne!));
      expect(hex(actTwo)).toBe(actTwoOut!.slice(2));
      expect(hex(actTwo.subarray(1, 34))).toBe(p['e.pub']);
      if (finalOut!.startsWith('ERROR')) {
        expectActError(finalOut!, () => responderComplete(state, unhex(actThree!)));
        // The bad-rs vector documents what the ciphertext decrypts to: an 0x04-prefixed key.
        const rs = comments(v, 'Three').get('rs')?.[0];
        if (rs) expect(rs.slice(0, 4)).toBe('0x04');
        return;
      }
      assertResponderTranscript(v, afterActOne, state, unhex(actThree!), finalOut!);
    });
  });
});

function assertResponderTranscript(
  v: Vector,
  afterActOne: { ck: Uint8Array; h: Uint8Array; tempK1: Uint8Array },
  state: ResponderAwaitingActThree,
  actThree: Uint8Array,
  keysOut: string,
): void {
  const p = v.params;
  const one = comments(v, 'One');
  const [ck1, tempK1] = one.get('ck,temp_k1')![0]!.split(',');
  expect(hex(afterActOne.ck)).toBe(ck1!.slice(2));
  expect(hex(afterActOne.tempK1)).toBe(tempK1!.slice(2));
  expect(hex(afterActOne.h)).toBe(one.get('h')![1]!.slice(2));
  expect(checkHkdfLines(v, 'One')).toBe(1);

  const two = comments(v, 'Two');
  const [ck2, tempK2] = two.get('ck,temp_k2')![0]!.split(',');
  expect(hex(state.ck)).toBe(ck2!.slice(2));
  expect(hex(state.tempK2)).toBe(tempK2!.slice(2));
  expect(hex(state.h)).toBe(two.get('h')![1]!.slice(2));
  expect(hex(_ecdh(unhex(p['e.priv']!), unhex(one.get('re')![0]!)))).toBe(two.get('ss')![0]!.slice(2));
  expect(checkHkdfLines(v, 'Two')).toBe(1);

  const three = comments(v, 'Three');
  const { remoteStatic, keys } = responderComplete(state, actThree);
  expect(hex(remoteStatic)).toBe(three.get('rs')![0]!.slice(2));
  expect(hex(keys.handshakeHash)).toBe(three.get('h')![0]!.slice(2));
  expect(hex(_ecdh(unhex(p['e.priv']!), remoteStatic))).toBe(three.get('ss')![0]!.slice(2));
  expect(hex(keys.ck)).toBe(three.get('ck,temp_k3')![0]!.split(',')[0]!.slice(2));
  expect(checkHkdfLines(v, 'Three')).toBe(2);
  const [rk, sk] = /^rk,sk=(0x[0-9a-f]+),(0x[0-9a-f]+)$/.exec(keysOut)!.slice(1);
  expect(hex(keys.rk)).toBe(rk!.slice(2));
  expect(hex(keys.sk)).toBe(sk!.slice(2));
}

describe('handshake between the two state machines', () => {
  it('with random ephemeral keys both sides agree on keys and hash, and the responder learns the initiator id', () => {
    const initiatorSecret = new Uint8Array(32).fill(0x31);
    const responderSecret = new Uint8Array(32).fill(0x32);
    const { actOne, state: i1 } = initiatorActOne({
      localSecret: initiatorSecret,
      remoteStatic: secp256k1.getPublicKey(responderSecret, true),
    });
    const { actTwo, state: r1 } = responderActTwo({ localSecret: responderSecret }, actOne);
    const { actThree, keys: ik } = initiatorActThree(i1, actTwo);
    const { remoteStatic, keys: rk } = responderComplete(r1, actThree);
    expect(hex(remoteStatic)).toBe(hex(secp256k1.getPublicKey(initiatorSecret, true)));
    expect(hex(ik.sk)).toBe(hex(rk.rk));
    expect(hex(ik.rk)).toBe(hex(rk.sk));
    expect(hex(ik.ck)).toBe(hex(rk.ck));
    expect(hex(ik.handshakeHash)).toBe(hex(rk.handshakeHash));
  });

  it('an initiator aiming at the wrong node id fails at the responder with act1_bad_tag', () => {
    const { actOne } = initiatorActOne({ localSecret: new Uint8Array(32).fill(1), remoteStatic: secp256k1.getPublicKey(new Uint8Array(32).fill(2), true) });
    expect(() => responderActTwo({ localSecret: new Uint8Array(32).fill(3) }, actOne)).toThrow(expect.objectContaining({ code: 'act1_bad_tag' }));
  });

  it('refuses a bad local secret or remote key before sending anything', () => {
    expect(() => initiatorActOne({ localSecret: new Uint8Array(32), remoteStatic: unhex(vectors('Initiator Tests')[0]!.params['rs.pub']!) })).toThrow(
      /"localSecret" expected a 32-byte secp256k1 secret key/,
    );
    expect(() => initiatorActOne({ localSecret: new Uint8Array(32).fill(1), remoteStatic: new Uint8Array(33) })).toThrow(/"remoteStatic"/);
    expect(() => responderActTwo({ localSecret: new Uint8Array(31) }, new Uint8Array(50))).toThrow(RangeError);
  });
});
