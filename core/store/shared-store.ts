/**
 * A shared account's own tables inside its wallet file: the account setup (participant names,
 * which key is ours, which seed wallet holds it) and this participant's MuSig2 secret nonces.
 * They are a separate schema component, `shared`, with its own numbered migrations next to the
 * `wallet` component of the same file (core/store/database.ts keeps one version per component).
 *
 * Nonce records, the persistence contract:
 * - `remember` writes a fresh record (the secret sealed by the process's NonceVault) and returns
 *   only once it is durable (synchronous=FULL); the public nonce is shared after that;
 * - `commitUsed` flips fresh → used in one transaction and throws NONCE_REUSED when the record was
 *   not fresh — it runs inside `partialSign`, so a partial signature is released only after its
 *   nonce is durably spent, and at most one ever is;
 * - attaching a store discards every fresh record made by another process (a crash, kill -9 or
 *   restart): its sealed secret is also unreadable without that process's vault key;
 * - used and discarded records keep their public nonce and session, so a replay is recognised.
 *
 * Not here: what the nonces sign (core/musig/coordination/signing.ts).
 */
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { randomBytes } from 'node:crypto';
import { SharedAccountError } from '../musig/coordination/errors.js';
import type { NonceVault } from '../musig/coordination/nonce-vault.js';
import type { NonceKeeper, NonceState } from '../musig/coordination/signing.js';
import { openDatabase, type Component, type Db } from './database.js';

export const sharedComponent: Component = {
  name: 'shared',
  migrations: [
    {
      version: 1,
      up: (db) =>
        db.exec(`
        CREATE TABLE shared_account (
          id INTEGER PRIMARY KEY CHECK (id = 1),
          -- The setup file's JSON (name, descriptor, participant names): what the account is.
          setup TEXT NOT NULL,
          -- The seed wallet holding our key, and that key as a card key expression; NULL: observer.
          key_wallet_id TEXT,
          my_key TEXT,
          created_at INTEGER NOT NULL
        ) STRICT;
        CREATE TABLE musig_nonces (
          pubnonce TEXT PRIMARY KEY,
          session TEXT NOT NULL,
          txid TEXT NOT NULL,
          input INTEGER NOT NULL,
          message TEXT NOT NULL,
          sealed BLOB,
          boot TEXT NOT NULL,
          state TEXT NOT NULL CHECK (state IN ('fresh', 'used', 'discarded')),
          created_at INTEGER NOT NULL,
          closed_at INTEGER,
          CHECK ((state = 'fresh') = (sealed IS NOT NULL))
        ) STRICT;
        CREATE UNIQUE INDEX musig_nonces_one_fresh_per_session ON musig_nonces (session) WHERE state = 'fresh';
        CREATE INDEX musig_nonces_by_tx ON musig_nonces (txid, input);
      `),
    },
  ],
};

export interface SharedAccountRow {
  setup: string;
  keyWalletId: string | null;
  myKey: string | null;
  createdAt: number;
}

export interface NonceRow {
  pubnonce: string;
  session: string;
  txid: string;
  input: number;
  message: string;
  sealed: Buffer | null;
  boot: string;
  state: NonceState;
  created_at: number;
  closed_at: number | null;
}

const now = () => Math.floor(Date.now() / 1000);

export class SharedStore {
  private constructor(readonly db: Db) {}

  /**
   * The shared tables of the wallet file `file`, used through the wallet's open connection `db`.
   * Migrates them first (a short second connection: migrations run when a file is opened).
   */
  static attach(file: string, db: Db): SharedStore {
    openDatabase(file, [sharedComponent], { check: false }).close();
    return new SharedStore(db);
  }

  account(): SharedAccountRow | null {
    const r = this.db.prepare('SELECT setup, key_wallet_id, my_key, created_at FROM shared_account WHERE id = 1').get() as
      | { setup: string; key_wallet_id: string | null; my_key: string | null; created_at: number }
      | undefined;
    return r ? { setup: r.setup, keyWalletId: r.key_wallet_id, myKey: r.my_key, createdAt: r.created_at } : null;
  }

  setAccount(row: SharedAccountRow): void {
    this.db
      .prepare(
        `INSERT INTO shared_account (id, setup, key_wallet_id, my_key, created_at) VALUES (1, @setup, @keyWalletId, @myKey, @createdAt)
         ON CONFLICT(id) DO UPDATE SET setup = excluded.setup, key_wallet_id = excluded.key_wallet_id, my_key = excluded.my_key`,
      )
      .run(row);
  }

  /** Every nonce record, oldest first (status screens, tests). */
  nonces(): NonceRow[] {
    return this.db.prepare('SELECT * FROM musig_nonces ORDER BY created_at, rowid').all() as NonceRow[];
  }

  /** Discards fresh records not made by `boot`: their process is gone. Returns how many. */
  discardStale(boot: string): number {
    return this.db.prepare(`UPDATE musig_nonces SET state = 'discarded', sealed = NULL, closed_at = ? WHERE state = 'fresh' AND boot != ?`).run(now(), boot).changes;
  }

  /** Discards our fresh nonces for a transaction (the user cancelled the round). Returns how many. */
  discardTx(txid: string): number {
    return this.db.prepare(`UPDATE musig_nonces SET state = 'discarded', sealed = NULL, closed_at = ? WHERE state = 'fresh' AND txid = ?`).run(now(), txid).changes;
  }

  /** The keeper signing.ts uses, sealing secrets with `vault` (this process's key). */
  nonceKeeper(vault: NonceVault, random: (length: number) => Uint8Array = (n) => new Uint8Array(randomBytes(n))): NonceKeeper {
    const db = this.db;
    const row = (pubNonce: Uint8Array) => db.prepare('SELECT * FROM musig_nonces WHERE pubnonce = ?').get(bytesToHex(pubNonce)) as NonceRow | undefined;
    const context = (r: { pubnonce: string; session: string }) => `${r.session}/${r.pubnonce}`;
    return {
      remember: ({ pubNonce, secretNonce, session, txid, input, message }) => {
        const pubnonce = bytesToHex(pubNonce);
        const sealed = vault.seal(secretNonce, context({ pubnonce, session }), random);
        db.prepare(
          `INSERT INTO musig_nonces (pubnonce, session, txid, input, message, sealed, boot, state, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'fresh', ?)`,
        ).run(pubnonce, session, txid, input, bytesToHex(message), Buffer.from(sealed), vault.boot, now());
      },
      freshFor: (session) => {
        const r = db.prepare(`SELECT pubnonce, message FROM musig_nonces WHERE session = ? AND state = 'fresh' AND boot = ?`).get(session, vault.boot) as
          | { pubnonce: string; message: string }
          | undefined;
        return r ? { pubNonce: hexToBytes(r.pubnonce), message: hexToBytes(r.message) } : null;
      },
      discard: (pubNonce) => {
        db.prepare(`UPDATE musig_nonces SET state = 'discarded', sealed = NULL, closed_at = ? WHERE pubnonce = ? AND state = 'fresh'`).run(now(), bytesToHex(pubNonce));
      },
      state: (pubNonce) => {
        const r = row(pubNonce);
        return r ? { state: r.state, session: r.session, message: hexToBytes(r.message) } : null;
      },
      take: (pubNonce) => {
        const r = row(pubNonce);
        if (!r) throw new SharedAccountError('NONCE_MISMATCH', 'this wallet never made that nonce');
        if (r.state === 'used') throw new SharedAccountError('NONCE_REUSED', 'this nonce already signed once');
        if (r.state === 'discarded' || r.boot !== vault.boot) throw new SharedAccountError('NONCE_DISCARDED', 'this nonce was discarded; add a new nonce');
        return vault.open(new Uint8Array(r.sealed!), context(r));
      },
      commitUsed: (pubNonce) => {
        db.transaction(() => {
          const changed = db
            .prepare(`UPDATE musig_nonces SET state = 'used', sealed = NULL, closed_at = ? WHERE pubnonce = ? AND state = 'fresh' AND boot = ?`)
            .run(now(), bytesToHex(pubNonce), vault.boot).changes;
          if (changed !== 1) throw new SharedAccountError('NONCE_REUSED', 'this nonce is no longer fresh: its partial signature was not released');
        })();
      },
      discardOthers: (txid, input, keepSession) =>
        db
          .prepare(`UPDATE musig_nonces SET state = 'discarded', sealed = NULL, closed_at = ? WHERE state = 'fresh' AND txid = ? AND input = ? AND session != ?`)
          .run(now(), txid, input, keepSession).changes,
    };
  }
}
