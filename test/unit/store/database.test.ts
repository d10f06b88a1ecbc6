import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion, StoreError, type Component } from '../../../core/store/database.js';
import { appComponent, SettingsStore } from '../../../core/store/settings-store.js';
import { tempDir } from '../../support/core.js';

const notes: Component = {
  name: 'notes',
  migrations: [
    { version: 1, up: (db) => db.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL) STRICT') },
    { version: 2, up: (db) => db.exec('ALTER TABLE notes ADD COLUMN pinned INTEGER NOT NULL DEFAULT 0') },
  ],
};

function storeError(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error('expected a StoreError');
}

describe('openDatabase', () => {
  it('opens with WAL, synchronous=FULL (2) and foreign keys on', () => {
    const file = join(tempDir(), 'wallet.sqlite');
    const db = openDatabase(file, [appComponent]);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('applies numbered migrations in order and records the version per component', () => {
    const file = join(tempDir(), 'm.sqlite');
    const v1 = { ...notes, migrations: notes.migrations.slice(0, 1) };
    let db = openDatabase(file, [v1]);
    expect(schemaVersion(db, 'notes')).toBe(1);
    db.prepare('INSERT INTO notes (body) VALUES (?)').run('kept');
    db.close();
    db = openDatabase(file, [notes, appComponent]);
    expect(schemaVersion(db, 'notes')).toBe(2);
    expect(schemaVersion(db, 'app')).toBe(1);
    expect(db.prepare('SELECT body, pinned FROM notes').get()).toEqual({ body: 'kept', pinned: 0 });
    db.close();
  });

  it('refuses a database written by a newer version, and leaves it as it was', () => {
    const file = join(tempDir(), 'newer.sqlite');
    openDatabase(file, [notes]).close();
    const before = readFileSync(file);
    const old = { ...notes, migrations: notes.migrations.slice(0, 1) };
    const err = storeError(() => openDatabase(file, [old]));
    expect(err.code).toBe('NEWER_SCHEMA');
    expect(err.message).toMatch(/newer Tapdesk \(schema 2, this version knows 1\)/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('reports a file that is not a database and never overwrites it', () => {
    const file = join(tempDir(), 'garbage.sqlite');
    const garbage = Buffer.from('this is my tax return, not a database'.repeat(200));
    writeFileSync(file, garbage);
    const err = storeError(() => openDatabase(file, [appComponent]));
    expect(err.code).toBe('CORRUPT');
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it('reports a database whose pages were damaged', () => {
    const file = join(tempDir(), 'damaged.sqlite');
    const db = openDatabase(file, [notes]);
    const insert = db.prepare('INSERT INTO notes (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`note ${i} `.repeat(20));
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = readFileSync(file);
    // Scribble over the middle of the file (b-tree pages), keeping the header valid.
    bytes.fill(0xa5, 8192, 8192 + 4096 * 4);
    writeFileSync(file, bytes);
    const err = storeError(() => openDatabase(file, [notes]));
    expect(err.code).toBe('CORRUPT');
    expect(readFileSync(file).equals(bytes)).toBe(true);
  });

  it('rejects migrations with gaps (a programming error, caught at start-up)', () => {
    const bad: Component = { name: 'bad', migrations: [{ version: 2, up: () => {} }] };
    expect(() => openDatabase(':memory:', [bad])).toThrow(/numbered 1\.\.n/);
  });

  it('a failing migration rolls back its own step and keeps the previous version', () => {
    const file = join(tempDir(), 'fail.sqlite');
    const failing: Component = {
      name: 'notes',
      migrations: [
        notes.migrations[0]!,
        {
          version: 2,
          up: (db) => {
            db.exec('ALTER TABLE notes ADD COLUMN half INTEGER');
            throw new Error('disk on fire');
          },
        },
      ],
    };
    expect(() => openDatabase(file, [failing])).toThrow('disk on fire');
    const db = openDatabase(file, [{ ...notes, migrations: notes.migrations.slice(0, 1) }]);
    expect(schemaVersion(db, 'notes')).toBe(1);
    expect((db.prepare('PRAGMA table_info(notes)').all() as { name: string }[]).map((c) => c.name)).toEqual(['id', 'body']);
    db.close();
  });
});

describe('SettingsStore', () => {
  it('falls back to the default for a stored value that no longer validates', () => {
    const db = openDatabase(':memory:', [appComponent]);
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('unit', JSON.stringify('parsec'));
    db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run('theme', JSON.stringify('dark'));
    expect(new SettingsStore(db).get()).toMatchObject({ unit: 'BTC', theme: 'dark' });
    db.close();
  });
});
