/**
 * BIP21 `bitcoin:` payment URIs: parse (untrusted text from QR codes, links and the clipboard) and
 * build. Amounts are decimal BTC with at most 8 decimals, returned as satoshis; label and message
 * are percent-decoded (RFC 3986: `+` is a plus, not a space); `lightning=` carries a BOLT11 invoice
 * or BOLT12 offer for unified QR codes; an unknown `req-` parameter makes the URI unusable, as
 * BIP21 requires; other unknown parameters are kept.
 *
 * What this is not: invoice decoding (core/lightning) or BIP321's extra payment instructions.
 * Parameter names match case-insensitively so that upper-case QR codes (BITCOIN:BC1…?AMOUNT=…) work.
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0021.mediawiki
 *       https://github.com/bitcoin/bips/blob/master/bip-0321.mediawiki (case-insensitive keys)
 */
import { decodeAddress, scriptPubKeyToAddress } from './address.js';
import { DecodeError } from './errors.js';
import type { Network } from './networks.js';

export type Bip21DecodeCode =
  | 'BIP21_SCHEME'
  | 'BIP21_ADDRESS'
  | 'BIP21_AMOUNT'
  | 'BIP21_ENCODING'
  | 'BIP21_DUPLICATE_PARAM'
  | 'BIP21_REQUIRED_PARAM'
  | 'BIP21_LIGHTNING';

export interface PaymentUri {
  /** The on-chain address; null only for a lightning-only URI (`bitcoin:?lightning=…`). */
  readonly address: string | null;
  /** Requested amount in satoshis. */
  readonly amount: bigint | null;
  readonly label: string | null;
  readonly message: string | null;
  /** BOLT11 invoice or BOLT12 offer from `lightning=`, as given. */
  readonly lightning: string | null;
  /** Other parameters (not `req-`), decoded, in URI order; names lower-cased. */
  readonly params: readonly (readonly [string, string])[];
}

const SATS_PER_BTC = 100_000_000n;
const MAX_MONEY = 21_000_000n * SATS_PER_BTC;
const AMOUNT = /^(\d*)(?:\.(\d*))?$/;
const LIGHTNING = /^ln[0-9a-z]+$/i;

function fail(code: Bip21DecodeCode, message: string): never {
  throw new DecodeError(code, message);
}

function percentDecode(name: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return fail('BIP21_ENCODING', `"${name}" has malformed percent-encoding`);
  }
}

/** Decimal BTC (≤ 8 decimals, > 0, ≤ 21 million) to satoshis. */
function parseAmount(text: string): bigint {
  const m = AMOUNT.exec(text);
  if (!m || (!m[1] && !m[2])) fail('BIP21_AMOUNT', `"amount" expected a decimal number of BTC, got ${JSON.stringify(text)}`);
  const fraction = m[2] ?? '';
  if (fraction.length > 8) fail('BIP21_AMOUNT', `"amount" has more than 8 decimals: ${JSON.stringify(text)}`);
  const sats = BigInt(m[1] || '0') * SATS_PER_BTC + BigInt(fraction.padEnd(8, '0') || '0');
  if (sats === 0n) fail('BIP21_AMOUNT', '"amount" must be greater than 0');
  if (sats > MAX_MONEY) fail('BIP21_AMOUNT', `"amount" exceeds 21 million BTC: ${text}`);
  return sats;
}

/** Satoshis as the shortest decimal BTC string: 150000000n → "1.5". */
export function formatBtc(sats: bigint): string {
  const whole = sats / SATS_PER_BTC;
  const fraction = (sats % SATS_PER_BTC).toString().padStart(8, '0').replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : `${whole}`;
}

/** The address in its canonical spelling (bech32 lower case, as QR codes may upper-case it). */
function normalizeAddress(address: string, network: Network): string {
  try {
    return scriptPubKeyToAddress(decodeAddress(address, network).scriptPubKey, network);
  } catch (err) {
    const reason = err instanceof DecodeError ? `${err.code}: ${err.message}` : String(err);
    return fail('BIP21_ADDRESS', `"address" ${JSON.stringify(address)} is not a valid ${network.name} address (${reason})`);
  }
}

/**
 * Parses a `bitcoin:` URI for `network`. Throws
 * {@link DecodeError} with a `BIP21_*` code naming the parameter at fault.
 */
export function parseBip21(uri: string, network: Network): PaymentUri {
  const text = uri.trim();
  if (!/^bitcoin:/i.test(text)) fail('BIP21_SCHEME', 'URI does not start with "bitcoin:"');
  const rest = text.slice('bitcoin:'.length);
  const q = rest.indexOf('?');
  const rawAddress = q < 0 ? rest : rest.slice(0, q);
  const query = q < 0 ? '' : rest.slice(q + 1);

  const seen = new Set<string>();
  let amount: bigint | null = null;
  let label: string | null = null;
  let message: string | null = null;
  let lightning: string | null = null;
  const params: [string, string][] = [];
  for (const part of query.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const name = percentDecode('parameter name', eq < 0 ? part : part.slice(0, eq)).toLowerCase();
    const value = percentDecode(name, eq < 0 ? '' : part.slice(eq + 1));
    if (seen.has(name)) fail('BIP21_DUPLICATE_PARAM', `"${name}" appears more than once`);
    seen.add(name);
    switch (name) {
      case 'amount':
        amount = parseAmount(value);
        break;
      case 'label':
        label = value;
        break;
      case 'message':
        message = value;
        break;
      case 'lightning':
        if (!LIGHTNING.test(value)) fail('BIP21_LIGHTNING', `"lightning" expected a BOLT11 invoice or BOLT12 offer, got ${JSON.stringify(value.slice(0, 40))}`);
        lightning = value;
        break;
      default:
        if (name.startsWith('req-')) fail('BIP21_REQUIRED_PARAM', `required parameter "${name}" is not supported, so the payment request cannot be honoured`);
        params.push([name, value]);
    }
  }
  let address: string | null = null;
  if (rawAddress) address = normalizeAddress(percentDecode('address', rawAddress), network);
  else if (!lightning) fail('BIP21_ADDRESS', '"address" is missing and there is no "lightning" parameter to pay instead');
  return { address, amount, label, message, lightning, params };
}

export interface PaymentUriRequest {
  readonly address: string;
  readonly amount?: bigint;
  readonly label?: string;
  readonly message?: string;
  readonly lightning?: string;
}

/** Builds a `bitcoin:` URI; the address must be valid for `network`. */
export function buildBip21(request: PaymentUriRequest, network: Network): string {
  try {
    decodeAddress(request.address, network);
  } catch {
    throw new RangeError(`"address" expected a ${network.name} address, got ${JSON.stringify(request.address)}`);
  }
  const params: string[] = [];
  if (request.amount !== undefined) {
    if (request.amount <= 0n || request.amount > MAX_MONEY)
      throw new RangeError(`"amount" expected satoshis between 1 and 21e14, got ${request.amount}`);
    params.push(`amount=${formatBtc(request.amount)}`);
  }
  if (request.label !== undefined) params.push(`label=${encodeURIComponent(request.label)}`);
  if (request.message !== undefined) params.push(`message=${encodeURIComponent(request.message)}`);
  if (request.lightning !== undefined) {
    if (!LIGHTNING.test(request.lightning)) throw new RangeError(`"lightning" expected a BOLT11 invoice or BOLT12 offer, got ${JSON.stringify(request.lightning.slice(0, 40))}`);
    params.push(`lightning=${request.lightning}`);
  }
  return `bitcoin:${request.address}${params.length ? `?${params.join('&')}` : ''}`;
}
