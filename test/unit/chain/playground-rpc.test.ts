// The Playground's Bitcoin Core JSON-RPC server over real HTTP: cookie auth (401 without it),
// JSON-RPC 1.0/2.0 envelopes, batches and notifications with Core's HTTP statuses, Core's error
// codes and messages, and the shapes of every method the wallet's Core backend calls — BIP158
// filters cross-checked against an independent build from the raw blocks.
import { hex } from '@scure/base';
import { Address, OutScript } from '@scure/btc-signer/payment.js';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { basicFilter, filterHeader, GENESIS_PREV_FILTER_HEADER } from '../../../core/chain/bip158.js';
import { GENESIS_HASH, REGTEST } from '../../../core/chain/playground/params.js';
import { descriptorChecksum } from '../../../core/chain/playground/script-text.js';
import { runPlayground, startPlayground, type PlaygroundHandle } from '../../../core/chain/playground/server.js';
import { decodeBlock, decodeTx } from '../../../core/chain/playground/wire.js';
import { vectorJson, vectorText } from '../../support/vectors.js';
import { key, spendKeyPath, type Utxo } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);
// Addresses from btc-signer's encoder, not the Playground's.
const ALICE_WPKH_ADDRESS = Address(REGTEST).encode(OutScript.decode(alice.p2wpkh));
const ALICE_P2TR_ADDRESS = Address(REGTEST).encode(OutScript.decode(alice.p2tr));

let dir: string;
let h: PlaygroundHandle;
let auth: string;
let now = 1_700_000_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'playground-rpc-'));
  h = await startPlayground({ dataDir: dir, clock: () => now, faucetKey: new Uint8Array(32).fill(0x42) });
  auth = `Basic ${Buffer.from(`${h.cookie.user}:${h.cookie.password}`).toString('base64')}`;
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function post(body: unknown, headers: Record<string, string> = { authorization: auth }) {
  const res = await fetch(h.rpcUrl, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/** Calls one method (JSON-RPC 1.0); resolves to the result or rejects with { code, message }. */
async function call<T = unknown>(method: string, ...params: unknown[]): Promise<T> {
  const r = await post({ method, params, id: 1 });
  const body = r.json as { result: T; error: { code: number; message: string } | null };
  if (body.error) throw body.error;
  return body.result;
}

async function fails(method: string, ...params: unknown[]): Promise<{ code: number; message: string }> {
  try {
    await call(method, ...params);
  } catch (err) {
    return err as { code: number; message: string };
  }
  throw new Error(`${method} succeeded`);
}

async function mine(n: number, address?: string): Promise<string[]> {
  now += n;
  return call<string[]>('generatetoaddress', n, address ?? h.playground.faucetWallet.address);
}

describe('HTTP and auth', () => {
  it('writes the cookie as __cookie__:<random> in <dataDir>/.cookie, owner-only', () => {
    expect(h.cookieFile).toBe(join(dir, '.cookie'));
    expect(readFileSync(h.cookieFile, 'utf8')).toBe(`__cookie__:${h.cookie.password}`);
    expect(h.cookie.password).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(h.cookieFile).mode & 0o777).toBe(0o600);
    expect(h.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(h.esploraUrl).toBe(`${h.rpcUrl}/api`);
    expect(h.network).toBe('regtest');
  });

  it('answers 401 with a Basic challenge without credentials or with a wrong password', async () => {
    const none = await fetch(h.rpcUrl, { method: 'POST', body: '{"method":"getblockcount","id":1}' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Basic realm="jsonrpc"');
    expect(await none.text()).toBe('');
    const wrong = await post({ method: 'getblockcount', id: 1 }, { authorization: `Basic ${Buffer.from('__cookie__:nope').toString('base64')}` });
    expect(wrong.status).toBe(401);
  });

  it('refuses GET with 405', async () => {
    const res = await fetch(h.rpcUrl, { headers: { authorization: auth } });
    expect(res.status).toBe(405);
  });

  it('refuses to bind anything but loopback', async () => {
    await expect(startPlayground({ dataDir: join(dir, 'x'), host: '0.0.0.0' })).rejects.toThrow(/loopback/);
  });
});

describe('JSON-RPC envelope', () => {
  it('1.0: result, error null, id echoed', async () => {
    const r = await post({ method: 'getblockcount', params: [], id: 'a' });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ result: 0, error: null, id: 'a' });
  });

  it('1.0 errors: HTTP 404 for an unknown method, 500 otherwise', async () => {
    const unknown = await post({ method: 'nosuchmethod', id: 2 });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({ result: null, error: { code: -32601, message: 'Method not found' }, id: 2 });
    const bad = await post({ method: 'getblockhash', params: [99], id: 3 });
    expect(bad.status).toBe(500);
    expect(bad.json).toEqual({ result: null, error: { code: -8, message: 'Block height out of range' }, id: 3 });
  });

  it('2.0: jsonrpc echoed, errors with HTTP 200, notifications get 204', async () => {
    expect((await post({ jsonrpc: '2.0', method: 'getblockcount', id: 7 })).json).toEqual({ jsonrpc: '2.0', result: 0, id: 7 });
    const err = await post({ jsonrpc: '2.0', method: 'nosuchmethod', id: 8 });
    expect(err.status).toBe(200);
    expect(err.json).toEqual({ jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: 8 });
    const note = await post({ jsonrpc: '2.0', method: 'getblockcount' });
    expect(note.status).toBe(204);
    expect(note.text).toBe('');
  });

  it('batches answer each request in order and leave notifications out', async () => {
    const r = await post([
      { jsonrpc: '2.0', method: 'getblockhash', params: [0], id: 1 },
      { jsonrpc: '2.0', method: 'getblockcount' },
      { method: 'nosuchmethod', id: 3 },
      { jsonrpc: '2.0', method: 'getbestblockhash', id: 4 },
    ]);
    expect(r.status).toBe(200);
    expect(r.json).toEqual([
      { jsonrpc: '2.0', result: GENESIS_HASH, id: 1 },
      { result: null, error: { code: -32601, message: 'Method not found' }, id: 3 },
      { jsonrpc: '2.0', result: GENESIS_HASH, id: 4 },
    ]);
  });

  it('malformed JSON is -32700 Parse error; named parameters work; unknown names are -8', async () => {
    const r = await post('{"method":');
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ result: null, error: { code: -32700, message: 'Parse error' }, id: null });
    expect((await post({ method: 'getblockhash', params: { height: 0 }, id: 1 })).json?.result).toBe(GENESIS_HASH);
    expect((await post({ method: 'getblockhash', params: { heigth: 0 }, id: 1 })).json?.error).toEqual({ code: -8, message: 'Unknown named parameter heigth' });
  });

  it('wrong parameter types are -3; missing ones -1 with usage', async () => {
    expect((await fails('getblockhash', '0')).code).toBe(-3);
    expect(await fails('getblockhash')).toEqual({ code: -1, message: 'getblockhash height' });
  });
});

describe('chain methods', () => {
  let funded: Utxo;
  let pending: ReturnType<typeof decodeTx>;

  beforeAll(async () => {
    await mine(101);
    const fundTxid = await call<string>('playground_faucet', ALICE_P2TR_ADDRESS, 0.5);
    await mine(1);
    const tx = h.playground.tx(fundTxid)!.tx;
    const vout = tx.outputs.findIndex((o) => hex.encode(o.script) === hex.encode(alice.p2tr));
    funded = { txid: fundTxid, vout, value: 50_000_000n, script: alice.p2tr };
    pending = spendKeyPath(alice, [funded], [{ script: bob.p2tr, value: 49_990_000n }]);
  });

  it('getblockchaininfo, getnetworkinfo, getblockcount, getbestblockhash, getindexinfo', async () => {
    const info = await call<Record<string, unknown>>('getblockchaininfo');
    const height = await call<number>('getblockcount');
    expect(info).toMatchObject({ chain: 'regtest', blocks: height, headers: height, bestblockhash: await call('getbestblockhash'), initialblockdownload: false, pruned: false, verificationprogress: 1 });
    expect(info.chainwork).toBe((2 * (height + 1)).toString(16).padStart(64, '0'));
    expect(await call('getnetworkinfo')).toMatchObject({ version: 280000, connections: 0, relayfee: 0.00001 });
    expect(await call('getindexinfo')).toEqual({
      txindex: { synced: true, best_block_height: height },
      'basic block filter index': { synced: true, best_block_height: height },
    });
    expect(await call('getindexinfo', 'basic block filter index')).toEqual({ 'basic block filter index': { synced: true, best_block_height: height } });
  });

  it('getblockhash / getblockheader (verbose true and false) / getblock verbosity 0–3', async () => {
    const height = await call<number>('getblockcount');
    const hash = await call<string>('getblockhash', height);
    const header = await call<Record<string, unknown>>('getblockheader', hash);
    expect(header).toMatchObject({ hash, height, confirmations: 1, versionHex: '20000000', bits: '207fffff', nTx: 2, previousblockhash: await call('getblockhash', height - 1) });
    expect(header.difficulty).toBeCloseTo(4.656542373906925e-10, 20);
    const rawHeader = await call<string>('getblockheader', hash, false);
    expect(rawHeader).toHaveLength(160);
    const raw = await call<string>('getblock', hash, 0);
    expect(raw.slice(0, 160)).toBe(rawHeader);
    const block = decodeBlock(hex.decode(raw));
    expect(block.hash).toBe(hash);
    const v1 = await call<Record<string, unknown>>('getblock', hash);
    expect(v1).toMatchObject({ hash, size: block.size, weight: block.weight, strippedsize: block.strippedSize, tx: block.txs.map((t) => t.txid) });
    const v2 = await call<{ tx: Record<string, unknown>[] }>('getblock', hash, 2);
    expect(v2.tx[1]).toMatchObject({ txid: block.txs[1]!.txid, hex: hex.encode(block.txs[1]!.raw) });
    expect(typeof v2.tx[1]!.fee).toBe('number');
    expect(v2.tx[0]!.fee).toBeUndefined();
    const v3 = await call<{ tx: { vin: Record<string, unknown>[] }[] }>('getblock', hash, 3);
    expect(v3.tx[1]!.vin[0]!.prevout).toMatchObject({ generated: expect.any(Boolean), height: expect.any(Number), value: expect.any(Number) });
    expect(await fails('getblockheader', '00'.repeat(32))).toEqual({ code: -5, message: 'Block not found' });
    expect(await fails('getblock', 'xyz')).toEqual({ code: -8, message: "blockhash must be of length 64 (not 3, for 'xyz')" });
  });

  it('amounts are written as exact 8-decimal numbers, as Core does', async () => {
    const r = await post({ method: 'getblock', params: [await call('getblockhash', 1), 2], id: 1 });
    expect(r.text).toContain('"value":50.00000000');
  });

  it('sendrawtransaction / testmempoolaccept / getrawmempool / getmempoolentry / gettxout', async () => {
    const accepted = await call<Record<string, unknown>[]>('testmempoolaccept', [hex.encode(pending.raw)]);
    expect(accepted).toEqual([
      { txid: pending.txid, wtxid: pending.wtxid, allowed: true, vsize: pending.vsize, fees: { base: 0.0001, 'effective-feerate': Number(((10_000 * 1000) / pending.vsize / 1e8).toFixed(8)), 'effective-includes': [pending.wtxid] } },
    ]);
    expect(await call('testmempoolaccept', [hex.encode(pending.raw)], 0.00001)).toMatchObject([{ allowed: false, 'reject-reason': 'max-fee-exceeded' }]);
    expect(await fails('sendrawtransaction', hex.encode(pending.raw), 0.00001)).toEqual({ code: -25, message: 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)' });
    expect(await call('sendrawtransaction', hex.encode(pending.raw))).toBe(pending.txid);
    expect(await call('sendrawtransaction', hex.encode(pending.raw))).toBe(pending.txid);
    expect(await call('getrawmempool')).toEqual([pending.txid]);
    const entry = await call<Record<string, unknown>>('getmempoolentry', pending.txid);
    expect(entry).toMatchObject({ vsize: pending.vsize, weight: pending.weight, ancestorcount: 1, descendantcount: 1, wtxid: pending.wtxid, fees: { base: 0.0001 }, depends: [], spentby: [], 'bip125-replaceable': true });
    expect(await call('getrawmempool', true)).toEqual({ [pending.txid]: entry });
    expect(await call('getrawmempool', false, true)).toEqual({ txids: [pending.txid], mempool_sequence: expect.any(Number) });
    expect(await call('gettxout', funded.txid, funded.vout)).toBeNull();
    expect(await call('gettxout', funded.txid, funded.vout, false)).toMatchObject({ confirmations: 1, value: 0.5, coinbase: false, scriptPubKey: { type: 'witness_v1_taproot' } });
    expect(await call('gettxout', pending.txid, 0)).toMatchObject({ confirmations: 0, value: 0.4999 });
    expect(await fails('getmempoolentry', '00'.repeat(32))).toEqual({ code: -5, message: 'Transaction not in mempool' });
  });

  it('rejections: -26 with reason and detail, -25 for missing inputs, -22 for undecodable hex, testmempoolaccept reasons', async () => {
    const cheap = spendKeyPath(alice, [{ ...funded, txid: 'ab'.repeat(32) }], [{ script: bob.p2tr, value: 49_990_000n }]);
    expect(await fails('sendrawtransaction', hex.encode(cheap.raw))).toEqual({ code: -25, message: 'bad-txns-inputs-missingorspent' });
    expect(await call('testmempoolaccept', [hex.encode(cheap.raw)])).toEqual([{ txid: cheap.txid, wtxid: cheap.wtxid, allowed: false, 'reject-reason': 'missing-inputs' }]);
    const conflict = spendKeyPath(alice, [funded], [{ script: alice.p2tr, value: 49_990_000n }]);
    expect(await fails('sendrawtransaction', hex.encode(conflict.raw))).toMatchObject({ code: -26, message: expect.stringMatching(/^insufficient fee, rejecting replacement/) });
    expect(await fails('sendrawtransaction', 'zz')).toEqual({ code: -22, message: 'TX decode failed. Make sure the tx has at least one input.' });
    const child = spendKeyPath(bob, [{ txid: pending.txid, vout: 0, value: pending.outputs[0]!.value, script: bob.p2tr }], [{ script: alice.p2tr, value: pending.outputs[0]!.value - 50n }]);
    expect(await call('testmempoolaccept', [hex.encode(child.raw)])).toMatchObject([{ allowed: false, 'reject-reason': 'min relay fee not met' }]);
    expect(await fails('testmempoolaccept', [])).toEqual({ code: -8, message: 'Array must contain between 1 and 25 transactions.' });
  });

  it('getrawtransaction: mempool and confirmed, verbosity 0/1/2, with a block hash, and -5 when unknown', async () => {
    expect(await call('getrawtransaction', pending.txid)).toBe(hex.encode(pending.raw));
    const unconfirmed = await call<Record<string, unknown>>('getrawtransaction', pending.txid, true);
    expect(unconfirmed).toMatchObject({ txid: pending.txid, hash: pending.wtxid, size: pending.size, vsize: pending.vsize, weight: pending.weight, version: 2, locktime: 0, hex: hex.encode(pending.raw) });
    expect(unconfirmed.blockhash).toBeUndefined();
    const [blockhash] = await mine(1);
    const confirmed = await call<Record<string, unknown>>('getrawtransaction', pending.txid, 1);
    expect(confirmed).toMatchObject({ blockhash, confirmations: 1, time: expect.any(Number), blocktime: expect.any(Number) });
    const detailed = await call<{ fee: number; vin: { prevout: Record<string, unknown>; scriptSig: unknown; txinwitness: string[] }[]; vout: { scriptPubKey: Record<string, unknown> }[] }>('getrawtransaction', pending.txid, 2);
    expect(detailed.fee).toBe(0.0001);
    expect(detailed.vin[0]!.prevout).toMatchObject({ generated: false, value: 0.5, scriptPubKey: { hex: hex.encode(alice.p2tr), type: 'witness_v1_taproot' } });
    expect(detailed.vin[0]!.txinwitness).toEqual([hex.encode(pending.inputs[0]!.witness[0]!)]);
    const spk = detailed.vout[0]!.scriptPubKey;
    const outputKey = hex.encode(bob.p2tr.subarray(2));
    expect(spk).toMatchObject({ asm: `1 ${outputKey}`, hex: hex.encode(bob.p2tr), type: 'witness_v1_taproot' });
    expect(spk.desc).toBe(`rawtr(${outputKey})#${descriptorChecksum(`rawtr(${outputKey})`)}`);
    expect(await call('getrawtransaction', pending.txid, true, blockhash)).toMatchObject({ in_active_chain: true, txid: pending.txid });
    expect(await fails('getrawtransaction', '00'.repeat(32))).toEqual({ code: -5, message: 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.' });
    expect(await call('gettxout', pending.txid, 0)).toMatchObject({ confirmations: 1 });
  });

  it('decoderawtransaction prints Core’s asm (sighash-decoded scriptSig) and inferred descriptors', async () => {
    const vector = vectorJson<{ keyPathSpending: { auxiliary: { fullySignedTx: string } }[] }>('bip341-wallet-test-vectors.json');
    const decoded = await call<{ vin: { scriptSig: { asm: string } }[]; vout: { scriptPubKey: Record<string, string> }[] }>('decoderawtransaction', vector.keyPathSpending[0]!.auxiliary.fullySignedTx);
    // Input 2 is P2PKH: "<DER signature without its hashtype>[ALL] <pubkey>".
    expect(decoded.vin[2]!.scriptSig.asm).toMatch(/^30[0-9a-f]+\[ALL\] 0[23][0-9a-f]{64}$/);
    expect(decoded.vout[0]!.scriptPubKey).toMatchObject({ type: 'pubkeyhash', asm: 'OP_DUP OP_HASH160 06afd46bcdfd22ef94ac122aa11f241244a37ecc OP_EQUALVERIFY OP_CHECKSIG', address: 'mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H' });
    expect(decoded.vout[0]!.scriptPubKey.desc).toBe(`addr(mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H)#${descriptorChecksum('addr(mg8Jz5776UdyiYcBb9Z873NTozEiADRW5H)')}`);
    expect(decoded.vout[1]!.scriptPubKey).toMatchObject({ type: 'nonstandard' });
    expect(decoded.vout[1]!.scriptPubKey.desc).toMatch(/^raw\(ac9a87f5[0-9a-f]+\)#[a-z0-9]{8}$/);
  });

  it('descriptor checksums match BIP380’s valid checksum vector', () => {
    const line = vectorText('bip380.txt').split('\n').find((l) => l.includes('Valid checksum'))!;
    const [, desc, checksum] = /<tt>(.*)#([a-z0-9]{8})<\/tt>/.exec(line)!;
    expect(descriptorChecksum(desc!)).toBe(checksum);
  });

  it('estimatesmartfee answers the relay floor on an idle chain; targets outside 1..1008 are -8', async () => {
    expect(await call('estimatesmartfee', 6)).toEqual({ feerate: 0.00001, blocks: 6 });
    expect(await call('estimatesmartfee', 1)).toEqual({ feerate: 0.00001, blocks: 2 });
    expect(await fails('estimatesmartfee', 0)).toEqual({ code: -8, message: 'Invalid conf_target, must be between 1 and 1008' });
    expect((await fails('estimatesmartfee', 2, 'fast')).code).toBe(-8);
  });

  it('getblockfilter matches filters and BIP157 headers built independently from the raw blocks', async () => {
    const height = await call<number>('getblockcount');
    let prevHeader = GENESIS_PREV_FILTER_HEADER;
    const outputs = new Map<string, Uint8Array>();
    for (let i = 0; i <= height; i++) {
      const hash = await call<string>('getblockhash', i);
      const raw = hex.decode(await call<string>('getblock', hash, 0));
      const block = decodeBlock(raw);
      const spent = block.txs.slice(1).flatMap((t) => t.inputs.map((inp) => outputs.get(`${inp.txid}:${inp.vout}`)!));
      for (const t of block.txs) t.outputs.forEach((o, n) => outputs.set(`${t.txid}:${n}`, o.script));
      const filter = basicFilter(raw, spent);
      const header = filterHeader(filter, prevHeader);
      expect(await call('getblockfilter', hash), `height ${i}`).toEqual({ filter: hex.encode(filter), header });
      prevHeader = header;
    }
    expect(await call('getblockfilter', await call('getblockhash', 0), 'basic')).toMatchObject({ header: expect.any(String) });
    expect(await fails('getblockfilter', GENESIS_HASH, 'extended')).toEqual({ code: -5, message: 'Unknown filtertype' });
  });

  it('generatetoaddress refuses other networks’ addresses; generateblock mines exactly the given transactions', async () => {
    expect(await fails('generatetoaddress', 1, 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4')).toEqual({ code: -5, message: 'Error: Invalid address' });
    const coin = h.playground.faucet(bob.p2tr, 1_000_000n);
    const fundTx = h.playground.tx(coin)!.tx;
    const vout = fundTx.outputs.findIndex((o) => hex.encode(o.script) === hex.encode(bob.p2tr));
    const spend = spendKeyPath(bob, [{ txid: coin, vout, value: 1_000_000n, script: bob.p2tr }], [{ script: alice.p2tr, value: 990_000n }]);
    const dry = await call<{ hash: string; hex: string }>('generateblock', ALICE_WPKH_ADDRESS, [coin, hex.encode(spend.raw)], false);
    expect(decodeBlock(hex.decode(dry.hex)).txs.map((t) => t.txid).slice(1)).toEqual([coin, spend.txid]);
    expect(await call('getbestblockhash')).not.toBe(dry.hash);
    const done = await call<{ hash: string }>('generateblock', `addr(${ALICE_WPKH_ADDRESS})`, [coin, hex.encode(spend.raw)]);
    expect(await call('getbestblockhash')).toBe(done.hash);
    const bogus = spendKeyPath(bob, [{ txid: 'cd'.repeat(32), vout: 0, value: 1_000_000n, script: bob.p2tr }], [{ script: alice.p2tr, value: 990_000n }]);
    expect(await fails('generateblock', ALICE_WPKH_ADDRESS, [hex.encode(bogus.raw)])).toMatchObject({ code: -25, message: expect.stringMatching(/^TestBlockValidity failed: bad-txns-inputs-missingorspent/) });
    expect(await fails('generateblock', ALICE_WPKH_ADDRESS, ['ef'.repeat(32)])).toEqual({ code: -5, message: `Transaction ${'ef'.repeat(32)} not in mempool.` });
  });

  it('invalidateblock / reconsiderblock over RPC; submitblock answers duplicate', async () => {
    const tip = await call<string>('getbestblockhash');
    const height = await call<number>('getblockcount');
    expect(await call('invalidateblock', tip)).toBeNull();
    expect(await call('getblockcount')).toBe(height - 1);
    expect(await call('reconsiderblock', tip)).toBeNull();
    expect(await call('getbestblockhash')).toBe(tip);
    expect(await call('submitblock', await call('getblock', tip, 0))).toBe('duplicate');
    expect(await fails('submitblock', '00')).toEqual({ code: -22, message: 'Block decode failed' });
    expect(await fails('invalidateblock', '00'.repeat(32))).toEqual({ code: -5, message: 'Block not found' });
  });

  it('playground_faucet pays an address and the payment shows in the mempool', async () => {
    const txid = await call<string>('playground_faucet', ALICE_WPKH_ADDRESS, 1.25);
    const tx = await call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', txid, true);
    expect(tx.vout.some((o) => o.value === 1.25 && o.scriptPubKey.address === ALICE_WPKH_ADDRESS)).toBe(true);
    expect(await call('getrawmempool')).toContain(txid);
    expect(await fails('playground_faucet', 'notanaddress', 1)).toEqual({ code: -5, message: 'Error: Invalid address' });
    expect((await fails('playground_faucet', ALICE_WPKH_ADDRESS, -1)).code).toBe(-3);
  });
});

describe('runPlayground and scheduled mining', () => {
  it('logs the RPC URL, cookie path, Esplora URL and faucet address; close() removes its signal handlers', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'playground-run-'));
    const lines: string[] = [];
    const before = process.listenerCount('SIGINT');
    const run = await runPlayground({ dataDir: runDir, port: 0, log: (l) => lines.push(l) });
    try {
      expect(process.listenerCount('SIGINT')).toBe(before + 1);
      expect(lines.join('\n')).toContain(`${run.rpcUrl}  (cookie: ${join(runDir, '.cookie')})`);
      expect(lines.join('\n')).toContain(run.esploraUrl);
      expect(lines.join('\n')).toContain(run.playground.faucetWallet.address);
    } finally {
      await run.close();
      rmSync(runDir, { recursive: true, force: true });
    }
    expect(process.listenerCount('SIGINT')).toBe(before);
    expect(() => statSync(join(runDir, '.cookie'))).toThrow();
  });

  it('mines on a schedule to the mining address', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'playground-sched-'));
    const scheduled = await startPlayground({ dataDir: runDir, blockIntervalMs: 20, miningAddress: ALICE_WPKH_ADDRESS });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const pg = scheduled.playground;
      expect(pg.chain.tipHeight).toBeGreaterThan(0);
      expect(pg.chain.block(pg.chain.active[1]!.hash)!.txs[0]!.outputs[0]!.script).toEqual(alice.p2wpkh);
    } finally {
      await scheduled.close();
      rmSync(runDir, { recursive: true, force: true });
    }
    await expect(startPlayground({ dataDir: runDir, miningAddress: 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4' })).rejects.toThrow(/miningAddress/);
  });
});
