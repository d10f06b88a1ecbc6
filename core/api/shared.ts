/**
 * MuSig2 shared accounts' part of the contract: key cards, building or importing an account,
 * proposing a payment, the two signing rounds, finalizing and broadcasting — all by exchanging
 * PSBTs (BIP373 fields) as files, text or QR, with no server.
 *
 * A shared account is also a wallet (`walletId`): balance, history, receive addresses and labels
 * come from the `wallet.*` methods. Participants are numbered in the account's canonical order
 * (KeySort of their keys), the same on every participant's computer.
 *
 * Errors of `shared.*` methods keep the API's closed codes (INVALID_INPUT, CONFLICT, …) and start
 * their message with a stable reason from `SharedErrorReason`, e.g. "NONCE_REUSED: …".
 */
import { z } from 'zod';
import { FeeRate, Outpoint, Recipient, WalletId } from './wallet.js';

const Txid = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-hex-digit txid');
const Sats = z.number().int().nonnegative().max(21e14);
const Name = z.string().trim().min(1).max(64);
const Card = z.string().trim().min(1).max(1000);
const Psbt = z.string().min(1).max(5_000_000);

/** The reason at the start of a shared.* error message (after the API code). */
export const SharedErrorReason = z.enum([
  'INVALID_POLICY',
  'NOT_A_PARTICIPANT',
  'WRONG_ACCOUNT',
  'UNSUPPORTED_PSBT',
  'INVALID_SIGNERS',
  'NONCE_MISSING',
  'NONCE_MISMATCH',
  'NONCE_REUSED',
  'NONCE_DISCARDED',
  'MESSAGE_CHANGED',
  'INVALID_NONCE',
  'INVALID_SIGNATURE',
  'INCOMPLETE',
  'TIMELOCK_NOT_MET',
]);

/** When the recovery key may spend alone. */
export const RecoveryDelay = z.discriminatedUnion('kind', [
  /** N blocks after each coin confirmed (BIP68/CSV), 1..65535. */
  z.object({ kind: z.literal('blocks'), blocks: z.number().int().min(1).max(65_535) }),
  /** From this block height on (CLTV). */
  z.object({ kind: z.literal('height'), height: z.number().int().min(1).max(499_999_999) }),
  /** From this Unix time on (CLTV). */
  z.object({ kind: z.literal('date'), time: z.number().int().min(500_000_000).max(2 ** 31 - 1) }),
]);
export type RecoveryDelay = z.infer<typeof RecoveryDelay>;

export const RecoveryInput = z.object({
  /** The recovery key's card: one of the participants' cards, or another person's. */
  card: Card,
  delay: RecoveryDelay,
});

export const SharedParticipant = z.object({
  index: z.number().int(),
  name: z.string(),
  /** `[fingerprint/87h/coin'/account']xpub…` */
  key: z.string(),
  fingerprint: z.string(),
  /** This wallet holds the key. */
  me: z.boolean(),
});

export const SharedAccount = z.object({
  walletId: WalletId,
  name: z.string(),
  network: z.enum(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest']),
  /** The account descriptor with its checksum: every participant must see the same one. */
  descriptor: z.string(),
  /** The 8-character BIP380 checksum, to compare out loud. */
  checksum: z.string(),
  /** "Any 2 of Alice, Bob, Carol; after 30 blocks (~5 hours), Alice alone". */
  policy: z.string(),
  threshold: z.number().int(),
  participants: z.array(SharedParticipant),
  recovery: z.object({ name: z.string(), key: z.string(), me: z.boolean(), delay: RecoveryDelay, words: z.string() }).nullable(),
  /** How the threshold is spent when not everyone signs. */
  layout: z.enum(['none', 'musig-leaves', 'sortedmulti_a']),
  /** The seed wallet that holds our key (null: this computer only watches). */
  keyWalletId: WalletId.nullable(),
  /** Our participant number, or null. */
  me: z.number().int().nullable(),
  birthdayHeight: z.number().int(),
});
export type SharedAccount = z.infer<typeof SharedAccount>;

export const SharedPreview = z.object({
  descriptor: z.string(),
  checksum: z.string(),
  policy: z.string(),
  layout: z.enum(['none', 'musig-leaves', 'sortedmulti_a']),
  participants: z.array(SharedParticipant.omit({ me: true })),
  /** First receive address, to compare across computers. */
  firstAddress: z.string(),
});

export const ParticipantProgress = z.object({
  /** Participant number, or null for a recovery key that is no participant's. */
  index: z.number().int().nullable(),
  name: z.string(),
  /** 'signer': needed; 'optional': any `threshold` of the optional ones; 'idle': not on this path. */
  role: z.enum(['signer', 'optional', 'idle']),
  nonce: z.boolean(),
  partialSig: z.boolean(),
  signature: z.boolean(),
  me: z.boolean(),
});

export const InputProgress = z.object({
  index: z.number().int(),
  outpoint: Outpoint,
  value: Sats,
  address: z.string(),
  path: z.enum(['key', 'musig-leaf', 'multi-leaf', 'recovery']),
  participants: z.array(ParticipantProgress),
  complete: z.boolean(),
  /** Our nonce for this input: 'none' (not added), 'fresh' (ready to sign), 'used', 'discarded', 'unknown' (not made here); null when we do not sign it with MuSig2. */
  myNonce: z.enum(['none', 'fresh', 'used', 'discarded', 'unknown']).nullable(),
});

export const SigningStatus = z.object({
  txid: Txid,
  /** How the payment is being signed, in words. */
  path: z.string(),
  inputs: z.array(InputProgress),
  outputs: z.array(z.object({ address: z.string().nullable(), value: Sats, change: z.boolean() })),
  fee: Sats,
  feeRate: z.number().nullable(),
  /** What this participant can do now. */
  canAddNonce: z.boolean(),
  canSign: z.boolean(),
  /** Every input has what it needs: finalize and broadcast. */
  complete: z.boolean(),
  /** The next thing to happen, in words ("Waiting for Bob's nonce"). */
  next: z.string(),
});
export type SigningStatus = z.infer<typeof SigningStatus>;

const W = { walletId: WalletId };
const WithPsbt = z.object({ ...W, psbt: Psbt }).strict();
const PsbtAndStatus = z.object({ psbt: z.string(), status: SigningStatus });

export const sharedMethods = {
  /** This seed wallet's account key card (m/87'/coin'/account'), to give the other participants. */
  'shared.keyCard': {
    params: z.object({ ...W, name: Name, account: z.number().int().min(0).max(1000).default(0) }).strict(),
    result: z.object({ card: z.string(), key: z.string(), fingerprint: z.string(), path: z.string() }),
  },
  /** The account the cards would make (nothing is created): descriptor, checksum, policy in words. */
  'shared.preview': {
    params: z.object({ cards: z.array(Card).min(2).max(15), threshold: z.number().int().min(2).max(15), recovery: RecoveryInput.optional() }).strict(),
    result: SharedPreview,
  },
  /** Builds the account from every participant's card (ours included) and starts watching it. */
  'shared.create': {
    params: z
      .object({
        name: Name,
        /** The seed wallet whose card is among `cards` (must be unlocked); omit to only watch. */
        keyWalletId: WalletId.optional(),
        cards: z.array(Card).min(2).max(15),
        threshold: z.number().int().min(2).max(15),
        recovery: RecoveryInput.optional(),
        birthdayHeight: z.number().int().nonnegative().optional(),
      })
      .strict(),
    result: SharedAccount,
  },
  /** Joins an account from the setup file another participant exported (or its bare descriptor). */
  'shared.import': {
    params: z.object({ name: Name.optional(), keyWalletId: WalletId.optional(), setup: z.string().min(1).max(200_000), birthdayHeight: z.number().int().nonnegative().optional() }).strict(),
    result: SharedAccount,
  },
  'shared.list': { params: z.object({}).strict(), result: z.array(SharedAccount) },
  'shared.get': { params: z.object(W).strict(), result: SharedAccount },
  /** The setup file for the other participants. */
  'shared.exportSetup': { params: z.object(W).strict(), result: z.object({ content: z.string(), filename: z.string() }) },
  /** The descriptors as text, or as Bitcoin Core `importdescriptors` JSON (receive and change). */
  'shared.exportDescriptors': {
    params: z.object({ ...W, format: z.enum(['text', 'core']) }).strict(),
    result: z.object({ format: z.string(), content: z.string(), filename: z.string() }),
  },
  /**
   * Proposes a payment: coin selection sized for the chosen signers (all: key path; exactly the
   * threshold: their leaf) or the recovery key alone. Nothing is signed.
   */
  'shared.propose': {
    params: z
      .object({
        ...W,
        recipients: z.array(Recipient).min(1).max(1000),
        feeRate: FeeRate,
        /** Participant numbers who will sign; default: everyone. */
        signers: z.array(z.number().int().min(0).max(14)).min(1).max(15).optional(),
        /** Spend with the recovery key alone (its delay must have passed). */
        recovery: z.boolean().default(false),
        inputs: z.array(Outpoint).optional(),
      })
      .strict(),
    result: PsbtAndStatus.extend({ fee: Sats, vsize: z.number().int() }),
  },
  /** Who has done what, per participant and input. */
  'shared.status': { params: WithPsbt, result: SigningStatus },
  /** Merges PSBTs of the same payment from several participants (BIP174 combiner). */
  'shared.combine': { params: z.object({ ...W, psbts: z.array(Psbt).min(2).max(20) }).strict(), result: PsbtAndStatus },
  /** Round 1: adds our public nonces (the secret halves stay in this core). */
  'shared.addNonces': { params: WithPsbt, result: PsbtAndStatus.extend({ added: z.number().int() }) },
  /** Round 2: adds our partial signatures (or plain signatures on recovery / sortedmulti_a leaves). */
  'shared.sign': { params: WithPsbt, result: PsbtAndStatus.extend({ signed: z.number().int() }) },
  /** Drops our unused nonces for this payment (cancel): signing it again needs a new nonce round. */
  'shared.cancel': { params: WithPsbt, result: z.object({ discarded: z.number().int() }) },
  /** Aggregates, checks and finalizes; returns the transaction without sending it. */
  'shared.finalize': { params: WithPsbt, result: z.object({ psbt: z.string(), txid: Txid, hex: z.string() }) },
  /** Finalizes, records and broadcasts. */
  'shared.broadcast': { params: WithPsbt, result: z.object({ txid: Txid }) },
} as const;
