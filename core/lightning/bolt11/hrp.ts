/**
 * BOLT 11 human-readable part: `ln` + currency prefix + optional amount with multiplier.
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md#human-readable-part
 *
 * Parses and formats the prefix only; bech32 framing, the data part and signatures live in
 * `invoice.ts`. Amounts are millisatoshis as bigint (HTLC amounts are u64 on the wire).
 */
import { DecodeError } from '../../bitcoin/errors.js';

export type InvoiceNetwork = 'bitcoin' | 'testnet' | 'signet' | 'regtest' | 'simnet';

/** BIP173 currency prefixes after `ln`; testnet3 and testnet4 share `tb`. */
const CURRENCY: Readonly<Record<InvoiceNetwork, string>> = {
  bitcoin: 'bc',
  testnet: 'tb',
  signet: 'tbs',
  regtest: 'bcrt',
  simnet: 'sb',
};

// Longest first: `lnbcrt…` must not be read as `lnbc` + amount `rt…`, nor `lntbs` as `lntb`.
const BY_LENGTH = (Object.entries(CURRENCY) as [InvoiceNetwork, string][]).sort(
  (a, b) => b[1].length - a[1].length,
);

const MSAT_PER_BTC = 100_000_000_000n;
/** msat per unit of each multiplier; `p` is a tenth of a millisatoshi, handled apart. */
const MULTIPLIER_MSAT: Readonly<Record<string, bigint>> = { m: 100_000_000n, u: 100_000n, n: 100n };
const U64_MAX = (1n << 64n) - 1n;

export interface HumanReadablePart {
  readonly network: InvoiceNetwork;
  /** Absent when the invoice leaves the amount to the payer (donations). */
  readonly amountMsat: bigint | undefined;
}

export function parseHumanReadablePart(hrp: string): HumanReadablePart {
  if (!hrp.startsWith('ln')) throw new DecodeError('unknown_prefix', `"prefix" expected ln…, got ${JSON.stringify(hrp)}`);
  const rest = hrp.slice(2);
  for (const [network, currency] of BY_LENGTH) {
    if (!rest.startsWith(currency)) continue;
    const amount = rest.slice(currency.length);
    // Anything but an amount after the currency means a currency we do not know (e.g. `lnbcx`).
    if (amount !== '' && !/^[0-9]/.test(amount)) continue;
    return { network, amountMsat: amount === '' ? undefined : parseAmount(amount) };
  }
  throw new DecodeError('unknown_prefix', `"prefix" has unknown currency: ${JSON.stringify(hrp)}`);
}

function parseAmount(text: string): bigint {
  const match = /^([0-9]+)(.?)$/.exec(text);
  if (!match) throw new DecodeError('invalid_amount', `"amount" expected digits and one multiplier, got ${JSON.stringify(text)}`);
  const digits = match[1]!;
  const multiplier = match[2]!;
  if (multiplier !== '' && multiplier !== 'p' && MULTIPLIER_MSAT[multiplier] === undefined)
    throw new DecodeError('invalid_multiplier', `"amount" multiplier must be one of m, u, n, p, got ${JSON.stringify(multiplier)}`);
  if (/^0+$/.test(digits)) throw new DecodeError('zero_amount', `"amount" must be positive, got ${JSON.stringify(text)}`);
  if (digits.startsWith('0')) throw new DecodeError('non_canonical_amount', `"amount" has leading zeros: ${JSON.stringify(text)}`);
  const value = BigInt(digits);
  let msat: bigint;
  if (multiplier === '') msat = value * MSAT_PER_BTC;
  else if (multiplier === 'p') {
    // 1 pico-bitcoin is 0.1 msat; HTLCs carry whole millisatoshis only.
    if (value % 10n !== 0n)
      throw new DecodeError('sub_millisatoshi_amount', `"amount" ${text} is not a whole number of millisatoshis`);
    msat = value / 10n;
  } else msat = value * MULTIPLIER_MSAT[multiplier]!;
  if (msat > U64_MAX) throw new DecodeError('amount_too_large', `"amount" ${text} exceeds 2^64-1 millisatoshis`);
  return msat;
}

/** Shortest form: the largest multiplier that represents the amount exactly (BOLT 11 writer SHOULD). */
export function formatHumanReadablePart(network: InvoiceNetwork, amountMsat: bigint | undefined): string {
  const currency = CURRENCY[network];
  if (currency === undefined) throw new TypeError(`"network" expected one of ${Object.keys(CURRENCY).join(', ')}, got ${String(network)}`);
  if (amountMsat === undefined) return `ln${currency}`;
  if (typeof amountMsat !== 'bigint' || amountMsat <= 0n || amountMsat > U64_MAX)
    throw new RangeError(`"amountMsat" expected bigint in 1..2^64-1, got ${String(amountMsat)}`);
  if (amountMsat % MSAT_PER_BTC === 0n) return `ln${currency}${amountMsat / MSAT_PER_BTC}`;
  for (const [letter, unit] of Object.entries(MULTIPLIER_MSAT))
    if (amountMsat % unit === 0n) return `ln${currency}${amountMsat / unit}${letter}`;
  return `ln${currency}${amountMsat * 10n}p`;
}
