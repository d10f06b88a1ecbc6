/**
 * The Esplora REST API (Blockstream's electrs flavour) over the Playground: blocks, transactions,
 * outspends, merkle proofs, broadcast, fee estimates, the mempool and address histories, with
 * Esplora's JSON shapes, text bodies and status codes. Paths are relative to the API base
 * (`…/api`), as on blockstream.info.
 * https://github.com/Blockstream/esplora/blob/master/API.md
 *
 * Deliberately absent, as in Esplora: BIP158 filters (an Esplora client builds them from the raw
 * block and prevouts). Also absent: /scripthash/* and asset endpoints.
 *
 * Not here: HTTP plumbing (server.ts).
 */
import { hex } from '@scure/base';
import { addressToScript, scriptToAddress } from './address.js';
import { difficulty } from './block-rules.js';
import type { BlockIndex } from './chainstate.js';
import { isCoinbase, rejectionText, type Coin } from './consensus.js';
import type { MempoolEntry } from './mempool.js';
import type { Playground } from './playground.js';
import { RPC_ERROR } from './rpc.js';
import { esploraAsm, esploraScriptType } from './script-text.js';
import { classify } from './script.js';
import { decodeBlock, decodeTx, hashToHex, hexToHash, isHash, sha256d, type DecodedTx } from './wire.js';

export interface RestResponse {
  status: number;
  contentType: string;
  body: string | Uint8Array;
}

const text = (body: string, status = 200): RestResponse => ({ status, contentType: 'text/plain', body });
const json = (value: unknown): RestResponse => ({
  status: 200,
  contentType: 'application/json',
  body: JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)),
});
const binary = (body: Uint8Array): RestResponse => ({ status: 200, contentType: 'application/octet-stream', body });

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TXS_PER_PAGE = 25;
const MEMPOOL_TXS_PER_PAGE = 50;
const BLOCKS_PER_PAGE = 10;
const FEE_TARGETS = [...Array.from({ length: 25 }, (_, i) => i + 1), 144, 504, 1008];

function hashParam(s: string | undefined): string {
  if (!s || !isHash(s)) throw new HttpError(400, 'Invalid hex string');
  return s.toLowerCase();
}

function blockOf(pg: Playground, h: string | undefined): BlockIndex {
  const entry = pg.chain.get(hashParam(h));
  if (!entry) throw new HttpError(404, 'Block not found');
  return entry;
}

function outputJson(script: Uint8Array, value: bigint): Record<string, unknown> {
  return {
    scriptpubkey: hex.encode(script),
    scriptpubkey_asm: esploraAsm(script),
    scriptpubkey_type: esploraScriptType(script),
    scriptpubkey_address: scriptToAddress(script),
    value,
  };
}

function txStatus(pg: Playground, txid: string): Record<string, unknown> {
  const info = pg.tx(txid);
  if (!info?.block) return { confirmed: false };
  return { confirmed: true, block_height: info.block.height, block_hash: info.block.hash, block_time: info.block.time };
}

function txJson(pg: Playground, tx: DecodedTx): Record<string, unknown> {
  const coinbase = isCoinbase(tx);
  const prevouts: (Coin | undefined)[] = coinbase ? [] : tx.inputs.map((i) => pg.output(i.txid, i.vout));
  const vin = tx.inputs.map((input, i) => {
    const prev = prevouts[i];
    const entry: Record<string, unknown> = {
      txid: input.txid,
      vout: input.vout,
      prevout: prev ? outputJson(prev.script, prev.value) : null,
      scriptsig: hex.encode(input.scriptSig),
      scriptsig_asm: esploraAsm(input.scriptSig),
    };
    if (input.witness.length > 0) entry.witness = input.witness.map((w) => hex.encode(w));
    entry.is_coinbase = coinbase;
    entry.sequence = input.sequence;
    const type = prev ? classify(prev.script).type : undefined;
    if (type === 'scripthash' && input.scriptSig.length > 0) {
      const redeem = lastPushData(input.scriptSig);
      if (redeem) entry.inner_redeemscript_asm = esploraAsm(redeem);
    }
    if ((type === 'witness_v0_scripthash' || (type === 'scripthash' && input.witness.length > 0)) && input.witness.length > 0) {
      entry.inner_witnessscript_asm = esploraAsm(input.witness[input.witness.length - 1]!);
    }
    return entry;
  });
  const fee = coinbase || prevouts.some((p) => !p) ? 0n : prevouts.reduce((s, p) => s + p!.value, 0n) - tx.outputs.reduce((s, o) => s + o.value, 0n);
  return {
    txid: tx.txid,
    version: tx.version,
    locktime: tx.locktime,
    vin,
    vout: tx.outputs.map((o) => outputJson(o.script, o.value)),
    size: tx.size,
    weight: tx.weight,
    fee,
    status: txStatus(pg, tx.txid),
  };
}

function lastPushData(scriptSig: Uint8Array): Uint8Array | null {
  let pc = 0;
  let last: Uint8Array | null = null;
  while (pc < scriptSig.length) {
    const op = scriptSig[pc++]!;
    let len = 0;
    if (op >= 1 && op <= 75) len = op;
    else if (op === 0x4c) len = scriptSig[pc++] ?? 0;
    else if (op === 0x4d) {
      len = (scriptSig[pc] ?? 0) | ((scriptSig[pc + 1] ?? 0) << 8);
      pc += 2;
    } else {
      last = null;
      continue;
    }
    last = scriptSig.subarray(pc, pc + len);
    pc += len;
  }
  return last;
}

function blockJson(pg: Playground, e: BlockIndex): Record<string, unknown> {
  const raw = pg.blockRaw(e.hash)!;
  const block = decodeBlock(raw);
  return {
    id: e.hash,
    height: e.height,
    version: e.header.version,
    timestamp: e.header.time,
    tx_count: e.nTx,
    size: block.size,
    weight: block.weight,
    merkle_root: e.header.merkleRoot,
    previousblockhash: e.parent ? e.parent.hash : null,
    mediantime: e.mtp,
    nonce: e.header.nonce,
    bits: e.header.bits,
    difficulty: difficulty(e.header.bits),
  };
}

function findTx(pg: Playground, txid: string | undefined): DecodedTx {
  const info = pg.tx(hashParam(txid));
  if (!info) throw new HttpError(404, 'Transaction not found');
  return info.tx;
}

function outspendJson(pg: Playground, txid: string, vout: number): Record<string, unknown> {
  const s = pg.outspend(txid, vout);
  if (!s) return { spent: false };
  return { spent: true, txid: s.txid, vin: s.vin, status: txStatus(pg, s.txid) };
}

/** Electrum-style merkle branch of a confirmed transaction. */
function merkleProof(pg: Playground, txid: string): Record<string, unknown> {
  const info = pg.tx(txid);
  if (!info?.block) throw new HttpError(404, 'Transaction not found or is unconfirmed');
  const txids = decodeBlock(pg.blockRaw(info.block.hash)!).txs.map((t) => t.txid);
  const branch: string[] = [];
  let level = txids;
  let pos = info.block.pos;
  while (level.length > 1) {
    const sibling = pos ^ 1;
    branch.push(level[sibling] ?? level[pos]!);
    const next: string[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const pair = new Uint8Array(64);
      pair.set(hexToHash(level[i]!), 0);
      pair.set(hexToHash(level[i + 1] ?? level[i]!), 32);
      next.push(hashToHex(sha256d(pair)));
    }
    level = next;
    pos >>= 1;
  }
  return { block_height: info.block.height, merkle: branch, pos: info.block.pos };
}

// Address histories: confirmed from the output table, unconfirmed from the mempool.

interface Touch {
  txid: string;
  height: number;
}

function addressScript(addr: string | undefined): Uint8Array {
  const script = addr ? addressToScript(addr) : null;
  if (!script) throw new HttpError(400, 'Invalid Bitcoin address');
  return script;
}

function confirmedTouches(pg: Playground, script: Uint8Array): Touch[] {
  const seen = new Map<string, number>();
  for (const t of pg.outputsTo(script)) {
    seen.set(t.txid, t.height);
    if (t.spent) seen.set(t.spent.txid, t.spent.height);
  }
  const list = [...seen].map(([txid, height]) => ({ txid, height, pos: pg.tx(txid)?.block?.pos ?? 0 }));
  list.sort((a, b) => b.height - a.height || b.pos - a.pos);
  return list;
}

function mempoolTouches(pg: Playground, script: Uint8Array): MempoolEntry[] {
  const target = hex.encode(script);
  return pg.mempool
    .ordered()
    .filter((e) => e.tx.outputs.some((o) => hex.encode(o.script) === target) || e.coins.some((c) => hex.encode(c.script) === target))
    .reverse();
}

function addressStats(pg: Playground, script: Uint8Array, addr: string): Record<string, unknown> {
  const outs = pg.outputsTo(script);
  const target = hex.encode(script);
  const chain = {
    funded_txo_count: outs.length,
    funded_txo_sum: outs.reduce((s, t) => s + t.value, 0n),
    spent_txo_count: outs.filter((t) => t.spent).length,
    spent_txo_sum: outs.filter((t) => t.spent).reduce((s, t) => s + t.value, 0n),
    tx_count: confirmedTouches(pg, script).length,
  };
  const pool = mempoolTouches(pg, script);
  let funded = 0;
  let fundedSum = 0n;
  let spent = 0;
  let spentSum = 0n;
  for (const e of pool) {
    for (const o of e.tx.outputs) {
      if (hex.encode(o.script) !== target) continue;
      funded++;
      fundedSum += o.value;
    }
    for (const c of e.coins) {
      if (hex.encode(c.script) !== target) continue;
      spent++;
      spentSum += c.value;
    }
  }
  return {
    address: addr,
    chain_stats: chain,
    mempool_stats: { funded_txo_count: funded, funded_txo_sum: fundedSum, spent_txo_count: spent, spent_txo_sum: spentSum, tx_count: pool.length },
  };
}

function utxos(pg: Playground, script: Uint8Array): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const t of pg.outputsTo(script)) {
    if (t.spent || pg.mempool.spender(t.txid, t.vout)) continue;
    out.push({ txid: t.txid, vout: t.vout, status: txStatus(pg, t.txid), value: t.value });
  }
  const target = hex.encode(script);
  for (const e of pg.mempool.ordered()) {
    e.tx.outputs.forEach((o, vout) => {
      if (hex.encode(o.script) === target && !pg.mempool.spender(e.tx.txid, vout)) out.push({ txid: e.tx.txid, vout, status: { confirmed: false }, value: o.value });
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Routing

type Handler = (pg: Playground, params: string[], body: string) => RestResponse;

const routes: [string, RegExp, Handler][] = [
  ['GET', /^\/blocks\/tip\/height$/, (pg) => text(String(pg.chain.tipHeight))],
  ['GET', /^\/blocks\/tip\/hash$/, (pg) => text(pg.chain.tip.hash)],
  ['GET', /^\/blocks(?:\/(\d+))?$/, (pg, [start]) => {
    const top = start === undefined ? pg.chain.tipHeight : Math.min(Number(start), pg.chain.tipHeight);
    const list = [];
    for (let h = top; h >= 0 && list.length < BLOCKS_PER_PAGE; h--) list.push(blockJson(pg, pg.chain.active[h]!));
    return json(list);
  }],
  ['GET', /^\/block-height\/(\d+)$/, (pg, [h]) => {
    const entry = pg.chain.active[Number(h)];
    if (!entry) throw new HttpError(404, 'Block not found');
    return text(entry.hash);
  }],
  ['GET', /^\/block\/([^/]+)$/, (pg, [h]) => json(blockJson(pg, blockOf(pg, h)))],
  ['GET', /^\/block\/([^/]+)\/header$/, (pg, [h]) => text(hex.encode(blockOf(pg, h).headerRaw))],
  ['GET', /^\/block\/([^/]+)\/raw$/, (pg, [h]) => binary(pg.blockRaw(blockOf(pg, h).hash)!)],
  ['GET', /^\/block\/([^/]+)\/status$/, (pg, [h]) => {
    const e = blockOf(pg, h);
    const active = pg.chain.isActive(e);
    const next = active ? pg.chain.active[e.height + 1] : undefined;
    return json(active ? { in_best_chain: true, height: e.height, next_best: next ? next.hash : null } : { in_best_chain: false });
  }],
  ['GET', /^\/block\/([^/]+)\/txids$/, (pg, [h]) => json(decodeBlock(pg.blockRaw(blockOf(pg, h).hash)!).txs.map((t) => t.txid))],
  ['GET', /^\/block\/([^/]+)\/txid\/(\d+)$/, (pg, [h, i]) => {
    const tx = decodeBlock(pg.blockRaw(blockOf(pg, h).hash)!).txs[Number(i)];
    if (!tx) throw new HttpError(404, 'Transaction not found');
    return text(tx.txid);
  }],
  ['GET', /^\/block\/([^/]+)\/txs(?:\/(\d+))?$/, (pg, [h, start]) => {
    const txs = decodeBlock(pg.blockRaw(blockOf(pg, h).hash)!).txs;
    const from = Number(start ?? 0);
    if (from % TXS_PER_PAGE !== 0) throw new HttpError(400, `start index must be a multiple of ${TXS_PER_PAGE}`);
    if (from >= txs.length && from > 0) throw new HttpError(404, 'start index out of range');
    return json(txs.slice(from, from + TXS_PER_PAGE).map((t) => txJson(pg, t)));
  }],
  ['GET', /^\/tx\/([^/]+)$/, (pg, [id]) => json(txJson(pg, findTx(pg, id)))],
  ['GET', /^\/tx\/([^/]+)\/hex$/, (pg, [id]) => text(hex.encode(findTx(pg, id).raw))],
  ['GET', /^\/tx\/([^/]+)\/raw$/, (pg, [id]) => binary(findTx(pg, id).raw)],
  ['GET', /^\/tx\/([^/]+)\/status$/, (pg, [id]) => json(txStatus(pg, findTx(pg, id).txid))],
  ['GET', /^\/tx\/([^/]+)\/merkle-proof$/, (pg, [id]) => json(merkleProof(pg, findTx(pg, id).txid))],
  ['GET', /^\/tx\/([^/]+)\/outspend\/(\d+)$/, (pg, [id, vout]) => {
    const tx = findTx(pg, id);
    if (Number(vout) >= tx.outputs.length) throw new HttpError(404, 'Output not found');
    return json(outspendJson(pg, tx.txid, Number(vout)));
  }],
  ['GET', /^\/tx\/([^/]+)\/outspends$/, (pg, [id]) => {
    const tx = findTx(pg, id);
    return json(tx.outputs.map((_o, vout) => outspendJson(pg, tx.txid, vout)));
  }],
  ['POST', /^\/tx$/, (pg, _p, body) => {
    let tx: DecodedTx;
    try {
      tx = decodeTx(hex.decode(body.trim().toLowerCase()));
    } catch {
      throw new HttpError(400, `sendrawtransaction RPC error: ${JSON.stringify({ code: RPC_ERROR.DESERIALIZATION, message: 'TX decode failed' })}`);
    }
    if (pg.mempool.get(tx.txid)) return text(tx.txid);
    const outcome = pg.acceptTx(tx);
    if (!outcome.ok) {
      const code = outcome.rejection.missingInputs ? RPC_ERROR.VERIFY : RPC_ERROR.VERIFY_REJECTED;
      throw new HttpError(400, `sendrawtransaction RPC error: ${JSON.stringify({ code, message: rejectionText(outcome.rejection) })}`);
    }
    return text(tx.txid);
  }],
  ['GET', /^\/fee-estimates$/, (pg) => json(Object.fromEntries([...pg.feeRates(FEE_TARGETS)].map(([t, rate]) => [String(t), Number(rate) / 1000])))],
  ['GET', /^\/mempool$/, (pg) => {
    const entries = pg.mempool.ordered();
    const buckets = new Map<number, number>();
    for (const e of entries) {
      const rate = Math.floor((Number(e.fee) / e.vsize) * 10) / 10;
      buckets.set(rate, (buckets.get(rate) ?? 0) + e.vsize);
    }
    return json({
      count: entries.length,
      vsize: entries.reduce((s, e) => s + e.vsize, 0),
      total_fee: entries.reduce((s, e) => s + e.fee, 0n),
      fee_histogram: [...buckets].sort((a, b) => b[0] - a[0]),
    });
  }],
  ['GET', /^\/mempool\/txids$/, (pg) => json(pg.mempool.ordered().map((e) => e.tx.txid))],
  ['GET', /^\/mempool\/recent$/, (pg) => json(pg.mempool.ordered().slice(-10).reverse().map((e) => ({
    txid: e.tx.txid,
    fee: e.fee,
    vsize: e.vsize,
    value: e.tx.outputs.reduce((s, o) => s + o.value, 0n),
  })))],
  ['GET', /^\/address\/([^/]+)$/, (pg, [a]) => json(addressStats(pg, addressScript(a), a!))],
  ['GET', /^\/address\/([^/]+)\/utxo$/, (pg, [a]) => json(utxos(pg, addressScript(a)))],
  ['GET', /^\/address\/([^/]+)\/txs$/, (pg, [a]) => {
    const script = addressScript(a);
    const pool = mempoolTouches(pg, script).slice(0, MEMPOOL_TXS_PER_PAGE).map((e) => txJson(pg, e.tx));
    const chain = confirmedTouches(pg, script).slice(0, TXS_PER_PAGE).map((t) => txJson(pg, pg.tx(t.txid)!.tx));
    return json([...pool, ...chain]);
  }],
  ['GET', /^\/address\/([^/]+)\/txs\/mempool$/, (pg, [a]) => json(mempoolTouches(pg, addressScript(a)).slice(0, MEMPOOL_TXS_PER_PAGE).map((e) => txJson(pg, e.tx)))],
  ['GET', /^\/address\/([^/]+)\/txs\/chain(?:\/([^/]+))?$/, (pg, [a, last]) => {
    const touches = confirmedTouches(pg, addressScript(a));
    const from = last === undefined ? 0 : touches.findIndex((t) => t.txid === hashParam(last)) + 1;
    return json(touches.slice(from, from + TXS_PER_PAGE).map((t) => txJson(pg, pg.tx(t.txid)!.tx)));
  }],
];

/** Answers one Esplora request; `path` is relative to the API base and has no query string. */
export function handleEsplora(pg: Playground, method: string, path: string, body: string): RestResponse {
  for (const [m, pattern, handler] of routes) {
    const match = pattern.exec(path);
    if (!match || m !== method) continue;
    try {
      const params = match.slice(1).map((p) => {
        try {
          return p === undefined ? undefined : decodeURIComponent(p);
        } catch {
          throw new HttpError(400, 'Invalid URL encoding');
        }
      });
      return handler(pg, params as string[], body);
    } catch (err) {
      if (err instanceof HttpError) return text(err.message, err.status);
      throw err;
    }
  }
  return text('Not Found', 404);
}
