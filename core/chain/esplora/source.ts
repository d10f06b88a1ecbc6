/**
 * ChainSource over the Esplora REST API (blockstream.info, mempool.space, self-hosted, and the
 * Playground), optionally through a SOCKS5 proxy (Tor) for every request, paced so public servers
 * are not hammered. https://github.com/Blockstream/esplora/blob/master/API.md
 *
 * Esplora has no BIP158 API, so filters are built here from the raw block and the spent scripts
 * (`/block/:hash/txs/:start` carries `vin[].prevout.scriptpubkey`) and chained into BIP157
 * headers (esplora/filters.ts) — the same bytes Core's `getblockfilter` serves. Raw blocks,
 * headers and transactions are checked to hash to what was asked; the spent scripts cannot be
 * checked without fetching every parent transaction, so they are trusted to the server (compare
 * filter headers with a trusted node's to detect a lying one).
 *
 * Limits of the API, not of this module: Esplora reports no mempool entry time (`time` is when
 * this source first saw the transaction unconfirmed) and no ancestor count (counted here by
 * walking unconfirmed parents).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { z } from 'zod';
import { DecodeError } from '../../bitcoin/errors.js';
import { NETWORKS } from '../../bitcoin/networks.js';
import { basicFilter } from '../bip158.js';
import { blockHashOf, readBlockTxs, readHeader, readTx } from '../block.js';
import { rejectReason } from '../bitcoind/rpc.js';
import { DEFAULT_RETRY, HttpTransport, type HttpResponse, type RetryPolicy, withRetry } from '../http.js';
import type { Socks5Proxy } from '../socks5.js';
import {
  type BlockFilter,
  type BlockHeader,
  type ChainInfo,
  ChainError,
  type ChainSource,
  type ChainTip,
  type FeeEstimates,
  type MempoolEntry,
  type Network,
  type Outspend,
  type TxLookup,
} from '../source.js';
import { TipPoller } from '../tip-poller.js';
import { type BuiltFilter, FilterHeaderChain } from './filters.js';
import { Pacer, type PacingOptions } from './pacing.js';
import * as S from './schemas.js';

export interface EsploraSourceOptions {
  /** API base, e.g. `https://blockstream.info/api` or `https://mempool.space/testnet4/api`. */
  url: string;
  network: Network;
  /** Route every request through this SOCKS5 proxy (Tor: 127.0.0.1:9050). */
  proxy?: Socks5Proxy;
  /** Per request, default 30 s (Tor may need more). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Request rate limit (default 10/s, bursts of 20); `false` for a server of your own. */
  pacing?: PacingOptions | false;
  /** Tip polling interval for subscribeTip (default 5 s). */
  pollIntervalMs?: number;
  onPollError?: (err: unknown) => void;
  /** Trusted BIP157 filter headers by block hash, where header chaining may start. */
  filterCheckpoints?: Record<string, string>;
  /** Concurrent connections (default 4). */
  maxSockets?: number;
}

const DEFAULT_PACING: PacingOptions = { ratePerSecond: 10, burst: 20 };
const HASH = /^[0-9a-f]{64}$/;

function checkHash(hash: string, field: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new RangeError(`"${field}" expected 64 hex characters, got ${JSON.stringify(hash)}`);
  return hash.toLowerCase();
}

/** Transient answers: 429 (honouring Retry-After seconds) and 5xx; the ChainError carries why. */
const retryAfter = new WeakMap<object, number | true>();

export class EsploraSource implements ChainSource {
  readonly kind = 'esplora' as const;
  private readonly http: HttpTransport;
  private readonly pacer: Pacer | null;
  private readonly policy: RetryPolicy;
  private readonly poller: TipPoller;
  private readonly filters: FilterHeaderChain;
  private readonly firstSeen = new Map<string, number>();
  private networkChecked: Promise<void> | null = null;

  constructor(private readonly options: EsploraSourceOptions) {
    this.http = new HttpTransport({
      baseUrl: options.url,
      timeoutMs: options.timeoutMs ?? 30_000,
      ...(options.proxy && { proxy: options.proxy }),
      ...(options.maxSockets !== undefined && { maxSockets: options.maxSockets }),
    });
    this.pacer = options.pacing === false ? null : new Pacer(options.pacing ?? DEFAULT_PACING);
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.poller = new TipPoller(() => this.tip(), options.pollIntervalMs ?? 5_000, options.onPollError);
    this.filters = new FilterHeaderChain((hash) => this.buildFilter(hash), options.filterCheckpoints);
  }

  // -- HTTP -------------------------------------------------------------------------------------

  private async send(method: 'GET' | 'POST', path: string, body?: string): Promise<HttpResponse> {
    const where = this.http.origin;
    return withRetry(
      async () => {
        await this.pacer?.take();
        const res = await this.http.request(method, path, body === undefined ? {} : { body, headers: { 'content-type': 'text/plain' } });
        if (res.status === 429 || res.status >= 500) {
          const excerpt = res.body.toString('utf8').trim().slice(0, 200);
          const err = new ChainError(
            'BAD_RESPONSE',
            res.status === 429
              ? `${where} is rate-limiting this client (HTTP 429): lower the request rate (pacing) or use another server`
              : `${where} answered HTTP ${res.status} to ${method} ${path}${excerpt ? ` (${excerpt})` : ''}`,
          );
          const seconds = Number(res.headers['retry-after']);
          retryAfter.set(err, Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : true);
          throw err;
        }
        return res;
      },
      this.policy,
      (err) => {
        if (err instanceof ChainError && err.code === 'UNREACHABLE') return true;
        return (err instanceof ChainError && retryAfter.get(err)) ?? false;
      },
    );
  }

  /** GET with the common status handling; 404 → NOT_FOUND carrying `missing`. */
  private async get(path: string, missing: string): Promise<Buffer> {
    const res = await this.send('GET', path);
    if (res.status === 200) return res.body;
    const text = res.body.toString('utf8').trim().slice(0, 200);
    if (res.status === 404) throw new ChainError('NOT_FOUND', `${missing} (${this.http.origin}${path}: ${text || 'HTTP 404'})`);
    if (res.status === 401 || res.status === 403) {
      throw new ChainError('UNAUTHORIZED', `${this.http.origin} refused access (HTTP ${res.status}): check the server URL and any API key it needs`);
    }
    throw new ChainError('BAD_RESPONSE', `${this.http.origin} answered HTTP ${res.status} to GET ${path}${text ? ` (${text})` : ''}`);
  }

  private async getJson<T>(path: string, schema: z.ZodType<T>, missing: string): Promise<T> {
    const text = (await this.get(path, missing)).toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ChainError('BAD_RESPONSE', `${this.http.origin}${path} is not JSON: is this an Esplora API URL? Got ${JSON.stringify(text.slice(0, 80))}`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new ChainError('BAD_RESPONSE', `${this.http.origin}${path} has an unexpected shape: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
    }
    return parsed.data;
  }

  private async getHash(path: string, missing: string): Promise<string> {
    const text = (await this.get(path, missing)).toString('utf8').trim().toLowerCase();
    if (!HASH.test(text)) throw new ChainError('BAD_RESPONSE', `${this.http.origin}${path} is not a block hash: ${JSON.stringify(text.slice(0, 80))}`);
    return text;
  }

  /** GETs run only after the server's network was checked once. */
  private ensureNetwork(): Promise<void> {
    if (!this.networkChecked) {
      const attempt: Promise<void> = this.getHash('/block-height/0', 'the server has no genesis block')
        .then((genesis) => {
          // Esplora has no chain name: its genesis block tells the network.
          if (genesis !== NETWORKS[this.options.network].genesisHash) {
            const actual = Object.values(NETWORKS).find((n) => n.genesisHash === genesis)?.name;
            throw new ChainError(
              'WRONG_NETWORK',
              `the Esplora server ${this.http.origin} is on ${actual ?? `an unknown chain (genesis ${genesis})`}, but this wallet is on ${this.options.network}: use a ${this.options.network} server URL or change the wallet's network`,
            );
          }
        })
        .catch((err: unknown) => {
          if (this.networkChecked === attempt) this.networkChecked = null;
          throw err;
        });
      this.networkChecked = attempt;
    }
    return this.networkChecked;
  }

  // -- ChainSource ------------------------------------------------------------------------------

  async info(): Promise<ChainInfo> {
    const tip = await this.tip();
    return { network: this.options.network, tip, filters: true, pruneHeight: 0 };
  }

  async tip(): Promise<ChainTip> {
    await this.ensureNetwork();
    // Height from the block the hash names, so both belong to the same tip.
    const hash = await this.getHash('/blocks/tip/hash', 'the server has no tip');
    const block = await this.getJson(`/block/${hash}`, S.blockInfo, `tip block ${hash} vanished`);
    return { height: block.height, hash };
  }

  subscribeTip(listener: (tip: ChainTip) => void): () => void {
    return this.poller.subscribe(listener);
  }

  async blockHash(height: number): Promise<string> {
    if (!Number.isInteger(height) || height < 0) throw new RangeError(`"height" expected a non-negative integer, got ${height}`);
    await this.ensureNetwork();
    return this.getHash(`/block-height/${height}`, `no block at height ${height}`);
  }

  async header(hashOrHeight: string | number): Promise<BlockHeader> {
    const hash = typeof hashOrHeight === 'number' ? await this.blockHash(hashOrHeight) : checkHash(hashOrHeight, 'hash');
    await this.ensureNetwork();
    const missing = `block ${hash} is unknown to the server`;
    const [hex, info] = await Promise.all([this.get(`/block/${hash}/header`, missing), this.getJson(`/block/${hash}`, S.blockInfo, missing)]);
    const text = hex.toString('utf8').trim();
    if (!/^[0-9a-fA-F]{160}$/.test(text)) throw new ChainError('BAD_RESPONSE', `${this.http.origin}/block/${hash}/header is not an 80-byte header in hex`);
    const raw = hexToBytes(text);
    if (blockHashOf(raw) !== hash || info.id !== hash) throw new ChainError('BAD_RESPONSE', `${this.http.origin} returned a header that does not hash to ${hash}`);
    const fields = readHeader(raw);
    return {
      hash,
      height: info.height,
      raw,
      prevHash: fields.prevHash,
      merkleRoot: fields.merkleRoot,
      time: fields.time,
      ...(info.mediantime !== undefined && { medianTime: info.mediantime }),
    };
  }

  async block(hash: string): Promise<Uint8Array> {
    const id = checkHash(hash, 'hash');
    await this.ensureNetwork();
    const raw = new Uint8Array(await this.get(`/block/${id}/raw`, `block ${id} is unknown to the server`));
    if (raw.length < 80 || blockHashOf(raw) !== id) throw new ChainError('BAD_RESPONSE', `${this.http.origin} returned a block that does not hash to ${id}`);
    return raw;
  }

  async blockFilter(hash: string): Promise<BlockFilter> {
    const id = checkHash(hash, 'hash');
    await this.ensureNetwork();
    return this.filters.blockFilter(id);
  }

  async filterHeader(hash: string): Promise<string> {
    const id = checkHash(hash, 'hash');
    await this.ensureNetwork();
    return this.filters.filterHeader(id);
  }

  /** The raw block plus, page by page, the scripts its inputs spend; checked against each other. */
  private async buildFilter(hash: string): Promise<BuiltFilter> {
    const block = await this.block(hash);
    let txs: ReturnType<typeof readBlockTxs>;
    try {
      txs = readBlockTxs(block);
    } catch (err) {
      if (err instanceof DecodeError) throw new ChainError('BAD_RESPONSE', `block ${hash} from ${this.http.origin} does not parse: ${err.message}`);
      throw err;
    }
    const prevouts: Uint8Array[] = [];
    if (txs.length > 1) {
      const missing = `block ${hash} is unknown to the server`;
      const first = await this.getJson(`/block/${hash}/txs/0`, S.blockTxsPage, missing);
      const pageSize = first.length;
      if (pageSize === 0) throw new ChainError('BAD_RESPONSE', `${this.http.origin}/block/${hash}/txs/0 is empty for a block of ${txs.length} transactions`);
      const starts: number[] = [];
      for (let start = pageSize; start < txs.length; start += pageSize) starts.push(start);
      const rest = await Promise.all(starts.map((start) => this.getJson(`/block/${hash}/txs/${start}`, S.blockTxsPage, missing)));
      const listed = [first, ...rest].flat();
      if (listed.length !== txs.length) {
        throw new ChainError('BAD_RESPONSE', `${this.http.origin} lists ${listed.length} transactions for block ${hash}, the block has ${txs.length}`);
      }
      listed.forEach((tx, i) => {
        const ours = txs[i];
        if (!ours || tx.txid !== ours.txid || tx.vin.length !== ours.inputs.length) {
          throw new ChainError('BAD_RESPONSE', `${this.http.origin} lists transaction ${tx.txid} at position ${i} of block ${hash}, which does not match the raw block`);
        }
        if (i === 0) return;
        for (const input of tx.vin) {
          if (!input.prevout) throw new ChainError('BAD_RESPONSE', `${this.http.origin} gives no prevout for an input of ${tx.txid}`);
          prevouts.push(hexToBytes(input.prevout.scriptpubkey));
        }
      });
    }
    return { filter: basicFilter(block, prevouts), prevHash: readHeader(block).prevHash };
  }

  async tx(txid: string): Promise<TxLookup | null> {
    const id = checkHash(txid, 'txid');
    await this.ensureNetwork();
    const missing = `transaction ${id} is unknown to the server`;
    try {
      const [body, status] = await Promise.all([this.get(`/tx/${id}/raw`, missing), this.getJson(`/tx/${id}/status`, S.txStatus, missing)]);
      const raw = this.checkedTx(new Uint8Array(body), id);
      if (!status.confirmed) return { raw };
      if (status.block_hash === undefined || status.block_height === undefined || status.block_time === undefined) {
        throw new ChainError('BAD_RESPONSE', `${this.http.origin}/tx/${id}/status says confirmed but names no block`);
      }
      return { raw, block: { hash: status.block_hash, height: status.block_height, time: status.block_time } };
    } catch (err) {
      if (err instanceof ChainError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
  }

  private checkedTx(raw: Uint8Array, txid: string): Uint8Array {
    let actual: string;
    try {
      actual = readTx(raw).txid;
    } catch (err) {
      if (err instanceof DecodeError) throw new ChainError('BAD_RESPONSE', `${this.http.origin} returned an unparsable transaction for ${txid}: ${err.message}`);
      throw err;
    }
    if (actual !== txid) throw new ChainError('BAD_RESPONSE', `${this.http.origin} returned transaction ${actual} when asked for ${txid}`);
    return raw;
  }

  async outspend(txid: string, vout: number): Promise<Outspend> {
    const id = checkHash(txid, 'txid');
    if (!Number.isInteger(vout) || vout < 0) throw new RangeError(`"vout" expected a non-negative integer, got ${vout}`);
    await this.ensureNetwork();
    const missing = `transaction ${id} is unknown to the server`;
    const [tx, spend] = await Promise.all([this.getJson(`/tx/${id}`, S.tx, missing), this.getJson(`/tx/${id}/outspend/${vout}`, S.outspend, missing)]);
    if (vout >= tx.vout.length) throw new ChainError('NOT_FOUND', `transaction ${id} has no output ${vout}`);
    if (!spend.spent) return { spent: false };
    if (spend.txid === undefined || spend.vin === undefined) throw new ChainError('BAD_RESPONSE', `${this.http.origin} says ${id}:${vout} is spent but not by what`);
    const status = spend.status;
    if (status?.confirmed && status.block_hash !== undefined && status.block_height !== undefined) {
      return { spent: true, txid: spend.txid, vin: spend.vin, block: { hash: status.block_hash, height: status.block_height } };
    }
    return { spent: true, txid: spend.txid, vin: spend.vin };
  }

  async broadcast(rawTx: Uint8Array): Promise<string> {
    await this.ensureNetwork();
    const res = await this.send('POST', '/tx', bytesToHex(rawTx));
    const text = res.body.toString('utf8').trim();
    if (res.status === 200) {
      const txid = text.toLowerCase();
      if (!HASH.test(txid)) throw new ChainError('BAD_RESPONSE', `${this.http.origin} answered the broadcast with ${JSON.stringify(text.slice(0, 80))}, not a txid`);
      return txid;
    }
    if (res.status === 400) {
      // Esplora relays Core's error: `sendrawtransaction RPC error: {"code":-26,"message":"..."}`.
      const embedded = /\{.*\}/s.exec(text)?.[0];
      let message = text;
      if (embedded) {
        try {
          const parsed = S.rpcErrorBody.safeParse(JSON.parse(embedded));
          if (parsed.success) message = parsed.data.message;
        } catch {
          // not JSON: the whole body is the reason
        }
      }
      throw new ChainError('REJECTED', `${this.http.origin} rejected the transaction: ${message}`, rejectReason(message));
    }
    throw new ChainError('BAD_RESPONSE', `${this.http.origin} answered HTTP ${res.status} to the broadcast${text ? ` (${text.slice(0, 200)})` : ''}`);
  }

  async feeEstimates(): Promise<FeeEstimates> {
    await this.ensureNetwork();
    const raw = await this.getJson('/fee-estimates', S.feeEstimates, 'the server has no fee estimates');
    const result: FeeEstimates = {};
    for (const [target, rate] of Object.entries(raw)) result[Number(target)] = rate;
    return result;
  }

  async mempoolEntry(txid: string): Promise<MempoolEntry | null> {
    const id = checkHash(txid, 'txid');
    await this.ensureNetwork();
    let tx: S.EsploraTx;
    try {
      tx = await this.getJson(`/tx/${id}`, S.tx, `transaction ${id} is unknown to the server`);
    } catch (err) {
      if (err instanceof ChainError && err.code === 'NOT_FOUND') return null;
      throw err;
    }
    if (tx.status.confirmed) {
      this.firstSeen.delete(id);
      return null;
    }
    if (tx.fee === undefined) throw new ChainError('BAD_RESPONSE', `${this.http.origin}/tx/${id} gives no fee for an unconfirmed transaction`);
    const seen = this.firstSeen.get(id) ?? Math.floor(Date.now() / 1000);
    this.firstSeen.set(id, seen);
    return { txid: id, vsize: Math.ceil(tx.weight / 4), fee: BigInt(tx.fee), time: seen, ancestorCount: 1 + (await this.unconfirmedAncestors(tx)) };
  }

  /** Distinct unconfirmed ancestors, found by walking parents until confirmed ones. */
  private async unconfirmedAncestors(tx: S.EsploraTx): Promise<number> {
    const seen = new Set<string>();
    let frontier = [...new Set(tx.vin.filter((v) => !v.is_coinbase).map((v) => v.txid))];
    while (frontier.length > 0) {
      const parents = await Promise.all(frontier.map((id) => this.getJson(`/tx/${id}`, S.tx, `parent transaction ${id} is unknown to the server`)));
      const next: string[] = [];
      for (const parent of parents) {
        if (parent.status.confirmed || seen.has(parent.txid)) continue;
        seen.add(parent.txid);
        for (const v of parent.vin) if (!v.is_coinbase && !seen.has(v.txid)) next.push(v.txid);
      }
      frontier = [...new Set(next)];
    }
    return seen.size;
  }

  async mempoolTxids(): Promise<string[]> {
    await this.ensureNetwork();
    return this.getJson('/mempool/txids', S.txids, 'the server has no mempool listing');
  }

  async close(): Promise<void> {
    this.poller.close();
    this.http.close();
  }
}
