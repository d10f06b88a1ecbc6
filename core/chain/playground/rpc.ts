/**
 * The Bitcoin Core JSON-RPC subset the Playground answers, with Core 28's parameter names (positional
 * or named), result shapes, error codes and messages, plus `playground_faucet`. Also the JSON-RPC
 * envelope as Core's HTTP server applies it: 1.0 and 2.0 requests, batches, notifications, and the
 * HTTP status Core picks for each outcome.
 * https://github.com/bitcoin/bitcoin/blob/v28.0/doc/JSON-RPC-interface.md
 *
 * Not here: HTTP, sockets and authentication (server.ts), JSON shapes (core-json.ts).
 */
import { hex } from '@scure/base';
import { addressToScript } from './address.js';
import { blockJson, confirmations, headerJson, mempoolEntryJson, scriptPubKeyJson, txJson } from './core-json.js';
import { feeForVsize, feeRatePerKvB, isCoinbase, rejectionText, type Coin } from './consensus.js';
import { MAX_CONF_TARGET } from './fees.js';
import { Btc, stringify } from './json.js';
import { DEFAULT_MAX_RAW_TX_FEERATE, INCREMENTAL_RELAY_FEERATE, MAX_MONEY, MIN_RELAY_FEERATE } from './params.js';
import type { Playground } from './playground.js';
import { decodeBlock, decodeTx, isHash, type DecodedTx } from './wire.js';

/** Core's RPCErrorCode values the Playground uses. */
export const RPC_ERROR = {
  MISC: -1,
  TYPE: -3,
  INVALID_ADDRESS_OR_KEY: -5,
  INVALID_PARAMETER: -8,
  DESERIALIZATION: -22,
  VERIFY: -25,
  VERIFY_REJECTED: -26,
  VERIFY_ALREADY_IN_CHAIN: -27,
  INVALID_REQUEST: -32600,
  METHOD_NOT_FOUND: -32601,
  PARSE: -32700,
} as const;

export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------
// Parameters, checked the way Core's RPCHelpMan and ParseHashV/AmountFromValue report them.

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function typeError(v: unknown, name: string, expected: string): RpcError {
  return new RpcError(RPC_ERROR.TYPE, `JSON value of type ${typeName(v)} for field ${name} is not of expected type ${expected}`);
}

const given = (v: unknown): boolean => v !== undefined && v !== null;

function str(v: unknown, name: string): string {
  if (typeof v !== 'string') throw typeError(v, name, 'string');
  return v;
}

function int(v: unknown, name: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(v, name, 'number');
  return v;
}

function bool(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw typeError(v, name, 'bool');
  return v;
}

/** Core's ParseHashV. */
function hash(v: unknown, name: string): string {
  const s = str(v, name);
  if (s.length !== 64) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `${name} must be of length 64 (not ${s.length}, for '${s}')`);
  if (!isHash(s)) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `${name} must be hexadecimal string (not '${s}')`);
  return s.toLowerCase();
}

/** Core's AmountFromValue: a JSON number or numeric string with at most 8 decimals, in BTC. */
function amount(v: unknown): bigint {
  if (typeof v !== 'number' && typeof v !== 'string') throw new RpcError(RPC_ERROR.TYPE, 'Amount is not a number or string');
  const text = typeof v === 'number' ? v.toFixed(8) : v;
  const m = /^(-?)(\d+)(?:\.(\d{1,8}))?$/.exec(text);
  if (!m) throw new RpcError(RPC_ERROR.TYPE, 'Invalid amount');
  const sats = BigInt(m[2]!) * 100_000_000n + BigInt((m[3] ?? '').padEnd(8, '0'));
  const signed = m[1] ? -sats : sats;
  if (signed < 0n || signed > MAX_MONEY) throw new RpcError(RPC_ERROR.TYPE, 'Amount out of range');
  return signed;
}

function rawTx(v: unknown, name: string, message: (s: string) => string): DecodedTx {
  const s = str(v, name);
  try {
    return decodeTx(hex.decode(s.toLowerCase()));
  } catch {
    throw new RpcError(RPC_ERROR.DESERIALIZATION, message(s));
  }
}

function payoutScript(address: string): Uint8Array {
  const script = addressToScript(address);
  if (!script) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'Error: Invalid address');
  return script;
}

// ---------------------------------------------------------------------------------------------
// Methods

interface Method {
  /** Parameter names, for named arguments and arity checks. */
  params: readonly string[];
  required: number;
  run(pg: Playground, a: unknown[]): unknown;
}

function block(pg: Playground, h: string) {
  const entry = pg.chain.get(h);
  if (!entry) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'Block not found');
  return entry;
}

/** The outputs a transaction spends, from the chain or the mempool (undefined when unknown). */
function spentBy(pg: Playground, tx: DecodedTx): (Coin | undefined)[] {
  return tx.inputs.map((i) => pg.output(i.txid, i.vout));
}

function feeOf(pg: Playground, tx: DecodedTx): bigint | undefined {
  if (isCoinbase(tx)) return undefined;
  const prev = spentBy(pg, tx);
  if (prev.some((p) => !p)) return undefined;
  return prev.reduce((s, p) => s + p!.value, 0n) - tx.outputs.reduce((s, o) => s + o.value, 0n);
}

function maxFeeRate(v: unknown): bigint {
  return given(v) ? amount(v) : DEFAULT_MAX_RAW_TX_FEERATE;
}

const ESTIMATE_MODES = ['unset', 'economical', 'conservative'];

const methods: Record<string, Method> = {
  getblockchaininfo: {
    params: [],
    required: 0,
    run(pg) {
      const tip = pg.chain.tip;
      let size = 0;
      for (const e of pg.chain.index.values()) size += e.size;
      return {
        chain: 'regtest',
        blocks: tip.height,
        headers: pg.chain.bestHeaderHeight,
        bestblockhash: tip.hash,
        difficulty: headerJson(pg.chain, tip).difficulty,
        time: tip.header.time,
        mediantime: tip.mtp,
        verificationprogress: 1,
        initialblockdownload: false,
        chainwork: tip.chainwork.toString(16).padStart(64, '0'),
        size_on_disk: size,
        pruned: false,
        warnings: [],
      };
    },
  },
  getnetworkinfo: {
    params: [],
    required: 0,
    run() {
      return {
        version: 280000,
        subversion: '/Satoshi:28.0.0(tapdesk-playground)/',
        protocolversion: 70016,
        localservices: '0000000000000c09',
        localservicesnames: ['NETWORK', 'WITNESS', 'NETWORK_LIMITED', 'P2P_V2'],
        localrelay: true,
        timeoffset: 0,
        networkactive: true,
        connections: 0,
        connections_in: 0,
        connections_out: 0,
        networks: [],
        relayfee: new Btc(MIN_RELAY_FEERATE),
        incrementalfee: new Btc(INCREMENTAL_RELAY_FEERATE),
        localaddresses: [],
        warnings: [],
      };
    },
  },
  getblockcount: { params: [], required: 0, run: (pg) => pg.chain.tipHeight },
  getbestblockhash: { params: [], required: 0, run: (pg) => pg.chain.tip.hash },
  getblockhash: {
    params: ['height'],
    required: 1,
    run(pg, [h]) {
      const height = int(h, 'height');
      const entry = pg.chain.active[height];
      if (height < 0 || !entry) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, 'Block height out of range');
      return entry.hash;
    },
  },
  getblockheader: {
    params: ['blockhash', 'verbose'],
    required: 1,
    run(pg, [h, verbose]) {
      const entry = block(pg, hash(h, 'hash'));
      if (given(verbose) && !bool(verbose, 'verbose')) return hex.encode(entry.headerRaw);
      return headerJson(pg.chain, entry);
    },
  },
  getblock: {
    params: ['blockhash', 'verbosity'],
    required: 1,
    run(pg, [h, v]) {
      const entry = block(pg, hash(h, 'blockhash'));
      const verbosity = !given(v) ? 1 : typeof v === 'boolean' ? (v ? 1 : 0) : int(v, 'verbosity');
      const raw = pg.blockRaw(entry.hash)!;
      if (verbosity <= 0) return hex.encode(raw);
      return blockJson(pg.chain, entry, decodeBlock(raw), verbosity, (tx) => spentBy(pg, tx));
    },
  },
  getrawtransaction: {
    params: ['txid', 'verbose', 'blockhash'],
    required: 1,
    run(pg, [id, v, bh]) {
      const txid = hash(id, 'parameter 1');
      const verbosity = !given(v) ? 0 : typeof v === 'boolean' ? (v ? 1 : 0) : int(v, 'verbosity');
      let info = pg.tx(txid);
      let inActive: boolean | undefined;
      if (given(bh)) {
        const entry = pg.chain.get(hash(bh, 'parameter 3'));
        if (!entry) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'Block hash not found');
        const tx = decodeBlock(pg.blockRaw(entry.hash)!).txs.find((t) => t.txid === txid);
        if (!tx) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'No such transaction found in the provided block. Use gettransaction for wallet transactions.');
        inActive = pg.chain.isActive(entry);
        info = { tx, block: { hash: entry.hash, height: entry.height, time: entry.header.time, pos: 0 } };
      }
      if (!info) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'No such mempool or blockchain transaction. Use gettransaction for wallet transactions.');
      if (verbosity <= 0) return hex.encode(info.tx.raw);
      const opts: Parameters<typeof txJson>[1] = { hex: true };
      if (verbosity >= 2 && !isCoinbase(info.tx)) {
        const prevouts = spentBy(pg, info.tx);
        if (prevouts.every((p) => p)) {
          opts.prevouts = prevouts;
          opts.fee = feeOf(pg, info.tx)!;
        }
      }
      const out: Record<string, unknown> = {};
      if (inActive !== undefined) out.in_active_chain = inActive;
      Object.assign(out, txJson(info.tx, opts));
      if (info.block) {
        const entry = pg.chain.get(info.block.hash)!;
        out.blockhash = info.block.hash;
        out.confirmations = pg.chain.isActive(entry) ? confirmations(pg.chain, entry) : 0;
        out.time = info.block.time;
        out.blocktime = info.block.time;
      }
      return out;
    },
  },
  decoderawtransaction: {
    params: ['hexstring', 'iswitness'],
    required: 1,
    run(_pg, [h]) {
      return txJson(rawTx(h, 'hexstring', () => 'TX decode failed'));
    },
  },
  sendrawtransaction: {
    params: ['hexstring', 'maxfeerate', 'maxburnamount'],
    required: 1,
    run(pg, [h, rate, burn]) {
      const tx = rawTx(h, 'hexstring', () => 'TX decode failed. Make sure the tx has at least one input.');
      const maxBurn = given(burn) ? amount(burn) : 0n;
      for (const o of tx.outputs) {
        if (((o.script.length > 0 && o.script[0] === 0x6a) || o.script.length > 10_000) && o.value > maxBurn) {
          throw new RpcError(RPC_ERROR.VERIFY, 'Unspendable output exceeds maximum configured by user (maxburnamount)');
        }
      }
      const maxFee = feeForVsize(maxFeeRate(rate), tx.vsize);
      if (pg.chain.hasUnspentOutputs(tx.txid)) throw new RpcError(RPC_ERROR.VERIFY_ALREADY_IN_CHAIN, 'Transaction outputs already in utxo set');
      if (pg.mempool.get(tx.txid)) return tx.txid;
      const check = (test: boolean) => {
        const outcome = pg.acceptTx(tx, test);
        if (outcome.ok) return outcome;
        const r = outcome.rejection;
        throw new RpcError(r.missingInputs ? RPC_ERROR.VERIFY : RPC_ERROR.VERIFY_REJECTED, rejectionText(r));
      };
      if (maxFee > 0n && check(true).fee > maxFee) {
        throw new RpcError(RPC_ERROR.VERIFY, 'Fee exceeds maximum configured by user (e.g. -maxtxfee, maxfeerate)');
      }
      check(false);
      return tx.txid;
    },
  },
  testmempoolaccept: {
    params: ['rawtxs', 'maxfeerate'],
    required: 1,
    run(pg, [list, rate]) {
      if (!Array.isArray(list)) throw typeError(list, 'rawtxs', 'array');
      if (list.length < 1 || list.length > 25) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, 'Array must contain between 1 and 25 transactions.');
      const txs = list.map((h) => rawTx(h, 'rawtxs', (s) => `TX decode failed: ${s} Make sure the tx has at least one input.`));
      const maxRate = maxFeeRate(rate);
      return pg.testAccept(txs).map((outcome, i) => {
        const tx = txs[i]!;
        const out: Record<string, unknown> = { txid: tx.txid, wtxid: tx.wtxid };
        if (!outcome) return out;
        if (!outcome.ok) {
          out.allowed = false;
          out['reject-reason'] = outcome.rejection.missingInputs ? 'missing-inputs' : outcome.rejection.reason;
          return out;
        }
        if (maxRate > 0n && outcome.fee > feeForVsize(maxRate, tx.vsize)) {
          out.allowed = false;
          out['reject-reason'] = 'max-fee-exceeded';
          return out;
        }
        out.allowed = true;
        out.vsize = outcome.vsize;
        out.fees = { base: new Btc(outcome.fee), 'effective-feerate': new Btc(feeRatePerKvB(outcome.fee, outcome.vsize)), 'effective-includes': [tx.wtxid] };
        return out;
      });
    },
  },
  getrawmempool: {
    params: ['verbose', 'mempool_sequence'],
    required: 0,
    run(pg, [v, seq]) {
      const verbose = given(v) && bool(v, 'verbose');
      const withSequence = given(seq) && bool(seq, 'mempool_sequence');
      if (verbose && withSequence) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, 'Verbose results cannot contain mempool sequence values.');
      const entries = pg.mempool.ordered();
      if (verbose) return Object.fromEntries(entries.map((e) => [e.tx.txid, mempoolEntryJson(pg.mempool, e)]));
      const txids = entries.map((e) => e.tx.txid);
      return withSequence ? { txids, mempool_sequence: pg.mempool.sequence } : txids;
    },
  },
  getmempoolentry: {
    params: ['txid'],
    required: 1,
    run(pg, [id]) {
      const entry = pg.mempool.get(hash(id, 'parameter 1'));
      if (!entry) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'Transaction not in mempool');
      return mempoolEntryJson(pg.mempool, entry);
    },
  },
  getmempoolinfo: {
    params: [],
    required: 0,
    run(pg) {
      const entries = pg.mempool.ordered();
      return {
        loaded: true,
        size: entries.length,
        bytes: entries.reduce((s, e) => s + e.vsize, 0),
        usage: entries.reduce((s, e) => s + e.tx.size, 0),
        total_fee: new Btc(entries.reduce((s, e) => s + e.fee, 0n)),
        maxmempool: 300_000_000,
        mempoolminfee: new Btc(MIN_RELAY_FEERATE),
        minrelaytxfee: new Btc(MIN_RELAY_FEERATE),
        incrementalrelayfee: new Btc(INCREMENTAL_RELAY_FEERATE),
        unbroadcastcount: 0,
        fullrbf: pg.mempool.fullRbf,
      };
    },
  },
  gettxout: {
    params: ['txid', 'n', 'include_mempool'],
    required: 2,
    run(pg, [id, n, mem]) {
      const txid = hash(id, 'txid');
      const vout = int(n, 'n');
      const includeMempool = !given(mem) || bool(mem, 'include_mempool');
      const tip = pg.chain.tip;
      if (includeMempool) {
        if (pg.mempool.spender(txid, vout)) return null;
        const entry = pg.mempool.get(txid);
        if (entry) {
          const out = entry.tx.outputs[vout];
          if (!out) return null;
          return { bestblock: tip.hash, confirmations: 0, value: new Btc(out.value), scriptPubKey: scriptPubKeyJson(out.script), coinbase: false };
        }
      }
      const coin = pg.chain.coin(txid, vout);
      if (!coin) return null;
      return { bestblock: tip.hash, confirmations: tip.height - coin.height + 1, value: new Btc(coin.value), scriptPubKey: scriptPubKeyJson(coin.script), coinbase: coin.coinbase };
    },
  },
  estimatesmartfee: {
    params: ['conf_target', 'estimate_mode'],
    required: 1,
    run(pg, [t, mode]) {
      const target = int(t, 'conf_target');
      if (target < 1 || target > MAX_CONF_TARGET) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `Invalid conf_target, must be between 1 and ${MAX_CONF_TARGET}`);
      if (given(mode) && !ESTIMATE_MODES.includes(str(mode, 'estimate_mode').toLowerCase())) {
        throw new RpcError(RPC_ERROR.INVALID_PARAMETER, 'Invalid estimate_mode parameter, must be one of: "unset", "economical", "conservative"');
      }
      // Core answers a 1-block target with its 2-block estimate.
      const blocks = Math.max(2, target);
      return { feerate: new Btc(pg.feeRate(blocks)), blocks };
    },
  },
  getblockfilter: {
    params: ['blockhash', 'filtertype'],
    required: 1,
    run(pg, [h, type]) {
      const blockhash = hash(h, 'blockhash');
      if (given(type) && str(type, 'filtertype') !== 'basic') throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'Unknown filtertype');
      block(pg, blockhash);
      const f = pg.filter(blockhash);
      if (!f) throw new RpcError(RPC_ERROR.MISC, 'Filter not found.');
      return { filter: hex.encode(f.filter), header: f.header };
    },
  },
  getindexinfo: {
    params: ['index_name'],
    required: 0,
    run(pg, [name]) {
      const status = { synced: true, best_block_height: pg.chain.tipHeight };
      const all: Record<string, unknown> = { txindex: status, 'basic block filter index': status };
      if (!given(name)) return all;
      const n = str(name, 'index_name');
      return n in all ? { [n]: all[n] } : {};
    },
  },
  generatetoaddress: {
    params: ['nblocks', 'address', 'maxtries'],
    required: 2,
    run(pg, [n, address]) {
      const count = int(n, 'nblocks');
      return pg.generate(Math.max(0, count), payoutScript(str(address, 'address')));
    },
  },
  generateblock: {
    params: ['output', 'transactions', 'submit'],
    required: 2,
    run(pg, [output, list, submit]) {
      const target = str(output, 'output');
      const script = outputScript(target);
      if (!script) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, 'Error: Invalid address or descriptor');
      if (!Array.isArray(list)) throw typeError(list, 'transactions', 'array');
      const txs = list.map((item) => {
        const s = str(item, 'transactions');
        if (isHash(s)) {
          const entry = pg.mempool.get(s.toLowerCase());
          if (!entry) throw new RpcError(RPC_ERROR.INVALID_ADDRESS_OR_KEY, `Transaction ${s} not in mempool.`);
          return entry.tx;
        }
        return rawTx(s, 'transactions', () => `Transaction decode failed for ${s}. Make sure the tx has at least one input.`);
      });
      const doSubmit = !given(submit) || bool(submit, 'submit');
      const result = pg.generateBlock(script, txs, doSubmit);
      if ('rejection' in result) {
        throw new RpcError(RPC_ERROR.VERIFY, `TestBlockValidity failed: ${rejectionText(result.rejection)}`);
      }
      return doSubmit ? { hash: result.block.hash } : { hash: result.block.hash, hex: hex.encode(result.block.raw) };
    },
  },
  submitblock: {
    params: ['hexdata', 'dummy'],
    required: 1,
    run(pg, [h]) {
      let decoded;
      try {
        decoded = decodeBlock(hex.decode(str(h, 'hexdata').toLowerCase()));
      } catch {
        throw new RpcError(RPC_ERROR.DESERIALIZATION, 'Block decode failed');
      }
      if (decoded.txs.length === 0 || !isCoinbase(decoded.txs[0]!)) throw new RpcError(RPC_ERROR.DESERIALIZATION, 'Block does not start with a coinbase');
      return pg.submitBlock(decoded);
    },
  },
  invalidateblock: {
    params: ['blockhash'],
    required: 1,
    run(pg, [h]) {
      const entry = block(pg, hash(h, 'blockhash'));
      if (entry.height === 0) throw new RpcError(RPC_ERROR.MISC, 'Genesis block cannot be invalidated');
      pg.invalidate(entry.hash);
      return null;
    },
  },
  reconsiderblock: {
    params: ['blockhash'],
    required: 1,
    run(pg, [h]) {
      pg.reconsider(block(pg, hash(h, 'blockhash')).hash);
      return null;
    },
  },
  playground_faucet: {
    params: ['address', 'amount'],
    required: 2,
    run(pg, [address, value]) {
      const to = payoutScript(str(address, 'address'));
      const sats = amount(value);
      if (sats <= 0n) throw new RpcError(RPC_ERROR.TYPE, 'Amount out of range');
      if (sats > 1_000n * 100_000_000n) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, '"amount" expected at most 1000 BTC');
      return pg.faucet(to, sats);
    },
  },
};

/** generateblock's output: an address, or an addr()/raw() descriptor (checksum optional). */
function outputScript(target: string): Uint8Array | null {
  const desc = /^(addr|raw)\(([^()]*)\)(?:#[a-z0-9]{8})?$/.exec(target);
  if (!desc) return addressToScript(target);
  if (desc[1] === 'addr') return addressToScript(desc[2]!);
  return /^([0-9a-fA-F]{2})*$/.test(desc[2]!) ? hex.decode(desc[2]!.toLowerCase()) : null;
}

/** Runs one method with positional (array) or named (object) parameters. */
export function callMethod(pg: Playground, method: string, params: unknown): unknown {
  const m = Object.hasOwn(methods, method) ? methods[method] : undefined;
  if (!m) throw new RpcError(RPC_ERROR.METHOD_NOT_FOUND, 'Method not found');
  let args: unknown[];
  if (params === undefined || params === null) args = [];
  else if (Array.isArray(params)) args = params;
  else if (typeof params === 'object') {
    args = [];
    for (const [k, v] of Object.entries(params as Record<string, unknown>)) {
      const i = m.params.indexOf(k);
      if (i < 0) throw new RpcError(RPC_ERROR.INVALID_PARAMETER, `Unknown named parameter ${k}`);
      args[i] = v;
    }
  } else throw new RpcError(RPC_ERROR.INVALID_REQUEST, 'Params must be an array or object');
  const supplied = args.filter((a, i) => i < m.required && given(a)).length;
  if (args.length > m.params.length || supplied < m.required) {
    throw new RpcError(RPC_ERROR.MISC, `${method} ${m.params.map((p, i) => (i < m.required ? p : `( ${p} )`)).join(' ')}`.trimEnd());
  }
  return m.run(pg, args);
}

// ---------------------------------------------------------------------------------------------
// JSON-RPC envelope (Core's httprpc.cpp / request.cpp).

interface Reply {
  /** HTTP status for this reply when it is the only one. */
  status: number;
  /** null for a JSON-RPC 2.0 notification: nothing is sent back. */
  body: Record<string, unknown> | null;
}

function errorStatus(code: number): number {
  if (code === RPC_ERROR.INVALID_REQUEST) return 400;
  if (code === RPC_ERROR.METHOD_NOT_FOUND) return 404;
  return 500;
}

function handleOne(pg: Playground, req: unknown): Reply {
  if (typeof req !== 'object' || req === null || Array.isArray(req)) {
    return { status: 400, body: { result: null, error: { code: RPC_ERROR.INVALID_REQUEST, message: 'Invalid Request object' }, id: null } };
  }
  const r = req as Record<string, unknown>;
  const id = r.id ?? null;
  const v2 = r.jsonrpc === '2.0';
  const reply = (result: unknown, error: { code: number; message: string } | null): Reply => {
    if (v2) {
      if (!('id' in r)) return { status: 204, body: null };
      return { status: 200, body: error ? { jsonrpc: '2.0', error, id } : { jsonrpc: '2.0', result, id } };
    }
    return { status: error ? errorStatus(error.code) : 200, body: { result: error ? null : result, error, id } };
  };
  try {
    if (r.jsonrpc !== undefined && r.jsonrpc !== '1.0' && r.jsonrpc !== '2.0') {
      throw new RpcError(RPC_ERROR.INVALID_REQUEST, 'JSON-RPC version not supported');
    }
    if (typeof r.method !== 'string') throw new RpcError(RPC_ERROR.INVALID_REQUEST, 'Method must be a string');
    return reply(callMethod(pg, r.method, r.params), null);
  } catch (err) {
    if (err instanceof RpcError) return reply(null, { code: err.code, message: err.message });
    return reply(null, { code: RPC_ERROR.MISC, message: err instanceof Error ? err.message : String(err) });
  }
}

/** A whole HTTP request body → the HTTP status and body to answer with (null body: 204). */
export function handleRpcBody(pg: Playground, text: string): { status: number; body: string | null } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { status: 500, body: stringify({ result: null, error: { code: RPC_ERROR.PARSE, message: 'Parse error' }, id: null }) };
  }
  if (Array.isArray(parsed)) {
    const replies = parsed.map((req) => handleOne(pg, req).body).filter((b) => b !== null);
    return { status: 200, body: stringify(replies) };
  }
  const one = handleOne(pg, parsed);
  return { status: one.status, body: one.body === null ? null : stringify(one.body) };
}
