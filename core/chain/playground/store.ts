/**
 * The Playground's SQLite file: every block it has seen (raw, with its index data and failure
 * flag), the active chain, a transaction index, every output of the active chain with who spent
 * it (so the UTXO set, outspends and address histories are one table), BIP158 filters, the mempool
 * and a few settings. Connecting or disconnecting a block is one SQLite transaction, so after a
 * kill the file holds a valid chain and the Playground resumes from it.
 *
 * Not here: deciding validity (chainstate.ts), anything about the mempool beyond its rows.
 */
import { openDatabase, type Db, type Migration } from '../../store/database.js';
import type { Coin } from './consensus.js';
import type { DecodedBlock } from './wire.js';

const migrations: Migration[] = [
  {
    version: 1,
    up(db) {
      db.exec(`
        CREATE TABLE blocks (
          hash TEXT PRIMARY KEY,
          height INTEGER NOT NULL,
          prev TEXT NOT NULL,
          seq INTEGER NOT NULL,
          failed INTEGER NOT NULL DEFAULT 0,
          raw BLOB NOT NULL
        ) STRICT;
        CREATE TABLE active (height INTEGER PRIMARY KEY, hash TEXT NOT NULL) STRICT;
        CREATE TABLE block_stats (
          hash TEXT PRIMARY KEY,
          fees INTEGER NOT NULL,
          min_feerate INTEGER,
          weight INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE txs (
          txid TEXT PRIMARY KEY,
          block TEXT NOT NULL,
          height INTEGER NOT NULL,
          pos INTEGER NOT NULL,
          off INTEGER NOT NULL,
          len INTEGER NOT NULL
        ) STRICT;
        CREATE INDEX txs_by_block ON txs(block, pos);
        CREATE TABLE txos (
          txid TEXT NOT NULL,
          vout INTEGER NOT NULL,
          value INTEGER NOT NULL,
          script BLOB NOT NULL,
          height INTEGER NOT NULL,
          coinbase INTEGER NOT NULL,
          spent_txid TEXT,
          spent_vin INTEGER,
          spent_height INTEGER,
          PRIMARY KEY (txid, vout)
        ) STRICT, WITHOUT ROWID;
        CREATE INDEX txos_by_script ON txos(script);
        CREATE TABLE filters (block TEXT PRIMARY KEY, filter BLOB NOT NULL, header TEXT NOT NULL) STRICT;
        CREATE TABLE mempool (txid TEXT PRIMARY KEY, raw BLOB NOT NULL, time INTEGER NOT NULL, seq INTEGER NOT NULL) STRICT;
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      `);
    },
  },
];

export const PLAYGROUND_COMPONENT = { name: 'playground', migrations };

export interface StoredBlock {
  hash: string;
  height: number;
  prev: string;
  seq: number;
  failed: boolean;
  header: Uint8Array;
  ntx: number;
  size: number;
}

export interface Txo extends Coin {
  txid: string;
  vout: number;
  spent?: { txid: string; vin: number; height: number };
}

export interface TxLocation {
  block: string;
  height: number;
  pos: number;
}

export interface ConnectRecord {
  block: DecodedBlock;
  height: number;
  filter: Uint8Array;
  filterHeader: string;
  fees: bigint;
  /** Lowest fee rate paid by a non-coinbase transaction, sat/kvB (null: coinbase only). */
  minFeeRate: bigint | null;
}

export interface BlockStats {
  fees: bigint;
  /** sat/kvB. */
  minFeeRate: bigint | null;
  weight: number;
}

type Row = Record<string, unknown>;

/** better-sqlite3 hands BLOBs out as Buffers; the Playground works with plain Uint8Arrays. */
function bytes(b: unknown): Uint8Array {
  const buf = b as Uint8Array;
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Core never adds OP_RETURN outputs or oversized scripts to the UTXO set. */
const SPENDABLE = "NOT (length(script) > 0 AND substr(script, 1, 1) = x'6a') AND length(script) <= 10000";

function toTxo(r: Row): Txo {
  const txo: Txo = {
    txid: r.txid as string,
    vout: r.vout as number,
    value: BigInt(r.value as number),
    script: bytes(r.script),
    height: r.height as number,
    coinbase: r.coinbase === 1,
  };
  if (r.spent_txid !== null) txo.spent = { txid: r.spent_txid as string, vin: r.spent_vin as number, height: r.spent_height as number };
  return txo;
}

export class ChainStore {
  readonly db: Db;
  /**
   * A second connection for mempool rows, with synchronous=NORMAL: in WAL mode a commit then
   * survives a killed process (not a power cut) without an fsync per accepted transaction, which
   * would otherwise cost more than validating it. Chain data stays on the synchronous=FULL one.
   */
  private readonly poolDb: Db;
  private readonly q;
  private readonly pool;

  constructor(file: string) {
    this.db = openDatabase(file, [PLAYGROUND_COMPONENT]);
    const db = this.db;
    if (file === ':memory:') {
      this.poolDb = db;
    } else {
      this.poolDb = openDatabase(file, [PLAYGROUND_COMPONENT], { check: false });
      this.poolDb.pragma('synchronous = NORMAL');
    }
    this.pool = {
      all: this.poolDb.prepare('SELECT raw, time FROM mempool ORDER BY seq'),
      add: this.poolDb.prepare('INSERT OR REPLACE INTO mempool (txid, raw, time, seq) VALUES (?, ?, ?, (SELECT coalesce(max(seq), 0) + 1 FROM mempool))'),
      remove: this.poolDb.prepare('DELETE FROM mempool WHERE txid = ?'),
      clear: this.poolDb.prepare('DELETE FROM mempool'),
    };
    this.q = {
      setting: db.prepare('SELECT value FROM settings WHERE key = ?').pluck(),
      setSetting: db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value'),
      insertBlock: db.prepare('INSERT OR IGNORE INTO blocks (hash, height, prev, seq, failed, raw) VALUES (?, ?, ?, ?, 0, ?)'),
      setFailed: db.prepare('UPDATE blocks SET failed = ? WHERE hash = ?'),
      blockRaw: db.prepare('SELECT raw FROM blocks WHERE hash = ?').pluck(),
      index: db.prepare('SELECT hash, height, prev, seq, failed, substr(raw, 1, 89) AS head, length(raw) AS size FROM blocks ORDER BY height, seq'),
      active: db.prepare('SELECT hash FROM active ORDER BY height').pluck(),
      setActive: db.prepare('INSERT INTO active (height, hash) VALUES (?, ?)'),
      unsetActive: db.prepare('DELETE FROM active WHERE height = ?'),
      insertTx: db.prepare('INSERT INTO txs (txid, block, height, pos, off, len) VALUES (?, ?, ?, ?, ?, ?)'),
      deleteTxs: db.prepare('DELETE FROM txs WHERE block = ?'),
      insertTxo: db.prepare('INSERT INTO txos (txid, vout, value, script, height, coinbase) VALUES (?, ?, ?, ?, ?, ?)'),
      deleteTxos: db.prepare('DELETE FROM txos WHERE txid = ?'),
      spend: db.prepare('UPDATE txos SET spent_txid = ?, spent_vin = ?, spent_height = ? WHERE txid = ? AND vout = ?'),
      unspend: db.prepare('UPDATE txos SET spent_txid = NULL, spent_vin = NULL, spent_height = NULL WHERE txid = ? AND vout = ?'),
      txo: db.prepare('SELECT * FROM txos WHERE txid = ? AND vout = ?'),
      txosOf: db.prepare('SELECT * FROM txos WHERE txid = ? ORDER BY vout'),
      hasTxos: db.prepare(`SELECT 1 FROM txos WHERE txid = ? AND spent_txid IS NULL AND ${SPENDABLE} LIMIT 1`).pluck(),
      txosByScript: db.prepare('SELECT * FROM txos WHERE script = ? ORDER BY height, txid, vout'),
      txLocation: db.prepare('SELECT block, height, pos FROM txs WHERE txid = ?'),
      txRaw: db.prepare('SELECT substr(b.raw, t.off + 1, t.len) FROM txs t JOIN blocks b ON b.hash = t.block WHERE t.txid = ?').pluck(),
      insertFilter: db.prepare('INSERT OR IGNORE INTO filters (block, filter, header) VALUES (?, ?, ?)'),
      filter: db.prepare('SELECT filter, header FROM filters WHERE block = ?'),
      insertStats: db.prepare('INSERT OR REPLACE INTO block_stats (hash, fees, min_feerate, weight) VALUES (?, ?, ?, ?)'),
      stats: db.prepare('SELECT fees, min_feerate, weight FROM block_stats WHERE hash = ?'),
      mempoolMined: db.prepare('DELETE FROM mempool WHERE txid = ?'),
    };
  }

  close(): void {
    if (this.poolDb !== this.db) this.poolDb.close();
    this.db.close();
  }

  /** Runs `fn` as one transaction (nested connects and disconnects become savepoints). */
  atomically<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  setting(key: string): string | undefined {
    return this.q.setting.get(key) as string | undefined;
  }

  setSetting(key: string, value: string): void {
    this.q.setSetting.run(key, value);
  }

  /** Every stored block with what the in-memory index needs, parents before children. */
  loadIndex(): StoredBlock[] {
    return (this.q.index.all() as Row[]).map((r) => ({
      hash: r.hash as string,
      height: r.height as number,
      prev: r.prev as string,
      seq: r.seq as number,
      failed: r.failed === 1,
      header: bytes(r.head).subarray(0, 80),
      ntx: readCount(bytes(r.head).subarray(80)),
      size: r.size as number,
    }));
  }

  loadActive(): string[] {
    return this.q.active.all() as string[];
  }

  insertBlock(hash: string, height: number, prev: string, seq: number, raw: Uint8Array): void {
    this.q.insertBlock.run(hash, height, prev, seq, raw);
  }

  setFailed(hashes: readonly string[], failed: boolean): void {
    this.db.transaction(() => {
      for (const h of hashes) this.q.setFailed.run(failed ? 1 : 0, h);
    })();
  }

  blockRaw(hash: string): Uint8Array | undefined {
    const raw = this.q.blockRaw.get(hash);
    return raw === undefined ? undefined : bytes(raw);
  }

  /**
   * Makes `rec.block` the new tip: one transaction for outputs, spends, indexes and the mempool
   * rows it mines. `spendable` is false only for genesis, whose output Core never adds.
   */
  connect(rec: ConnectRecord, spendable: boolean): void {
    const { block, height } = rec;
    this.db.transaction(() => {
      this.q.setActive.run(height, block.hash);
      let off = 80 + compactSizeLength(block.txs.length);
      block.txs.forEach((tx, pos) => {
        this.q.insertTx.run(tx.txid, block.hash, height, pos, off, tx.raw.length);
        off += tx.raw.length;
        if (pos > 0) {
          tx.inputs.forEach((input, vin) => this.q.spend.run(tx.txid, vin, height, input.txid, input.vout));
        }
        if (spendable) tx.outputs.forEach((out, vout) => this.q.insertTxo.run(tx.txid, vout, out.value, out.script, height, pos === 0 ? 1 : 0));
        this.q.mempoolMined.run(tx.txid);
      });
      this.q.insertFilter.run(block.hash, rec.filter, rec.filterHeader);
      this.q.insertStats.run(block.hash, rec.fees, rec.minFeeRate, block.weight);
    })();
  }

  /** Undoes `connect` for the tip block at `height`. */
  disconnect(block: DecodedBlock, height: number): void {
    this.db.transaction(() => {
      for (let pos = block.txs.length - 1; pos >= 0; pos--) {
        const tx = block.txs[pos]!;
        this.q.deleteTxos.run(tx.txid);
        if (pos > 0) for (const input of tx.inputs) this.q.unspend.run(input.txid, input.vout);
      }
      this.q.deleteTxs.run(block.hash);
      this.q.unsetActive.run(height);
    })();
  }

  /** An unspent output of the active chain; provably unspendable ones are not coins (as in Core). */
  coin(txid: string, vout: number): Coin | undefined {
    const r = this.q.txo.get(txid, vout) as Row | undefined;
    if (!r || r.spent_txid !== null) return undefined;
    const script = r.script as Uint8Array;
    if ((script.length > 0 && script[0] === 0x6a) || script.length > 10_000) return undefined;
    return toTxo(r);
  }

  txo(txid: string, vout: number): Txo | undefined {
    const r = this.q.txo.get(txid, vout) as Row | undefined;
    return r ? toTxo(r) : undefined;
  }

  txosOf(txid: string): Txo[] {
    return (this.q.txosOf.all(txid) as Row[]).map(toTxo);
  }

  /** Whether any output of `txid` is unspent in the active chain (Core: "txn-already-known"). */
  hasUnspentOutputs(txid: string): boolean {
    return this.q.hasTxos.get(txid) !== undefined;
  }

  txosByScript(script: Uint8Array): Txo[] {
    return (this.q.txosByScript.all(script) as Row[]).map(toTxo);
  }

  txLocation(txid: string): TxLocation | undefined {
    return this.q.txLocation.get(txid) as TxLocation | undefined;
  }

  txRaw(txid: string): Uint8Array | undefined {
    const raw = this.q.txRaw.get(txid);
    return raw === undefined ? undefined : bytes(raw);
  }

  filter(block: string): { filter: Uint8Array; header: string } | undefined {
    const r = this.q.filter.get(block) as Row | undefined;
    return r ? { filter: bytes(r.filter), header: r.header as string } : undefined;
  }

  stats(block: string): BlockStats | undefined {
    const r = this.q.stats.get(block) as Row | undefined;
    if (!r) return undefined;
    return { fees: BigInt(r.fees as number), minFeeRate: r.min_feerate === null ? null : BigInt(r.min_feerate as number), weight: r.weight as number };
  }

  loadMempool(): { raw: Uint8Array; time: number }[] {
    return (this.pool.all.all() as Row[]).map((r) => ({ raw: bytes(r.raw), time: r.time as number }));
  }

  mempoolAdd(txid: string, raw: Uint8Array, time: number): void {
    this.pool.add.run(txid, raw, time);
  }

  mempoolRemove(txids: Iterable<string>): void {
    this.poolDb.transaction(() => {
      for (const txid of txids) this.pool.remove.run(txid);
    })();
  }

  mempoolReplaceAll(entries: readonly { txid: string; raw: Uint8Array; time: number }[]): void {
    this.poolDb.transaction(() => {
      this.pool.clear.run();
      for (const e of entries) this.pool.add.run(e.txid, e.raw, e.time);
    })();
  }
}

/** The transaction count after the header (a CompactSize; blocks here are already validated). */
function readCount(b: Uint8Array): number {
  const first = b[0]!;
  if (first < 0xfd) return first;
  if (first === 0xfd) return b[1]! | (b[2]! << 8);
  return (b[1]! | (b[2]! << 8) | (b[3]! << 16) | (b[4]! << 24)) >>> 0;
}

function compactSizeLength(n: number): number {
  return n < 0xfd ? 1 : n <= 0xffff ? 3 : n <= 0xffffffff ? 5 : 9;
}
