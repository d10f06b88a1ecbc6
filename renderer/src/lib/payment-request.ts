/**
 * BIP21 payment URIs for an address already handed out, when the user adds an amount or message
 * to it afterwards: the core builds the URI only with a new address (`wallet.receive`), and asking
 * for a new address on every keystroke would burn through the gap limit.
 * https://github.com/bitcoin/bips/blob/master/bip-0021.mediawiki
 */
import { amountInputText } from './format';

export interface PaymentRequest {
  address: string;
  /** Satoshis. */
  amount?: number | null;
  label?: string;
  message?: string;
}

export function paymentUri(r: PaymentRequest): string {
  const params: string[] = [];
  if (r.amount) params.push(`amount=${amountInputText(r.amount, 'BTC')}`);
  if (r.label) params.push(`label=${encodeURIComponent(r.label)}`);
  if (r.message) params.push(`message=${encodeURIComponent(r.message)}`);
  return `bitcoin:${r.address}${params.length ? `?${params.join('&')}` : ''}`;
}
