/**
 * Opens a SQLite file for Tapdesk: WAL, synchronous=FULL (better-sqlite3 would leave NORMAL in WAL,
 * which can lose the last commits on power failure), foreign keys on, and numbered forward-only
 * migrations per component recorded in `schema_versions`. A file written by a newer Tapdesk is
 * refused; a file that is not a healthy SQLite database is reported and left untouched.
 */
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export type Db = Database.Database;

/** One step of a component's schema; `version` numbers start at 1 and have no gaps. */
export interface Migration {
  version: number;
  up: (db: Db) => void;
}

export interface Component {
  name: string;
  migrations: readonly Migration[];
}

export type StoreErrorCode = 'CORRUPT' | 'NEWER_SCHEMA' | 'LOCKED' | 'IO';

export class StoreError extends Error {
  override readonly name = 'StoreError';
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface OpenOptions {
  readonly?: boolean;
  /** Run `PRAGMA quick_check` when an existing file is opened (default true). */
  check?: boolean;
}

export function openDatabase(file: string, components: readonly Component[], opts: OpenOptions = {}): Db {
  const existed = file !== ':memory:' && existsSync(file);
  let db: Db;
  try {
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      // In development under Electron the launcher provides a build of the addon for Electron's ABI.
      ...(process.env.TAPDESK_SQLITE_BINDING ? { nativeBinding: process.env.TAPDESK_SQLITE_BINDING } : {}),
    });
  } catch (err) {
    throw new StoreError('IO', `cannot open ${file}: ${(err as Error).message}`);
  }
  try {
    // The first read of the header is what reveals a file that is not a database.
    db.pragma('schema_version');
    if (existed && (opts.check ?? true)) {
      const result = db.pragma('quick_check', { simple: true });
      if (result !== 'ok') throw new StoreError('CORRUPT', `${file} failed its integrity check: ${String(result)}`);
    }
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
    }
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (!opts.readonly) migrate(db, components);
    else assertNotNewer(db, components);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StoreError) throw err;
    const code = (err as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') {
      throw new StoreError('CORRUPT', `${file} is not a valid Tapdesk database (${code}); it was left untouched`);
    }
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new StoreError('LOCKED', `${file} is in use by another process`);
    }
    throw new StoreError('IO', `cannot open ${file}: ${(err as Error).message}`);
  }
}

export function schemaVersion(db: Db, component: string): number {
  const hasTable = db
    .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_versions'`)
    .get();
  if (!hasTable) return 0;
  const row = db.prepare('SELECT version FROM schema_versions WHERE component = ?').get(component) as
    | { version: number }
    | undefined;
  return row?.version ?? 0;
}

function latest(component: Component): number {
  return component.migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

function assertNotNewer(db: Db, components: readonly Component[]): void {
  for (const component of components) {
    const current = schemaVersion(db, component.name);
    if (current > latest(component)) {
      throw new StoreError(
        'NEWER_SCHEMA',
        `the ${component.name} data was written by a newer Tapdesk (schema ${current}, this version knows ${latest(component)}); update Tapdesk to open it`,
      );
    }
  }
}

function migrate(db: Db, components: readonly Component[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_versions (
    component TEXT PRIMARY KEY,
    version INTEGER NOT NULL
  ) STRICT`);
  assertNotNewer(db, components);
  for (const component of components) {
    const ordered = [...component.migrations].sort((a, b) => a.version - b.version);
    ordered.forEach((m, i) => {
      if (m.version !== i + 1) throw new RangeError(`"${component.name}" migrations must be numbered 1..n, got ${m.version}`);
    });
    const current = schemaVersion(db, component.name);
    const pending = ordered.filter((m) => m.version > current);
    if (pending.length === 0) continue;
    // Each step commits with its version, so a crash leaves the file at a known version.
    for (const m of pending) {
      db.transaction(() => {
        m.up(db);
        db.prepare(
          'INSERT INTO schema_versions (component, version) VALUES (?, ?) ON CONFLICT(component) DO UPDATE SET version = excluded.version',
        ).run(component.name, m.version);
      })();
    }
  }
}
