// The nonce store's persistence contract (core/store/shared-store.ts) and the process-bound vault
// (core/musig/coordination/nonce-vault.ts): fresh records are sealed and durable, fresh → used
// happens once, another process can neither open nor keep a fresh nonce, the schema enforces
// "fresh ⇔ sealed" and one fresh nonce per session, and the `shared` component migrates next to
// the `wallet` component of a real wallet file.
import { bytesToHex } from '@noble/hashes/utils.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SharedAccountError } from '../../../core/musig/coordination/errors.js';
import { NonceVault } from '../../../core/musig/coordination/nonce-vault.js';
import { nonceGen, SecretNonce } from '../../../core/musig/nonce.js';
import { openDatabase, schemaVersion } from '../../../core/store/database.js';
import { SharedStore, sharedComponent } from '../../../core/store/shared-store.js';
import { walletComponent } from '../../../core/store/wallet-store.js';
import { person, sqliteKeeper, testRandom } from './coordination-fixtures.js';

const alice = person('Alice');
const secretKey = alice.master.derive(alice.card.key.origin.path).privateKey!;

function freshNonce(label: string) {
  return nonceGen({ publicKey: alice.card.publicKey, secretKey, random: testRandom(label) });
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SharedAccountError);
    return (err as SharedAccountError).code;
  }
  throw new Error('expected a SharedAccountError');
}

const record = (n: ReturnType<typeof freshNonce>, session = 'session-1') => ({
  pubNonce: n.pubNonce,
  secretNonce: n.secretNonce,
  session,
  txid: 'ab'.repeat(32),
  input: 0,
  message: new Uint8Array(32).fill(7),
});

describe('nonce vault', () => {
  it('seals a secret nonce that only the same vault and context can open', () => {
    const vault = new NonceVault(testRandom('v1'));
    const n = freshNonce('n1');
    const sealed = vault.seal(n.secretNonce, 'ctx', testRandom('s'));
    expect(sealed.length).toBe(24 + 97 + 16);
    expect(bytesToHex(vault.open(sealed, 'ctx').toBytes())).toBe(bytesToHex(n.secretNonce.toBytes()));
    expect(code(() => vault.open(sealed, 'other record'))).toBe('NONCE_DISCARDED');
    expect(code(() => new NonceVault(testRandom('v2')).open(sealed, 'ctx'))).toBe('NONCE_DISCARDED');
    vault.close();
    expect(code(() => vault.open(sealed, 'ctx'))).toBe('NONCE_DISCARDED');
  });

  it('each vault (process) has its own boot id', () => {
    expect(new NonceVault(testRandom('a')).boot).not.toBe(new NonceVault(testRandom('b')).boot);
  });
});

describe('nonce store', () => {
  it('remember → fresh and sealed; take gives a one-use copy; commitUsed flips it once', () => {
    const { keeper, store } = sqliteKeeper('t1');
    const n = freshNonce('t1');
    keeper.remember(record(n));
    const [row] = store.nonces();
    expect(row).toMatchObject({ pubnonce: bytesToHex(n.pubNonce), session: 'session-1', state: 'fresh', input: 0 });
    expect(row!.sealed).toBeInstanceOf(Buffer);
    expect(keeper.state(n.pubNonce)).toEqual({ state: 'fresh', session: 'session-1', message: new Uint8Array(32).fill(7) });
    const copy = keeper.take(n.pubNonce);
    expect(copy).toBeInstanceOf(SecretNonce);
    expect(bytesToHex(copy.toBytes())).toBe(bytesToHex(n.secretNonce.toBytes()));
    keeper.commitUsed(n.pubNonce);
    expect(store.nonces()[0]).toMatchObject({ state: 'used', sealed: null });
    expect(code(() => keeper.commitUsed(n.pubNonce))).toBe('NONCE_REUSED');
    expect(code(() => keeper.take(n.pubNonce))).toBe('NONCE_REUSED');
  });

  it('a store attached by another process discards the fresh nonces it finds, and cannot open them anyway', () => {
    const first = sqliteKeeper('p1');
    const n = freshNonce('p1');
    first.keeper.remember(record(n));
    const db = openDatabase(first.file, [sharedComponent]);
    const second = SharedStore.attach(first.file, db);
    const vault2 = new NonceVault(testRandom('process two'));
    const keeper2 = second.nonceKeeper(vault2, testRandom('seal2'));
    // Before the restart's sweep the record is still fresh on disk, but not this process's to use.
    expect(code(() => keeper2.take(n.pubNonce))).toBe('NONCE_DISCARDED');
    expect(second.discardStale(vault2.boot)).toBe(1);
    expect(second.nonces()[0]).toMatchObject({ state: 'discarded', sealed: null });
    expect(code(() => keeper2.commitUsed(n.pubNonce))).toBe('NONCE_REUSED');
    expect(keeper2.state(n.pubNonce)!.state).toBe('discarded');
    // The original process cannot use it either once the record is discarded.
    expect(code(() => first.keeper.take(n.pubNonce))).toBe('NONCE_DISCARDED');
    db.close();
  });

  it('cancel discards a transaction\'s fresh nonces; discardOthers keeps only the current session', () => {
    const { keeper, store } = sqliteKeeper('c1');
    const [a, b, c] = ['a', 'b', 'c'].map((l) => freshNonce(`c1/${l}`));
    keeper.remember(record(a!, 's-a'));
    keeper.remember(record(b!, 's-b'));
    expect(keeper.discardOthers('ab'.repeat(32), 0, 's-b')).toBe(1);
    expect(keeper.state(a!.pubNonce)!.state).toBe('discarded');
    keeper.remember(record(c!, 's-c'));
    expect(store.discardTx('ab'.repeat(32))).toBe(2);
    expect(store.nonces().map((r) => r.state)).toEqual(['discarded', 'discarded', 'discarded']);
  });

  it('freshFor finds this process\'s fresh nonce of a session; discard retires one', () => {
    const { keeper } = sqliteKeeper('f1');
    const n = freshNonce('f1');
    expect(keeper.freshFor('session-1')).toBeNull();
    keeper.remember(record(n));
    expect(keeper.freshFor('session-1')).toEqual({ pubNonce: n.pubNonce, message: new Uint8Array(32).fill(7) });
    keeper.discard(n.pubNonce);
    expect(keeper.freshFor('session-1')).toBeNull();
    expect(keeper.state(n.pubNonce)!.state).toBe('discarded');
  });

  it('the schema refuses a fresh record without its secret, and two fresh nonces for one session', () => {
    const { keeper, store } = sqliteKeeper('s1');
    expect(() =>
      store.db.prepare(`INSERT INTO musig_nonces (pubnonce, session, txid, input, message, sealed, boot, state, created_at) VALUES ('00', 's', 't', 0, 'm', NULL, 'b', 'fresh', 0)`).run(),
    ).toThrow(/CHECK constraint failed/);
    keeper.remember(record(freshNonce('s1/a'), 'same'));
    expect(() => keeper.remember(record(freshNonce('s1/b'), 'same'))).toThrow(/UNIQUE constraint failed/);
  });

  it('the shared component migrates inside a wallet file, next to the wallet component', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tapdesk-shared-schema-')), 'w.sqlite');
    const db = openDatabase(file, [walletComponent]);
    const store = SharedStore.attach(file, db);
    expect(schemaVersion(db, 'wallet')).toBe(walletComponent.migrations.length);
    expect(schemaVersion(db, 'shared')).toBe(1);
    expect(store.account()).toBeNull();
    store.setAccount({ setup: '{"x":1}', keyWalletId: 'w-123456', myKey: '[00000000/87h/1h/0h]tpub', createdAt: 1 });
    store.setAccount({ setup: '{"x":2}', keyWalletId: null, myKey: null, createdAt: 2 });
    expect(store.account()).toEqual({ setup: '{"x":2}', keyWalletId: null, myKey: null, createdAt: 1 });
    db.close();
  });
});
