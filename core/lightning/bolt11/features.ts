/**
 * BOLT 11 `9` field: the invoice feature vector, as 5-bit words, and the reader's BOLT 9 rules.
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md#feature-bits
 * https://github.com/lightning/bolts/blob/master/09-features.md
 *
 * Bit numbers, ASSUMED status and dependencies come from the shared BOLT 9 table
 * (`../features.ts`); this module only says which of those features an invoice may carry and packs
 * them into 5-bit words. Init/node feature negotiation is not here.
 */
import { DecodeError } from '../../bitcoin/errors.js';
import { FEATURES, type FeatureName, Features } from '../features.js';

/**
 * Features BOLT 9 places in invoices (context `9`), plus `var_onion_optin` and `payment_secret`,
 * which are ASSUMED now but were `9` features and are still set by writers (every BOLT 11 example
 * carries bits 8 and 14). Any other even bit is unknown here, even if the peer layer knows it.
 */
const INVOICE_FEATURE_NAMES = ['var_onion_optin', 'payment_secret', 'basic_mpp', 'option_route_blinding', 'option_payment_metadata'] as const;
export type InvoiceFeature = (typeof INVOICE_FEATURE_NAMES)[number];

/** The required (even) bit of each invoice feature; the optional bit is one more. */
export const INVOICE_FEATURES: Readonly<Record<InvoiceFeature, number>> = Object.fromEntries(
  INVOICE_FEATURE_NAMES.map((name) => [name, FEATURES[name].bit]),
) as Record<InvoiceFeature, number>;

const KNOWN_EVEN = new Set<number>(Object.values(INVOICE_FEATURES));
const IN_INVOICES = new Set<FeatureName>(INVOICE_FEATURE_NAMES);

/** True when the feature is offered, as required (even) or optional (odd) bit. */
export function hasInvoiceFeature(bits: readonly number[], feature: InvoiceFeature): boolean {
  const even = INVOICE_FEATURES[feature];
  return bits.includes(even) || bits.includes(even + 1);
}

/** Set bits, ascending, from big-endian 5-bit words (bit 0 is the last word's lowest bit). */
export function featureBitsFromWords(words: readonly number[]): number[] {
  if (words.length > 0 && words[0] === 0)
    throw new DecodeError('non_minimal_length', '"9" (features) begins with a zero field element');
  const bits: number[] = [];
  for (let w = words.length - 1; w >= 0; w--) {
    const word = words[w]!;
    const base = (words.length - 1 - w) * 5;
    for (let b = 0; b < 5; b++) if ((word >> b) & 1) bits.push(base + b);
  }
  return bits;
}

/** Minimal words for a set of bits; empty when no bit is set (the writer then omits `9`). */
export function featureBitsToWords(bits: readonly number[]): number[] {
  for (const bit of bits)
    if (!Number.isInteger(bit) || bit < 0 || bit >= 1023 * 5)
      throw new RangeError(`"features" expected bit numbers in 0..5114, got ${bit}`);
  if (bits.length === 0) return [];
  const top = Math.max(...bits);
  const words = new Array<number>(Math.floor(top / 5) + 1).fill(0);
  for (const bit of bits) words[words.length - 1 - Math.floor(bit / 5)]! |= 1 << bit % 5;
  return words;
}

/**
 * Reader rules: unknown odd bits are ignored; unknown even bits, and invoice features whose BOLT 9
 * dependencies are neither set nor ASSUMED, fail. (At the pinned BOLT 9 the only dependency among
 * invoice features, basic_mpp → payment_secret, is ASSUMED, so today only the first rule can fire.)
 */
export function checkInvoiceFeatures(bits: readonly number[]): void {
  const unknownEven = bits.filter((bit) => bit % 2 === 0 && !KNOWN_EVEN.has(bit));
  if (unknownEven.length > 0)
    throw new DecodeError('unknown_required_feature', `"9" (features) requires unknown feature bit(s) ${unknownEven.join(', ')}`);
  const missing = Features.fromBits(bits)
    .missingDependencies()
    .find((m) => IN_INVOICES.has(m.feature));
  if (missing)
    throw new DecodeError('missing_feature_dependency', `"9" (features) sets ${missing.feature} without its dependency ${missing.missing}`);
}
