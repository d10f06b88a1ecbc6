/**
 * BIP380 descriptor checksum: the 8-character BCH code after `#`, computed over the descriptor's
 * character set (three groups of 32 so case and in-group substitutions are each one symbol error).
 *
 * Not here: parsing the descriptor itself (`parse.ts`).
 * Spec: https://github.com/bitcoin/bips/blob/master/bip-0380.mediawiki#checksum
 */
import { DecodeError } from '../errors.js';

const INPUT_CHARSET = '0123456789()[],\'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#"\\ ';
const CHECKSUM_CHARSET = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
const GENERATOR = [0xf5dee51989n, 0xa9fdca3312n, 0x1bab10e32dn, 0x3706b1677an, 0x644d626ffdn];
const CHECKSUM_LENGTH = 8;

function polymod(symbols: number[]): bigint {
  let chk = 1n;
  for (const value of symbols) {
    const top = chk >> 35n;
    chk = ((chk & 0x7ffffffffn) << 5n) ^ BigInt(value);
    for (let i = 0; i < 5; i++) if ((top >> BigInt(i)) & 1n) chk ^= GENERATOR[i]!;
  }
  return chk;
}

/** Symbols of a descriptor body; throws DESCRIPTOR_BAD_CHARACTER outside the BIP380 charset. */
function expand(body: string): number[] {
  const symbols: number[] = [];
  const groups: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const v = INPUT_CHARSET.indexOf(body[i]!);
    if (v < 0) {
      throw new DecodeError('DESCRIPTOR_BAD_CHARACTER', `"descriptor" has character ${JSON.stringify(body[i])} at position ${i}, outside the descriptor character set`);
    }
    symbols.push(v & 31);
    groups.push(v >> 5);
    if (groups.length === 3) {
      symbols.push(groups[0]! * 9 + groups[1]! * 3 + groups[2]!);
      groups.length = 0;
    }
  }
  if (groups.length === 1) symbols.push(groups[0]!);
  else if (groups.length === 2) symbols.push(groups[0]! * 3 + groups[1]!);
  return symbols;
}

/** The 8-character checksum of a descriptor body (without `#`). */
export function descriptorChecksum(body: string): string {
  const chk = polymod([...expand(body), 0, 0, 0, 0, 0, 0, 0, 0]) ^ 1n;
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) out += CHECKSUM_CHARSET[Number((chk >> BigInt(5 * (7 - i))) & 31n)];
  return out;
}

/** `body#checksum`. */
export function withChecksum(body: string): string {
  return `${body}#${descriptorChecksum(body)}`;
}

/**
 * Splits `body#checksum` and verifies the checksum when present (BIP380 makes it optional unless
 * `required`). Codes: DESCRIPTOR_BAD_CHARACTER, DESCRIPTOR_MISSING_CHECKSUM, DESCRIPTOR_BAD_CHECKSUM.
 */
export function verifyChecksum(text: string, required = false): string {
  const parts = text.split('#');
  const body = parts[0]!;
  expand(body);
  if (parts.length === 1) {
    if (required) throw new DecodeError('DESCRIPTOR_MISSING_CHECKSUM', '"descriptor" has no checksum');
    return body;
  }
  if (parts.length > 2) throw new DecodeError('DESCRIPTOR_BAD_CHECKSUM', '"descriptor" has more than one "#"');
  const checksum = parts[1]!;
  if (checksum.length === 0) throw new DecodeError('DESCRIPTOR_MISSING_CHECKSUM', '"descriptor" ends in "#" without a checksum');
  if (checksum.length !== CHECKSUM_LENGTH) {
    throw new DecodeError('DESCRIPTOR_BAD_CHECKSUM', `"descriptor" checksum must be ${CHECKSUM_LENGTH} characters, got ${checksum.length}`);
  }
  const expected = descriptorChecksum(body);
  if (checksum !== expected) {
    throw new DecodeError('DESCRIPTOR_BAD_CHECKSUM', `"descriptor" checksum ${JSON.stringify(checksum)} does not match its contents (expected ${expected})`);
  }
  return body;
}
