/**
 * BIP329 wallet labels: parse and export the JSON Lines format shared with Sparrow and other
 * wallets. Records of type tx, addr, pubkey, input, output and xpub are checked (reference format,
 * `spendable` only on outputs); other types (spscan, future ones) are kept as they are, as are
 * BIP329's "Additional Fields" (height, time, fee, value, rate, keypath, heights, fmv) and any
 * unknown keys, so an import followed by an export loses nothing.
 *
 * What this is: pure text ↔ records, one {@link DecodeError} per bad line naming the line number.
 * What this is not: storage or matching labels to wallet objects (core/wallet), or address
 * validation against a network (an `addr` ref is checked for its character set only).
 *
 * Export matches Sparrow's (Gson) output: one compact JSON object per line, `\n`-terminated,
 * absent values omitted. Keys come in a fixed order (type, ref, label, origin, spendable, then
 * the rest in their original order), so the same records always give the same bytes.
 *
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0329.mediawiki
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import { DecodeError } from './errors.js';

export type KnownLabelType = 'tx' | 'addr' | 'pubkey' | 'input' | 'output' | 'xpub';
export type Bip329DecodeCode = 'BIP329_BAD_JSON' | 'BIP329_BAD_RECORD' | 'BIP329_BAD_REF';

export interface WalletLabel {
  /** One of {@link KnownLabelType}, or another type kept unchecked (e.g. `spscan`). */
  readonly type: string;
  readonly ref: string;
  readonly label?: string;
  /** Abbreviated output descriptor of the originating wallet, e.g. `wpkh([d34db33f/84'/0'/0'])`. */
  readonly origin?: string;
  /** Outputs only: false freezes the coin. */
  readonly spendable?: boolean;
  /** Every other key of the record, with its JSON value, in the original order. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

const KNOWN: ReadonlySet<string> = new Set<KnownLabelType>(['tx', 'addr', 'pubkey', 'input', 'output', 'xpub']);
const BASE_KEYS = ['type', 'ref', 'label', 'origin', 'spendable'] as const;
const base58check = createBase58check(sha256);
const TXID = /^[0-9a-fA-F]{64}$/;
const OUTPOINT = /^([0-9a-fA-F]{64}):(0|[1-9]\d{0,9})$/;
const ADDRESS = /^[0-9A-Za-z]{14,90}$/;
const PUBKEY = /^(?:[0-9a-fA-F]{64}|[0-9a-fA-F]{66}|[0-9a-fA-F]{130})$/;

function refProblem(type: string, ref: string): string | null {
  switch (type) {
    case 'tx':
      return TXID.test(ref) ? null : 'a 64-character hex transaction id';
    case 'input':
    case 'output': {
      const m = OUTPOINT.exec(ref);
      return m && Number(m[2]) <= 0xffffffff ? null : 'a txid:index outpoint';
    }
    case 'addr':
      return ADDRESS.test(ref) ? null : 'a base58 or bech32 address';
    case 'pubkey':
      return PUBKEY.test(ref) ? null : 'a 32, 33 or 65-byte hex public key';
    case 'xpub':
      try {
        return base58check.decode(ref).length === 78 ? null : 'a BIP32 extended public key';
      } catch {
        return 'a BIP32 extended public key (Base58Check)';
      }
    default:
      return ref.length ? null : 'a non-empty reference';
  }
}

function parseLine(line: string, n: number): WalletLabel {
  const fail = (code: Bip329DecodeCode, message: string): never => {
    throw new DecodeError(code, `line ${n}: ${message}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return fail('BIP329_BAD_JSON', `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('BIP329_BAD_RECORD', 'expected a JSON object');
  const record = value as Record<string, unknown>;
  const { type, ref, label, origin, spendable } = record;
  if (typeof type !== 'string' || !type) return fail('BIP329_BAD_RECORD', `"type" expected a non-empty string, got ${JSON.stringify(type) ?? 'nothing'}`);
  if (typeof ref !== 'string') return fail('BIP329_BAD_RECORD', `"ref" expected a string, got ${JSON.stringify(ref) ?? 'nothing'}`);
  const problem = refProblem(type, ref);
  if (problem) return fail('BIP329_BAD_REF', `"ref" of a ${type} record expected ${problem}, got ${JSON.stringify(ref.slice(0, 120))}`);
  if (label !== undefined && typeof label !== 'string') return fail('BIP329_BAD_RECORD', `"label" expected a string, got ${JSON.stringify(label)}`);
  if (origin !== undefined && typeof origin !== 'string') return fail('BIP329_BAD_RECORD', `"origin" expected a string, got ${JSON.stringify(origin)}`);
  if (spendable !== undefined) {
    if (typeof spendable !== 'boolean') return fail('BIP329_BAD_RECORD', `"spendable" expected true or false, got ${JSON.stringify(spendable)}`);
    if (type !== 'output') return fail('BIP329_BAD_RECORD', `"spendable" is only allowed on output records, not ${type}`);
  }
  // fromEntries defines own properties, so even a "__proto__" key stays an ordinary field.
  const extra = Object.fromEntries(Object.entries(record).filter(([key]) => !(BASE_KEYS as readonly string[]).includes(key)));
  return {
    type,
    ref,
    ...(label !== undefined ? { label } : {}),
    ...(origin !== undefined ? { origin } : {}),
    ...(spendable !== undefined ? { spendable } : {}),
    ...(Object.keys(extra).length ? { extra } : {}),
  };
}

/**
 * Parses a BIP329 export. Blank lines, a UTF-8 byte-order mark and CRLF line ends are tolerated;
 * any other bad line throws {@link DecodeError} (`BIP329_*`) with its 1-based line number.
 */
export function parseLabels(jsonl: string): WalletLabel[] {
  const labels: WalletLabel[] = [];
  jsonl
    .replace(/^\uFEFF/, '')
    .split('\n')
    .forEach((raw, i) => {
      const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
      if (line.trim()) labels.push(parseLine(line, i + 1));
    });
  return labels;
}

/** Whether the record's type is one BIP329 defines (others are carried unchecked). */
export function isKnownLabelType(type: string): type is KnownLabelType {
  return KNOWN.has(type);
}

/** Serializes records as BIP329 JSON Lines, in the given order, one `\n`-terminated line each. */
export function exportLabels(labels: readonly WalletLabel[]): string {
  return labels
    .map((l, i) => {
      const problem = refProblem(l.type, l.ref);
      if (problem) throw new RangeError(`"labels[${i}].ref" of a ${l.type} record expected ${problem}, got ${JSON.stringify(l.ref.slice(0, 120))}`);
      if (l.spendable !== undefined && l.type !== 'output') throw new RangeError(`"labels[${i}].spendable" is only allowed on output records, not ${l.type}`);
      const entries: [string, unknown][] = [
        ['type', l.type],
        ['ref', l.ref],
        ['label', l.label],
        ['origin', l.origin],
        ['spendable', l.spendable],
        ...Object.entries(l.extra ?? {}).filter(([key]) => !(BASE_KEYS as readonly string[]).includes(key)),
      ];
      return `${JSON.stringify(Object.fromEntries(entries.filter(([, value]) => value !== undefined)))}\n`;
    })
    .join('');
}
