/**
 * Account key cards: what each participant of a shared account hands the others — a name and one
 * extended public key with its origin, `[fingerprint/87h/coin'/account']xpub…`.
 *
 * Tapdesk derives the card from the participant's seed at m/87'/coin'/account' (BIP87, the
 * multisig account path; coin 0 on mainnet, 1 on test networks). That key itself is the
 * participant's MuSig2 key in `musig(...)` (BIP390 aggregates the account keys, then derives
 * `/<0;1>/*` from the aggregate per BIP328), and `KEY/<0;1>/*` is its key in timelocked recovery
 * and sortedmulti_a leaves. A card from other software may carry any hardened origin path: the
 * signer re-derives whatever path the card names.
 *
 * Text form: one line of JSON `{"tapdesk":"key-card","version":1,"network":…,"name":…,"key":…}`
 * (fits a QR code), or just the key expression. Untrusted text in, DecodeError out:
 * KEY_CARD_SYNTAX, KEY_CARD_NETWORK, KEY_CARD_KEY.
 *
 * Not here: building the account from cards (policy.ts).
 * Spec: BIP87 https://github.com/bitcoin/bips/blob/master/bip-0087.mediawiki, BIP380 key expressions.
 */
import { z } from 'zod';
import { formatKeyExpression, parseKeyExpression, type KeyExpression, type KeyOrigin } from '../../bitcoin/descriptor/index.js';
import { DecodeError } from '../../bitcoin/errors.js';
import { ExtendedKey, HARDENED } from '../../bitcoin/hdkey.js';
import type { Network } from '../../bitcoin/networks.js';

/** BIP87 purpose: multisig accounts of any script type. */
export const SHARED_ACCOUNT_PURPOSE = 87;
const MAX_NAME = 64;
const MAX_CARD = 1_000;

/** An xpub with origin and no derivation steps: the only key a card may carry. */
export type CardKey = Extract<KeyExpression, { kind: 'xkey' }> & { readonly origin: KeyOrigin };

export interface KeyCard {
  readonly name: string;
  readonly key: CardKey;
  /** Canonical key expression text, `[fp/87h/1h/0h]tpub…`: identifies the participant. */
  readonly text: string;
  /** 33-byte compressed public key: the participant's MuSig2 key. */
  readonly publicKey: Uint8Array;
}

const CardJson = z.object({
  tapdesk: z.literal('key-card'),
  version: z.literal(1),
  network: z.string(),
  name: z.string(),
  key: z.string(),
});

/** m/87'/coin'/account' for `network`. */
export function keyCardPath(network: Network, account: number): number[] {
  if (!Number.isSafeInteger(account) || account < 0 || account >= HARDENED) throw new RangeError(`"account" expected integer in [0, 2^31), got ${account}`);
  return [SHARED_ACCOUNT_PURPOSE + HARDENED, network.coinType + HARDENED, account + HARDENED];
}

function cleanName(name: string, fallback: string): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  if (trimmed.length > MAX_NAME) throw new DecodeError('KEY_CARD_SYNTAX', `"name" expected at most ${MAX_NAME} characters, got ${trimmed.length}`);
  return trimmed === '' ? fallback : trimmed;
}

function card(name: string, key: CardKey, network: Network): KeyCard {
  return { name, key, text: formatKeyExpression(key, network), publicKey: key.key.publicKey };
}

/**
 * The card of `account` from a seed's master key (private: the path is hardened). `account`
 * separates several shared accounts of one seed; 0 is the first.
 */
export function makeKeyCard(master: ExtendedKey, name: string, account = 0): KeyCard {
  if (!master.isPrivate) throw new TypeError('"master" expected a private extended key (the path is hardened)');
  const path = keyCardPath(master.network, account);
  const xpub = master.derive(path).neuter();
  return card(cleanName(name, 'Participant'), { kind: 'xkey', origin: { fingerprint: master.fingerprint, path }, key: xpub, steps: [], wildcard: 'none' }, master.network);
}

/** Checks a parsed key expression is a card key: public xpub, origin with hardened path matching its depth, no steps. */
export function asCardKey(key: KeyExpression, what = 'key card'): CardKey {
  const bad = (message: string): never => {
    throw new DecodeError('KEY_CARD_KEY', `"${what}" ${message}`);
  };
  if (key.kind !== 'xkey') bad('must be an extended public key (xpub/tpub) with its origin');
  const x = key as Extract<KeyExpression, { kind: 'xkey' }>;
  if (x.key.isPrivate) bad('holds a private key; share only the public card');
  if (!x.origin) bad('needs its origin, e.g. [d34db33f/87h/1h/0h]tpub…');
  if (x.steps.length > 0 || x.wildcard !== 'none') bad('must be the account key itself, without /… derivation steps');
  if (x.origin!.path.some((i) => i < HARDENED)) bad('origin path must be hardened only (an account key)');
  if (x.origin!.path.length !== x.key.depth) bad(`origin path has ${x.origin!.path.length} steps but the key is at depth ${x.key.depth}`);
  return x as CardKey;
}

/** Parses a card: its JSON line, or a bare key expression (then named "Participant"). */
export function parseKeyCard(text: string, network: Network): KeyCard {
  if (typeof text !== 'string') throw new TypeError(`"card" expected a string, got ${typeof text}`);
  const trimmed = text.trim();
  if (trimmed.length > MAX_CARD) throw new DecodeError('KEY_CARD_SYNTAX', `"card" expected at most ${MAX_CARD} characters, got ${trimmed.length}`);
  let name = '';
  let keyText = trimmed;
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (err) {
      throw new DecodeError('KEY_CARD_SYNTAX', `"card" is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = CardJson.safeParse(json);
    if (!parsed.success) throw new DecodeError('KEY_CARD_SYNTAX', `"card" is not a Tapdesk key card: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'card'} ${i.message}`).join('; ')}`);
    if (parsed.data.network !== network.name) throw new DecodeError('KEY_CARD_NETWORK', `"card" is for ${parsed.data.network}, this account is on ${network.name}`);
    name = parsed.data.name;
    keyText = parsed.data.key.trim();
  }
  let key: KeyExpression;
  try {
    key = parseKeyExpression(keyText, network, 'musig');
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    throw new DecodeError('KEY_CARD_KEY', `"key card" key is invalid (${err.code}): ${err.message}`);
  }
  return card(cleanName(name, 'Participant'), asCardKey(key), network);
}

/** The one-line JSON text of a card. */
export function formatKeyCard(c: KeyCard, network: Network): string {
  return JSON.stringify({ tapdesk: 'key-card', version: 1, network: network.name, name: c.name, key: c.text });
}
