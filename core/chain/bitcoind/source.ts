/**
 * ChainSource over Bitcoin Core's JSON-RPC (own node, or the Playground which answers the same
 * subset). Relevant blocks are found with BIP158 filters (`getblockfilter`, needs
 * `-blockfilterindex=1`), so the wallet downloads only the blocks that match its scripts.
 *
 * Every answer is checked against what was asked (block and header bytes hash to the requested
 * hash, raw transactions to the requested txid, filters decode) — a wrong node is a BAD_RESPONSE,
 * never silently wrong data. The node's network is checked once before the first use.
 *
 * Node requirements: `-blockfilterindex=1` for filters and confirmed-spend lookups; `-txindex=1`
 * to look up confirmed transactions that are not the wallet's (Core finds only mempool
 * transactions otherwise). Not here: wallet RPCs (Core's wallet is never used).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import type { z } from 'zod';
import { DecodeError } from '../../bitcoin/errors.js';
import { decodeBasicFilter, matchAny } from '../bip158.js';
import { blockHashOf, readBlockTxs, readHeader, readTx } from '../block.js';
import type { RetryPolicy } from '../http.js';
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
import { type RpcAuth, RpcClient, RpcError, rejectReason } from './rpc.js';
import * as S from './schemas.js';

export interface BitcoindSourceOptions {
  /** RPC URL, e.g. `http://127.0.0.1:8332`. */
  url: string;
  auth: RpcAuth;
  /** The network the wallet is on; a node on another chain is refused with WRONG_NETWORK. */
  network: Network;
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Tip polling interval for subscribeTip (default 5 s). */
  pollIntervalMs?: number;
  onPollError?: (err: unknown) => void;
  /** Heights per batch when scanning filters for a confirmed spend (default 200). */
  scanBatchSize?: number;
}

/** `getblockchaininfo.chain` → our network names. */
const CORE_CHAINS: Record<string, Network> = {
  main: 'mainnet',
  test: 'testnet',
  testnet4: 'testnet4',
  signet: 'signet',
  regtest: 'regtest',
};

/** Confirmation targets asked of estimatesmartfee. */
const FEE_TARGETS = [1, 2, 3, 4, 6, 12, 24, 48, 144, 504, 1008];
const FILTER_INDEX = 'basic block filter index';
/** Core's codes (src/rpc/protocol.h). */
const RPC = {
  METHOD_NOT_FOUND: -32601,
  INVALID_PARAMETER: -8,
  NOT_FOUND: -5,
  DESERIALIZATION: -22,
  VERIFY_ERROR: -25,
  VERIFY_REJECTED: -26,
  ALREADY_IN_CHAIN: -27,
  IN_WARMUP: -28,
} as const;

/** BTC amounts in Core's JSON are decimal with 8 places; below 2^53 sats the rounding is exact. */
function sats(btc: number): bigint {
  return BigInt(Math.round(btc * 1e8));
}

function bytesFromHex(hex: string, what: string): Uint8Array {
  try {
    return hexToBytes(hex);
  } catch {
    throw new ChainError('BAD_RESPONSE', `${what} is not valid hex`);
  }
}

function checkHash(hash: string, field: string): string {
  if (!/^[0-9a-fA-F]{64}$/.test(hash)) throw new RangeError(`"${field}" expected 64 hex characters, got ${JSON.stringify(hash)}`);
  return hash.toLowerCase();
}

function checkHeight(height: number): number {
  if (!Number.isInteger(height) || height < 0) throw new RangeError(`"height" expected a non-negative integer, got ${height}`);
  return height;
}

export class BitcoindSource implements ChainSource {
  readonly kind = 'bitcoind' as const;
  private readonly rpc: RpcClient;
  private readonly poller: TipPoller;
  private networkChecked: Promise<void> | null = null;

  constructor(private readonly options: BitcoindSourceOptions) {
    this.rpc = new RpcClient({
      url: options.url,
      auth: options.auth,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      ...(options.retry !== undefined && { retry: options.retry }),
    });
    this.poller = new TipPoller(() => this.tip(), options.pollIntervalMs ?? 5_000, options.onPollError);
  }

  // -- plumbing ---------------------------------------------------------------------------------

  /** Maps an RPC error no caller handled specifically. */
  private unexpected(err: unknown): never {
    if (err instanceof RpcError) {
      if (err.code === RPC.IN_WARMUP) {
        throw new ChainError('UNREACHABLE', `${this.rpc.url} is still starting up (${err.message}): try again in a moment`);
      }
      if (err.code === RPC.METHOD_NOT_FOUND) {
        throw new ChainError('BAD_RESPONSE', `${this.rpc.url} does not support ${err.method}: use Bitcoin Core 24 or newer`);
      }
      throw new ChainError('BAD_RESPONSE', `${this.rpc.url} failed ${err.method}: ${err.message} (RPC error ${err.code})`);
    }
    throw err;
  }

  private checkChain(chain: string): void {
    const network = CORE_CHAINS[chain];
    if (network !== this.options.network) {
      throw new ChainError(
        'WRONG_NETWORK',
        `the node at ${this.rpc.url} is on ${network ?? `an unknown chain "${chain}"`}, but this wallet is on ${this.options.network}: connect to a ${this.options.network} node or change the wallet's network`,
      );
    }
  }

  /** Checks the node's chain once; a failed check is forgotten so the next call tries again. */
  private ensureNetwork(): Promise<void> {
    if (!this.networkChecked) {
      const attempt: Promise<void> = this.rpc
        .call('getblockchaininfo', [], S.blockchainInfo)
        .then((info) => this.checkChain(info.chain))
        .catch((err: unknown) => {
          if (this.networkChecked === attempt) this.networkChecked = null;
          return this.unexpected(err);
        });
      this.networkChecked = attempt;
    }
    return this.networkChecked;
  }

  private async call<T>(method: string, params: readonly unknown[], schema: z.ZodType<T>): Promise<T> {
    await this.ensureNetwork();
    return this.rpc.call(method, params, schema);
  }

  // -- ChainSource ------------------------------------------------------------------------------

  async info(): Promise<ChainInfo> {
    const [chain, indexes] = await this.rpc
      .batch([
        { method: 'getblockchaininfo', params: [], schema: S.blockchainInfo },
        { method: 'getindexinfo', params: [], schema: S.indexInfo },
      ] as const)
      .catch((err: unknown) => this.unexpected(err));
    if (!chain.ok) return this.unexpected(chain.error);
    this.checkChain(chain.value.chain);
    let filters: boolean;
    if (indexes.ok) filters = FILTER_INDEX in indexes.value;
    else if (indexes.error.code === RPC.METHOD_NOT_FOUND) filters = await this.probeFilters(chain.value.bestblockhash);
    else return this.unexpected(indexes.error);
    return {
      network: this.options.network,
      tip: { height: chain.value.blocks, hash: chain.value.bestblockhash },
      filters,
      pruneHeight: chain.value.pruned ? (chain.value.pruneheight ?? 0) : 0,
    };
  }

  /** Nodes older than getindexinfo (Core < 0.21): ask for the tip's filter. */
  private async probeFilters(tipHash: string): Promise<boolean> {
    try {
      await this.rpc.call('getblockfilter', [tipHash, 'basic'], S.blockFilter);
      return true;
    } catch (err) {
      if (err instanceof RpcError) return false;
      throw err;
    }
  }

  async tip(): Promise<ChainTip> {
    // One call, so height and hash belong to the same tip.
    const info = await this.call('getblockchaininfo', [], S.blockchainInfo).catch((e: unknown) => this.unexpected(e));
    return { height: info.blocks, hash: info.bestblockhash };
  }

  subscribeTip(listener: (tip: ChainTip) => void): () => void {
    return this.poller.subscribe(listener);
  }

  async blockHash(height: number): Promise<string> {
    checkHeight(height);
    try {
      return await this.call('getblockhash', [height], S.hash64);
    } catch (err) {
      if (err instanceof RpcError && err.code === RPC.INVALID_PARAMETER) {
        throw new ChainError('NOT_FOUND', `no block at height ${height} on ${this.rpc.url} (${err.message})`);
      }
      return this.unexpected(err);
    }
  }

  async header(hashOrHeight: string | number): Promise<BlockHeader> {
    const hash = typeof hashOrHeight === 'number' ? await this.blockHash(hashOrHeight) : checkHash(hashOrHeight, 'hash');
    await this.ensureNetwork();
    const [verbose, raw] = await this.rpc
      .batch([
        { method: 'getblockheader', params: [hash, true], schema: S.blockHeaderVerbose },
        { method: 'getblockheader', params: [hash, false], schema: S.blockHeaderHex },
      ] as const)
      .catch((e: unknown) => this.unexpected(e));
    if (!verbose.ok || !raw.ok) {
      const error = verbose.ok ? (raw as { error: RpcError }).error : verbose.error;
      if (error.code === RPC.NOT_FOUND) throw new ChainError('NOT_FOUND', `block ${hash} is unknown to ${this.rpc.url}`);
      return this.unexpected(error);
    }
    const bytes = bytesFromHex(raw.value, `header of ${hash}`);
    if (blockHashOf(bytes) !== hash || verbose.value.hash !== hash) {
      throw new ChainError('BAD_RESPONSE', `${this.rpc.url} returned a header that does not hash to ${hash}`);
    }
    const fields = readHeader(bytes);
    return {
      hash,
      height: verbose.value.height,
      raw: bytes,
      prevHash: fields.prevHash,
      merkleRoot: fields.merkleRoot,
      time: fields.time,
      medianTime: verbose.value.mediantime,
    };
  }

  async block(hash: string): Promise<Uint8Array> {
    checkHash(hash, 'hash');
    let hex: string;
    try {
      hex = await this.call('getblock', [hash.toLowerCase(), 0], S.hexBytes);
    } catch (err) {
      if (err instanceof RpcError && err.code === RPC.NOT_FOUND) {
        throw new ChainError('NOT_FOUND', `block ${hash} is unknown to ${this.rpc.url}`);
      }
      if (err instanceof RpcError && /pruned/i.test(err.message)) {
        throw new ChainError('PRUNED', `block ${hash} was pruned by ${this.rpc.url}: rescan from a height above the node's prune height, or use an unpruned node`);
      }
      if (err instanceof RpcError && /not found on disk/i.test(err.message)) {
        throw new ChainError('NOT_FOUND', `block ${hash} is not on the disk of ${this.rpc.url} (${err.message})`);
      }
      return this.unexpected(err);
    }
    const bytes = bytesFromHex(hex, `block ${hash}`);
    if (bytes.length < 80 || blockHashOf(bytes) !== hash.toLowerCase()) {
      throw new ChainError('BAD_RESPONSE', `${this.rpc.url} returned a block that does not hash to ${hash}`);
    }
    return bytes;
  }

  async blockFilter(hash: string): Promise<BlockFilter> {
    checkHash(hash, 'hash');
    let result: { filter: string; header: string };
    try {
      result = await this.call('getblockfilter', [hash.toLowerCase(), 'basic'], S.blockFilter);
    } catch (err) {
      throw this.filterError(err, hash);
    }
    const filter = bytesFromHex(result.filter, `filter of ${hash}`);
    try {
      decodeBasicFilter(filter);
    } catch (err) {
      if (err instanceof DecodeError) {
        throw new ChainError('BAD_RESPONSE', `${this.rpc.url} returned an invalid BIP158 filter for ${hash}: ${err.message}`);
      }
      throw err;
    }
    return { filter, header: result.header };
  }

  async filterHeader(hash: string): Promise<string> {
    return (await this.blockFilter(hash)).header!;
  }

  private filterError(err: unknown, hash: string): unknown {
    if (err instanceof RpcError) {
      if (/index is not enabled/i.test(err.message)) {
        return new ChainError('NO_FILTERS', `${this.rpc.url} has no BIP158 block filter index: restart bitcoind with -blockfilterindex=1 (it builds the index once)`);
      }
      if (/still in the process of being indexed/i.test(err.message)) {
        return new ChainError('NO_FILTERS', `${this.rpc.url} is still building its block filter index: wait until getindexinfo reports it synced`);
      }
      if (err.code === RPC.NOT_FOUND) return new ChainError('NOT_FOUND', `block ${hash} is unknown to ${this.rpc.url}`);
    }
    try {
      return this.unexpected(err);
    } catch (mapped) {
      return mapped;
    }
  }

  async tx(txid: string): Promise<TxLookup | null> {
    checkHash(txid, 'txid');
    let tx: z.infer<typeof S.rawTransactionVerbose>;
    try {
      tx = await this.call('getrawtransaction', [txid.toLowerCase(), true], S.rawTransactionVerbose);
    } catch (err) {
      if (err instanceof RpcError && err.code === RPC.NOT_FOUND) return null;
      return this.unexpected(err);
    }
    const raw = this.checkedTx(tx.hex, txid);
    if (!tx.blockhash || !(tx.confirmations && tx.confirmations > 0)) return { raw };
    const header = await this.header(tx.blockhash);
    return { raw, block: { hash: header.hash, height: header.height, time: tx.blocktime ?? header.time } };
  }

  /** Raw transaction bytes, checked to hash to `txid`. */
  private checkedTx(hex: string, txid: string): Uint8Array {
    const raw = bytesFromHex(hex, `transaction ${txid}`);
    let actual: string;
    try {
      actual = readTx(raw).txid;
    } catch (err) {
      if (err instanceof DecodeError) throw new ChainError('BAD_RESPONSE', `${this.rpc.url} returned an unparsable transaction for ${txid}: ${err.message}`);
      throw err;
    }
    if (actual !== txid.toLowerCase()) throw new ChainError('BAD_RESPONSE', `${this.rpc.url} returned transaction ${actual} when asked for ${txid}`);
    return raw;
  }

  /**
   * Who spent txid:vout. Unspent per gettxout (mempool included) → not spent. Otherwise the
   * spender comes from gettxspendingprevout (mempool; also confirmed with Core's -txospenderindex),
   * or, for older nodes without that call, from the mempool itself; a confirmed spender is found by
   * walking the BIP158 filters from the funding block up, since a block that spends the output
   * has the output's script in its filter.
   */
  async outspend(txid: string, vout: number): Promise<Outspend> {
    checkHash(txid, 'txid');
    if (!Number.isInteger(vout) || vout < 0) throw new RangeError(`"vout" expected a non-negative integer, got ${vout}`);
    const id = txid.toLowerCase();
    await this.ensureNetwork();
    const [funding, utxo] = await this.rpc
      .batch([
        { method: 'getrawtransaction', params: [id, true], schema: S.rawTransactionVerbose },
        { method: 'gettxout', params: [id, vout, true], schema: S.txOut },
      ] as const)
      .catch((e: unknown) => this.unexpected(e));
    if (!funding.ok) {
      if (funding.error.code === RPC.NOT_FOUND) {
        throw new ChainError('NOT_FOUND', `transaction ${id} is unknown to ${this.rpc.url} (confirmed transactions need -txindex=1)`);
      }
      return this.unexpected(funding.error);
    }
    if (!utxo.ok) return this.unexpected(utxo.error);
    const output = funding.value.vout.find((o) => o.n === vout);
    if (!output) throw new ChainError('NOT_FOUND', `transaction ${id} has no output ${vout}`);
    if (utxo.value !== null) return { spent: false };

    const known = await this.knownSpender(id, vout);
    if (known) return known;
    if (funding.value.blockhash && funding.value.confirmations && funding.value.confirmations > 0) {
      const fundingHeader = await this.header(funding.value.blockhash);
      const found = await this.scanForSpend(id, vout, bytesFromHex(output.scriptPubKey.hex, 'script'), fundingHeader.height);
      if (found) return found;
    }
    // Spent a moment ago and gone again (reorg or eviction) — ask once more before concluding.
    const again = await this.call('gettxout', [id, vout, true], S.txOut).catch((e: unknown) => this.unexpected(e));
    if (again !== null) return { spent: false };
    throw new ChainError('NOT_FOUND', `${id}:${vout} is spent but ${this.rpc.url} shows no spender in its mempool or active chain`);
  }

  private async knownSpender(txid: string, vout: number): Promise<Outspend | null> {
    let spender: string | undefined;
    try {
      const [entry] = await this.rpc.call('gettxspendingprevout', [[{ txid, vout }]], S.txSpendingPrevout);
      spender = entry?.spendingtxid;
    } catch (err) {
      if (!(err instanceof RpcError && err.code === RPC.METHOD_NOT_FOUND)) return this.unexpected(err);
      return this.mempoolSpender(txid, vout);
    }
    if (!spender) return null;
    const tx = await this.call('getrawtransaction', [spender, true], S.rawTransactionVerbose).catch((e: unknown) => this.unexpected(e));
    const vin = readTx(this.checkedTx(tx.hex, spender)).inputs.findIndex((i) => i.txid === txid && i.vout === vout);
    if (vin < 0) throw new ChainError('BAD_RESPONSE', `${this.rpc.url} named ${spender} as spender of ${txid}:${vout}, which it does not spend`);
    if (tx.blockhash && tx.confirmations && tx.confirmations > 0) {
      const header = await this.header(tx.blockhash);
      return { spent: true, txid: spender, vin, block: { hash: header.hash, height: header.height } };
    }
    return { spent: true, txid: spender, vin };
  }

  /** Without gettxspendingprevout (Core < 24): read the mempool's transactions in batches. */
  private async mempoolSpender(txid: string, vout: number): Promise<Outspend | null> {
    const ids = await this.mempoolTxids();
    const batchSize = this.options.scanBatchSize ?? 200;
    for (let i = 0; i < ids.length; i += batchSize) {
      const chunk = ids.slice(i, i + batchSize);
      const outcomes = await this.rpc
        .batch(chunk.map((id) => ({ method: 'getrawtransaction', params: [id, false], schema: S.hexBytes })))
        .catch((e: unknown) => this.unexpected(e));
      for (const [j, outcome] of outcomes.entries()) {
        if (!outcome.ok) continue; // left the mempool meanwhile
        const id = chunk[j] as string;
        const vin = readTx(this.checkedTx(outcome.value as string, id)).inputs.findIndex((inp) => inp.txid === txid && inp.vout === vout);
        if (vin >= 0) return { spent: true, txid: id, vin };
      }
    }
    return null;
  }

  /** Walks filters from `fromHeight` to the tip; fetches only blocks whose filter matches. */
  private async scanForSpend(txid: string, vout: number, script: Uint8Array, fromHeight: number): Promise<Outspend | null> {
    const batchSize = this.options.scanBatchSize ?? 200;
    const { height: tipHeight } = await this.tip();
    for (let start = fromHeight; start <= tipHeight; start += batchSize) {
      const heights = Array.from({ length: Math.min(batchSize, tipHeight - start + 1) }, (_, i) => start + i);
      const hashes = await this.rpc
        .batch(heights.map((h) => ({ method: 'getblockhash', params: [h], schema: S.hash64 })))
        .catch((e: unknown) => this.unexpected(e));
      const known = hashes.flatMap((o) => (o.ok ? [o.value as string] : []));
      const filters = await this.rpc
        .batch(known.map((h) => ({ method: 'getblockfilter', params: [h, 'basic'], schema: S.blockFilter })))
        .catch((e: unknown) => this.unexpected(e));
      for (const [i, outcome] of filters.entries()) {
        if (!outcome.ok) throw this.filterError(outcome.error, known[i] as string);
        const hash = known[i] as string;
        const filter = bytesFromHex((outcome.value as { filter: string }).filter, `filter of ${hash}`);
        if (!matchAny(filter, hash, [script])) continue;
        const block = await this.block(hash);
        for (const tx of readBlockTxs(block)) {
          const vin = tx.inputs.findIndex((inp) => inp.txid === txid && inp.vout === vout);
          if (vin >= 0) return { spent: true, txid: tx.txid, vin, block: { hash, height: heights[i] as number } };
        }
      }
    }
    return null;
  }

  async broadcast(rawTx: Uint8Array): Promise<string> {
    try {
      return await this.call('sendrawtransaction', [bytesToHex(rawTx)], S.hash64);
    } catch (err) {
      if (
        err instanceof RpcError &&
        [RPC.VERIFY_ERROR, RPC.VERIFY_REJECTED, RPC.ALREADY_IN_CHAIN, RPC.DESERIALIZATION].includes(err.code as never)
      ) {
        const reason = rejectReason(err.message);
        throw new ChainError('REJECTED', `${this.rpc.url} rejected the transaction: ${err.message}`, reason);
      }
      return this.unexpected(err);
    }
  }

  /**
   * sat/vB per target from estimatesmartfee (BTC/kvB × 10^5). A target the node cannot estimate
   * yet (fresh node, regtest) gets the mempool's minimum fee rate, the lowest it would relay.
   */
  async feeEstimates(): Promise<FeeEstimates> {
    await this.ensureNetwork();
    const outcomes = await this.rpc
      .batch([
        { method: 'getmempoolinfo', params: [], schema: S.mempoolInfo },
        ...FEE_TARGETS.map((t) => ({ method: 'estimatesmartfee', params: [t], schema: S.smartFee })),
      ])
      .catch((e: unknown) => this.unexpected(e));
    const [pool, ...estimates] = outcomes;
    if (!pool?.ok) return this.unexpected(pool?.error);
    const { mempoolminfee, minrelaytxfee } = pool.value as { mempoolminfee: number; minrelaytxfee: number };
    const floor = Math.max(mempoolminfee, minrelaytxfee) * 1e5;
    const result: FeeEstimates = {};
    estimates.forEach((outcome, i) => {
      const target = FEE_TARGETS[i] as number;
      if (!outcome.ok) return this.unexpected(outcome.error);
      const feerate = (outcome.value as { feerate?: number }).feerate;
      result[target] = feerate !== undefined ? Math.max(floor, feerate * 1e5) : floor;
    });
    return result;
  }

  async mempoolEntry(txid: string): Promise<MempoolEntry | null> {
    checkHash(txid, 'txid');
    try {
      const entry = await this.call('getmempoolentry', [txid.toLowerCase()], S.mempoolEntry);
      return { txid: txid.toLowerCase(), vsize: entry.vsize, fee: sats(entry.fees.base), time: entry.time, ancestorCount: entry.ancestorcount };
    } catch (err) {
      if (err instanceof RpcError && err.code === RPC.NOT_FOUND) return null;
      return this.unexpected(err);
    }
  }

  async mempoolTxids(): Promise<string[]> {
    return this.call('getrawmempool', [false], S.txids).catch((e: unknown) => this.unexpected(e));
  }

  async close(): Promise<void> {
    this.poller.close();
    this.rpc.close();
  }
}
