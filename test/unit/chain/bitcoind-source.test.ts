// The Bitcoin Core RPC backend against local fake nodes that misbehave on purpose: refused
// connections, 401, wrong network, malformed JSON, wrong shapes, a node that never answers,
// 5xx then success, RPC errors (never retried) mapped to ChainErrors that say what to fix,
// batching, answers checked against the question, and tip polling.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Transaction } from '@scure/btc-signer';
import { readHeader } from '../../../core/chain/block.js';
import { BitcoindSource, type BitcoindSourceOptions } from '../../../core/chain/bitcoind/source.js';
import { rejectReason } from '../../../core/chain/bitcoind/rpc.js';
import { ChainError, type ChainTip, type Network } from '../../../core/chain/source.js';
import { vectorJson } from '../../support/vectors.js';

type Row = [number, string, string, string[], string, string, string, string];
const rows = vectorJson<[unknown, ...Row[]]>('bip158-blockfilters.json').slice(1) as Row[];
const [, HASH_A, BLOCK_A, , , FILTER_A, HEADER_A] = rows[8] as Row; // testnet block 1263442 (segwit)
const [, HASH_B] = rows[9] as Row;
const TIP = { blocks: 120, bestblockhash: 'ab'.repeat(32) };

type Result = unknown;
interface RpcFail {
  rpcError: { code: number; message: string };
}
const fail = (code: number, message: string): RpcFail => ({ rpcError: { code, message } });

interface FakeNode {
  url: string;
  port: number;
  /** Every HTTP request body, parsed. */
  bodies: unknown[];
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

interface FakeNodeSetup {
  chain?: string;
  /** Handlers by method; a missing method answers -32601 like Core. */
  methods?: Record<string, (params: unknown[]) => Result | RpcFail>;
  /** Raw override: return true when it answered the request itself. */
  raw?: (req: http.IncomingMessage, res: http.ServerResponse, body: string, n: number) => boolean;
  /** Basic auth "user:pass" required (default "u:p"); a function is asked at every request. */
  credentials?: string | (() => string);
  port?: number;
}

const servers = new Set<FakeNode>();
const sources = new Set<BitcoindSource>();
afterEach(async () => {
  for (const s of sources) await s.close();
  sources.clear();
  for (const n of servers) await n.close();
  servers.clear();
});

async function fakeNode(setup: FakeNodeSetup = {}): Promise<FakeNode> {
  const bodies: unknown[] = [];
  const authorizations: (string | undefined)[] = [];
  const credentials = () => (typeof setup.credentials === 'function' ? setup.credentials() : (setup.credentials ?? 'u:p'));
  const methods: Record<string, (params: unknown[]) => Result | RpcFail> = {
    getblockchaininfo: () => ({ chain: setup.chain ?? 'regtest', ...TIP, pruned: false }),
    ...setup.methods,
  };
  const answer = (call: { id: unknown; method: string; params?: unknown[] }) => {
    const handler = methods[call.method];
    const out = handler ? handler(call.params ?? []) : fail(-32601, 'Method not found');
    if (out && typeof out === 'object' && 'rpcError' in out) return { result: null, error: (out as RpcFail).rpcError, id: call.id };
    return { result: out, error: null, id: call.id };
  };
  const sockets = new Set<net.Socket>();
  let n = 0;
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      n++;
      authorizations.push(req.headers.authorization);
      try {
        bodies.push(JSON.parse(body));
      } catch {
        bodies.push(body);
      }
      if (setup.raw?.(req, res, body, n)) return;
      if (req.headers.authorization !== `Basic ${Buffer.from(credentials()).toString('base64')}`) {
        res.writeHead(401).end();
        return;
      }
      const parsed = JSON.parse(body) as { id: unknown; method: string; params?: unknown[] } | { id: unknown; method: string; params?: unknown[] }[];
      if (Array.isArray(parsed)) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(parsed.map(answer)));
        return;
      }
      const reply = answer(parsed);
      // JSON-RPC 1.0 as Core does it: errors travel with HTTP 500, an unknown method with 404.
      const status = reply.error ? (reply.error.code === -32601 ? 404 : 500) : 200;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(setup.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const node: FakeNode = {
    url: `http://127.0.0.1:${port}`,
    port,
    bodies,
    authorizations,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  servers.add(node);
  return node;
}

function source(url: string, extra: Partial<BitcoindSourceOptions> = {}): BitcoindSource {
  const s = new BitcoindSource({
    url,
    auth: { user: 'u', password: 'p' },
    network: 'regtest' as Network,
    timeoutMs: 2_000,
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 20 },
    pollIntervalMs: 20,
    ...extra,
  });
  sources.add(s);
  return s;
}

async function chainError(promise: Promise<unknown>, code: string, message: RegExp): Promise<ChainError> {
  const err = await promise.then(
    (v) => {
      throw new Error(`expected ChainError ${code}, got ${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? String(x) : x))}`);
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChainError);
  expect((err as ChainError).code).toBe(code);
  expect((err as ChainError).message).toMatch(message);
  return err as ChainError;
}

const calls = (node: FakeNode) => node.bodies.flatMap((b) => (Array.isArray(b) ? b : [b])) as { method: string; params: unknown[] }[];

describe('bitcoind backend: unreachable and misbehaving nodes', () => {
  it('connection refused → UNREACHABLE saying to check the node is running', async () => {
    const node = await fakeNode();
    await node.close();
    servers.delete(node);
    await chainError(source(node.url).tip(), 'UNREACHABLE', /127\.0\.0\.1:\d+ refused the connection: check that the server is running and the URL and port are right/);
  });

  it('connection refused, then the node comes up: the retry with backoff succeeds', async () => {
    const probe = await fakeNode();
    const port = probe.port;
    await probe.close();
    servers.delete(probe);
    const s = source(`http://127.0.0.1:${port}`, { retry: { retries: 5, baseDelayMs: 40, maxDelayMs: 200 } });
    const pending = s.tip();
    await new Promise((r) => setTimeout(r, 30));
    const node = await fakeNode({ port });
    expect(await pending).toEqual({ height: TIP.blocks, hash: TIP.bestblockhash });
    expect(calls(node).map((c) => c.method)).toEqual(['getblockchaininfo', 'getblockchaininfo']);
  });

  it('401 → UNAUTHORIZED "wrong credentials: check the cookie file path or rpcuser/rpcpassword", not retried', async () => {
    const node = await fakeNode({ credentials: 'u:other' });
    await chainError(source(node.url).tip(), 'UNAUTHORIZED', /401 Unauthorized .*wrong credentials: check the cookie file path or rpcuser\/rpcpassword/);
    expect(node.bodies).toHaveLength(1);
  });

  it('403 → UNAUTHORIZED pointing at rpcallowip', async () => {
    const node = await fakeNode({ raw: (_q, res) => (res.writeHead(403).end(), true) });
    await chainError(source(node.url).tip(), 'UNAUTHORIZED', /403 Forbidden: the node does not accept RPC from this address; check rpcallowip and rpcbind/);
  });

  it('wrong network → WRONG_NETWORK naming both networks, for info() and for every other call', async () => {
    const node = await fakeNode({ chain: 'main', methods: { getindexinfo: () => ({}), getblockhash: () => HASH_A } });
    const s = source(node.url);
    await chainError(s.info(), 'WRONG_NETWORK', /is on mainnet, but this wallet is on regtest: connect to a regtest node or change the wallet's network/);
    await chainError(s.blockHash(1), 'WRONG_NETWORK', /is on mainnet, but this wallet is on regtest/);
    expect(calls(node).some((c) => c.method === 'getblockhash')).toBe(false);
  });

  it('an unknown chain name is WRONG_NETWORK too', async () => {
    const node = await fakeNode({ chain: 'liquidv1' });
    await chainError(source(node.url).tip(), 'WRONG_NETWORK', /is on an unknown chain "liquidv1", but this wallet is on regtest/);
  });

  it('malformed JSON → BAD_RESPONSE asking whether this is a Core RPC port', async () => {
    const node = await fakeNode({ raw: (_q, res) => (res.writeHead(200, { 'content-type': 'text/html' }).end('<html>router login</html>'), true) });
    await chainError(source(node.url).tip(), 'BAD_RESPONSE', /malformed JSON \(HTTP 200\): is this a Bitcoin Core RPC port\?/);
  });

  it('JSON that is not JSON-RPC → BAD_RESPONSE', async () => {
    const node = await fakeNode({ raw: (_q, res) => (res.writeHead(200).end('{"hello":"world"}'), true) });
    await chainError(source(node.url).tip(), 'BAD_RESPONSE', /JSON that is not a JSON-RPC response/);
  });

  it('wrong result shape → BAD_RESPONSE naming the field', async () => {
    const node = await fakeNode({ methods: { getblockchaininfo: () => ({ chain: 'regtest', blocks: 'five', bestblockhash: TIP.bestblockhash, pruned: false }) } });
    await chainError(source(node.url).tip(), 'BAD_RESPONSE', /answered getblockchaininfo with an unexpected shape: blocks: /);
  });

  it('a node that never answers → TIMEOUT, not retried', async () => {
    const node = await fakeNode({ raw: () => true });
    const started = Date.now();
    await chainError(source(node.url, { timeoutMs: 300 }).tip(), 'TIMEOUT', /did not answer within 300 ms: check that the server is up and not overloaded, or raise the timeout/);
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(node.bodies).toHaveLength(1);
  });

  it('HTTP 503 "Work queue depth exceeded" twice, then success: retried with backoff', async () => {
    const node = await fakeNode({
      raw: (_q, res, _b, n) => {
        if (n > 2) return false;
        res.writeHead(503).end('Work queue depth exceeded');
        return true;
      },
    });
    expect(await source(node.url).tip()).toEqual({ height: TIP.blocks, hash: TIP.bestblockhash });
    expect(node.bodies).toHaveLength(4); // 2 failures, then the network check and the call
  });

  it('HTTP 503 that never ends → BAD_RESPONSE saying the node is overloaded, after 1 + retries attempts', async () => {
    const node = await fakeNode({ raw: (_q, res) => (res.writeHead(503).end('Work queue depth exceeded'), true) });
    await chainError(source(node.url).tip(), 'BAD_RESPONSE', /HTTP 503 .*Work queue depth exceeded.*the node is overloaded \(raise -rpcworkqueue/);
    expect(node.bodies).toHaveLength(3);
  });

  it('a 404 without JSON-RPC → BAD_RESPONSE about the URL', async () => {
    const node = await fakeNode({ raw: (_q, res) => (res.writeHead(404).end('Not Found'), true) });
    await chainError(source(node.url).tip(), 'BAD_RESPONSE', /has no JSON-RPC endpoint \(HTTP 404\): check the RPC URL and port/);
  });

  it('RPC errors are never retried (HTTP 500 with an error envelope)', async () => {
    const node = await fakeNode({ methods: { getblockhash: () => fail(-8, 'Block height out of range') } });
    await chainError(source(node.url).blockHash(999), 'NOT_FOUND', /no block at height 999 .*Block height out of range/);
    expect(calls(node).filter((c) => c.method === 'getblockhash')).toHaveLength(1);
  });

  it('a node still starting (-28) → UNREACHABLE "try again in a moment"', async () => {
    const node = await fakeNode({ methods: { getblockchaininfo: () => fail(-28, 'Loading block index…') } });
    await chainError(source(node.url).tip(), 'UNREACHABLE', /is still starting up \(Loading block index…\): try again in a moment/);
  });
});

describe('bitcoind backend: cookie authentication', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tapdesk-cookie-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the cookie file and sends it as Basic auth', async () => {
    const cookieFile = join(dir, '.cookie');
    writeFileSync(cookieFile, '__cookie__:abc123');
    const node = await fakeNode({ credentials: '__cookie__:abc123' });
    expect((await source(node.url, { auth: { cookieFile } }).tip()).height).toBe(TIP.blocks);
    expect(node.authorizations[0]).toBe(`Basic ${Buffer.from('__cookie__:abc123').toString('base64')}`);
  });

  it('a restarted node writes a new cookie: a 401 re-reads the file once and succeeds', async () => {
    const cookieFile = join(dir, '.cookie-rotating');
    let cookie = '__cookie__:old';
    writeFileSync(cookieFile, cookie);
    const node = await fakeNode({ credentials: () => cookie });
    const s = source(node.url, { auth: { cookieFile } });
    expect((await s.tip()).height).toBe(TIP.blocks);
    cookie = '__cookie__:new';
    writeFileSync(cookieFile, cookie);
    expect((await s.tip()).height).toBe(TIP.blocks);
    const basic = (c: string) => `Basic ${Buffer.from(c).toString('base64')}`;
    expect(node.authorizations).toEqual([basic('__cookie__:old'), basic('__cookie__:old'), basic('__cookie__:old'), basic('__cookie__:new')]);
  });

  it('a missing cookie file → UNAUTHORIZED naming the path', async () => {
    const node = await fakeNode();
    const cookieFile = join(dir, 'nope', '.cookie');
    await chainError(source(node.url, { auth: { cookieFile } }).tip(), 'UNAUTHORIZED', new RegExp(`cannot read the cookie file .*nope/\\.cookie \\(ENOENT\\): check the cookie file path`));
    expect(node.bodies).toHaveLength(0);
  });

  it('a wrong cookie → UNAUTHORIZED with the credentials hint after one re-read', async () => {
    const cookieFile = join(dir, '.cookie-wrong');
    writeFileSync(cookieFile, '__cookie__:stale');
    const node = await fakeNode({ credentials: '__cookie__:fresh' });
    await chainError(source(node.url, { auth: { cookieFile } }).tip(), 'UNAUTHORIZED', /wrong credentials: check the cookie file path or rpcuser\/rpcpassword/);
    expect(node.bodies).toHaveLength(2);
  });
});

describe('bitcoind backend: node errors mapped to ChainErrors', () => {
  it.each([
    [-26, 'min relay fee not met, 100 < 141', 'min relay fee not met'],
    [-26, 'txn-mempool-conflict', 'txn-mempool-conflict'],
    [-25, 'bad-txns-inputs-missingorspent', 'bad-txns-inputs-missingorspent'],
    [-26, 'non-mandatory-script-verify-flag (Invalid Schnorr signature)', 'non-mandatory-script-verify-flag (Invalid Schnorr signature)'],
    [-25, 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)', 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)'],
    [-27, 'Transaction outputs already in utxo set', 'Transaction outputs already in utxo set'],
    [-22, 'TX decode failed. Make sure the tx has at least one input.', 'TX decode failed. Make sure the tx has at least one input.'],
  ])('sendrawtransaction error %i "%s" → REJECTED with reason "%s"', async (code, message, reason) => {
    const node = await fakeNode({ methods: { sendrawtransaction: () => fail(code, message) } });
    const err = await chainError(source(node.url).broadcast(Uint8Array.of(1, 2, 3)), 'REJECTED', new RegExp(`rejected the transaction: ${message.replace(/[().]/g, '\\$&')}`));
    expect(err.reason).toBe(reason);
    expect(calls(node).find((c) => c.method === 'sendrawtransaction')?.params).toEqual(['010203']);
  });

  it('broadcast success returns the node\'s txid', async () => {
    const node = await fakeNode({ methods: { sendrawtransaction: () => 'CD'.repeat(32) } });
    expect(await source(node.url).broadcast(Uint8Array.of(1))).toBe('cd'.repeat(32));
  });

  it('no -blockfilterindex → NO_FILTERS telling how to enable it', async () => {
    const node = await fakeNode({ methods: { getblockfilter: () => fail(-1, 'Index is not enabled for filtertype basic') } });
    await chainError(source(node.url).blockFilter(HASH_A), 'NO_FILTERS', /has no BIP158 block filter index: restart bitcoind with -blockfilterindex=1/);
  });

  it('filter index still building → NO_FILTERS saying to wait', async () => {
    const node = await fakeNode({ methods: { getblockfilter: () => fail(-1, 'Filter not found. Block filters are still in the process of being indexed.') } });
    await chainError(source(node.url).blockFilter(HASH_A), 'NO_FILTERS', /still building its block filter index: wait until getindexinfo reports it synced/);
  });

  it('pruned block → PRUNED', async () => {
    const node = await fakeNode({ methods: { getblock: () => fail(-1, 'Block not available (pruned data)') } });
    await chainError(source(node.url).block(HASH_A), 'PRUNED', /was pruned by .*: rescan from a height above the node's prune height, or use an unpruned node/);
  });

  it('unknown block → NOT_FOUND; unknown tx and mempool entry → null', async () => {
    const node = await fakeNode({
      methods: {
        getblock: () => fail(-5, 'Block not found'),
        getblockheader: () => fail(-5, 'Block not found'),
        getrawtransaction: () => fail(-5, 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.'),
        getmempoolentry: () => fail(-5, 'Transaction not in mempool'),
      },
    });
    const s = source(node.url);
    await chainError(s.block(HASH_A), 'NOT_FOUND', new RegExp(`block ${HASH_A} is unknown to`));
    await chainError(s.header(HASH_A), 'NOT_FOUND', new RegExp(`block ${HASH_A} is unknown to`));
    expect(await s.tx('11'.repeat(32))).toBeNull();
    expect(await s.mempoolEntry('11'.repeat(32))).toBeNull();
    await chainError(s.outspend('11'.repeat(32), 0), 'NOT_FOUND', /is unknown to .* \(confirmed transactions need -txindex=1\)/);
  });

  it('a node without a method → BAD_RESPONSE naming the Core version needed', async () => {
    const node = await fakeNode();
    await chainError(source(node.url).mempoolTxids(), 'BAD_RESPONSE', /does not support getrawmempool: use Bitcoin Core 24 or newer/);
  });
});

describe('bitcoind backend: answers are checked and batched', () => {
  const block = hexToBytes(BLOCK_A);

  it('info(): one HTTP request carrying getblockchaininfo and getindexinfo', async () => {
    const node = await fakeNode({
      methods: {
        getblockchaininfo: () => ({ chain: 'regtest', ...TIP, pruned: true, pruneheight: 77 }),
        getindexinfo: () => ({ txindex: { synced: true, best_block_height: 120 }, 'basic block filter index': { synced: true, best_block_height: 120 } }),
      },
    });
    expect(await source(node.url).info()).toEqual({ network: 'regtest', tip: { height: 120, hash: TIP.bestblockhash }, filters: true, pruneHeight: 77 });
    expect(node.bodies).toHaveLength(1);
    expect((node.bodies[0] as { method: string }[]).map((c) => c.method)).toEqual(['getblockchaininfo', 'getindexinfo']);
  });

  it('info() without a filter index reports filters: false', async () => {
    const node = await fakeNode({ methods: { getindexinfo: () => ({ txindex: { synced: true, best_block_height: 1 } }) } });
    expect((await source(node.url).info()).filters).toBe(false);
  });

  it('block(): the bytes must hash to the requested block', async () => {
    const node = await fakeNode({ methods: { getblock: (p) => (p[0] === HASH_A ? BLOCK_A : BLOCK_A) } });
    const s = source(node.url);
    expect(bytesToHex(await s.block(HASH_A))).toBe(BLOCK_A);
    await chainError(s.block(HASH_B), 'BAD_RESPONSE', new RegExp(`returned a block that does not hash to ${HASH_B}`));
  });

  it('header(): hash and height, checked raw bytes, median time; by height goes through getblockhash', async () => {
    const node = await fakeNode({
      methods: {
        getblockhash: () => HASH_A,
        getblockheader: (p) => (p[1] === false ? BLOCK_A.slice(0, 160) : { hash: HASH_A, height: 1263442, time: 1, mediantime: 1514336000, confirmations: 5 }),
      },
    });
    const h = await source(node.url).header(1263442);
    expect(h.hash).toBe(HASH_A);
    expect(h.height).toBe(1263442);
    expect(h.medianTime).toBe(1514336000);
    expect(bytesToHex(h.raw)).toBe(BLOCK_A.slice(0, 160));
    expect(h.prevHash).toBe(readHeader(block).prevHash);
    // The two getblockheader calls travel in one HTTP request.
    expect(node.bodies.some((b) => Array.isArray(b) && b.length === 2)).toBe(true);
    const wrong = await fakeNode({
      methods: { getblockheader: (p) => (p[1] === false ? BLOCK_A.slice(0, 160) : { hash: HASH_B, height: 1, time: 1, mediantime: 1, confirmations: 1 }) },
    });
    await chainError(source(wrong.url).header(HASH_B), 'BAD_RESPONSE', /returned a header that does not hash to/);
  });

  it('blockFilter(): Core\'s filter and header pass through; undecodable filter bytes → BAD_RESPONSE', async () => {
    const node = await fakeNode({ methods: { getblockfilter: (p) => (p[0] === HASH_A ? { filter: FILTER_A, header: HEADER_A } : { filter: '05ff', header: HEADER_A }) } });
    const s = source(node.url);
    const f = await s.blockFilter(HASH_A);
    expect(bytesToHex(f.filter)).toBe(FILTER_A);
    expect(f.header).toBe(HEADER_A);
    await chainError(s.blockFilter(HASH_B), 'BAD_RESPONSE', /returned an invalid BIP158 filter for .*: "filter" ends inside/);
  });

  it('tx(): raw bytes checked against the txid, block height from the block header', async () => {
    const tx = new Transaction({ allowUnknownOutputs: true });
    tx.addInput({ txid: new Uint8Array(32).fill(7), index: 1 });
    tx.addOutput({ script: Uint8Array.of(0x51), amount: 1000n });
    const raw = tx.toBytes(true, false);
    const node = await fakeNode({
      methods: {
        getrawtransaction: () => ({ txid: tx.id, hex: bytesToHex(raw), blockhash: HASH_A, confirmations: 3, blocktime: 1514336100, vout: [{ n: 0, scriptPubKey: { hex: '51' } }] }),
        getblockheader: (p) => (p[1] === false ? BLOCK_A.slice(0, 160) : { hash: HASH_A, height: 1263442, time: 1, mediantime: 1, confirmations: 3 }),
      },
    });
    const s = source(node.url);
    expect(await s.tx(tx.id)).toEqual({ raw, block: { hash: HASH_A, height: 1263442, time: 1514336100 } });
    await chainError(s.tx('ee'.repeat(32)), 'BAD_RESPONSE', new RegExp(`returned transaction ${tx.id} when asked for ${'ee'.repeat(32)}`));
    const garbage = await fakeNode({ methods: { getrawtransaction: () => ({ txid: tx.id, hex: '0100', vout: [] }) } });
    await chainError(source(garbage.url).tx(tx.id), 'BAD_RESPONSE', /returned an unparsable transaction/);
  });

  it('feeEstimates(): one request; BTC/kvB → sat/vB; targets without an estimate get the mempool minimum', async () => {
    const node = await fakeNode({
      methods: {
        getmempoolinfo: () => ({ mempoolminfee: 0.00001, minrelaytxfee: 0.00001 }),
        estimatesmartfee: (p) => (p[0] === 1 ? { feerate: 0.00025, blocks: 2 } : p[0] === 6 ? { feerate: 0.0001234, blocks: 6 } : { errors: ['Insufficient data or no feerate found'], blocks: 0 }),
      },
    });
    const fees = await source(node.url).feeEstimates();
    expect(fees[1]).toBeCloseTo(25, 9);
    expect(fees[6]).toBeCloseTo(12.34, 9);
    expect(fees[144]).toBeCloseTo(1, 9);
    expect(Object.keys(fees).map(Number)).toEqual([1, 2, 3, 4, 6, 12, 24, 48, 144, 504, 1008]);
    expect(calls(node).filter((c) => c.method === 'estimatesmartfee')).toHaveLength(11);
    expect(node.bodies).toHaveLength(2); // network check + one batch
  });

  it('mempoolEntry(): fee in satoshis from BTC, exactly', async () => {
    const node = await fakeNode({ methods: { getmempoolentry: () => ({ vsize: 141, time: 1700000000, ancestorcount: 2, fees: { base: 0.0000141 } }) } });
    expect(await source(node.url).mempoolEntry('AA'.repeat(32))).toEqual({ txid: 'aa'.repeat(32), vsize: 141, fee: 1410n, time: 1700000000, ancestorCount: 2 });
  });

  it('argument errors name the field', async () => {
    const s = source('http://127.0.0.1:1');
    await expect(s.block('xyz')).rejects.toThrowError('"hash" expected 64 hex characters, got "xyz"');
    await expect(s.blockHash(-1)).rejects.toThrowError('"height" expected a non-negative integer, got -1');
    await expect(s.outspend('aa'.repeat(32), 1.5)).rejects.toThrowError('"vout" expected a non-negative integer, got 1.5');
  });
});

describe('bitcoind backend: subscribeTip polls', () => {
  it('reports the current tip, each new block, and a reorg to a lower height; unsubscribe stops polling', async () => {
    let tip = { blocks: 10, bestblockhash: '10'.repeat(32) };
    const node = await fakeNode({ methods: { getblockchaininfo: () => ({ chain: 'regtest', ...tip, pruned: false }) } });
    const s = source(node.url);
    const seen: ChainTip[] = [];
    const waitFor = async (n: number) => {
      for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    };
    const stop = s.subscribeTip((t) => seen.push(t));
    await waitFor(1);
    tip = { blocks: 11, bestblockhash: '11'.repeat(32) };
    await waitFor(2);
    tip = { blocks: 10, bestblockhash: 'a0'.repeat(32) }; // invalidateblock: a sibling at height 10
    await waitFor(3);
    stop();
    expect(seen).toEqual([
      { height: 10, hash: '10'.repeat(32) },
      { height: 11, hash: '11'.repeat(32) },
      { height: 10, hash: 'a0'.repeat(32) },
    ]);
    const count = node.bodies.length;
    await new Promise((r) => setTimeout(r, 80));
    expect(node.bodies.length).toBe(count);
  });

  it('a second subscriber hears the known tip at once, from the same single poller', async () => {
    const node = await fakeNode();
    const s = source(node.url, { pollIntervalMs: 10_000 });
    const first: ChainTip[] = [];
    const second: ChainTip[] = [];
    const stopFirst = s.subscribeTip((t) => first.push(t));
    for (let i = 0; i < 100 && first.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    const polls = calls(node).length;
    const stopSecond = s.subscribeTip((t) => second.push(t));
    await new Promise((r) => setTimeout(r, 20));
    expect(second).toEqual(first);
    expect(calls(node).length).toBe(polls);
    stopFirst();
    stopSecond();
  });

  it('poll errors go to onPollError and polling continues', async () => {
    let down = true;
    const node = await fakeNode({
      raw: (_q, res) => {
        if (!down) return false;
        res.writeHead(401).end();
        return true;
      },
    });
    const errors: unknown[] = [];
    const s = source(node.url, { onPollError: (e) => errors.push(e) });
    const seen: ChainTip[] = [];
    const stop = s.subscribeTip((t) => seen.push(t));
    for (let i = 0; i < 100 && errors.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    down = false;
    for (let i = 0; i < 100 && seen.length < 1; i++) await new Promise((r) => setTimeout(r, 10));
    stop();
    expect((errors[0] as ChainError).code).toBe('UNAUTHORIZED');
    expect(seen).toEqual([{ height: TIP.blocks, hash: TIP.bestblockhash }]);
  });
});

describe('Core reject reasons', () => {
  it.each([
    ['min relay fee not met, 100 < 141', 'min relay fee not met'],
    ['insufficient fee, rejecting replacement abc; new feerate 0.0001 <= old feerate 0.0002', 'insufficient fee'],
    ['mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)', 'mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK(MULTI)SIG operation)'],
    ['bad-txns-inputs-missingorspent', 'bad-txns-inputs-missingorspent'],
  ])('"%s" → "%s"', (message, reason) => expect(rejectReason(message)).toBe(reason));
});
