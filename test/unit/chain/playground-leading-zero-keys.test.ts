// Proves that the Playground's script validator (bitcore-lib behind interpreter.ts) accepts BIP340
// signatures and BIP341 commitments whatever their 32-byte values start with. bitcore 11.5.1
// serialized some x-only keys without their leading zero bytes (see interpreter.ts), so about one
// taproot spend in 256 was refused. Every place a 32-byte value can start with 0x00 in a taproot
// spend is covered: key-path output key, internal key (key path and script path), script-path output
// key, tapscript leaf key, and the signature's r and s, in the key path and in tapscript. Each
// spend is signed by @scure/btc-signer + @noble/curves (the wallet's libraries), found by iterating
// deterministic inputs, and a corrupted signature for the same key must still be refused.
// https://github.com/bitcoin/bips/blob/master/bip-0340.mediawiki
// https://github.com/bitcoin/bips/blob/master/bip-0341.mediawiki
import { hex } from '@scure/base';
import { p2tr, p2wpkh } from '@scure/btc-signer/payment.js';
import { Script } from '@scure/btc-signer/script.js';
import { pubECDSA, pubSchnorr } from '@scure/btc-signer/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptChecker } from '../../../core/chain/playground/interpreter.js';
import { REGTEST } from '../../../core/chain/playground/params.js';
import type { DecodedTx } from '../../../core/chain/playground/wire.js';
import { key, spendKeyPath, spendScriptPath, tapTree, TestNode, withWitness, type Key, type Leaf, type Utxo } from './playground-fixtures.js';

/** A key whose secret is the 32-byte big-endian encoding of `n` (n ≥ 1). */
function indexedKey(n: number): Key {
  const secret = new Uint8Array(32);
  new DataView(secret.buffer).setUint32(28, n);
  const xonly = pubSchnorr(secret);
  const pub = pubECDSA(secret);
  return { secret, xonly, pub, p2tr: p2tr(xonly, undefined, REGTEST).script, p2wpkh: p2wpkh(pub, REGTEST).script };
}

/** The first of 1, 2, 3, … for which `found` returns a value (expected within a few hundred tries). */
function first<T>(what: string, found: (n: number) => T | undefined): T {
  for (let n = 1; n <= 20_000; n++) {
    const value = found(n);
    if (value !== undefined) return value;
  }
  throw new Error(`no ${what} in 20000 tries`);
}

const outputKey = (script: Uint8Array): Uint8Array => script.subarray(2, 34);
const startsWithZero = (bytes: Uint8Array): boolean => bytes[0] === 0;

const dest = key(9);
const FAKE_TXID = 'bb'.repeat(32);
const coin = (script: Uint8Array, value = 100_000n): Utxo => ({ txid: FAKE_TXID, vout: 0, value, script });
const pay = (value = 90_000n) => [{ script: dest.p2tr, value }];
const VALID = { consensus: null, standard: null };
const SCHNORR_SIG = { code: 'SCRIPT_ERR_SCHNORR_SIG', message: 'Invalid Schnorr signature' };

function check(tx: DecodedTx, prev: Utxo) {
  const checker = new ScriptChecker(tx, [{ script: prev.script, value: prev.value }]);
  return { consensus: checker.verify(0, 'consensus'), standard: checker.verify(0, 'standard') };
}

/** The same spend with one byte in the middle of r flipped: leading zeros of keys and s stay. */
function corrupted(tx: DecodedTx): DecodedTx {
  const sig = Uint8Array.from(tx.inputs[0]!.witness[0]!);
  sig[20]! ^= 0x01;
  return withWitness(tx, 0, 0, sig);
}

const signatureOf = (tx: DecodedTx): Uint8Array => tx.inputs[0]!.witness[0]!;
const r = (tx: DecodedTx): Uint8Array => signatureOf(tx).subarray(0, 32);
const s = (tx: DecodedTx): Uint8Array => signatureOf(tx).subarray(32, 64);

/** A CHECKSIG leaf for `k` (after `<tag> DROP` when a tag varies the leaf), alone in a tree with internal key `internal`. */
function checksigTree(internal: Uint8Array, k: Key, tag?: number) {
  const tree = tapTree(internal, [Script.encode(tag === undefined ? [k.xonly, 'CHECKSIG'] : [tag, 'DROP', k.xonly, 'CHECKSIG'])]);
  return { prev: coin(tree.script), leaf: tree.leaves[0]! };
}

const spendLeaf = (prev: Utxo, leaf: Leaf, k: Key, value?: bigint) => spendScriptPath(prev, leaf, pay(value), (sign) => [sign(k)]);

interface Case {
  title: string;
  tx: DecodedTx;
  prev: Utxo;
  /** The 32 bytes that must start with 0x00 for the case to mean anything. */
  zero: Uint8Array;
}

const plain = first('key with no leading zero anywhere', (n) => {
  const k = indexedKey(n);
  return startsWithZero(k.xonly) || startsWithZero(outputKey(k.p2tr)) ? undefined : k;
});

const cases: Case[] = [];

{
  const k = first('key-path output key starting with 0x00', (n) => {
    const c = indexedKey(n);
    return startsWithZero(outputKey(c.p2tr)) && !startsWithZero(c.xonly) ? c : undefined;
  });
  const prev = coin(k.p2tr);
  cases.push({ title: `key path, output key ${hex.encode(outputKey(k.p2tr)).slice(0, 8)}…`, tx: spendKeyPath(k, [prev], pay()), prev, zero: outputKey(k.p2tr) });
}
{
  const k = first('key-path internal key starting with 0x00', (n) => {
    const c = indexedKey(n);
    return startsWithZero(c.xonly) && !startsWithZero(outputKey(c.p2tr)) ? c : undefined;
  });
  const prev = coin(k.p2tr);
  cases.push({ title: `key path, internal key ${hex.encode(k.xonly).slice(0, 8)}…`, tx: spendKeyPath(k, [prev], pay()), prev, zero: k.xonly });
}
{
  const found = first('script-path internal key starting with 0x00', (n) => {
    const internal = indexedKey(n).xonly;
    if (!startsWithZero(internal)) return undefined;
    const t = checksigTree(internal, plain);
    return startsWithZero(outputKey(t.prev.script)) ? undefined : { internal, ...t };
  });
  cases.push({
    title: `script path, internal key ${hex.encode(found.internal).slice(0, 8)}… (control block)`,
    tx: spendLeaf(found.prev, found.leaf, plain),
    prev: found.prev,
    zero: found.internal,
  });
}
{
  const found = first('script-path output key starting with 0x00', (n) => {
    const t = checksigTree(plain.xonly, plain, n);
    return startsWithZero(outputKey(t.prev.script)) ? t : undefined;
  });
  cases.push({
    title: `script path, output key ${hex.encode(outputKey(found.prev.script)).slice(0, 8)}…`,
    tx: spendLeaf(found.prev, found.leaf, plain),
    prev: found.prev,
    zero: outputKey(found.prev.script),
  });
}
{
  const { k, t } = first('tapscript CHECKSIG key starting with 0x00', (n) => {
    const c = indexedKey(n);
    if (!startsWithZero(c.xonly)) return undefined;
    const tree = checksigTree(plain.xonly, c);
    return startsWithZero(outputKey(tree.prev.script)) ? undefined : { k: c, t: tree };
  });
  cases.push({ title: `script path, CHECKSIG leaf key ${hex.encode(k.xonly).slice(0, 8)}…`, tx: spendLeaf(t.prev, t.leaf, k), prev: t.prev, zero: k.xonly });
}
const keyPathPrev = coin(plain.p2tr);
const tapscript = checksigTree(dest.xonly, plain);
for (const [part, bytes] of [['r', r], ['s', s]] as const) {
  const keyPath = first(`key-path signature with ${part} starting with 0x00`, (n) => {
    const tx = spendKeyPath(plain, [keyPathPrev], pay(90_000n - BigInt(n)));
    return startsWithZero(bytes(tx)) ? tx : undefined;
  });
  cases.push({ title: `key path, signature ${part} ${hex.encode(bytes(keyPath)).slice(0, 8)}…`, tx: keyPath, prev: keyPathPrev, zero: bytes(keyPath) });
  const script = first(`tapscript signature with ${part} starting with 0x00`, (n) => {
    const tx = spendLeaf(tapscript.prev, tapscript.leaf, plain, 90_000n - BigInt(n));
    return startsWithZero(bytes(tx)) ? tx : undefined;
  });
  cases.push({ title: `script path, CHECKSIG signature ${part} ${hex.encode(bytes(script)).slice(0, 8)}…`, tx: script, prev: tapscript.prev, zero: bytes(script) });
}

describe('taproot values starting with 0x00, validated by bitcore-lib', () => {
  it('the control spend (no leading zero anywhere) is valid, so a failure below is about the zero byte', () => {
    const tx = spendKeyPath(plain, [keyPathPrev], pay());
    expect([signatureOf(tx)[0], signatureOf(tx)[32]]).not.toContain(0);
    expect(check(tx, keyPathPrev)).toEqual(VALID);
  });

  for (const c of cases) {
    it(`${c.title} is valid at consensus and standard level`, () => {
      expect(c.zero.length).toBe(32);
      expect(c.zero[0]).toBe(0);
      expect(check(c.tx, c.prev)).toEqual(VALID);
    });

    it(`${c.title} with a corrupted signature fails with SCHNORR_SIG`, () => {
      expect(check(corrupted(c.tx), c.prev)).toEqual({ consensus: SCHNORR_SIG, standard: SCHNORR_SIG });
    });
  }

  it('covers each place a leading zero can occur, each in the key path and in tapscript where it exists there', () => {
    expect(cases.map((c) => c.title.replace(/ [0-9a-f]{8}….*$/, ''))).toEqual([
      'key path, output key',
      'key path, internal key',
      'script path, internal key',
      'script path, output key',
      'script path, CHECKSIG leaf key',
      'key path, signature r',
      'script path, CHECKSIG signature r',
      'key path, signature s',
      'script path, CHECKSIG signature s',
    ]);
  });
});

describe('a Playground node with a key-path output whose output key starts with 0x00', () => {
  let node: TestNode;
  beforeAll(() => {
    node = new TestNode();
    node.mine(101);
  });
  afterAll(() => node.close());

  it('accepts the spend to its mempool and mines it', () => {
    const k = first('key-path output key starting with 0x00', (n) => {
      const c = indexedKey(n);
      return startsWithZero(outputKey(c.p2tr)) ? c : undefined;
    });
    const utxo = node.fund(k.p2tr, 100_000n);
    const spend = spendKeyPath(k, [utxo], pay());
    const broken = corrupted(spend);
    const refused = node.pg.acceptTx(broken, true);
    expect(refused.ok ? null : refused.rejection.reason).toBe('mandatory-script-verify-flag-failed (Invalid Schnorr signature)');
    expect(node.pg.acceptTx(spend)).toMatchObject({ ok: true, txid: spend.txid });
    node.mine(1);
    expect(node.pg.tx(spend.txid)?.block?.height).toBe(103);
  });
});
