/**
 * Wallets at run time: the registry of wallet files under `<dataDir>/wallets`, creating, restoring
 * and importing them, unlocking (keys in this process only, dropped on lock or after the auto-lock
 * timeout), and keeping each in sync with the chain. Queries and sends live in wallet-handlers.ts.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { EventData, EventName } from '../api/contract.js';
import { ApiError } from '../api/errors.js';
import type { Balance, WalletSummary } from '../api/wallet.js';
import { ExtendedKey } from '../bitcoin/hdkey.js';
import { generateMnemonic, MnemonicWordError, mnemonicToSeed, normalizeMnemonic } from '../bitcoin/mnemonic.js';
import { NETWORKS, type NetworkName } from '../bitcoin/networks.js';
import { WalletStore, type WalletMeta } from '../store/wallet-store.js';
import { bip86Account, watchOnlyAccount, type Account } from '../wallet/account.js';
import { seal, unseal, WrongPassphraseError } from '../wallet/keystore.js';
import { WalletSync, type SyncProgress } from '../wallet/sync.js';
import { balance, type Chain } from '../wallet/tx-graph.js';
import { UnlockedKeys } from '../wallet/unlocked.js';
import { isEmpty, WalletData, type Changeset } from '../wallet/wallet-data.js';
import { accountFromDescriptor } from '../wallet/account.js';
import { parseDescriptor } from '../bitcoin/descriptor/index.js';
import type { ChainManager } from './chain-manager.js';

const DEFAULT_GAP_LIMIT = 20;
const DRAFT_TTL_MS = 30 * 60_000;

export interface WalletServiceOptions {
  dataDir: string;
  chain: ChainManager;
  emit: <E extends EventName>(event: E, data: EventData<E>) => void;
  autoLockMinutes: () => number;
  log?: (line: string) => void;
}

/** The phrase, normalized; a mistyped word is reported with the words it is probably meant to be. */
function restorablePhrase(phrase: string): string {
  try {
    return normalizeMnemonic(phrase);
  } catch (err) {
    if (!(err instanceof MnemonicWordError) || err.suggestions.length === 0) throw err;
    const quoted = err.suggestions.map((w) => `"${w}"`);
    const options = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0];
    throw new ApiError('INVALID_INPUT', `${err.message}: did you mean ${options}?`);
  }
}

interface SecretPayload {
  mnemonic: string;
  bip39Passphrase: string;
}

/** One open wallet file and its in-memory state. */
export class OpenWallet {
  keys: UnlockedKeys | null = null;
  private lockTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<unknown> = Promise.resolve();
  readonly data: WalletData;

  constructor(
    readonly store: WalletStore,
    readonly account: Account,
  ) {
    this.data = new WalletData({ scripts: store.scripts(), txs: store.txs(), blocks: store.blocks(), tip: store.tip(), owedRescan: store.owedRescan() });
  }

  get id(): string {
    return this.store.meta().id;
  }

  get network(): NetworkName {
    return this.store.meta().network as NetworkName;
  }

  /** Persist, then update memory: the order that keeps memory never ahead of disk. */
  apply(cs: Changeset): void {
    if (isEmpty(cs)) return;
    this.store.apply(cs);
    this.data.apply(cs);
  }

  summary(): WalletSummary {
    const meta = this.store.meta();
    return {
      id: meta.id,
      name: meta.name,
      network: meta.network as NetworkName,
      kind: meta.kind,
      locked: meta.kind === 'seed' && this.keys === null,
      fingerprint: meta.fingerprint,
      backupConfirmed: meta.backupConfirmed,
      gapLimit: meta.gapLimit,
      descriptor: this.account.text,
    };
  }

  balance(): Balance {
    const b = balance(this.data.graph(), this.data.tip?.height ?? 0, this.store.frozen());
    return { spendable: Number(b.spendable), confirmed: Number(b.confirmed), unconfirmed: Number(b.unconfirmed), immature: Number(b.immature), frozen: Number(b.frozen), total: Number(b.total) };
  }

  /**
   * A change index no transaction of ours has used and no earlier draft was given: drafts prepared
   * before either is sent must not share a change address.
   */
  reserveChangeIndex(): number {
    const index = Math.max(this.data.lastUsed(1) + 1, this.store.revealed(1));
    this.store.setRevealed(1, index + 1);
    return index;
  }

  setKeys(keys: UnlockedKeys | null): void {
    this.keys?.wipe();
    this.keys = keys;
    if (!keys && this.lockTimer) clearTimeout(this.lockTimer);
  }

  armAutoLock(minutes: number, onTimeout: () => void): void {
    if (this.lockTimer) clearTimeout(this.lockTimer);
    if (!this.keys) return;
    this.lockTimer = setTimeout(onTimeout, minutes * 60_000);
    this.lockTimer.unref();
  }

  /** Runs `fn` after any sync or send already queued for this wallet. */
  serialize<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.syncing.then(fn, fn);
    this.syncing = next.catch(() => {});
    return next;
  }

  close(): void {
    this.setKeys(null);
    this.store.close();
  }
}

export class WalletService {
  private readonly open = new Map<string, OpenWallet>();
  private readonly drafts = new Map<string, { words: string; expires: number }>();
  private readonly walletsDir: string;
  private readonly syncs = new Map<string, WalletSync>();
  private readonly unsubscribeTip: () => void;

  constructor(private readonly o: WalletServiceOptions) {
    this.walletsDir = join(o.dataDir, 'wallets');
    mkdirSync(this.walletsDir, { recursive: true, mode: 0o700 });
    this.unsubscribeTip = o.chain.onTip(() => {
      for (const w of this.open.values()) if (w.network === o.chain.network) void this.sync(w.id).catch(() => {});
    });
  }

  private file(id: string): string {
    return join(this.walletsDir, `${id}.sqlite`);
  }

  private ids(): string[] {
    return readdirSync(this.walletsDir)
      .filter((f) => /^[a-z0-9-]{8,64}\.sqlite$/.test(f))
      .map((f) => f.slice(0, -'.sqlite'.length))
      .sort();
  }

  /** Every wallet that opens; one that does not (damaged, newer version) is logged, not fatal to the list. */
  list(): WalletSummary[] {
    return this.ids().flatMap((id) => {
      try {
        return [this.get(id).summary()];
      } catch (err) {
        this.o.log?.(`wallet ${id} cannot be opened: ${(err as Error).message}`);
        return [];
      }
    });
  }

  /** Opens a wallet file once per process; later calls reuse it. */
  get(id: string): OpenWallet {
    let w = this.open.get(id);
    if (w) return w;
    if (!/^[a-z0-9-]{8,64}$/.test(id) || !existsSync(this.file(id))) throw new ApiError('NOT_FOUND', `no wallet with id "${id}"`);
    const store = WalletStore.open(this.file(id));
    try {
      const meta = store.meta();
      const network = NETWORKS[meta.network as NetworkName];
      w = new OpenWallet(store, accountFromDescriptor(parseDescriptor(meta.descriptor, network)));
    } catch (err) {
      store.close();
      throw err;
    }
    this.open.set(id, w);
    return w;
  }

  /** For handlers: the wallet. Reading it is not activity: only using its keys restarts auto-lock. */
  use(id: string): OpenWallet {
    return this.get(id);
  }

  /** Restarts the auto-lock timer: the keys were just used (unlock, signing). */
  keysUsed(w: OpenWallet): void {
    w.armAutoLock(this.o.autoLockMinutes(), () => this.lock(w.id, 'timeout'));
  }

  // ---------------------------------------------------------------- creation

  generateMnemonic(words: 12 | 24): { draftId: string; words: string[] } {
    const now = Date.now();
    for (const [id, d] of this.drafts) if (d.expires < now) this.drafts.delete(id);
    const draftId = randomBytes(16).toString('hex');
    const phrase = generateMnemonic(words);
    this.drafts.set(draftId, { words: phrase, expires: now + DRAFT_TTL_MS });
    return { draftId, words: phrase.split(' ') };
  }

  async create(p: { draftId: string; confirm: { position: number; word: string }[]; name: string; passphrase: string; bip39Passphrase: string }): Promise<WalletSummary> {
    const draft = this.drafts.get(p.draftId);
    if (!draft || draft.expires < Date.now()) throw new ApiError('NOT_FOUND', 'this recovery phrase has expired; start again to get a new one');
    const words = draft.words.split(' ');
    const positions = new Set(p.confirm.map((c) => c.position));
    if (positions.size < 3) throw new ApiError('INVALID_INPUT', 'confirm at least 3 different words of the recovery phrase');
    const wrong = p.confirm.filter((c) => words[c.position - 1] !== c.word.trim().toLowerCase());
    if (wrong.length) throw new ApiError('INVALID_INPUT', `word ${wrong.map((c) => `#${c.position}`).join(', ')} does not match your recovery phrase; check your backup`);
    // Taken before any await, so a double submit cannot create two wallets from one phrase.
    this.drafts.delete(p.draftId);
    const birthday = await this.currentHeight();
    return this.createSeedWallet({ mnemonic: draft.words, bip39Passphrase: p.bip39Passphrase, name: p.name, passphrase: p.passphrase, birthday, backupConfirmed: true });
  }

  async restore(p: { mnemonic: string; bip39Passphrase: string; name: string; passphrase: string; birthdayHeight: number }): Promise<WalletSummary> {
    const mnemonic = restorablePhrase(p.mnemonic);
    return this.createSeedWallet({ mnemonic, bip39Passphrase: p.bip39Passphrase, name: p.name, passphrase: p.passphrase, birthday: p.birthdayHeight, backupConfirmed: true });
  }

  async importWatchOnly(p: { name: string; descriptor: string; birthdayHeight: number }): Promise<WalletSummary> {
    const network = this.chainNetwork();
    const account = watchOnlyAccount(p.descriptor, NETWORKS[network]);
    const w = this.createFile({
      id: this.newId(),
      name: p.name,
      network,
      kind: 'watch',
      descriptor: account.text,
      fingerprint: account.fingerprint,
      sealedSecret: null,
      gapLimit: DEFAULT_GAP_LIMIT,
      birthdayHeight: p.birthdayHeight,
      backupConfirmed: true,
      createdAt: Math.floor(Date.now() / 1000),
    });
    void this.sync(w.id).catch(() => {});
    return w.summary();
  }

  /** Written under a temporary name and renamed, so a crash never leaves a half-created wallet file. */
  private createFile(meta: WalletMeta): OpenWallet {
    const tmp = join(this.walletsDir, `${meta.id}.creating`);
    WalletStore.create(tmp, meta).close();
    renameSync(tmp, this.file(meta.id));
    return this.get(meta.id);
  }

  private chainNetwork(): NetworkName {
    const network = this.o.chain.network;
    if (!network) throw new ApiError('CHAIN_UNAVAILABLE', 'connect to a blockchain source first (Settings → Blockchain source): Tapdesk needs to know which network the wallet is for');
    return network;
  }

  private async currentHeight(): Promise<number> {
    try {
      return (await this.o.chain.source().tip()).height;
    } catch {
      return 0;
    }
  }

  private newId(): string {
    return `w-${randomBytes(6).toString('hex')}`;
  }

  private async createSeedWallet(p: { mnemonic: string; bip39Passphrase: string; name: string; passphrase: string; birthday: number; backupConfirmed: boolean }): Promise<WalletSummary> {
    const network = this.chainNetwork();
    const seed = mnemonicToSeed(p.mnemonic, p.bip39Passphrase);
    const master = ExtendedKey.fromSeed(seed, NETWORKS[network]);
    seed.fill(0);
    const account = bip86Account(master);
    const id = this.newId();
    const payload: SecretPayload = { mnemonic: p.mnemonic, bip39Passphrase: p.bip39Passphrase };
    const secret = new TextEncoder().encode(JSON.stringify(payload));
    const sealedSecret = await seal(secret, p.passphrase, id);
    secret.fill(0);
    const w = this.createFile({
      id,
      name: p.name,
      network,
      kind: 'seed',
      descriptor: account.text,
      fingerprint: account.fingerprint,
      sealedSecret,
      gapLimit: DEFAULT_GAP_LIMIT,
      birthdayHeight: p.birthday,
      backupConfirmed: p.backupConfirmed,
      createdAt: Math.floor(Date.now() / 1000),
    });
    w.setKeys(new UnlockedKeys(master));
    this.keysUsed(w);
    void this.sync(id).catch(() => {});
    return w.summary();
  }

  // ---------------------------------------------------------------- keys

  private async openSecret(w: OpenWallet, passphrase: string): Promise<SecretPayload> {
    const meta = w.store.meta();
    if (meta.kind !== 'seed' || !meta.sealedSecret) throw new ApiError('CONFLICT', 'this is a watch-only wallet: it has no keys to unlock');
    try {
      const bytes = await unseal(meta.sealedSecret, passphrase, meta.id);
      try {
        return JSON.parse(new TextDecoder().decode(bytes)) as SecretPayload;
      } finally {
        bytes.fill(0);
      }
    } catch (err) {
      if (err instanceof WrongPassphraseError) throw new ApiError('WRONG_PASSPHRASE', 'wrong passphrase: the wallet stays locked. Check caps lock and keyboard layout.');
      throw err;
    }
  }

  async unlock(id: string, passphrase: string): Promise<WalletSummary> {
    const w = this.get(id);
    const secret = await this.openSecret(w, passphrase);
    const seed = mnemonicToSeed(secret.mnemonic, secret.bip39Passphrase);
    const master = ExtendedKey.fromSeed(seed, NETWORKS[w.network]);
    seed.fill(0);
    w.setKeys(new UnlockedKeys(master));
    this.keysUsed(w);
    return w.summary();
  }

  lock(id: string, reason: 'user' | 'timeout'): WalletSummary {
    const w = this.get(id);
    w.setKeys(null);
    this.o.emit('wallet.locked', { walletId: id, reason });
    return w.summary();
  }

  /** Re-seals with the new passphrase and replaces the blob in one write: old or new, never neither. */
  async changePassphrase(id: string, oldPassphrase: string, newPassphrase: string): Promise<WalletSummary> {
    const w = this.get(id);
    const secret = await this.openSecret(w, oldPassphrase);
    const bytes = new TextEncoder().encode(JSON.stringify(secret));
    const sealedSecret = await seal(bytes, newPassphrase, id);
    bytes.fill(0);
    w.store.updateMeta({ sealedSecret });
    // The old blob must not linger in the write-ahead log.
    w.store.db.pragma('wal_checkpoint(TRUNCATE)');
    return w.summary();
  }

  async showMnemonic(id: string, passphrase: string): Promise<{ words: string[]; hasBip39Passphrase: boolean }> {
    const secret = await this.openSecret(this.get(id), passphrase);
    return { words: secret.mnemonic.split(' '), hasBip39Passphrase: secret.bip39Passphrase !== '' };
  }

  rename(id: string, name: string): WalletSummary {
    const w = this.get(id);
    w.store.updateMeta({ name });
    return w.summary();
  }

  async setGapLimit(id: string, gapLimit: number): Promise<WalletSummary> {
    const w = this.get(id);
    w.store.updateMeta({ gapLimit });
    // A larger gap can reveal history the smaller one missed.
    void this.sync(id, true).catch(() => {});
    return w.summary();
  }

  /** Moves the file aside (never deletes the user's data outright); needs the exact name typed. */
  delete(id: string, confirmName: string): { deleted: true } {
    const w = this.get(id);
    if (w.store.meta().name !== confirmName) throw new ApiError('INVALID_INPUT', 'type the wallet name exactly to confirm removing it');
    w.close();
    this.open.delete(id);
    this.syncs.delete(id);
    for (const suffix of ['', '-wal', '-shm']) {
      const f = this.file(id) + suffix;
      if (existsSync(f)) renameSync(f, join(this.walletsDir, `${id}.removed-${Date.now()}.sqlite${suffix}`));
    }
    return { deleted: true };
  }

  notifyChanged(id: string): void {
    this.o.emit('wallet.changed', { walletId: id });
  }

  // ---------------------------------------------------------------- sync

  private syncer(w: OpenWallet): WalletSync {
    let s = this.syncs.get(w.id);
    if (!s) {
      const meta = w.store.meta();
      let lastProgress = 0;
      s = new WalletSync({
        source: this.o.chain.source(),
        data: w.data,
        derive: (chain: Chain, index: number) => w.account.script(chain, index),
        gapLimit: meta.gapLimit,
        birthday: meta.birthdayHeight,
        revealed: (chain) => w.store.revealed(chain),
        apply: (cs) => w.apply(cs),
        scanMempool: this.o.chain.backendKind !== 'esplora',
        progress: (p: SyncProgress) => {
          const now = Date.now();
          if (p.stage === 'filters' && p.fraction < 1 && now - lastProgress < 150) return;
          lastProgress = now;
          this.o.emit('wallet.syncProgress', { walletId: w.id, ...p, message: null });
        },
      });
      this.syncs.set(w.id, s);
    }
    return s;
  }

  /** Forget cached syncers (backend or gap limit changed). */
  resetSync(): void {
    this.syncs.clear();
  }

  sync(id: string, full = false): Promise<{ height: number; balance: Balance }> {
    const w = this.get(id);
    return w.serialize(async () => {
      if (this.o.chain.network !== w.network) {
        throw new ApiError('CHAIN_UNAVAILABLE', `this wallet is for ${w.network} but the blockchain source is ${this.o.chain.network ?? 'not connected'}`);
      }
      if (full) this.syncs.delete(id);
      const before = w.data.txs.size;
      const beforeTip = w.data.tip?.hash;
      try {
        const result = await this.syncer(w).run({ full });
        if (result.newTxs > 0 || result.reorged || before !== w.data.txs.size || beforeTip !== w.data.tip?.hash) this.o.emit('wallet.changed', { walletId: id });
        return { height: result.tip.height, balance: w.balance() };
      } catch (err) {
        this.syncs.delete(id);
        this.o.emit('wallet.syncProgress', { walletId: id, stage: 'error', height: w.data.tip?.height ?? 0, tip: 0, fraction: 0, message: (err as Error).message });
        throw err;
      }
    });
  }

  close(): void {
    this.unsubscribeTip();
    for (const w of this.open.values()) w.close();
    this.open.clear();
  }
}
