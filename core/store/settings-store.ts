/** Settings persisted in the app database, one row per key, validated on the way in and out. */
import { Settings, defaultSettings } from '../api/settings.js';
import type { Component, Db } from './database.js';

export const appComponent: Component = {
  name: 'app',
  migrations: [
    {
      version: 1,
      up: (db) => db.exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT`),
    },
  ],
};

type Key = keyof Settings;
const fields = Settings.shape;

export class SettingsStore {
  /** Settings are read on nearly every call; this process is their only writer. */
  private cached: Settings | null = null;

  constructor(private readonly db: Db) {}

  get(): Settings {
    this.cached ??= this.load();
    return this.cached;
  }

  private load(): Settings {
    const rows = this.db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
    const settings: Settings = { ...defaultSettings };
    for (const { key, value } of rows) {
      if (!Object.hasOwn(fields, key)) continue; // a key a newer version wrote: leave it alone
      // A value that no longer passes its schema falls back to the default instead of blocking start-up.
      const parsed = fields[key as Key].safeParse(JSON.parse(value));
      if (parsed.success) Object.assign(settings, { [key]: parsed.data });
    }
    return settings;
  }

  /** Validates the merged result before writing; writes all changed keys in one transaction. */
  set(patch: Partial<Settings>): Settings {
    const next = Settings.parse({ ...this.get(), ...patch });
    const upsert = this.db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    );
    this.db.transaction(() => {
      for (const key of Object.keys(patch) as Key[]) upsert.run(key, JSON.stringify(next[key]));
    })();
    this.cached = next;
    return next;
  }
}
