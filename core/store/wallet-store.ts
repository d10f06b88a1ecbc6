/**
 * One SQLite file per wallet: its metadata and sealed seed, derived scripts, transactions, scanned
 * block hashes, labels (BIP329 shapes) and frozen coins. Sync results arrive as one changeset and
 * are written in one transaction, so after a crash the file is at one sync step or the next.
 */
import type { SealedSecret } from '../wallet/keystore.js';
import type { Chain, OwnedScript, TxState, WalletTx } from '../wallet/tx-graph.js';
import { RECENT_BLOCKS, type Changeset, type OwedRescan, type SyncTip } from '../wallet/wallet-data.js';
import { openDatabase, type Component, type Db } from './database.js';

export const walletComponent: Component = {
  name: 'wallet',
  migrations: [
    {
      version: 1,
      up: (db) =>
        db.exec(`
        CREATE TABLE meta (
          id TEXT PRIMARY KEY,
          name TEXT NOT NULL,
          network TEXT NOT NULL,
          kind TEXT NOT NULL CHECK (kind IN ('seed', 'watch')),
          descriptor TEXT NOT NULL,
          fingerprint TEXT NOT NULL,
          sealed_secret TEXT,
          gap_limit INTEGER NOT NULL,
          birthday_height INTEGER NOT NULL,
          backup_confirmed INTEGER NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE scripts (
          spk TEXT PRIMARY KEY,
          chain INTEGER NOT NULL,
          idx INTEGER NOT NULL,
          UNIQUE (chain, idx)
        ) STRICT;
        -- Receive addresses handed out (revealed) so far, per chain.
        CREATE TABLE revealed (chain INTEGER PRIMARY KEY, next_index INTEGER NOT NULL) STRICT;
        CREATE TABLE txs (
          txid TEXT PRIMARY KEY,
          raw BLOB NOT NULL,
          block_height INTEGER,
          block_hash TEXT,
          block_time INTEGER,
          first_seen INTEGER NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('active', 'replaced', 'conflicted'))
        ) STRICT;
        CREATE TABLE blocks (height INTEGER PRIMARY KEY, hash TEXT NOT NULL) STRICT;
        CREATE TABLE sync (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        CREATE TABLE labels (
          type TEXT NOT NULL,
          ref TEXT NOT NULL,
          label TEXT NOT NULL,
          origin TEXT,
          PRIMARY KEY (type, ref)
        ) STRICT;
        CREATE TABLE frozen (outpoint TEXT PRIMARY KEY) STRICT;
      `),
    },
    {
      // Drafts this wallet prepared: what the user reviewed (which sends it replaces, the labels
      // given), kept until it is broadcast — possibly after a round trip through another signer.
      version: 2,
      up: (db) =>
        db.exec(`
        CREATE TABLE drafts (
          txid TEXT PRIMARY KEY,
          replaces TEXT NOT NULL,
          labels TEXT NOT NULL,
          created_at INTEGER NOT NULL
        ) STRICT;
      `),
    },
  ],
};

export interface DraftRecord {
  /** Pending transactions the user agreed to replace (bump, cancel). */
  replaces: string[];
  labels: { vout: number; label: string }[];
}

/** Drafts older than this are forgotten (an unsent draft's coins may long be spent). */
const DRAFT_RETENTION_SECONDS = 90 * 24 * 3600;

export interface WalletMeta {
  id: string;
  name: string;
  network: string;
  kind: 'seed' | 'watch';
  descriptor: string;
  fingerprint: string;
  sealedSecret: SealedSecret | null;
  gapLimit: number;
  birthdayHeight: number;
  backupConfirmed: boolean;
  createdAt: number;
}

interface MetaRow {
  id: string;
  name: string;
  network: string;
  kind: 'seed' | 'watch';
  descriptor: string;
  fingerprint: string;
  sealed_secret: string | null;
  gap_limit: number;
  birthday_height: number;
  backup_confirmed: number;
  created_at: number;
}

interface TxRow {
  txid: string;
  raw: Buffer;
  block_height: number | null;
  block_hash: string | null;
  block_time: number | null;
  first_seen: number;
  state: TxState;
}

export class WalletStore {
  private constructor(readonly db: Db) {
    // Overwrite deleted content (an old sealed seed after a passphrase change, say) instead of leaving it in free pages.
    db.pragma('secure_delete = ON');
  }

  static create(file: string, meta: WalletMeta): WalletStore {
    const db = openDatabase(file, [walletComponent]);
    db.prepare(
      `INSERT INTO meta (id, name, network, kind, descriptor, fingerprint, sealed_secret, gap_limit, birthday_height, backup_confirmed, created_at)
       VALUES (@id, @name, @network, @kind, @descriptor, @fingerprint, @sealed, @gapLimit, @birthdayHeight, @backup, @createdAt)`,
    ).run({ ...meta, sealed: meta.sealedSecret ? JSON.stringify(meta.sealedSecret) : null, backup: meta.backupConfirmed ? 1 : 0 });
    return new WalletStore(db);
  }

  static open(file: string): WalletStore {
    return new WalletStore(openDatabase(file, [walletComponent]));
  }

  close(): void {
    this.db.close();
  }

  meta(): WalletMeta {
    const r = this.db.prepare('SELECT * FROM meta').get() as MetaRow | undefined;
    if (!r) throw new Error('wallet file has no metadata');
    return {
      id: r.id,
      name: r.name,
      network: r.network,
      kind: r.kind,
      descriptor: r.descriptor,
      fingerprint: r.fingerprint,
      sealedSecret: r.sealed_secret ? (JSON.parse(r.sealed_secret) as SealedSecret) : null,
      gapLimit: r.gap_limit,
      birthdayHeight: r.birthday_height,
      backupConfirmed: r.backup_confirmed === 1,
      createdAt: r.created_at,
    };
  }

  updateMeta(patch: Partial<Pick<WalletMeta, 'name' | 'gapLimit' | 'sealedSecret' | 'backupConfirmed'>>): void {
    const sets: string[] = [];
    const values: Record<string, unknown> = {};
    if (patch.name !== undefined) (sets.push('name = @name'), (values.name = patch.name));
    if (patch.gapLimit !== undefined) (sets.push('gap_limit = @gapLimit'), (values.gapLimit = patch.gapLimit));
    if (patch.sealedSecret !== undefined) (sets.push('sealed_secret = @sealed'), (values.sealed = patch.sealedSecret ? JSON.stringify(patch.sealedSecret) : null));
    if (patch.backupConfirmed !== undefined) (sets.push('backup_confirmed = @backup'), (values.backup = patch.backupConfirmed ? 1 : 0));
    if (sets.length) this.db.prepare(`UPDATE meta SET ${sets.join(', ')}`).run(values);
  }

  scripts(): OwnedScript[] {
    return (this.db.prepare('SELECT spk, chain, idx FROM scripts ORDER BY chain, idx').all() as { spk: string; chain: Chain; idx: number }[]).map((r) => ({
      spk: r.spk,
      chain: r.chain,
      index: r.idx,
    }));
  }

  txs(): WalletTx[] {
    return (this.db.prepare('SELECT * FROM txs').all() as TxRow[]).map((r) => ({
      txid: r.txid,
      raw: new Uint8Array(r.raw),
      block: r.block_height !== null && r.block_hash !== null ? { height: r.block_height, hash: r.block_hash, time: r.block_time ?? 0 } : null,
      firstSeen: r.first_seen,
      state: r.state,
    }));
  }

  /** Scanned block hashes from `fromHeight` up, for reorg detection. */
  blocks(fromHeight = 0): { height: number; hash: string }[] {
    return this.db.prepare('SELECT height, hash FROM blocks WHERE height >= ? ORDER BY height DESC').all(fromHeight) as { height: number; hash: string }[];
  }

  tip(): SyncTip | null {
    const row = this.db.prepare(`SELECT value FROM sync WHERE key = 'tip'`).get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as SyncTip) : null;
  }

  owedRescan(): OwedRescan | null {
    const row = this.db.prepare(`SELECT value FROM sync WHERE key = 'owed_rescan'`).get() as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as OwedRescan) : null;
  }

  revealed(chain: Chain): number {
    const row = this.db.prepare('SELECT next_index FROM revealed WHERE chain = ?').get(chain) as { next_index: number } | undefined;
    return row?.next_index ?? 0;
  }

  setRevealed(chain: Chain, nextIndex: number): void {
    this.db.prepare('INSERT INTO revealed (chain, next_index) VALUES (?, ?) ON CONFLICT(chain) DO UPDATE SET next_index = excluded.next_index').run(chain, nextIndex);
  }

  apply(cs: Changeset): void {
    this.db.transaction(() => {
      const insertScript = this.db.prepare('INSERT OR IGNORE INTO scripts (spk, chain, idx) VALUES (?, ?, ?)');
      for (const s of cs.scripts ?? []) insertScript.run(s.spk, s.chain, s.index);
      const upsertTx = this.db.prepare(
        `INSERT INTO txs (txid, raw, block_height, block_hash, block_time, first_seen, state) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(txid) DO UPDATE SET block_height = excluded.block_height, block_hash = excluded.block_hash, block_time = excluded.block_time, state = excluded.state`,
      );
      for (const t of cs.txs ?? []) upsertTx.run(t.txid, Buffer.from(t.raw), t.block?.height ?? null, t.block?.hash ?? null, t.block?.time ?? null, t.firstSeen, t.state);
      for (const u of cs.txUpdates ?? []) {
        if (u.block !== undefined) {
          this.db.prepare('UPDATE txs SET block_height = ?, block_hash = ?, block_time = ? WHERE txid = ?').run(u.block?.height ?? null, u.block?.hash ?? null, u.block?.time ?? null, u.txid);
        }
        if (u.state !== undefined) this.db.prepare('UPDATE txs SET state = ? WHERE txid = ?').run(u.state, u.txid);
      }
      if (cs.disconnectAbove !== undefined) this.db.prepare('DELETE FROM blocks WHERE height > ?').run(cs.disconnectAbove);
      const insertBlock = this.db.prepare('INSERT INTO blocks (height, hash) VALUES (?, ?) ON CONFLICT(height) DO UPDATE SET hash = excluded.hash');
      for (const b of cs.blocks ?? []) insertBlock.run(b.height, b.hash);
      if (cs.tip) this.db.prepare(`INSERT INTO sync (key, value) VALUES ('tip', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(JSON.stringify(cs.tip));
      if (cs.owedRescan === null) this.db.prepare(`DELETE FROM sync WHERE key = 'owed_rescan'`).run();
      else if (cs.owedRescan) {
        this.db.prepare(`INSERT INTO sync (key, value) VALUES ('owed_rescan', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`).run(JSON.stringify(cs.owedRescan));
      }
      // Keep recent block hashes for reorg detection; older ones only where a transaction of ours confirmed.
      if (cs.tip) {
        this.db
          .prepare('DELETE FROM blocks WHERE height < ? AND hash NOT IN (SELECT block_hash FROM txs WHERE block_hash IS NOT NULL)')
          .run(cs.tip.height - RECENT_BLOCKS);
      }
    })();
  }

  labels(): { type: string; ref: string; label: string; origin: string | null }[] {
    return this.db.prepare('SELECT type, ref, label, origin FROM labels ORDER BY type, ref').all() as { type: string; ref: string; label: string; origin: string | null }[];
  }

  setLabel(type: string, ref: string, label: string, origin: string | null = null): void {
    if (label === '') this.db.prepare('DELETE FROM labels WHERE type = ? AND ref = ?').run(type, ref);
    else {
      this.db
        .prepare('INSERT INTO labels (type, ref, label, origin) VALUES (?, ?, ?, ?) ON CONFLICT(type, ref) DO UPDATE SET label = excluded.label, origin = COALESCE(excluded.origin, origin)')
        .run(type, ref, label, origin);
    }
  }

  saveDraft(txid: string, draft: DraftRecord, now: number): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM drafts WHERE created_at < ?').run(now - DRAFT_RETENTION_SECONDS);
      this.db
        .prepare('INSERT INTO drafts (txid, replaces, labels, created_at) VALUES (?, ?, ?, ?) ON CONFLICT(txid) DO UPDATE SET replaces = excluded.replaces, labels = excluded.labels, created_at = excluded.created_at')
        .run(txid, JSON.stringify(draft.replaces), JSON.stringify(draft.labels), now);
    })();
  }

  draft(txid: string): DraftRecord | null {
    const row = this.db.prepare('SELECT replaces, labels FROM drafts WHERE txid = ?').get(txid) as { replaces: string; labels: string } | undefined;
    return row ? { replaces: JSON.parse(row.replaces) as string[], labels: JSON.parse(row.labels) as DraftRecord['labels'] } : null;
  }

  frozen(): Set<string> {
    return new Set((this.db.prepare('SELECT outpoint FROM frozen').all() as { outpoint: string }[]).map((r) => r.outpoint));
  }

  setFrozen(outpoints: readonly string[], frozen: boolean): void {
    const stmt = frozen ? this.db.prepare('INSERT OR IGNORE INTO frozen (outpoint) VALUES (?)') : this.db.prepare('DELETE FROM frozen WHERE outpoint = ?');
    this.db.transaction(() => outpoints.forEach((o) => stmt.run(o)))();
  }
}
