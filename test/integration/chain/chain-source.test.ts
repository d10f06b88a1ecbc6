// One ChainSource test body, run against every backend: the Playground through the Core RPC
// backend, the Playground through the Esplora backend, and a real bitcoind (regtest,
// -blockfilterindex -txindex) when BITCOIND_EXE is set. Transactions are built and signed here
// with @scure/btc-signer (a P2TR key of our own, coins from generatetoaddress), so no node wallet
// is involved and the same steps run everywhere.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { p2tr, Transaction } from '@scure/btc-signer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { basicFilter, filterHeader, GENESIS_PREV_FILTER_HEADER, matchAny } from '../../../core/chain/bip158.js';
import { blockHashOf, readBlockTxs, readTx } from '../../../core/chain/block.js';
import { RpcClient } from '../../../core/chain/bitcoind/rpc.js';
import { BitcoindSource } from '../../../core/chain/bitcoind/source.js';
import { EsploraSource } from '../../../core/chain/esplora/source.js';
import { startPlayground } from '../../../core/chain/playground/server.js';
import { ChainError, type ChainSource, type ChainTip } from '../../../core/chain/source.js';

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
const POLL_MS = 50;

/** A backend under test plus an admin RPC to the node behind it (mining, reorgs). */
interface Subject {
  source: ChainSource;
  rpc<T = unknown>(method: string, ...params: unknown[]): Promise<T>;
  close(): Promise<void>;
}

interface Backend {
  name: string;
  /** Why the backend cannot run here, or undefined. */
  skip?: string;
  start(): Promise<Subject>;
}

function adminRpc(url: string, auth: ConstructorParameters<typeof RpcClient>[0]['auth']): { client: RpcClient; call: Subject['rpc'] } {
  const client = new RpcClient({ url, auth, timeoutMs: 60_000, retry: { retries: 0 } });
  return { client, call: <T,>(method: string, ...params: unknown[]) => client.call(method, params, z.unknown()) as Promise<T> };
}

async function playgroundSubject(kind: 'bitcoind' | 'esplora'): Promise<Subject> {
  const dataDir = mkdtempSync(join(tmpdir(), `tapdesk-chain-${kind}-`));
  const pg = await startPlayground({ dataDir, port: 0 });
  const admin = adminRpc(pg.rpcUrl, { cookieFile: pg.cookieFile });
  const source: ChainSource =
    kind === 'bitcoind'
      ? new BitcoindSource({ url: pg.rpcUrl, auth: { cookieFile: pg.cookieFile }, network: pg.network, pollIntervalMs: POLL_MS })
      : new EsploraSource({ url: pg.esploraUrl, network: pg.network, pacing: false, pollIntervalMs: POLL_MS });
  return {
    source,
    rpc: admin.call,
    async close() {
      await source.close();
      admin.client.close();
      await pg.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function bitcoindSubject(exe: string): Promise<Subject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tapdesk-bitcoind-'));
  const [rpcPort, p2pPort] = [await freePort(), await freePort()];
  const child: ChildProcess = spawn(
    exe,
    ['-regtest', '-blockfilterindex=1', '-txindex=1', '-server', `-rpcport=${rpcPort}`, `-port=${p2pPort}`, `-datadir=${dataDir}`, '-fallbackfee=0.0002', '-listen=0', '-rpcbind=127.0.0.1', '-rpcallowip=127.0.0.1'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${rpcPort}`;
  const cookieFile = join(dataDir, 'regtest', '.cookie');
  const admin = adminRpc(url, { cookieFile });
  const kill = async () => {
    admin.client.close();
    await admin.call('stop').catch(() => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
    rmSync(dataDir, { recursive: true, force: true });
  };
  // Wait for RPC: the cookie appears, then the node leaves warm-up (-28).
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await admin.call('getblockchaininfo');
      break;
    } catch (err) {
      if (Date.now() > deadline || child.exitCode !== null) {
        await kill();
        throw new Error(`bitcoind did not start: ${String(err)}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  const source = new BitcoindSource({ url, auth: { cookieFile }, network: 'regtest', pollIntervalMs: POLL_MS });
  return {
    source,
    rpc: admin.call,
    async close() {
      await source.close();
      await kill();
    },
  };
}

const backends: Backend[] = [
  { name: 'the Playground through the Core RPC backend', start: () => playgroundSubject('bitcoind') },
  { name: 'the Playground through the Esplora backend', start: () => playgroundSubject('esplora') },
  {
    name: 'a real bitcoind through the Core RPC backend',
    ...(process.env.BITCOIND_EXE ? {} : { skip: 'BITCOIND_EXE is not set' }),
    start: () => bitcoindSubject(process.env.BITCOIND_EXE as string),
  },
];

// Our own P2TR key: coins are mined to it and spent from it.
const secret = sha256(utf8ToBytes('tapdesk chain-source integration key'));
const internalKey = schnorr.getPublicKey(secret);
const wallet = p2tr(internalKey, undefined, REGTEST);
const stranger = p2tr(schnorr.getPublicKey(sha256(utf8ToBytes('someone else'))), undefined, REGTEST);

interface Coin {
  txid: string;
  vout: number;
  amount: bigint;
}

function spend(coin: Coin, fee: bigint, to: Uint8Array = wallet.script): { raw: Uint8Array; txid: string } {
  const tx = new Transaction();
  tx.addInput({ txid: coin.txid, index: coin.vout, witnessUtxo: { script: wallet.script, amount: coin.amount }, tapInternalKey: internalKey });
  tx.addOutput({ script: to, amount: coin.amount - fee });
  tx.sign(secret);
  tx.finalize();
  return { raw: tx.extract(), txid: tx.id };
}

/** Resolves with the first tip `accept` likes among those `source` reports. */
function nextTip(seen: ChainTip[], accept: (tip: ChainTip) => boolean, timeoutMs = 10_000): Promise<ChainTip> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const hit = seen.find(accept);
      if (hit) return resolve(hit);
      if (Date.now() - started > timeoutMs) return reject(new Error(`no matching tip among ${JSON.stringify(seen)}`));
      setTimeout(check, 10);
    };
    check();
  });
}

function runSuite(backend: Backend): void {
  let subject: Subject;
  let source: ChainSource;
  let start: ChainTip;
  const tips: ChainTip[] = [];
  let unsubscribe: () => void = () => {};
  let coin: Coin;
  let coinBlock: { hash: string; height: number };
  let payment: { raw: Uint8Array; txid: string };

  const mine = async (n: number, to = wallet.address as string) => subject.rpc<string[]>('generatetoaddress', n, to);
  const waitFilterIndex = async (height: number) => {
    for (let i = 0; i < 300; i++) {
      const index = await subject.rpc<Record<string, { synced: boolean; best_block_height: number }>>('getindexinfo');
      const basic = index['basic block filter index'];
      if (basic && basic.best_block_height >= height) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`filter index did not reach height ${height}`);
  };

  beforeAll(async () => {
    subject = await backend.start();
    source = subject.source;
  });
  afterAll(async () => {
    unsubscribe();
    await subject?.close();
  });

  it('info: regtest, filters served, full history', async () => {
    const info = await source.info();
    expect(info.network).toBe('regtest');
    expect(info.filters).toBe(true);
    expect(info.pruneHeight).toBe(0);
    expect(info.tip).toEqual(await source.tip());
    start = info.tip;
  });

  it('tip and subscribeTip follow mining through generatetoaddress', async () => {
    unsubscribe = source.subscribeTip((t) => tips.push(t));
    await nextTip(tips, (t) => t.hash === start.hash);
    const hashes = await mine(101);
    expect(hashes).toHaveLength(101);
    const tip = await nextTip(tips, (t) => t.height === start.height + 101);
    expect(tip.hash).toBe(hashes[100]);
    expect(await source.tip()).toEqual({ height: start.height + 101, hash: hashes[100] });
    coinBlock = { hash: hashes[0] as string, height: start.height + 1 };
  });

  it('headers by height and by hash agree, hash to themselves and link to their parents', async () => {
    const byHeight = await source.header(coinBlock.height);
    const byHash = await source.header(coinBlock.hash);
    expect(byHeight).toEqual(byHash);
    expect(byHash.hash).toBe(coinBlock.hash);
    expect(byHash.height).toBe(coinBlock.height);
    expect(blockHashOf(byHash.raw)).toBe(coinBlock.hash);
    expect(byHash.prevHash).toBe(await source.blockHash(coinBlock.height - 1));
    expect(byHash.medianTime).toBeLessThanOrEqual(byHash.time);
    expect(await source.blockHash(coinBlock.height)).toBe(coinBlock.hash);
    await expect(source.blockHash(start.height + 10_000)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('blocks: the mined block pays our script in its coinbase', async () => {
    const block = await source.block(coinBlock.hash);
    expect(blockHashOf(block)).toBe(coinBlock.hash);
    const [coinbase] = readBlockTxs(block);
    const vout = coinbase?.outputs.findIndex((o) => bytesToHex(o.script) === bytesToHex(wallet.script)) ?? -1;
    expect(vout).toBeGreaterThanOrEqual(0);
    coin = { txid: coinbase?.txid as string, vout, amount: coinbase?.outputs[vout]?.value as bigint };
    expect(coin.amount).toBeGreaterThan(0n);
  });

  it('filters: match the mined output script, miss a stranger, equal our own build, chain their headers', async () => {
    await waitFilterIndex(coinBlock.height);
    const { filter } = await source.blockFilter(coinBlock.hash);
    const header = await source.filterHeader(coinBlock.hash);
    expect(matchAny(filter, coinBlock.hash, [wallet.script])).toBe(true);
    expect(matchAny(filter, coinBlock.hash, [stranger.script])).toBe(false);
    // Independent construction: a coinbase-only block has no prevouts.
    expect(bytesToHex(basicFilter(await source.block(coinBlock.hash), []))).toBe(bytesToHex(filter));
    const parent = await source.header(coinBlock.height - 1);
    expect(header).toBe(filterHeader(filter, await source.filterHeader(parent.hash)));
    const genesisHash = await source.blockHash(0);
    const genesis = await source.blockFilter(genesisHash);
    expect(await source.filterHeader(genesisHash)).toBe(filterHeader(genesis.filter, GENESIS_PREV_FILTER_HEADER));
  });

  it('tx lookup: the coinbase, confirmed in its block', async () => {
    const found = await source.tx(coin.txid);
    expect(found?.block).toMatchObject({ hash: coinBlock.hash, height: coinBlock.height });
    expect(readTx(found?.raw as Uint8Array).txid).toBe(coin.txid);
    expect(await source.tx('00'.repeat(31) + '01')).toBeNull();
  });

  it('outspend: unspent before the spend', async () => {
    expect(await source.outspend(coin.txid, coin.vout)).toEqual({ spent: false });
    await expect(source.outspend(coin.txid, 99)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('broadcast: a spend is accepted and shows in the mempool with its fee', async () => {
    payment = spend(coin, 2_000n);
    expect(await source.broadcast(payment.raw)).toBe(payment.txid);
    expect(await source.mempoolTxids()).toContain(payment.txid);
    const entry = await source.mempoolEntry(payment.txid);
    expect(entry).toMatchObject({ txid: payment.txid, fee: 2_000n, ancestorCount: 1 });
    expect(entry?.vsize).toBeGreaterThan(90);
    expect(entry?.vsize).toBeLessThan(120);
    expect((await source.tx(payment.txid))?.block).toBeUndefined();
  });

  it('outspend: spent in the mempool, by our spend at input 0', async () => {
    expect(await source.outspend(coin.txid, coin.vout)).toEqual({ spent: true, txid: payment.txid, vin: 0 });
  });

  it('broadcast: a double spend paying less is REJECTED with the node\'s reason', async () => {
    const conflict = spend(coin, 1_000n, stranger.script);
    const err = await source.broadcast(conflict.raw).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ChainError);
    expect((err as ChainError).code).toBe('REJECTED');
    expect((err as ChainError).reason).toMatch(/^(insufficient fee|txn-mempool-conflict)$/);
  });

  it('after mining: the spend is confirmed, its outspend names the block, a double spend is missing-or-spent', async () => {
    const [hash] = await mine(1);
    await waitFilterIndex(start.height + 102);
    expect(await source.mempoolEntry(payment.txid)).toBeNull();
    const found = await source.tx(payment.txid);
    expect(found?.block).toMatchObject({ hash, height: start.height + 102 });
    expect(await source.outspend(coin.txid, coin.vout)).toEqual({ spent: true, txid: payment.txid, vin: 0, block: { hash, height: start.height + 102 } });
    const { filter } = await source.blockFilter(hash as string);
    // The spending block's filter holds the spent script (a prevout) and the new output's.
    expect(matchAny(filter, hash as string, [wallet.script])).toBe(true);
    const late = spend(coin, 3_000n, stranger.script);
    const err = await source.broadcast(late.raw).then(
      () => null,
      (e: unknown) => e,
    );
    expect((err as ChainError).code).toBe('REJECTED');
    expect((err as ChainError).reason).toBe('bad-txns-inputs-missingorspent');
  });

  it('fee estimates: positive sat/vB rates by target', async () => {
    const fees = await source.feeEstimates();
    const targets = Object.keys(fees).map(Number);
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) {
      expect(Number.isInteger(t) && t > 0).toBe(true);
      expect(fees[t]).toBeGreaterThan(0);
      expect(Number.isFinite(fees[t])).toBe(true);
    }
  });

  it('reorg: invalidateblock is seen by subscribeTip, the spend returns to the mempool, new blocks follow', async () => {
    const tip = await source.tip();
    const parent = await source.header(tip.height - 1);
    // Polling reports changes of the tip it last saw: let it see this tip before it goes away,
    // else a block mined and invalidated between two polls is (rightly) never reported.
    await nextTip(tips, (t) => t.hash === tip.hash);
    tips.length = 0;
    await subject.rpc('invalidateblock', tip.hash);
    const lowered = await nextTip(tips, (t) => t.hash === parent.hash);
    expect(lowered.height).toBe(tip.height - 1);
    expect(await source.mempoolEntry(payment.txid)).toMatchObject({ txid: payment.txid, fee: 2_000n });
    expect((await source.tx(payment.txid))?.block).toBeUndefined();
    const [replacement] = await mine(1, stranger.address as string);
    const after = await nextTip(tips, (t) => t.hash === replacement);
    expect(after.height).toBe(tip.height);
    expect(replacement).not.toBe(tip.hash);
    // The filter of the new block at that height is the new block's, with a freshly chained header.
    await waitFilterIndex(tip.height);
    const f = await source.blockFilter(replacement as string);
    expect(await source.filterHeader(replacement as string)).toBe(filterHeader(f.filter, await source.filterHeader(parent.hash)));
  });
}

for (const backend of backends) {
  describe.skipIf(backend.skip !== undefined)(`ChainSource via ${backend.name}${backend.skip ? ` — skipped: ${backend.skip}` : ''}`, () => {
    runSuite(backend);
  });
}

describe('BIP158 filters are equal between the Core RPC and Esplora backends (one Playground)', () => {
  let dataDir: string;
  let pg: Awaited<ReturnType<typeof startPlayground>>;
  let core: BitcoindSource;
  let esplora: EsploraSource;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tapdesk-chain-both-'));
    pg = await startPlayground({ dataDir, port: 0 });
    core = new BitcoindSource({ url: pg.rpcUrl, auth: { cookieFile: pg.cookieFile }, network: 'regtest' });
    esplora = new EsploraSource({ url: pg.esploraUrl, network: 'regtest', pacing: false });
  });
  afterAll(async () => {
    await core?.close();
    await esplora?.close();
    await pg?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('for every block, including blocks with spends (prevouts from Esplora\'s paged txs)', async () => {
    const admin = adminRpc(pg.rpcUrl, { cookieFile: pg.cookieFile });
    try {
      const hashes = await admin.call<string[]>('generatetoaddress', 102, wallet.address);
      // Spend the first two mature coinbases in two blocks, so filters carry prevout scripts.
      for (const hash of hashes.slice(0, 2)) {
        const [cb] = readBlockTxs(await core.block(hash));
        const vout = cb?.outputs.findIndex((o) => bytesToHex(o.script) === bytesToHex(wallet.script)) ?? -1;
        const tx = spend({ txid: cb?.txid as string, vout, amount: cb?.outputs[vout]?.value as bigint }, 1_500n, stranger.script);
        await core.broadcast(tx.raw);
        await admin.call('generatetoaddress', 1, stranger.address);
      }
      const tip = await core.tip();
      for (let h = 0; h <= tip.height; h++) {
        const hash = await core.blockHash(h);
        const [a, b] = await Promise.all([core.blockFilter(hash), esplora.blockFilter(hash)]);
        expect(bytesToHex(b.filter), `filter at height ${h}`).toBe(bytesToHex(a.filter));
        expect(await esplora.filterHeader(hash), `filter header at height ${h}`).toBe(a.header);
      }
      const last = await core.blockFilter(tip.hash);
      expect(matchAny(last.filter, tip.hash, [wallet.script])).toBe(true); // the spent coinbase script
      expect(hexToBytes(await core.filterHeader(tip.hash))).toHaveLength(32);
    } finally {
      admin.client.close();
    }
  });
});
