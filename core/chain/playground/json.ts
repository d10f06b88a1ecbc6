/**
 * JSON text as Bitcoin Core writes it: BTC amounts as exact decimal numbers with 8 places
 * (`50.00000000`, never a binary-float rounding of satoshis), bigints as plain integers.
 *
 * Not here: parsing (JSON.parse is enough for requests).
 */

/** A BTC amount held in satoshis, written as `<btc>.<8 digits>`. */
export class Btc {
  constructor(readonly sats: bigint) {}
}

function btcText(sats: bigint): string {
  const neg = sats < 0n;
  const abs = neg ? -sats : sats;
  return `${neg ? '-' : ''}${abs / 100_000_000n}.${(abs % 100_000_000n).toString().padStart(8, '0')}`;
}

export function stringify(value: unknown): string {
  if (value instanceof Btc) return btcText(value.sats);
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) return `[${value.map(stringify).join(',')}]`;
      const parts: string[] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v === undefined) continue;
        parts.push(`${JSON.stringify(k)}:${stringify(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}
