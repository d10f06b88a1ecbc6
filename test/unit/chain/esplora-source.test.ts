// The Esplora backend against a local fake Esplora: client-side BIP158 filters and BIP157 header
// chaining reproduce every vector of bip158-blockfilters.json (served as Esplora would, with
// prevouts in paged /block/:hash/txs), answers are checked against the question, misbehaving
// servers map to ChainErrors that say what to fix, and requests are paced.
import http from 'node:http';
import type net from 'node:net';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { afterEach, describe, expect, it } from 'vitest';
import { Transaction } from '@scure/btc-signer';
import { readBlockTxs, readHeader } from '../../../core/chain/block.js';
import { EsploraSource, type EsploraSourceOptions } from '../../../core/chain/esplora/source.js';
import { Pacer } from '../../../core/chain/esplora/pacing.js';
import { ChainError, type ChainTip } from '../../../core/chain/source.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];
const TESTNET_GENESIS = rows[0]?.[1] as string;

type Reply = { status?: number; body: string | Buffer; headers?: Record<string, string> } | undefined;

interface FakeEsplora {
  url: string;
  paths: string[];
  close(): Promise<void>;
}

const servers = new Set<FakeEsplora>();
const sources = new Set<EsploraSource>();
afterEach(async () => {
  for (const s of sources) await s.close();
  sources.clear();
  for (const s of servers) await s.close();
  servers.clear();
});

/** An Esplora serving the vector blocks (testnet), pages of `pageSize`, plus `extra` routes first. */
async function fakeEsplora(extra: (method: string, path: string, body: string, n: number) => Reply = () => undefined, pageSize = 2): Promise<FakeEsplora> {
  const blocks = new Map<string, { row: Row; raw: Uint8Array }>();
  for (const row of rows) blocks.set(row[1], { row, raw: hexToBytes(row[2]) });
  const route = (method: string, path: string, body: string, n: number): Reply => {
    const custom = extra(method, path, body, n);
    if (custom) return custom;
    if (path === '/block-height/0') return { body: TESTNET_GENESIS };
    let m = /^\/block\/([0-9a-f]{64})(\/.*)?$/.exec(path);
    if (m) {
      const entry = blocks.get(m[1] as string);
      if (!entry) return { status: 404, body: 'Block not found' };
      const [height, hash, , prevScripts] = entry.row;
      const txs = readBlockTxs(entry.raw);
      const rest = m[2] ?? '';
      if (rest === '') return { body: JSON.stringify({ id: hash, height, timestamp: 1, tx_count: txs.length, mediantime: 1 }) };
      if (rest === '/raw') return { body: Buffer.from(entry.raw) };
      if (rest === '/header') return { body: bytesToHex(entry.raw.subarray(0, 80)) };
      const page = /^\/txs\/(\d+)$/.exec(rest);
      if (page) {
        let k = 0;
        const json = txs.map((tx, i) => ({
          txid: tx.txid,
          vin: tx.inputs.map((inp) => ({ txid: inp.txid, vout: inp.vout, is_coinbase: i === 0, prevout: i === 0 ? null : { scriptpubkey: prevScripts[k++] } })),
          vout: tx.outputs.map((o) => ({ scriptpubkey: bytesToHex(o.script), value: Number(o.value) })),
          weight: 400,
          fee: 0,
          status: { confirmed: true, block_height: height, block_hash: hash, block_time: 1 },
        }));
        const start = Number(page[1]);
        return { body: JSON.stringify(json.slice(start, start + pageSize)) };
      }
    }
    m = /^\/block-height\/(\d+)$/.exec(path);
    if (m) {
      const row = rows.find((r) => r[0] === Number(m?.[1]));
      return row ? { body: row[1] } : { status: 404, body: 'Block not found' };
    }
    return { status: 404, body: 'not found' };
  };
  const paths: string[] = [];
  const sockets = new Set<net.Socket>();
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      paths.push(`${req.method} ${path}`);
      const reply = route(req.method ?? 'GET', path, body, ++n);
      if (reply?.status === -1) return; // never answer
      res.writeHead(reply?.status ?? 200, reply?.headers).end(reply?.body);
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake: FakeEsplora = {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    paths,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  servers.add(fake);
  return fake;
}

function source(url: string, extra: Partial<EsploraSourceOptions> = {}): EsploraSource {
  const s = new EsploraSource({ url, network: 'testnet', pacing: false, timeoutMs: 2_000, retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 }, pollIntervalMs: 20, ...extra });
  sources.add(s);
  return s;
}

async function chainError(promise: Promise<unknown>, code: string, message: RegExp): Promise<ChainError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected ChainError ${code}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChainError);
  expect((err as ChainError).code).toBe(code);
  expect((err as ChainError).message).toMatch(message);
  return err as ChainError;
}

describe('Esplora backend: BIP158 filters built client-side equal the vectors', () => {
  rows.forEach(([height, hash, blockHex, , prevHeader, filterHex, headerHex, notes], index) => {
    it(`BIP158 vector ${index} (height ${height}${notes ? `: ${notes}` : ''}) via /block/:hash/raw + paged /txs`, async () => {
      const esplora = await fakeEsplora();
      const prevHash = readHeader(hexToBytes(blockHex)).prevHash;
      // The vector's previous header is the trusted checkpoint of the parent block (genesis needs none).
      const checkpoints = height === 0 ? {} : { [prevHash]: prevHeader };
      const f = await source(esplora.url, { filterCheckpoints: checkpoints }).blockFilter(hash);
      expect(bytesToHex(f.filter)).toBe(filterHex);
      expect(f.header).toBe(headerHex);
      const txCount = readBlockTxs(hexToBytes(blockHex)).length;
      const pages = esplora.paths.filter((p) => p.startsWith(`GET /block/${hash}/txs/`));
      expect(pages).toHaveLength(txCount > 1 ? Math.ceil(txCount / 2) : 0);
    });
  });

  it('BIP157 chaining: the header of height 3 is computed by walking back to the checkpoint before height 2', async () => {
    const esplora = await fakeEsplora();
    const [, hash2, block2, , prev2, , header2] = rows[1] as Row;
    const [, hash3, , , , , header3] = rows[2] as Row;
    const parentOf2 = bytesToHex(hexToBytes(block2).subarray(4, 36).reverse());
    const s = source(esplora.url, { filterCheckpoints: { [parentOf2]: prev2 } });
    // Without the parent's header, the filter comes alone; asking for the header walks back.
    expect((await s.blockFilter(hash3)).header).toBeUndefined();
    expect(await s.filterHeader(hash3)).toBe(header3);
    expect(esplora.paths).toContain(`GET /block/${hash2}/raw`);
    // Height 2's header is now remembered: asking for it builds only its own filter again.
    const before = esplora.paths.length;
    expect((await s.blockFilter(hash2)).header).toBe(header2);
    expect(esplora.paths.slice(before)).toEqual([`GET /block/${hash2}/raw`]);
  });

  it('a page that does not match the raw block → BAD_RESPONSE', async () => {
    const [, hash] = rows[5] as Row;
    const esplora = await fakeEsplora((_m, path) => (path === `/block/${hash}/txs/2` ? { body: '[]' } : undefined));
    // Pages 0 and 4 hold 2 + 1 transactions, page 2 is empty: 3 listed for a block of 5.
    await chainError(source(esplora.url).blockFilter(hash), 'BAD_RESPONSE', /lists 3 transactions for block .*, the block has 5/);
  });

  it('a raw block that does not hash to the requested one → BAD_RESPONSE', async () => {
    const [, hash] = rows[1] as Row;
    const esplora = await fakeEsplora((_m, path) => (path === `/block/${hash}/raw` ? { body: Buffer.from(hexToBytes((rows[2] as Row)[2])) } : undefined));
    await chainError(source(esplora.url).block(hash), 'BAD_RESPONSE', new RegExp(`returned a block that does not hash to ${hash}`));
  });
});

describe('Esplora backend: misbehaving servers', () => {
  it('wrong network (genesis of testnet, wallet on regtest) → WRONG_NETWORK naming both', async () => {
    const esplora = await fakeEsplora();
    await chainError(source(esplora.url, { network: 'regtest' }).tip(), 'WRONG_NETWORK', /is on testnet, but this wallet is on regtest: use a regtest server URL or change the wallet's network/);
    expect(esplora.paths).toEqual(['GET /block-height/0']);
  });

  it('an unknown genesis → WRONG_NETWORK quoting it', async () => {
    const esplora = await fakeEsplora((_m, p) => (p === '/block-height/0' ? { body: 'ab'.repeat(32) } : undefined));
    await chainError(source(esplora.url).info(), 'WRONG_NETWORK', new RegExp(`an unknown chain \\(genesis ${'ab'.repeat(32)}\\)`));
  });

  it('connection refused → UNREACHABLE', async () => {
    const esplora = await fakeEsplora();
    await esplora.close();
    servers.delete(esplora);
    await chainError(source(esplora.url).tip(), 'UNREACHABLE', /refused the connection: check that the server is running/);
  });

  it('401 → UNAUTHORIZED asking for the URL and API key', async () => {
    const esplora = await fakeEsplora(() => ({ status: 401, body: 'Unauthorized' }));
    await chainError(source(esplora.url).tip(), 'UNAUTHORIZED', /refused access \(HTTP 401\): check the server URL and any API key it needs/);
  });

  it('malformed JSON → BAD_RESPONSE asking whether this is an Esplora URL', async () => {
    const tip = (rows[9] as Row)[1];
    const esplora = await fakeEsplora((_m, p) => (p === '/blocks/tip/hash' ? { body: tip } : p === `/block/${tip}` ? { body: '<html>' } : undefined));
    await chainError(source(esplora.url).tip(), 'BAD_RESPONSE', /is not JSON: is this an Esplora API URL\?/);
  });

  it('wrong JSON shape → BAD_RESPONSE naming the field', async () => {
    const tip = (rows[9] as Row)[1];
    const esplora = await fakeEsplora((_m, p) =>
      p === '/blocks/tip/hash' ? { body: tip } : p === `/block/${tip}` ? { body: JSON.stringify({ id: tip, height: -1, timestamp: 1, tx_count: 1 }) } : undefined,
    );
    await chainError(source(esplora.url).tip(), 'BAD_RESPONSE', /has an unexpected shape: height: /);
  });

  it('a tip that is not a hash → BAD_RESPONSE', async () => {
    const esplora = await fakeEsplora((_m, p) => (p === '/blocks/tip/hash' ? { body: 'hello' } : undefined));
    await chainError(source(esplora.url).tip(), 'BAD_RESPONSE', /blocks\/tip\/hash is not a block hash: "hello"/);
  });

  it('a server that never answers → TIMEOUT', async () => {
    const esplora = await fakeEsplora(() => ({ status: -1, body: '' }));
    await chainError(source(esplora.url, { timeoutMs: 200 }).tip(), 'TIMEOUT', /did not answer within 200 ms/);
    expect(esplora.paths).toHaveLength(1);
  });

  it('HTTP 502 twice, then success: retried', async () => {
    const esplora = await fakeEsplora((_m, _p, _b, n) => (n <= 2 ? { status: 502, body: 'Bad Gateway' } : undefined));
    expect(await source(esplora.url).blockHash(2)).toBe((rows[1] as Row)[1]);
    expect(esplora.paths).toHaveLength(4);
  });

  it('HTTP 429 honours Retry-After, then succeeds', async () => {
    const esplora = await fakeEsplora((_m, _p, _b, n) => (n === 1 ? { status: 429, body: 'Too Many Requests', headers: { 'retry-after': '0' } } : undefined));
    expect(await source(esplora.url).blockHash(3)).toBe((rows[2] as Row)[1]);
  });

  it('HTTP 429 that never stops → BAD_RESPONSE telling to lower the request rate', async () => {
    const esplora = await fakeEsplora(() => ({ status: 429, body: 'slow down' }));
    await chainError(source(esplora.url).tip(), 'BAD_RESPONSE', /is rate-limiting this client \(HTTP 429\): lower the request rate \(pacing\) or use another server/);
    expect(esplora.paths).toHaveLength(3);
  });

  it('404s: unknown tx → null, unknown block → NOT_FOUND, height above the tip → NOT_FOUND', async () => {
    const esplora = await fakeEsplora();
    const s = source(esplora.url);
    expect(await s.tx('11'.repeat(32))).toBeNull();
    expect(await s.mempoolEntry('11'.repeat(32))).toBeNull();
    await chainError(s.block('22'.repeat(32)), 'NOT_FOUND', new RegExp(`block ${'22'.repeat(32)} is unknown to the server`));
    await chainError(s.blockHash(5), 'NOT_FOUND', /no block at height 5/);
  });

  it('rejected broadcast: Core\'s reason out of "sendrawtransaction RPC error: {…}" → REJECTED', async () => {
    const esplora = await fakeEsplora((m, p) =>
      m === 'POST' && p === '/tx' ? { status: 400, body: 'sendrawtransaction RPC error: {"code":-26,"message":"min relay fee not met, 100 < 141"}' } : undefined,
    );
    const err = await chainError(source(esplora.url).broadcast(Uint8Array.of(2, 0)), 'REJECTED', /rejected the transaction: min relay fee not met, 100 < 141/);
    expect(err.reason).toBe('min relay fee not met');
  });

  it('rejected broadcast with a plain-text body keeps the text as reason', async () => {
    const esplora = await fakeEsplora((m) => (m === 'POST' ? { status: 400, body: 'txn-mempool-conflict' } : undefined));
    expect((await chainError(source(esplora.url).broadcast(Uint8Array.of(1)), 'REJECTED', /txn-mempool-conflict/)).reason).toBe('txn-mempool-conflict');
  });

  it('broadcast posts the hex and returns the txid', async () => {
    let posted = '';
    const esplora = await fakeEsplora((m, _p, body) => {
      if (m !== 'POST') return undefined;
      posted = body;
      return { body: 'AB'.repeat(32) };
    });
    expect(await source(esplora.url).broadcast(Uint8Array.of(0xde, 0xad))).toBe('ab'.repeat(32));
    expect(posted).toBe('dead');
  });
});

describe('Esplora backend: transactions, spends, mempool, fees', () => {
  const parent = { txid: 'a1'.repeat(32), vin: [{ txid: 'c0'.repeat(32), vout: 0, is_coinbase: false, prevout: { scriptpubkey: '51' } }], vout: [{ scriptpubkey: '51', value: 5000 }], weight: 561, fee: 300, status: { confirmed: false } };
  const child = { txid: 'a2'.repeat(32), vin: [{ txid: parent.txid, vout: 0, is_coinbase: false, prevout: { scriptpubkey: '51' } }], vout: [{ scriptpubkey: '51', value: 4000 }], weight: 437, fee: 1000, status: { confirmed: false } };
  const grand = { txid: 'c0'.repeat(32), vin: [], vout: [], weight: 400, fee: 0, status: { confirmed: true, block_height: 3, block_hash: 'bb'.repeat(32), block_time: 9 } };
  const txRoutes = (_m: string, p: string): Reply => {
    for (const t of [parent, child, grand]) if (p === `/tx/${t.txid}`) return { body: JSON.stringify(t) };
    if (p === `/tx/${parent.txid}/outspend/0`) return { body: JSON.stringify({ spent: true, txid: child.txid, vin: 0, status: { confirmed: false } }) };
    if (p === `/tx/${grand.txid}/outspend/0`) return { body: JSON.stringify({ spent: true, txid: parent.txid, vin: 0, status: { confirmed: true, block_height: 4, block_hash: 'cc'.repeat(32), block_time: 10 } }) };
    if (p === `/tx/${child.txid}/outspend/0`) return { body: JSON.stringify({ spent: false }) };
    if (p === '/fee-estimates') return { body: JSON.stringify({ '1': 20.5, '6': 10, '144': 1.01 }) };
    if (p === '/mempool/txids') return { body: JSON.stringify([parent.txid, child.txid]) };
    return undefined;
  };

  it('mempoolEntry(): vsize from weight, fee, and ancestors counted through unconfirmed parents', async () => {
    const esplora = await fakeEsplora(txRoutes);
    const entry = await source(esplora.url).mempoolEntry(child.txid);
    expect(entry).toMatchObject({ txid: child.txid, vsize: 110, fee: 1000n, ancestorCount: 2 });
    expect(Math.abs((entry?.time ?? 0) - Date.now() / 1000)).toBeLessThan(5);
    expect(await source(esplora.url).mempoolEntry(grand.txid)).toBeNull();
  });

  it('outspend(): unspent, spent in the mempool, spent in a block; a missing output → NOT_FOUND', async () => {
    const esplora = await fakeEsplora(txRoutes);
    const s = source(esplora.url);
    expect(await s.outspend(child.txid, 0)).toEqual({ spent: false });
    expect(await s.outspend(parent.txid, 0)).toEqual({ spent: true, txid: child.txid, vin: 0 });
    await chainError(s.outspend(grand.txid, 0), 'NOT_FOUND', /has no output 0/);
    expect(await s.outspend(child.txid, 0)).toEqual({ spent: false });
  });

  it('feeEstimates() and mempoolTxids()', async () => {
    const esplora = await fakeEsplora(txRoutes);
    const s = source(esplora.url);
    expect(await s.feeEstimates()).toEqual({ 1: 20.5, 6: 10, 144: 1.01 });
    expect(await s.mempoolTxids()).toEqual([parent.txid, child.txid]);
  });

  it('tx(): raw bytes checked against the txid; confirmed status gives the block', async () => {
    const tx = new Transaction({ allowUnknownOutputs: true });
    tx.addInput({ txid: new Uint8Array(32).fill(9), index: 0 });
    tx.addOutput({ script: Uint8Array.of(0x51), amount: 700n });
    const raw = tx.toBytes(true, false);
    const other = 'ee'.repeat(32);
    const esplora = await fakeEsplora((_m, p) => {
      if (p === `/tx/${tx.id}/raw` || p === `/tx/${other}/raw`) return { body: Buffer.from(raw) };
      if (p === `/tx/${tx.id}/status` || p === `/tx/${other}/status`) return { body: JSON.stringify({ confirmed: true, block_height: 3, block_hash: 'bb'.repeat(32), block_time: 9 }) };
      return undefined;
    });
    const s = source(esplora.url);
    expect(await s.tx(tx.id)).toEqual({ raw, block: { hash: 'bb'.repeat(32), height: 3, time: 9 } });
    await chainError(s.tx(other), 'BAD_RESPONSE', new RegExp(`returned transaction ${tx.id} when asked for ${other}`));
  });
});

describe('Esplora backend: pacing and tip polling', () => {
  it('a token bucket of 1 at 25/s spaces 5 requests over ≥ 160 ms', async () => {
    const esplora = await fakeEsplora();
    const s = source(esplora.url, { pacing: { ratePerSecond: 25, burst: 1 } });
    const started = performance.now();
    await s.tip().catch(() => undefined); // genesis check + tip hash
    await Promise.all([s.blockHash(2), s.blockHash(3), s.blockHash(0)]);
    expect(esplora.paths.length).toBeGreaterThanOrEqual(5);
    expect(performance.now() - started).toBeGreaterThanOrEqual((esplora.paths.length - 1) * 40 - 15);
  });

  it('Pacer: burst passes at once, then one request per 1/rate seconds (fake clock)', async () => {
    let now = 0;
    const sleeps: number[] = [];
    const pacer = new Pacer({ ratePerSecond: 10, burst: 3 }, { now: () => now, sleep: async (ms) => { sleeps.push(ms); now += ms; } });
    await Promise.all([pacer.take(), pacer.take(), pacer.take()]);
    expect(sleeps).toEqual([]);
    await pacer.take();
    await pacer.take();
    expect(sleeps.map((ms) => Math.round(ms))).toEqual([100, 100]);
    now += 1_000; // idle: the bucket refills to its burst, not beyond
    await Promise.all([pacer.take(), pacer.take(), pacer.take(), pacer.take()]);
    expect(sleeps.map((ms) => Math.round(ms))).toEqual([100, 100, 100]);
    expect(() => new Pacer({ ratePerSecond: 0, burst: 1 })).toThrowError('"ratePerSecond" expected a positive number, got 0');
  });

  it('subscribeTip(): current tip, then a new one', async () => {
    let tip = (rows[1] as Row)[1];
    const esplora = await fakeEsplora((_m, p) => (p === '/blocks/tip/hash' ? { body: tip } : undefined));
    const s = source(esplora.url);
    const seen: ChainTip[] = [];
    const stop = s.subscribeTip((t) => seen.push(t));
    for (let i = 0; i < 200 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    tip = (rows[2] as Row)[1];
    for (let i = 0; i < 200 && seen.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    stop();
    expect(seen).toEqual([
      { height: 2, hash: (rows[1] as Row)[1] },
      { height: 3, hash: (rows[2] as Row)[1] },
    ]);
  });
});

