/**
 * BOLT 11 `f` field: on-chain fallback address as `version` (5 bits) + program / hash.
 * https://github.com/lightning/bolts/blob/master/11-payment-encoding.md#tagged-fields
 *
 * Versions 0..16 are witness versions (BIP141/BIP350 program rules), 17 is a P2PKH hash, 18 a P2SH
 * hash; 19..31 are unknown and skipped by the reader (the caller keeps them raw). Formats the
 * address string for the invoice's network; it is not a general address module.
 */
import { bech32, bech32m, createBase58check } from '@scure/base';
import { sha256 } from '@noble/hashes/sha2.js';
import { DecodeError } from '../../bitcoin/errors.js';
import type { InvoiceNetwork } from './hrp.js';

export interface FallbackAddress {
  /** 0..16 witness version, 17 P2PKH, 18 P2SH. */
  readonly version: number;
  /** Witness program, or the 20-byte hash for versions 17 and 18. */
  readonly program: Uint8Array;
}

export const FALLBACK_P2PKH = 17;
export const FALLBACK_P2SH = 18;

const base58check = createBase58check(sha256);

const ADDRESS_PARAMS: Readonly<Record<InvoiceNetwork, { hrp: string; pkh: number; sh: number }>> = {
  bitcoin: { hrp: 'bc', pkh: 0x00, sh: 0x05 },
  testnet: { hrp: 'tb', pkh: 0x6f, sh: 0xc4 },
  signet: { hrp: 'tb', pkh: 0x6f, sh: 0xc4 },
  regtest: { hrp: 'bcrt', pkh: 0x6f, sh: 0xc4 },
  // btcd simnet parameters, the network `lnsb` invoices were defined for.
  simnet: { hrp: 'sb', pkh: 0x3f, sh: 0x7b },
};

/** Whether `version` is one this reader understands (others are skipped, per the reader rules). */
export function isKnownFallbackVersion(version: number): boolean {
  return version >= 0 && version <= FALLBACK_P2SH;
}

function programLengthOk(version: number, length: number): boolean {
  if (version === FALLBACK_P2PKH || version === FALLBACK_P2SH) return length === 20;
  if (version === 0) return length === 20 || length === 32;
  return length >= 2 && length <= 40;
}

/** Decodes a known-version `f` field (version word already checked by the caller). */
export function fallbackFromWords(words: readonly number[]): FallbackAddress {
  const version = words[0]!;
  const program = bech32.fromWordsUnsafe(words.slice(1));
  if (!program) throw new DecodeError('invalid_padding', `"f" (fallback) version ${version} program has invalid padding`);
  if (!programLengthOk(version, program.length))
    throw new DecodeError('invalid_fallback', `"f" (fallback) version ${version} has invalid program length ${program.length}`);
  return { version, program };
}

export function fallbackToWords(fallback: FallbackAddress): number[] {
  const { version, program } = fallback;
  if (!Number.isInteger(version) || !isKnownFallbackVersion(version) || !programLengthOk(version, program.length))
    throw new RangeError(`"fallback" expected version 0..18 with a valid program, got version ${version}, ${program.length} bytes`);
  return [version, ...bech32.toWords(program)];
}

/** The address string for `network`: base58check for 17/18, bech32 (v0) or bech32m (v1+). */
export function fallbackAddress(fallback: FallbackAddress, network: InvoiceNetwork): string {
  const params = ADDRESS_PARAMS[network];
  const { version, program } = fallback;
  if (version === FALLBACK_P2PKH || version === FALLBACK_P2SH) {
    const prefix = version === FALLBACK_P2PKH ? params.pkh : params.sh;
    return base58check.encode(Uint8Array.of(prefix, ...program));
  }
  const words = [version, ...bech32.toWords(program)];
  return version === 0 ? bech32.encode(params.hrp, words) : bech32m.encode(params.hrp, words);
}
