// BOLT 1 Appendix B: every TLV stream vector, in the n1/n2 namespaces the appendix defines, read
// from the spec text; plus the appendix's two "any appending" rules over all its streams.
import { bytesToHex as hex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { ByteReader } from '../../../core/lightning/byte-cursor.js';
import { type Codec, decode, encode, point, shortChannelId, struct, tu32, tu64, u16, u64 } from '../../../core/lightning/codec.js';
import { decodeTlvStream, encodeTlvStream, readTlvStream, tlv, type TlvFields, tlvStream, type TlvValues } from '../../../core/lightning/tlv.js';
import { vectorText } from '../../support/vectors.js';
import { decodeErrorOf } from '../../support/decode-error.js';

const unhex = (s: string) => hexToBytes(s.replace(/^0x/, '').replace(/\s+/g, ''));

// The namespaces exactly as Appendix B declares them (field names as in the spec).
const namespaces: Record<'n1' | 'n2', Codec<TlvValues<TlvFields>>> = {
  n1: tlvStream({
    tlv1: tlv(1n, struct({ amount_msat: tu64 })),
    tlv2: tlv(2n, struct({ scid: shortChannelId })),
    tlv3: tlv(3n, struct({ node_id: point, amount_msat_1: u64, amount_msat_2: u64 })),
    tlv4: tlv(254n, struct({ cltv_delta: u16 })),
  }),
  n2: tlvStream({
    tlv1: tlv(0n, struct({ amount_msat: tu64 })),
    tlv2: tlv(11n, struct({ cltv_expiry: tu32 })),
  }),
};
type Namespace = 'n1' | 'n2';

interface Case {
  section: string;
  index: number;
  valid: boolean;
  stream: string;
  note: string; // the Reason / Explanation / Values line
  namespaces: Namespace[];
}

/** Walks Appendix B: prose paragraphs set which namespaces the following numbered streams apply to. */
function appendixB(): Case[] {
  const text = vectorText('bolt01.md').split('## Appendix B: Type-Length-Value Test Vectors')[1]!.split('## Appendix C')[0]!;
  const cases: Case[] = [];
  let section = '';
  let scope: Namespace[] = [];
  let pending: Omit<Case, 'note'> | undefined;
  const counters = new Map<string, number>();
  for (const line of text.split('\n')) {
    const heading = /^### (.*)$/.exec(line);
    const entry = /^1\. (Valid|Invalid) stream: (0x[0-9a-f ]*)$/.exec(line);
    const note = /^2\. (Reason|Explanation|Values): (.*)$/.exec(line);
    if (heading) section = heading[1]!;
    else if (entry) {
      const n = (counters.get(section) ?? 0) + 1;
      counters.set(section, n);
      pending = { section, index: n, valid: entry[1] === 'Valid', stream: entry[2]!, namespaces: scope };
    } else if (note && pending) {
      cases.push({ ...pending, note: note[2]! });
      pending = undefined;
    } else if (/namespace/.test(line)) {
      scope = /any namespace|either namespace/.test(line) ? ['n1', 'n2'] : /`n2`/.test(line) ? ['n2'] : ['n1'];
    }
  }
  return cases;
}

// Each Reason of the appendix, mapped to the DecodeError we must raise and the field it must name.
const reasons: [RegExp, string, RegExp?][] = [
  [/^type truncated$/, 'truncated', /"type"/],
  [/^not minimally encoded type$/, 'bigsize_not_canonical', /"type"/],
  [/^missing length$/, 'truncated', /"length"/],
  [/^\(length truncated\)$/, 'truncated', /"length"/],
  [/^missing value$/, 'truncated', /"value"/],
  [/^not minimally encoded length$/, 'bigsize_not_canonical', /"length"/],
  [/^value truncated$/, 'truncated', /"value"/],
  [/^unknown even (type|field)/, 'tlv_unknown_even'],
  [/^(greater|less) than encoding length for `n1`s `(tlv\d)`/, 'tlv_length', /"tlv\d"/],
  [/^encoding for `n1`s `tlv1`s `amount_msat` is not minimal$/, 'not_minimal', /"amount_msat"/],
  [/^`n1`s `node_id` is not a valid point\.$/, 'invalid_point', /"node_id"/],
  [/invalid ordering|duplicate TLV type/, 'tlv_order'],
];

function expectedError(reason: string): { code: string; field?: RegExp } {
  const hit = reasons.find(([re]) => re.test(reason));
  if (!hit) throw new Error(`test does not know Appendix B reason "${reason}"`);
  return { code: hit[1], field: hit[2] };
}

const decodeError = (fn: () => unknown): DecodeError => decodeErrorOf(fn);

// "Values: `tlv1` `amount_msat`=1" → { tlv1: { amount_msat: 1n } }, converting by field type.
const fieldValue: Record<string, (s: string) => unknown> = {
  amount_msat: (s) => BigInt(s),
  amount_msat_1: (s) => BigInt(s),
  amount_msat_2: (s) => BigInt(s),
  cltv_delta: (s) => Number(s),
  node_id: (s) => unhex(s),
  scid: (s) => {
    const [block, txIndex, outputIndex] = s.split('x').map(Number);
    return { block, txIndex, outputIndex };
  },
};

function expectedValues(note: string): Record<string, Record<string, unknown>> {
  const tlvName = /^`(tlv\d)`/.exec(note)![1]!;
  const fields: Record<string, unknown> = {};
  for (const [, name, value] of note.matchAll(/`(\w+)`=(\S+)/g)) fields[name!] = fieldValue[name!]!(value!);
  return { [tlvName]: fields };
}

const cases = appendixB();

describe('BOLT 1 Appendix B: TLV streams', () => {
  it('parses every stream of the appendix (33 invalid + 19 valid single streams, 5 ordering failures)', () => {
    const count = (section: string, valid: boolean) => cases.filter((c) => c.section === section && c.valid === valid).length;
    expect(count('TLV Decoding Failures', false)).toBe(33);
    expect(count('TLV Decoding Successes', true)).toBe(19);
    expect(count('TLV Stream Decoding Failure', false)).toBe(5);
  });

  for (const c of cases) {
    for (const ns of c.namespaces) {
      const stream = c.stream.length > 60 ? `${c.stream.slice(0, 60)}…` : c.stream;
      const title = `${c.section} ${c.index} [${ns}]: ${stream} — ${c.note}`;
      if (!c.valid) {
        it(title, () => {
          const want = expectedError(c.note);
          const err = decodeError(() => decode(namespaces[ns], unhex(c.stream)));
          expect(err.code).toBe(want.code);
          if (want.field) expect(err.message).toMatch(want.field);
        });
        continue;
      }
      it(title, () => {
        const bytes = unhex(c.stream);
        const decoded = decode(namespaces[ns], bytes);
        const { unknown, ...known } = decoded;
        if (c.note.startsWith('`')) {
          expect(known).toEqual(expectedValues(c.note));
          expect(unknown).toEqual([]);
        } else {
          // "should correctly decode, and be ignored": nothing known, every record kept as unknown.
          expect(known).toEqual({});
          expect(unknown).toEqual(decodeTlvStream(bytes, []));
        }
        // Canonical: re-encoding what was decoded gives back the same bytes.
        expect(hex(encode(namespaces[ns], decoded))).toBe(hex(bytes));
      });
    }
  }

  const singles = cases.filter((c) => c.section !== 'TLV Stream Decoding Failure');
  const n1Valid = singles.filter((c) => c.valid && c.namespaces.includes('n1'));
  const n1Invalid = singles.filter((c) => !c.valid && c.namespaces.includes('n1'));

  it('TLV Stream Decoding Failure rule 1 [n1]: any valid stream followed by any invalid stream fails', () => {
    for (const v of n1Valid) {
      for (const bad of n1Invalid) {
        const joined = new Uint8Array([...unhex(v.stream), ...unhex(bad.stream)]);
        expect(() => decode(namespaces.n1, joined), `${v.stream} ++ ${bad.stream}`).toThrow(DecodeError);
      }
    }
  });

  it('TLV Stream Decoding Failure rule 2 [n1]: a valid stream followed by a higher-numbered valid stream decodes to both', () => {
    const types = (s: string) => decodeTlvStream(unhex(s), [1n, 2n, 3n, 254n]).map((r) => r.type);
    let pairs = 0;
    for (const low of n1Valid) {
      for (const high of n1Valid) {
        const lowTypes = types(low.stream);
        const highTypes = types(high.stream);
        if (lowTypes.length === 0 || highTypes.length === 0 || lowTypes.at(-1)! >= highTypes[0]!) continue;
        const joined = new Uint8Array([...unhex(low.stream), ...unhex(high.stream)]);
        const a = decode(namespaces.n1, unhex(low.stream));
        const b = decode(namespaces.n1, unhex(high.stream));
        expect(decode(namespaces.n1, joined), `${low.stream} ++ ${high.stream}`).toEqual({
          ...a,
          ...b,
          unknown: [...a.unknown!, ...b.unknown!],
        });
        pairs++;
      }
    }
    expect(pairs).toBeGreaterThan(50);
  });
});

describe('TLV raw record API', () => {
  it('decodeTlvStream keeps known records and unknown odd ones in order', () => {
    expect(decodeTlvStream(unhex('0100 0301aa fd0101 00'), [1n])).toEqual([
      { type: 1n, value: new Uint8Array() },
      { type: 3n, value: unhex('aa') },
      { type: 257n, value: new Uint8Array() },
    ]);
  });

  it('decodeTlvStream refuses an even type the caller does not know, accepts it once known', () => {
    expect(decodeError(() => decodeTlvStream(unhex('0201aa'), [])).code).toBe('tlv_unknown_even');
    expect(decodeTlvStream(unhex('0201aa'), [2n])).toEqual([{ type: 2n, value: unhex('aa') }]);
  });

  it('readTlvStream reads only its window', () => {
    const r = new ByteReader(unhex('0101aa ff'), 0, 3);
    expect(readTlvStream(r, () => true)).toEqual([{ type: 1n, value: unhex('aa') }]);
  });

  it('encodeTlvStream writes minimal BigSizes and refuses unsorted or duplicate types', () => {
    expect(hex(encodeTlvStream([{ type: 1n, value: unhex('2a') }, { type: 0x1_0000n, value: new Uint8Array(253) }]))).toBe(
      '01012a' + 'fe00010000' + 'fd00fd' + '00'.repeat(253),
    );
    expect(() => encodeTlvStream([{ type: 3n, value: new Uint8Array() }, { type: 1n, value: new Uint8Array() }])).toThrow(RangeError);
    expect(() => encodeTlvStream([{ type: 3n, value: new Uint8Array() }, { type: 3n, value: new Uint8Array() }])).toThrow(
      /strictly increasing/,
    );
  });

  it('a typed stream refuses to encode an unknown record that collides with a known field', () => {
    expect(() => encode(namespaces.n1, { tlv1: { amount_msat: 1n }, unknown: [{ type: 1n, value: new Uint8Array() }] })).toThrow(
      /TLV type 1 twice/,
    );
  });

  it('a typed stream sorts known fields and unknown records by type when encoding', () => {
    const bytes = encode(namespaces.n1, {
      tlv4: { cltv_delta: 550 },
      tlv1: { amount_msat: 256n },
      unknown: [{ type: 33n, value: new Uint8Array() }],
    });
    expect(hex(bytes)).toBe('01020100' + '2100' + 'fd00fe020226');
  });
});
