/**
 * How values read on screen: amounts (integer satoshis everywhere) in the user's unit and always
 * with it, fee rates, times and long hashes. Pure functions; parsing what users type lives here
 * too, so what is shown and what is read back agree.
 */
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

/** An amount as an input field shows it: no unit, no grouping, no trailing zeros. */
export function amountInputText(sats: number, unit: Unit): string {
  if (unit === 'sats') return String(sats);
  const whole = Math.floor(sats / SATS_PER_BTC);
  const frac = String(sats % SATS_PER_BTC).padStart(8, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/** What an amount field expects, for hints and error messages. */
export function amountExample(unit: Unit): string {
  return unit === 'BTC' ? 'an amount in BTC, like 0.0015' : 'a whole number of sats, like 150000';
}

export function formatFeeRate(satPerVb: number): string {
  return `${Number(satPerVb.toFixed(2)).toLocaleString('en-US')} sat/vB`;
}

/** Local date and time, `2025-03-14 15:09`: sortable, unambiguous in every locale. */
export function formatTime(secondsSinceEpoch: number): string {
  const d = new Date(secondsSinceEpoch * 1000);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/** `a1b2c3d4…e5f6a7b8`: enough of a hash or address to recognise it, with the full one in a title. */
export function shorten(text: string, keep = 8): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}
