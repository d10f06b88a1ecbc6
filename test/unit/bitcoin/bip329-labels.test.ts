// BIP329 wallet labels: the BIP's test-vector export (test/vectors/bip329-labels.jsonl) parsed
// record by record and exported back line for line; Sparrow-style additional fields kept; and each
// kind of bad line refused with its line number.
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { exportLabels, isKnownLabelType, parseLabels, type WalletLabel } from '../../../core/bitcoin/labels.js';
import { vectorText } from '../../support/vectors.js';

const text = vectorText('bip329-labels.jsonl');
const lines = text.split('\n').filter((l) => l.trim());
const TXID = 'f91d0a8a78462bc59398f2c5d7a84fcff491c26ba54c4833478b202796c8aafd';

const EXPECTED: WalletLabel[] = [
  { type: 'tx', ref: TXID, label: 'Transaction', origin: "wpkh([d34db33f/84'/0'/0'])" },
  { type: 'addr', ref: 'bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c', label: 'Address' },
  { type: 'pubkey', ref: '0283409659355b6d1cc3c32decd5d561abaac86c37a353b52895a5e6c196d6f448', label: 'Public Key' },
  { type: 'input', ref: `${TXID}:0`, label: 'Input' },
  { type: 'output', ref: `${TXID}:1`, label: 'Output', spendable: false },
  {
    type: 'xpub',
    ref: 'xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8',
    label: 'Extended Public Key',
  },
  {
    type: 'spscan',
    ref: 'spscan1q5zs2pg9q5zs2pg9q5zs2pg9q5zs2pg9q5zs2pg9q5zs2pg9q5zsq9q6qjevn2kmdrnpuxt0v6h2kr2a2epkr0g6nk55ftf0xcxtddazgkrth3e',
    label: 'Silent Payments Scan Key Expression',
  },
  { type: 'tx', ref: 'f546156d9044844e02b181026a1a407abfca62e7ea1159f87bbeaa77b4286c74', label: 'Account #1 Transaction', origin: "wpkh([d34db33f/84'/0'/1'])" },
];

describe('BIP329 test vector', () => {
  const parsed = parseLabels(text);
  it('has 8 records, one per line', () => {
    expect(lines).toHaveLength(8);
    expect(parsed).toHaveLength(8);
  });
  EXPECTED.forEach((expected, i) => {
    it(`BIP329 vector line ${i + 1}: ${expected.type} "${expected.label}"`, () => {
      expect(parsed[i]).toEqual(expected);
      expect(isKnownLabelType(parsed[i]!.type)).toBe(expected.type !== 'spscan');
    });
  });
  it('exports back line for line: same JSON object, same key order, one line each', () => {
    const exported = exportLabels(parsed);
    expect(exported.endsWith('\n')).toBe(true);
    const out = exported.split('\n').slice(0, -1);
    expect(out).toHaveLength(lines.length);
    out.forEach((line, i) => {
      expect(JSON.parse(line)).toEqual(JSON.parse(lines[i]!));
      expect(Object.keys(JSON.parse(line))).toEqual(Object.keys(JSON.parse(lines[i]!)));
    });
    // The compact (Sparrow/Gson) spelling of the vector's fifth line.
    expect(out[4]).toBe(`{"type":"output","ref":"${TXID}:1","label":"Output","spendable":false}`);
    expect(parseLabels(exported)).toEqual(parsed);
  });
});

describe('additional fields and unknown keys', () => {
  const sparrow = [
    `{"type":"tx","ref":"${TXID}","label":"Rent","origin":"tr([d34db33f/86'/0'/0'])","height":800000,"time":"2025-01-23T11:40:35Z","fee":1410,"value":-250000,"rate":{"USD":105620.0}}`,
    `{"type":"addr","ref":"bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c","keypath":"/0/5","heights":[800000,800010]}`,
    `{"type":"output","ref":"${TXID}:0","spendable":true,"value":12000,"fmv":{"EUR":11.5},"x-app":{"__proto__":1}}`,
  ].join('\n');
  it('keeps height, time, fee, value, rate, keypath, heights, fmv and unknown keys in order', () => {
    const [tx, addr, out] = parseLabels(sparrow);
    expect(tx!.extra).toEqual({ height: 800000, time: '2025-01-23T11:40:35Z', fee: 1410, value: -250000, rate: { USD: 105620 } });
    expect(addr).toEqual({ type: 'addr', ref: 'bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c', extra: { keypath: '/0/5', heights: [800000, 800010] } });
    expect(out!.spendable).toBe(true);
    expect(Object.keys(out!.extra!)).toEqual(['value', 'fmv', 'x-app']);
  });
  it('exports them unchanged (numbers as JSON numbers, rate 105620.0 as 105620)', () => {
    const exported = exportLabels(parseLabels(sparrow)).trimEnd().split('\n');
    expect(exported[1]).toBe(sparrow.split('\n')[1]);
    expect(exported[0]).toBe(sparrow.split('\n')[0]!.replace('105620.0', '105620'));
    expect(JSON.parse(exported[2]!)).toEqual(JSON.parse(sparrow.split('\n')[2]!));
  });
  it('is deterministic: key order fixed whatever order the record object was built in', () => {
    const label = { extra: { fee: 1 }, spendable: false, label: 'x', ref: `${TXID}:2`, type: 'output' } as WalletLabel;
    expect(exportLabels([label])).toBe(`{"type":"output","ref":"${TXID}:2","label":"x","spendable":false,"fee":1}\n`);
    expect(exportLabels([label])).toBe(exportLabels([{ type: 'output', ref: `${TXID}:2`, label: 'x', spendable: false, extra: { fee: 1 } }]));
  });
  it('tolerates a byte-order mark, CRLF line ends and blank lines', () => {
    const crlf = `\uFEFF${lines[0]}\r\n\r\n${lines[1]}\r\n`;
    expect(parseLabels(crlf)).toEqual(EXPECTED.slice(0, 2));
  });
});

describe('refused lines name their line number', () => {
  const bad: [string, string, string][] = [
    ['{"type":"tx","ref":', 'BIP329_BAD_JSON', 'line 2: not valid JSON'],
    ['["tx"]', 'BIP329_BAD_RECORD', 'line 2: expected a JSON object'],
    [`{"ref":"${TXID}"}`, 'BIP329_BAD_RECORD', 'line 2: "type" expected a non-empty string, got nothing'],
    ['{"type":"tx"}', 'BIP329_BAD_RECORD', 'line 2: "ref" expected a string, got nothing'],
    ['{"type":"tx","ref":"abc"}', 'BIP329_BAD_REF', 'line 2: "ref" of a tx record expected a 64-character hex transaction id'],
    [`{"type":"output","ref":"${TXID}"}`, 'BIP329_BAD_REF', 'line 2: "ref" of a output record expected a txid:index outpoint'],
    [`{"type":"input","ref":"${TXID}:4294967296"}`, 'BIP329_BAD_REF', 'expected a txid:index outpoint'],
    ['{"type":"pubkey","ref":"02abcd"}', 'BIP329_BAD_REF', 'expected a 32, 33 or 65-byte hex public key'],
    ['{"type":"xpub","ref":"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet9"}', 'BIP329_BAD_REF', 'expected a BIP32 extended public key'],
    ['{"type":"addr","ref":"bc1 q"}', 'BIP329_BAD_REF', 'expected a base58 or bech32 address'],
    [`{"type":"tx","ref":"${TXID}","label":42}`, 'BIP329_BAD_RECORD', 'line 2: "label" expected a string, got 42'],
    [`{"type":"tx","ref":"${TXID}","origin":null}`, 'BIP329_BAD_RECORD', '"origin" expected a string, got null'],
    [`{"type":"output","ref":"${TXID}:1","spendable":"false"}`, 'BIP329_BAD_RECORD', '"spendable" expected true or false, got "false"'],
    [`{"type":"tx","ref":"${TXID}","spendable":false}`, 'BIP329_BAD_RECORD', '"spendable" is only allowed on output records, not tx'],
    ['{"type":"spscan","ref":""}', 'BIP329_BAD_REF', 'expected a non-empty reference'],
  ];
  for (const [line, code, message] of bad) {
    it(`${code}: ${line.slice(0, 60)}`, () => {
      let err: unknown;
      try {
        parseLabels(`${lines[0]}\n${line}\n${lines[1]}`);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DecodeError);
      expect((err as DecodeError).code).toBe(code);
      expect((err as DecodeError).message).toContain(message);
    });
  }
  it('export refuses a record that would not parse back', () => {
    expect(() => exportLabels([{ type: 'tx', ref: 'nope' }])).toThrow('"labels[0].ref" of a tx record expected a 64-character hex transaction id');
    expect(() => exportLabels([{ type: 'addr', ref: 'bc1q34aq5drpuwy3wgl9lhup9892qp6svr8ldzyy7c', spendable: true }])).toThrow('"labels[0].spendable" is only allowed on output records');
  });
});
