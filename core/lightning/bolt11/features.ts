/**
 * BOLT 11 `9` field: the invoice feature vector, as 5-bit words, and the reader's BOLT 9 rules.
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md#feature-bits
 * https://github.com/lightning/bolts/blob/master/09-features.md
 *
 * Knows only the features BOLT 9 places in invoices (context `9`) plus `var_onion_optin`, which is
 * ASSUMED today yet still set by writers (every BOLT 11 example carries bit 8). Init/node features
 * belong to the BOLT 9 module of the peer layer, not here.
 */
import { DecodeError } from '../../bitcoin/errors.js';

/** Feature pairs (even bit = required, odd = optional) a reader of invoices understands. */
export const INVOICE_FEATURES = {
  var_onion_optin: 8,
  payment_secret: 14,
  basic_mpp: 16,
  option_route_blinding: 24,
  option_payment_metadata: 48,
} as const;
export type InvoiceFeature = keyof typeof INVOICE_FEATURES;

/** BOLT 9 Dependencies column, restricted to invoice features. */
const DEPENDENCIES: Partial<Record<InvoiceFeature, InvoiceFeature>> = { basic_mpp: 'payment_secret' };

const KNOWN_EVEN = new Set<number>(Object.values(INVOICE_FEATURES));

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

/** Reader rules: unknown odd bits are ignored, unknown even bits and missing dependencies fail. */
export function checkInvoiceFeatures(bits: readonly number[]): void {
  const unknownEven = bits.filter((bit) => bit % 2 === 0 && !KNOWN_EVEN.has(bit));
  if (unknownEven.length > 0)
    throw new DecodeError('unknown_required_feature', `"9" (features) requires unknown feature bit(s) ${unknownEven.join(', ')}`);
  for (const [feature, needs] of Object.entries(DEPENDENCIES) as [InvoiceFeature, InvoiceFeature][])
    if (hasInvoiceFeature(bits, feature) && !hasInvoiceFeature(bits, needs))
      throw new DecodeError('missing_feature_dependency', `"9" (features) sets ${feature} without its dependency ${needs}`);
}
