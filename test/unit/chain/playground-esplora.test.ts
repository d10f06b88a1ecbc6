// The Playground's Esplora REST API over real HTTP: Blockstream-style paths under /api, JSON shapes
// of blocks, transactions, statuses, outspends, merkle proofs, fee estimates, mempool and address
// histories, text and binary bodies, broadcast, and Esplora's status codes and error texts.
import { hex } from '@scure/base';
import { Address, OutScript } from '@scure/btc-signer/payment.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_HASH, REGTEST } from '../../../core/chain/playground/params.js';
import { startPlayground, type PlaygroundHandle } from '../../../core/chain/playground/server.js';
import { decodeBlock, hashToHex, hexToHash, sha256d, type DecodedTx } from '../../../core/chain/playground/wire.js';
import { key, spendKeyPath, type Utxo } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);
const ALICE = Address(REGTEST).encode(OutScript.decode(alice.p2tr));
const BOB = Address(REGTEST).encode(OutScript.decode(bob.p2tr));

let dir: string;
let h: PlaygroundHandle;
let now = 1_700_000_000;
let funding: DecodedTx;
let coin: Utxo;
let spend: DecodedTx;
let fundingBlock: string;

async function get(path: string): Promise<{ status: number; type: string | null; text: string }> {
  const res = await fetch(`${h.esploraUrl}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}
async function json<T = Record<string, unknown>>(path: string): Promise<T> {
  const r = await get(path);
  expect(r.status, `${path}: ${r.text}`).toBe(200);
  expect(r.type).toBe('application/json');
  return JSON.parse(r.text) as T;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'playground-esplora-'));
  h = await startPlayground({ dataDir: dir, clock: () => now, faucetKey: new Uint8Array(32).fill(0x42) });
  const pg = h.playground;
  const txid = pg.faucet(alice.p2tr, 2_000_000n);
  funding = pg.tx(txid)!.tx;
  now += 1;
  fundingBlock = pg.generate(1, bob.p2tr)[0]!;
  const vout = funding.outputs.findIndex((o) => hex.encode(o.script) === hex.encode(alice.p2tr));
  coin = { txid, vout, value: 2_000_000n, script: alice.p2tr };
  spend = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 1_000_000n }, { script: alice.p2tr, value: 990_000n }]);
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('blocks', () => {
  it('/blocks/tip/height and /blocks/tip/hash are plain text', async () => {
    const height = await get('/blocks/tip/height');
    expect(height).toMatchObject({ status: 200, type: 'text/plain', text: String(h.playground.chain.tipHeight) });
    expect((await get('/blocks/tip/hash')).text).toBe(fundingBlock);
    expect((await get('/block-height/0')).text).toBe(GENESIS_HASH);
    expect(await get(`/block-height/${h.playground.chain.tipHeight + 1}`)).toMatchObject({ status: 404, text: 'Block not found' });
  });

  it('/block/:hash has Esplora’s fields; header, raw, status, txids, txid/:i and txs agree', async () => {
    const b = await json(`/block/${fundingBlock}`);
    const tip = h.playground.chain.tip;
    expect(b).toEqual({
      id: fundingBlock,
      height: tip.height,
      version: 0x20000000,
      timestamp: tip.header.time,
      tx_count: 2,
      size: expect.any(Number),
      weight: expect.any(Number),
      merkle_root: tip.header.merkleRoot,
      previousblockhash: tip.parent!.hash,
      mediantime: tip.mtp,
      nonce: tip.header.nonce,
      bits: 0x207fffff,
      difficulty: expect.any(Number),
    });
    const header = await get(`/block/${fundingBlock}/header`);
    expect(header.text).toHaveLength(160);
    const raw = await fetch(`${h.esploraUrl}/block/${fundingBlock}/raw`);
    expect(raw.headers.get('content-type')).toBe('application/octet-stream');
    const block = decodeBlock(new Uint8Array(await raw.arrayBuffer()));
    expect(block.hash).toBe(fundingBlock);
    expect(hex.encode(block.headerRaw)).toBe(header.text);
    expect(b.size).toBe(block.size);
    expect(b.weight).toBe(block.weight);
    expect(await json(`/block/${fundingBlock}/status`)).toEqual({ in_best_chain: true, height: tip.height, next_best: null });
    expect(await json(`/block/${GENESIS_HASH}/status`)).toEqual({ in_best_chain: true, height: 0, next_best: h.playground.chain.active[1]!.hash });
    expect(await json(`/block/${fundingBlock}/txids`)).toEqual(block.txs.map((t) => t.txid));
    expect((await get(`/block/${fundingBlock}/txid/1`)).text).toBe(funding.txid);
    const txs = await json<Record<string, unknown>[]>(`/block/${fundingBlock}/txs`);
    expect(txs.map((t) => t.txid)).toEqual(block.txs.map((t) => t.txid));
    expect((await json<Record<string, unknown>[]>('/blocks')).map((x) => x.height)).toEqual(Array.from({ length: 10 }, (_, i) => tip.height - i));
    expect((await json<Record<string, unknown>[]>('/blocks/3')).map((x) => x.height)).toEqual([3, 2, 1, 0]);
  });

  it('unknown and malformed hashes: 404 Block not found, 400 Invalid hex string', async () => {
    expect(await get(`/block/${'00'.repeat(32)}`)).toMatchObject({ status: 404, text: 'Block not found' });
    expect(await get('/block/xyz')).toMatchObject({ status: 400, text: 'Invalid hex string' });
    expect(await get('/no/such/route')).toMatchObject({ status: 404 });
  });
});

describe('transactions', () => {
  it('/tx/:txid for a confirmed transaction: vin with prevout, vout with type/address/asm, fee, status', async () => {
    const t = await json(`/tx/${funding.txid}`);
    const tip = h.playground.chain.tip;
    expect(t).toMatchObject({
      txid: funding.txid,
      version: 2,
      locktime: 0,
      size: funding.size,
      weight: funding.weight,
      status: { confirmed: true, block_height: tip.height, block_hash: fundingBlock, block_time: tip.header.time },
    });
    const vout = (t.vout as Record<string, unknown>[])[coin.vout]!;
    expect(vout).toEqual({
      scriptpubkey: hex.encode(alice.p2tr),
      scriptpubkey_asm: `OP_PUSHNUM_1 OP_PUSHBYTES_32 ${hex.encode(alice.p2tr.subarray(2))}`,
      scriptpubkey_type: 'v1_p2tr',
      scriptpubkey_address: ALICE,
      value: 2_000_000,
    });
    const vin = (t.vin as Record<string, unknown>[])[0]!;
    expect(vin).toMatchObject({ is_coinbase: false, scriptsig: '', scriptsig_asm: '', sequence: expect.any(Number), witness: [expect.stringMatching(/^[0-9a-f]{128}$/)] });
    expect((vin.prevout as Record<string, unknown>).scriptpubkey_type).toBe('v1_p2tr');
    const inputValue = (vin.prevout as { value: number }).value;
    const outputValue = (t.vout as { value: number }[]).reduce((s, o) => s + o.value, 0);
    expect(t.fee).toBe(inputValue - outputValue);
    const coinbase = await json(`/tx/${h.playground.chain.block(fundingBlock)!.txs[0]!.txid}`);
    expect((coinbase.vin as Record<string, unknown>[])[0]).toMatchObject({ is_coinbase: true, prevout: null, vout: 0xffffffff });
    expect(coinbase.fee).toBe(0);
  });

  it('/tx/:txid/hex, /raw, /status; 404 for unknown', async () => {
    expect((await get(`/tx/${funding.txid}/hex`)).text).toBe(hex.encode(funding.raw));
    const raw = await fetch(`${h.esploraUrl}/tx/${funding.txid}/raw`);
    expect(new Uint8Array(await raw.arrayBuffer())).toEqual(funding.raw);
    expect(await json(`/tx/${funding.txid}/status`)).toMatchObject({ confirmed: true, block_hash: fundingBlock });
    expect(await get(`/tx/${'00'.repeat(32)}`)).toMatchObject({ status: 404, text: 'Transaction not found' });
  });

  it('POST /tx broadcasts (text txid) and refuses with 400 and the RPC error', async () => {
    const ok = await fetch(`${h.esploraUrl}/tx`, { method: 'POST', body: hex.encode(spend.raw) });
    expect([ok.status, await ok.text()]).toEqual([200, spend.txid]);
    expect(await json(`/tx/${spend.txid}/status`)).toEqual({ confirmed: false });
    const bad = spendKeyPath(alice, [{ ...coin, txid: 'ab'.repeat(32) }], [{ script: bob.p2tr, value: 1_000_000n }]);
    const refused = await fetch(`${h.esploraUrl}/tx`, { method: 'POST', body: hex.encode(bad.raw) });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toBe('sendrawtransaction RPC error: {"code":-25,"message":"bad-txns-inputs-missingorspent"}');
    const garbage = await fetch(`${h.esploraUrl}/tx`, { method: 'POST', body: 'zz' });
    expect(garbage.status).toBe(400);
  });

  it('/tx/:txid/outspend/:vout and /outspends follow spends through the mempool', async () => {
    expect(await json(`/tx/${funding.txid}/outspend/${coin.vout}`)).toEqual({ spent: true, txid: spend.txid, vin: 0, status: { confirmed: false } });
    expect(await json(`/tx/${spend.txid}/outspend/0`)).toEqual({ spent: false });
    const all = await json<Record<string, unknown>[]>(`/tx/${funding.txid}/outspends`);
    expect(all).toHaveLength(funding.outputs.length);
    expect(all[coin.vout]).toMatchObject({ spent: true, txid: spend.txid });
    expect(await get(`/tx/${funding.txid}/outspend/99`)).toMatchObject({ status: 404 });
  });

  it('/tx/:txid/merkle-proof recomputes the block’s merkle root', async () => {
    const proof = await json<{ block_height: number; merkle: string[]; pos: number }>(`/tx/${funding.txid}/merkle-proof`);
    let node = hexToHash(funding.txid);
    let pos = proof.pos;
    for (const sibling of proof.merkle) {
      const pair = pos & 1 ? [hexToHash(sibling), node] : [node, hexToHash(sibling)];
      node = sha256d(Uint8Array.from([...pair[0]!, ...pair[1]!]));
      pos >>= 1;
    }
    expect(hashToHex(node)).toBe(h.playground.chain.get(fundingBlock)!.header.merkleRoot);
    expect(proof.block_height).toBe(h.playground.chain.get(fundingBlock)!.height);
  });
});

describe('fees and mempool', () => {
  it('/fee-estimates has Esplora’s targets in sat/vB', async () => {
    const fees = await json<Record<string, number>>('/fee-estimates');
    expect(Object.keys(fees).map(Number).sort((a, b) => a - b)).toEqual([...Array.from({ length: 25 }, (_, i) => i + 1), 144, 504, 1008]);
    expect(Object.values(fees).every((v) => v === 1)).toBe(true);
  });

  it('/mempool, /mempool/txids and /mempool/recent', async () => {
    const entry = h.playground.mempool.get(spend.txid)!;
    expect(await json('/mempool')).toEqual({ count: 1, vsize: entry.vsize, total_fee: 10_000, fee_histogram: [[Math.floor((10_000 / entry.vsize) * 10) / 10, entry.vsize]] });
    expect(await json('/mempool/txids')).toEqual([spend.txid]);
    expect(await json('/mempool/recent')).toEqual([{ txid: spend.txid, fee: 10_000, vsize: entry.vsize, value: 1_990_000 }]);
  });
});

describe('addresses', () => {
  it('/address/:addr has chain and mempool stats', async () => {
    expect(await json(`/address/${ALICE}`)).toEqual({
      address: ALICE,
      chain_stats: { funded_txo_count: 1, funded_txo_sum: 2_000_000, spent_txo_count: 0, spent_txo_sum: 0, tx_count: 1 },
      mempool_stats: { funded_txo_count: 1, funded_txo_sum: 990_000, spent_txo_count: 1, spent_txo_sum: 2_000_000, tx_count: 1 },
    });
  });

  it('/address/:addr/utxo lists what is unspent, confirmed or not', async () => {
    expect(await json(`/address/${ALICE}/utxo`)).toEqual([{ txid: spend.txid, vout: 1, status: { confirmed: false }, value: 990_000 }]);
    expect(await json(`/address/${BOB}/utxo`)).toEqual(
      expect.arrayContaining([{ txid: spend.txid, vout: 0, status: { confirmed: false }, value: 1_000_000 }]),
    );
  });

  it('/address/:addr/txs lists mempool first, then confirmed newest first; /txs/chain and /txs/mempool split them', async () => {
    expect((await json<{ txid: string }[]>(`/address/${ALICE}/txs`)).map((t) => t.txid)).toEqual([spend.txid, funding.txid]);
    expect((await json<{ txid: string }[]>(`/address/${ALICE}/txs/mempool`)).map((t) => t.txid)).toEqual([spend.txid]);
    expect((await json<{ txid: string }[]>(`/address/${ALICE}/txs/chain`)).map((t) => t.txid)).toEqual([funding.txid]);
    expect(await json(`/address/${ALICE}/txs/chain/${funding.txid}`)).toEqual([]);
    expect(await get('/address/notanaddress')).toMatchObject({ status: 400, text: 'Invalid Bitcoin address' });
  });

  it('after mining, the spend is confirmed everywhere', async () => {
    now += 1;
    const [block] = h.playground.generate(1, bob.p2tr);
    expect(await json(`/tx/${spend.txid}/status`)).toMatchObject({ confirmed: true, block_hash: block });
    expect(await json(`/address/${ALICE}/utxo`)).toEqual([{ txid: spend.txid, vout: 1, status: expect.objectContaining({ confirmed: true }), value: 990_000 }]);
    expect((await json<{ txid: string }[]>(`/address/${ALICE}/txs/chain`)).map((t) => t.txid)).toEqual([spend.txid, funding.txid]);
    expect(await json('/mempool/txids')).toEqual([]);
  });
});
