/** Amounts are integer satoshis everywhere; shown in the user's unit, always with the unit. */
import type { Settings } from '../../../core/api/settings';

export type Unit = Settings['unit'];

const SATS_PER_BTC = 100_000_000;

export function formatAmount(sats: number, unit: Unit, opts: { hide?: boolean; sign?: boolean } = {}): string {
  if (opts.hide) return unit === 'BTC' ? '•••••• BTC' : '•••••• sats';
  const sign = opts.sign && sats > 0 ? '+' : sats < 0 ? '−' : '';
  const abs = Math.abs(sats);
  if (unit === 'sats') return `${sign}${abs.toLocaleString('en-US')} sats`;
  const whole = Math.floor(abs / SATS_PER_BTC);
  const frac = String(abs % SATS_PER_BTC).padStart(8, '0');
  return `${sign}${whole.toLocaleString('en-US')}.${frac} BTC`;
}

/** Parses what a user typed in their unit into satoshis; null when it is not a valid amount. */
export function parseAmount(text: string, unit: Unit): number | null {
  const clean = text.trim().replace(/[,_\s]/g, '');
  if (unit === 'sats') return /^\d{1,16}$/.test(clean) ? Number(clean) : null;
  const m = /^(\d{1,8})(?:\.(\d{0,8}))?$/.exec(clean);
  if (!m) return null;
  return Number(m[1]) * SATS_PER_BTC + Number((m[2] ?? '').padEnd(8, '0'));
}
