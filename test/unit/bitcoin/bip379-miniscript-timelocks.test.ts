// The two BIP379 miniscript leaves Tapdesk supports inside tr(): and_v(v:pk(KEY),older(N)) and
// and_v(v:pk(KEY),after(N)). Expected scripts are written from the miniscript spec — v:pk(K) is
// `<K> CHECKSIGVERIFY`, older(n) is `<n> CHECKSEQUENCEVERIFY`, after(n) is `<n>
// CHECKLOCKTIMEVERIFY`, n pushed as Bitcoin Core's CScript::push_int64 does (OP_1..OP_16, else a
// minimal CScriptNum) — and cross-checked with @scure/btc-signer's script encoder and p2tr().
// Every other miniscript shape stays DESCRIPTOR_UNSUPPORTED.
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { p2tr, Script } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import {
  deriveDescriptor,
  formatDescriptor,
  parseDescriptor,
  toPublicDescriptor,
} from '../../../core/bitcoin/descriptor/index.js';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { ExtendedKey, HARDENED } from '../../../core/bitcoin/hdkey.js';
import { mainnet, regtest } from '../../../core/bitcoin/networks.js';
import { NUMS_INTERNAL_KEY } from '../../../core/bitcoin/taproot.js';
import { decodeErrorOf } from '../../support/decode-error.js';

const K = 'a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd';
const H = bytesToHex(NUMS_INTERNAL_KEY);
const TPRV = 'tprv8ZgxMBicQKsPd7Uf69XL1XwhmjHopUGep8GuEiJDZmbQz6o58LninorQAfcKZWARbtRtfnLcJ5MQ2AtHcQJCCRUcMRvmDUjyEmNUWwx8UbK';

/** [N, push bytes for N] — the hand-derived half of each expected script. */
const OLDER: [number, string][] = [
  [1, '51'],
  [16, '60'],
  [17, '0111'],
  [30, '011e'],
  [127, '017f'],
  [128, '028000'],
  [144, '029000'],
  [255, '02ff00'],
  [256, '020001'],
  [4320, '02e010'],
  [65535, '03ffff00'],
  [4194304, '03000040'],
  [2147483647, '04ffffff7f'],
];
const AFTER: [number, string][] = [
  [1, '51'],
  [840000, '0340d10c'],
  [500000000, '040065cd1d'],
  [1700000000, '0400f15365'],
  [2147483647, '04ffffff7f'],
];

function leafOf(text: string): string {
  return bytesToHex(deriveDescriptor(parseDescriptor(text, mainnet)).taproot!.leaves[0]!.script);
}

const decodeError = (fn: () => unknown): DecodeError => decodeErrorOf(fn);

describe('BIP379 and_v(v:pk(KEY),older(N)) — relative timelock leaf', () => {
  OLDER.forEach(([n, push]) => {
    it(`older(${n}): <K> CHECKSIGVERIFY ${push} CHECKSEQUENCEVERIFY`, () => {
      const expected = `20${K}ad${push}b2`;
      expect(leafOf(`tr(${H},and_v(v:pk(${K}),older(${n})))`)).toBe(expected);
      expect(bytesToHex(Script.encode([hexToBytes(K), 'CHECKSIGVERIFY', n, 'CHECKSEQUENCEVERIFY']))).toBe(expected);
    });
  });
});

describe('BIP379 and_v(v:pk(KEY),after(N)) — absolute timelock leaf', () => {
  AFTER.forEach(([n, push]) => {
    it(`after(${n}): <K> CHECKSIGVERIFY ${push} CHECKLOCKTIMEVERIFY`, () => {
      const expected = `20${K}ad${push}b1`;
      expect(leafOf(`tr(${H},and_v(v:pk(${K}),after(${n})))`)).toBe(expected);
      expect(bytesToHex(Script.encode([hexToBytes(K), 'CHECKSIGVERIFY', n, 'CHECKLOCKTIMEVERIFY']))).toBe(expected);
    });
  });
});

describe('timelock leaves in tr() trees', () => {
  it('the output commits to the leaf exactly as @scure/btc-signer p2tr() does', () => {
    const text = `tr(${K},{pk(${H}),and_v(v:pk(${K}),older(30))})`;
    const out = deriveDescriptor(parseDescriptor(text, mainnet));
    const leaves = [{ script: hexToBytes(`20${H}ac`) }, { script: hexToBytes(`20${K}ad011eb2`) }];
    const reference = p2tr(hexToBytes(K), leaves, undefined, true);
    expect(bytesToHex(out.scriptPubKey)).toBe(bytesToHex(reference.script));
    expect(out.taproot!.leaves.map((l) => bytesToHex(l.script))).toEqual(leaves.map((l) => bytesToHex(l.script)));
  });

  it('prints canonically and parses back to the same tree (checksum included)', () => {
    const text = `tr(${H},{and_v(v:pk(${K}),after(840000)),and_v(v:pk(${K}),older(144))})`;
    const d = parseDescriptor(text, mainnet);
    const printed = formatDescriptor(d);
    expect(printed.startsWith(`${text}#`)).toBe(true);
    expect(parseDescriptor(printed, mainnet, { requireChecksum: true })).toEqual(d);
    expect(d.script).toMatchObject({ type: 'tr', tree: [{ type: 'and_v', lock: 'after', value: 840000 }, { type: 'and_v', lock: 'older', value: 144 }] });
  });

  it('a ranged key derives per branch and index, with its origin for PSBT derivation fields', () => {
    const master = ExtendedKey.parse(TPRV, regtest);
    const account = master.derive([87 + HARDENED, 1 + HARDENED, HARDENED]);
    const fp = master.fingerprint.toString(16).padStart(8, '0');
    const key = `[${fp}/87h/1h/0h]${account.neuter().toBase58()}`;
    const d = parseDescriptor(`tr(${H},and_v(v:pk(${key}/<0;1>/*),older(30)))`, regtest);
    const out = deriveDescriptor(d, { branch: 1, index: 5 });
    const child = account.derive([1, 5]);
    expect(bytesToHex(out.taproot!.leaves[0]!.script)).toBe(`20${bytesToHex(child.xOnlyPublicKey)}ad011eb2`);
    expect(out.taproot!.leafKeys[0]![0]!.origin).toEqual({ fingerprint: master.fingerprint, path: [87 + HARDENED, 1 + HARDENED, HARDENED, 1, 5] });
  });

  it('the watch-only form replaces a private key inside v:pk() by its public key', () => {
    const priv = parseDescriptor(`tr(${H},and_v(v:pk(${TPRV}/0/*),older(10)))`, regtest);
    const pub = formatDescriptor(toPublicDescriptor(priv), { checksum: false });
    expect(pub).toBe(`tr(${H},and_v(v:pk(${ExtendedKey.parse(TPRV, regtest).neuter().toBase58()}/0/*),older(10)))`);
  });
});

describe('what stays refused', () => {
  const cases: [string, string, string][] = [
    ['older(0)', `tr(${H},and_v(v:pk(${K}),older(0)))`, 'DESCRIPTOR_BAD_TIMELOCK'],
    ['older(2^31)', `tr(${H},and_v(v:pk(${K}),older(2147483648)))`, 'DESCRIPTOR_BAD_TIMELOCK'],
    ['a leading zero', `tr(${H},and_v(v:pk(${K}),older(030)))`, 'DESCRIPTOR_BAD_TIMELOCK'],
    ['a negative value', `tr(${H},and_v(v:pk(${K}),after(-1)))`, 'DESCRIPTOR_BAD_TIMELOCK'],
    ['a non-number', `tr(${H},and_v(v:pk(${K}),after(tomorrow)))`, 'DESCRIPTOR_BAD_TIMELOCK'],
    ['v:pk_k()', `tr(${H},and_v(v:pk_k(${K}),older(1)))`, 'DESCRIPTOR_UNSUPPORTED'],
    ['no v: wrapper', `tr(${H},and_v(pk(${K}),older(1)))`, 'DESCRIPTOR_UNSUPPORTED'],
    ['another second fragment', `tr(${H},and_v(v:pk(${K}),sha256(${K})))`, 'DESCRIPTOR_UNSUPPORTED'],
    ['a bare older() leaf', `tr(${H},older(10))`, 'DESCRIPTOR_UNSUPPORTED'],
    ['and_v() at the top level', `and_v(v:pk(${K}),older(1))`, 'DESCRIPTOR_UNSUPPORTED'],
    ['and_v() inside wsh()', `wsh(and_v(v:pk(02${K}),older(1)))`, 'DESCRIPTOR_UNSUPPORTED'],
    ['one argument', `tr(${H},and_v(v:pk(${K})))`, 'DESCRIPTOR_SYNTAX'],
    ['an uncompressed key', `tr(${H},and_v(v:pk(04${K}${K}),older(1)))`, 'DESCRIPTOR_BAD_KEY'],
  ];
  cases.forEach(([what, text, code]) => {
    it(`${what} is ${code}`, () => {
      expect(decodeError(() => parseDescriptor(text, mainnet)).code).toBe(code);
    });
  });
});
