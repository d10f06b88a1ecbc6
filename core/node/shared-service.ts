/**
 * MuSig2 shared accounts at run time: key cards from an unlocked seed wallet, creating or joining
 * an account (a watch-only wallet file of the account descriptor, plus the `shared` tables in that
 * same file), proposals, the two signing rounds, finalizing and broadcasting.
 *
 * Keys: our account key is re-derived from the seed wallet named at creation, only while it is
 * unlocked, and never leaves this process. Nonces: sealed by this process's NonceVault and kept in
 * the account's wallet file (core/store/shared-store.ts); whatever an earlier process left fresh
 * is discarded when an account is first opened, so a restart always means a new nonce round.
 *
 * Not here: the protocol (core/musig/coordination), coin selection (core/wallet/shared-send.ts),
 * the API glue and error mapping (shared-handlers.ts).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { randomBytes, randomInt } from 'node:crypto';
import { join } from 'node:path';
import { ApiError } from '../api/errors.js';
import type { RecoveryDelay, SharedAccount, SigningStatus } from '../api/shared.js';
import { decodeAddress } from '../bitcoin/address.js';
import { expandMultipath, formatDescriptor, parseDescriptor } from '../bitcoin/descriptor/index.js';
import { antiFeeSniping } from '../bitcoin/fee-sniping.js';
import { fingerprintHex, formatHdPath } from '../bitcoin/hdkey.js';
import { NETWORKS, type Network, type NetworkName } from '../bitcoin/networks.js';
import { combinePsbts, decodePsbt, encodePsbtBase64, extractTransaction, inputPrevout } from '../bitcoin/psbt.js';
import { transactionWeight, weightToVsize } from '../bitcoin/tx-size.js';
import { readTx } from '../chain/block.js';
import { SharedAccountError } from '../musig/coordination/errors.js';
import { planInputs, type InputPlan } from '../musig/coordination/input-plan.js';
import { formatKeyCard, makeKeyCard, parseKeyCard, type KeyCard } from '../musig/coordination/key-card.js';
import { NonceVault } from '../musig/coordination/nonce-vault.js';
import { policyDescriptor, sharedPolicy, type Recovery, type SharedPolicy } from '../musig/coordination/policy.js';
import { describePolicy, describeTimelock, sortedNames } from '../musig/coordination/policy-words.js';
import { formatSetup, parseSetup, sharedSetup, type SharedSetup } from '../musig/coordination/setup.js';
import { addNonces, finalizeInputs, signingProgress, signRound, type MyKeys, type NonceKeeper } from '../musig/coordination/signing.js';
import { describePath, spendEstimate } from '../musig/coordination/spend-path.js';
import { SharedStore } from '../store/shared-store.js';
import { accountFromDescriptor } from '../wallet/account.js';
import { buildSharedPayment } from '../wallet/shared-send.js';
import { addressOf } from '../wallet/views.js';
import type { ChainManager } from './chain-manager.js';
import { walletHandlers } from './wallet-handlers.js';
import type { OpenWallet, WalletService } from './wallet-service.js';

export interface SharedServiceOptions {
  dataDir: string;
  wallets: WalletService;
  chain: ChainManager;
  /** CSPRNG; tests inject a deterministic one. */
  random?: (length: number) => Uint8Array;
}

/** One shared account opened in this process. */
interface OpenShared {
  readonly walletId: string;
  readonly wallet: OpenWallet;
  readonly store: SharedStore;
  readonly keeper: NonceKeeper;
  readonly setup: SharedSetup;
  readonly keyWalletId: string | null;
  /** Our card's key text, when this computer holds a key of the account. */
  readonly myKey: string | null;
  readonly me: number | null;
}

export interface RecoveryChoice {
  card: string;
  delay: RecoveryDelay;
}

function lockOf(delay: RecoveryDelay): { lock: 'older' | 'after'; value: number } {
  if (delay.kind === 'blocks') return { lock: 'older', value: delay.blocks };
  return { lock: 'after', value: delay.kind === 'height' ? delay.height : delay.time };
}

function delayOf(lock: 'older' | 'after', value: number): RecoveryDelay {
  if (lock === 'older') return { kind: 'blocks', blocks: value };
  return value < 500_000_000 ? { kind: 'height', height: value } : { kind: 'date', time: value };
}

export class SharedService {
  private readonly vault: NonceVault;
  private readonly random: (length: number) => Uint8Array;
  private readonly opened = new Map<string, OpenShared>();
  private readonly broadcastRaw;

  constructor(private readonly o: SharedServiceOptions) {
    this.random = o.random ?? ((n) => new Uint8Array(randomBytes(n)));
    this.vault = new NonceVault(this.random);
    // Recording and broadcasting a finished transaction is the wallet's own path (persist, then send).
    this.broadcastRaw = walletHandlers(o.wallets, o.chain)['wallet.broadcast'];
  }

  private network(): Network {
    const name = this.o.chain.network;
    if (!name) throw new ApiError('CHAIN_UNAVAILABLE', 'connect to a blockchain source first (Settings → Blockchain source): the account needs a network');
    return NETWORKS[name as NetworkName];
  }

  // ---------------------------------------------------------------- accounts

  /** This seed wallet's card for `account` (BIP87 m/87'/coin'/account'). */
  keyCard(walletId: string, name: string, account: number): { card: string; key: string; fingerprint: string; path: string } {
    const w = this.o.wallets.use(walletId);
    if (w.summary().kind !== 'seed') throw new ApiError('CONFLICT', 'a watch-only wallet has no seed to make a key card from');
    if (!w.keys) throw new ApiError('WALLET_LOCKED', 'unlock the wallet to make its key card');
    const card = makeKeyCard(w.keys.extendedKey([]), name, account);
    return { card: formatKeyCard(card, NETWORKS[w.network]), key: card.text, fingerprint: fingerprintHex(card.key.origin.fingerprint), path: formatHdPath(card.key.origin.path) };
  }

  private policyOf(network: Network, cardTexts: readonly string[], threshold: number, recovery?: RecoveryChoice): SharedPolicy {
    const cards = cardTexts.map((c) => parseKeyCard(c, network));
    let rec: Recovery | null = null;
    if (recovery) {
      const card = parseKeyCard(recovery.card, network);
      rec = { key: cards.find((c) => c.text === card.text) ?? card, ...lockOf(recovery.delay) };
    }
    return sharedPolicy({ network, participants: cards, threshold, recovery: rec });
  }

  /** What the cards would make, without creating anything. */
  preview(p: { cards: string[]; threshold: number; recovery?: RecoveryChoice }) {
    const policy = this.policyOf(this.network(), p.cards, p.threshold, p.recovery);
    const descriptor = formatDescriptor(policyDescriptor(policy));
    return {
      descriptor,
      checksum: descriptor.slice(-8),
      policy: describePolicy(policy),
      layout: policy.layout,
      participants: policy.participants.map((c, index) => ({ index, name: c.name, key: c.text, fingerprint: fingerprintHex(c.key.origin.fingerprint) })),
      firstAddress: accountFromDescriptor(policyDescriptor(policy)).output(0, 0).address ?? '',
    };
  }

  /** The card of `policy` whose key the seed wallet `keyWalletId` holds (must be unlocked). */
  private ourCard(policy: SharedPolicy, keyWalletId: string): KeyCard {
    const w = this.o.wallets.use(keyWalletId);
    if (w.summary().kind !== 'seed') throw new ApiError('CONFLICT', 'the key wallet must be a seed wallet');
    if (!w.keys) throw new ApiError('WALLET_LOCKED', 'unlock the wallet that holds your key first');
    const keys = w.keys;
    const candidates = [...policy.participants, ...(policy.recovery ? [policy.recovery.key] : [])];
    const mine = candidates.find((c) => c.key.origin.fingerprint === keys.fingerprint && bytesToHex(keys.extendedKey(c.key.origin.path).publicKey) === bytesToHex(c.publicKey));
    if (!mine) throw new SharedAccountError('NOT_A_PARTICIPANT', 'none of the account\'s keys belongs to this key wallet (check you chose the wallet whose key card you shared)');
    return mine;
  }

  private async currentHeight(): Promise<number> {
    try {
      return (await this.o.chain.source().tip()).height;
    } catch {
      return 0;
    }
  }

  private async register(setup: SharedSetup, keyWalletId: string | undefined): Promise<SharedAccount> {
    const myKey = keyWalletId ? this.ourCard(setup.policy, keyWalletId).text : null;
    if (this.list().some((a) => a.descriptor === setup.descriptor)) throw new ApiError('CONFLICT', 'this shared account is already here');
    const summary = await this.o.wallets.importWatchOnly({ name: setup.name, descriptor: setup.descriptor, birthdayHeight: setup.birthdayHeight });
    const store = this.attach(summary.id, this.o.wallets.get(summary.id));
    store.setAccount({ setup: formatSetup(setup), keyWalletId: keyWalletId ?? null, myKey, createdAt: Math.floor(Date.now() / 1000) });
    return this.view(this.open(summary.id));
  }

  async create(p: { name: string; keyWalletId?: string; cards: string[]; threshold: number; recovery?: RecoveryChoice; birthdayHeight?: number }): Promise<SharedAccount> {
    const policy = this.policyOf(this.network(), p.cards, p.threshold, p.recovery);
    return this.register(sharedSetup(p.name, policy, p.birthdayHeight ?? (await this.currentHeight())), p.keyWalletId);
  }

  async import(p: { name?: string; keyWalletId?: string; setup: string; birthdayHeight?: number }): Promise<SharedAccount> {
    const setup = parseSetup(p.setup, this.network(), p.name ?? 'Shared account');
    return this.register({ ...setup, name: p.name ?? setup.name, birthdayHeight: p.birthdayHeight ?? setup.birthdayHeight }, p.keyWalletId);
  }

  private attach(walletId: string, w: OpenWallet): SharedStore {
    return SharedStore.attach(join(this.o.dataDir, 'wallets', `${walletId}.sqlite`), w.store.db);
  }

  /** The shared account of wallet `walletId` (NOT_FOUND when it is an ordinary wallet). */
  private open(walletId: string): OpenShared {
    // The wallet service owns the file: a removed (or reopened) wallet invalidates our handle on it.
    const wallet = this.o.wallets.get(walletId);
    const cached = this.opened.get(walletId);
    if (cached?.wallet === wallet) return cached;
    const store = this.attach(walletId, wallet);
    const row = store.account();
    if (!row) throw new ApiError('NOT_FOUND', `wallet "${walletId}" is not a shared account`);
    // Nonces a previous run left fresh died with it (their vault key is gone): mark them so.
    store.discardStale(this.vault.boot);
    const setup = parseSetup(row.setup, NETWORKS[wallet.network], wallet.summary().name);
    const me = row.myKey === null ? -1 : setup.policy.participants.findIndex((c) => c.text === row.myKey);
    const shared: OpenShared = {
      walletId,
      wallet,
      store,
      keeper: store.nonceKeeper(this.vault, this.random),
      setup,
      keyWalletId: row.keyWalletId,
      myKey: row.myKey,
      me: me >= 0 ? me : null,
    };
    this.opened.set(walletId, shared);
    return shared;
  }

  private view(s: OpenShared): SharedAccount {
    const { policy } = s.setup;
    const summary = s.wallet.summary();
    const recovery = policy.recovery;
    return {
      walletId: s.walletId,
      name: summary.name,
      network: policy.network.name,
      descriptor: s.setup.descriptor,
      checksum: s.setup.descriptor.slice(-8),
      policy: describePolicy(policy),
      threshold: policy.threshold,
      participants: policy.participants.map((c, index) => ({ index, name: c.name, key: c.text, fingerprint: fingerprintHex(c.key.origin.fingerprint), me: c.text === s.myKey })),
      recovery: recovery
        ? { name: recovery.key.name, key: recovery.key.text, me: recovery.key.text === s.myKey, delay: delayOf(recovery.lock, recovery.value), words: describeTimelock(recovery.lock, recovery.value) }
        : null,
      layout: policy.layout,
      keyWalletId: s.keyWalletId,
      me: s.me,
      birthdayHeight: s.setup.birthdayHeight,
    };
  }

  list(): SharedAccount[] {
    return this.o.wallets
      .list()
      .filter((w) => w.kind === 'watch')
      .flatMap((w) => {
        try {
          return [this.view(this.open(w.id))];
        } catch (err) {
          if (err instanceof ApiError && err.code === 'NOT_FOUND') return [];
          throw err;
        }
      });
  }

  get(walletId: string): SharedAccount {
    return this.view(this.open(walletId));
  }

  exportSetup(walletId: string): { content: string; filename: string } {
    const s = this.open(walletId);
    return { content: formatSetup({ ...s.setup, name: s.wallet.summary().name }), filename: `${fileBase(s)}-shared-account.json` };
  }

  async exportDescriptors(walletId: string, format: 'text' | 'core'): Promise<{ format: string; content: string; filename: string }> {
    const s = this.open(walletId);
    if (format === 'text') return { format, content: `${s.setup.descriptor}\n`, filename: `${fileBase(s)}-descriptor.txt` };
    // One descriptor per branch (BIP389 expansion), each with its own checksum: receive, then change.
    const [receive, change] = expandMultipath(parseDescriptor(s.setup.descriptor, s.setup.policy.network)).map((d) => formatDescriptor(d));
    const timestamp = await this.birthdayTime(s.setup.birthdayHeight);
    const entries = [
      { desc: receive!, active: true, internal: false },
      { desc: change!, active: true, internal: true },
    ].map((e) => ({ ...e, timestamp, range: [0, 999] }));
    return { format, content: JSON.stringify(entries, null, 2) + '\n', filename: `${fileBase(s)}-importdescriptors.json` };
  }

  /** Core's importdescriptors rescans from this timestamp: the birthday block's time, else "now". */
  private async birthdayTime(height: number): Promise<number | 'now'> {
    try {
      const source = this.o.chain.source();
      return (await source.header(await source.blockHash(height))).time;
    } catch {
      return 'now';
    }
  }

  // ---------------------------------------------------------------- payments

  private plans(s: OpenShared, tx: Transaction): InputPlan[] {
    return planInputs(tx, { policy: s.setup.policy, outputs: s.wallet.account, locate: (spk) => s.wallet.data.scripts.get(spk) });
  }

  /** Our keys for signing: the key wallet must be unlocked. */
  private myKeys(s: OpenShared): MyKeys {
    if (!s.keyWalletId || !s.myKey) throw new ApiError('CONFLICT', 'this computer only watches the account: join it with the wallet that holds your key to sign');
    const kw = this.o.wallets.use(s.keyWalletId);
    if (!kw.keys) throw new ApiError('WALLET_LOCKED', `unlock "${kw.summary().name}", the wallet that holds your key, to sign`);
    const card = parseKeyCard(s.myKey, s.setup.policy.network);
    const key = kw.keys.extendedKey(card.key.origin.path);
    if (bytesToHex(key.publicKey) !== bytesToHex(card.publicKey)) throw new SharedAccountError('NOT_A_PARTICIPANT', 'the key wallet no longer derives the key of this account');
    return { participant: s.me, participantKey: s.me === null ? null : key, recoveryKey: s.setup.policy.recovery?.key.text === s.myKey ? key : null };
  }

  private nameOf(s: OpenShared, who: number | 'recovery'): string {
    const { policy } = s.setup;
    return who === 'recovery' ? policy.recovery!.key.name : policy.participants[who]!.name;
  }

  /** Names the participant a SharedAccountError is about, for messages the user reads. */
  describeError(walletId: string, err: SharedAccountError): string {
    const s = this.opened.get(walletId);
    if (!s || err.participant === null) return err.message;
    return err.message.replace(`participant ${err.participant}`, this.nameOf(s, err.participant));
  }

  status(s: OpenShared, tx: Transaction, plans: InputPlan[] = this.plans(s, tx)): SigningStatus {
    const { policy } = s.setup;
    const network = policy.network;
    const progress = signingProgress(tx, plans, policy, { participant: s.me, keeper: s.keeper });
    const holdsKey = s.myKey !== null;
    let fee = 0n;
    const inputs = plans.map((plan, i) => {
      const prev = inputPrevout(tx.getInput(plan.input))!;
      fee += prev.amount;
      const input = tx.getInput(plan.input);
      return {
        index: plan.input,
        outpoint: `${bytesToHex(input.txid!)}:${input.index!}`,
        value: Number(prev.amount),
        address: plan.output.address ?? '',
        path: plan.path.kind,
        participants: progress[i]!.participants.map((p) => ({
          index: typeof p.who === 'number' ? p.who : null,
          name: this.nameOf(s, p.who),
          role: p.role,
          nonce: p.nonce,
          partialSig: p.partialSig,
          signature: p.signature,
          me: p.who === s.me || (p.who === 'recovery' && policy.recovery?.key.text === s.myKey),
        })),
        complete: progress[i]!.complete,
        myNonce: progress[i]!.myNonce,
      };
    });
    const outputs = Array.from({ length: tx.outputsLength }, (_, o) => {
      const out = tx.getOutput(o);
      fee -= out.amount!;
      const owned = s.wallet.data.scripts.get(bytesToHex(out.script!));
      const change = owned?.chain === 1 || isChange(s, tx, o);
      return { address: addressOf(out.script!, network), value: Number(out.amount!), change };
    });
    const weight = transactionWeight(
      plans.map((p) => spendEstimate(policy, p.path, p.output)),
      Array.from({ length: tx.outputsLength }, (_, o) => tx.getOutput(o).script!.length),
    );
    const complete = inputs.every((i) => i.complete);
    const mine = inputs.flatMap((i) => i.participants.filter((p) => p.me && p.role !== 'idle').map((p) => ({ input: i, p })));
    const canAddNonce = mine.some(({ input, p }) => input.myNonce !== null && input.myNonce !== 'fresh' && !p.partialSig && !input.complete);
    const canSign =
      holdsKey &&
      mine.some(({ input, p }) => {
        if (input.complete) return false;
        if (input.myNonce === null) return !p.signature;
        return input.myNonce === 'fresh' && !p.partialSig && input.participants.every((q) => q.role === 'idle' || q.nonce);
      });
    return {
      txid: tx.id,
      path: describePath(policy, plans[0]!.path),
      inputs,
      outputs,
      fee: Number(fee),
      feeRate: Math.round((Number(fee) / weightToVsize(weight)) * 100) / 100,
      canAddNonce,
      canSign,
      complete,
      next: nextStep(inputs),
    };
  }

  statusOf(walletId: string, psbt: string): SigningStatus {
    const s = this.open(walletId);
    return this.status(s, decodePsbt(psbt));
  }

  combine(walletId: string, psbts: string[]): { psbt: string; status: SigningStatus } {
    const s = this.open(walletId);
    const tx = combinePsbts(psbts.map((p) => decodePsbt(p)));
    return { psbt: encodePsbtBase64(tx), status: this.status(s, tx) };
  }

  async propose(p: {
    walletId: string;
    recipients: { address: string; amount: number | 'max' }[];
    feeRate: number;
    signers?: number[];
    recovery: boolean;
    inputs?: string[];
  }): Promise<{ psbt: string; status: SigningStatus; fee: number; vsize: number }> {
    const s = this.open(p.walletId);
    const w = s.wallet;
    const { policy } = s.setup;
    if (p.recipients.filter((r) => r.amount === 'max').length > 1) throw new ApiError('INVALID_INPUT', 'only one recipient can receive the maximum');
    const outputs = p.recipients.map((r, i) => {
      try {
        return { script: decodeAddress(r.address, policy.network).scriptPubKey, amount: r.amount === 'max' ? ('max' as const) : BigInt(r.amount) };
      } catch (err) {
        throw new ApiError('INVALID_INPUT', `recipient ${i + 1}: ${(err as Error).message}`);
      }
    });
    const source = this.o.chain.source();
    const tipRef = await source.tip();
    const tip = { height: tipRef.height, time: (await source.header(tipRef.hash)).time };
    const built = buildSharedPayment(
      {
        data: w.data,
        account: w.account,
        policy,
        changeIndex: w.reserveChangeIndex(),
        lockTime: antiFeeSniping({ tip, now: Math.floor(Date.now() / 1000), randomInt }).lockTime,
        tip,
        randomInt: (bound: number) => randomInt(bound),
        frozen: w.store.frozen(),
      },
      { outputs, feeRate: p.feeRate, choice: p.recovery ? 'recovery' : { signers: p.signers ?? policy.participants.map((_, i) => i) }, ...(p.inputs && { inputs: p.inputs }) },
    );
    return { psbt: encodePsbtBase64(built.psbt), status: this.status(s, built.psbt), fee: Number(built.selection.fee), vsize: built.selection.vsize };
  }

  addNonces(walletId: string, psbt: string): { psbt: string; status: SigningStatus; added: number } {
    const s = this.open(walletId);
    const tx = decodePsbt(psbt);
    const plans = this.plans(s, tx);
    const added = addNonces(tx, plans, this.myKeys(s), s.keeper, this.random);
    return { psbt: encodePsbtBase64(tx), status: this.status(s, tx, plans), added };
  }

  sign(walletId: string, psbt: string): { psbt: string; status: SigningStatus; signed: number } {
    const s = this.open(walletId);
    const tx = decodePsbt(psbt);
    const plans = this.plans(s, tx);
    const signed = signRound(tx, plans, this.myKeys(s), s.keeper);
    return { psbt: encodePsbtBase64(tx), status: this.status(s, tx, plans), signed };
  }

  cancel(walletId: string, psbt: string): { discarded: number } {
    const s = this.open(walletId);
    const tx = decodePsbt(psbt);
    // Only a payment of this account: planning refuses anything else (WRONG_ACCOUNT).
    this.plans(s, tx);
    return { discarded: s.store.discardTx(tx.id) };
  }

  finalize(walletId: string, psbt: string): { psbt: string; txid: string; hex: string } {
    const s = this.open(walletId);
    const tx = decodePsbt(psbt);
    finalizeInputs(tx, this.plans(s, tx));
    const raw = extractTransaction(tx);
    return { psbt: encodePsbtBase64(tx), txid: readTx(raw).txid, hex: bytesToHex(raw) };
  }

  async broadcast(walletId: string, psbt: string): Promise<{ txid: string }> {
    const { hex } = this.finalize(walletId, psbt);
    return this.broadcastRaw({ walletId, psbt: hex });
  }

  close(): void {
    this.opened.clear();
    this.vault.close();
  }
}

function fileBase(s: OpenShared): string {
  return s.wallet.summary().name.replace(/[^A-Za-z0-9_-]+/g, '-');
}

/** Output `o` carries a change derivation of this account that re-derives to its script. */
function isChange(s: OpenShared, tx: Transaction, o: number): boolean {
  const out = tx.getOutput(o);
  return (out.tapBip32Derivation ?? []).some(([, { der }]) => {
    const [chain, index] = der.path;
    return der.path.length === 2 && chain === 1 && index !== undefined && index < 0x80000000 && bytesToHex(s.wallet.account.script(1, index)) === bytesToHex(out.script!);
  });
}

type StatusInput = SigningStatus['inputs'][number];

function listNames(names: string[]): string {
  return names.length <= 2 ? names.join(' and ') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** "Waiting for Bob's nonce (round 1)", "Ready to finalize and broadcast", … */
function nextStep(inputs: StatusInput[]): string {
  if (inputs.every((i) => i.complete)) return 'Every signature is in: finalize and broadcast';
  const pending = inputs.filter((i) => !i.complete);
  const names = (pick: (p: StatusInput['participants'][number]) => boolean) =>
    sortedNames([...new Set(pending.flatMap((i) => i.participants.filter((p) => p.role === 'signer' && pick(p)).map((p) => p.name)))]);
  const musig = pending.some((i) => i.path === 'key' || i.path === 'musig-leaf');
  if (musig) {
    const noNonce = names((p) => !p.nonce);
    if (noNonce.length) return `Waiting for nonces from ${listNames(noNonce)} (round 1)`;
    return `Waiting for partial signatures from ${listNames(names((p) => !p.partialSig))} (round 2)`;
  }
  const needed = names((p) => !p.signature);
  return needed.length ? `Waiting for the signature of ${listNames(needed)}` : 'Waiting for enough signatures on the shared leaf';
}
