/**
 * Key expressions of output script descriptors: parse and print `[origin]KEY/path/*` where KEY is
 * a hex public key, a WIF private key, an extended key (with BIP389 `/<a;b>` multipath), or a
 * BIP390 `musig(KEY,...)` aggregate — with the restrictions of the context the key appears in.
 *
 * Errors (DecodeError): DESCRIPTOR_BAD_KEY, DESCRIPTOR_BAD_ORIGIN (inside `[...]`),
 * DESCRIPTOR_BAD_PATH (after the key), DESCRIPTOR_MUSIG_CONTEXT (musig() outside tr()/rawtr()),
 * DESCRIPTOR_BAD_MUSIG (BIP390's rules for musig() itself).
 * Not here: deriving keys (`derive.ts`).
 *
 * Spec: BIP380 (key expressions), BIP389 (multipath), BIP390 (musig), BIP386 (x-only keys in tr).
 */
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToNumberBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { base58, createBase58check } from '@scure/base';
import { DecodeError } from '../errors.js';
import { ExtendedKey, fingerprintHex, HARDENED } from '../hdkey.js';
import { type Network, networksLabel } from '../networks.js';
import { isXOnlyPublicKey } from '../taproot.js';
import type { KeyExpression, KeyOrigin, PathStep, Wildcard } from './ast.js';
import { closingBracket, splitTopLevel } from './syntax.js';

/**
 * Where a key appears: `legacy` (bare and P2SH scripts: uncompressed keys allowed), `segwit`
 * (inside wpkh/wsh: compressed only), `tap` (inside tr/rawtr: compressed or x-only, musig
 * allowed), `musig` (a musig() participant: compressed, no nesting).
 */
export type KeyContext = 'legacy' | 'segwit' | 'tap' | 'musig';

const base58check = createBase58check(sha256);
const CURVE_ORDER = secp256k1.Point.Fn.ORDER;

function badKey(message: string): never {
  throw new DecodeError('DESCRIPTOR_BAD_KEY', `"key" ${message}`);
}
function badPath(message: string): never {
  throw new DecodeError('DESCRIPTOR_BAD_PATH', `"derivation path" ${message}`);
}
function badOrigin(message: string): never {
  throw new DecodeError('DESCRIPTOR_BAD_ORIGIN', `"key origin" ${message}`);
}
function badMusig(message: string): never {
  throw new DecodeError('DESCRIPTOR_BAD_MUSIG', `"musig()" ${message}`);
}

/** One `NUM`, `NUMh` or `NUM'` step; `fail` reports which part of the expression is wrong. */
function parseIndex(text: string, fail: (message: string) => never): number {
  const m = /^(\d+)(['h]?)$/.exec(text);
  if (!m) fail(`step ${JSON.stringify(text)} is not NUM, NUMh or NUM'`);
  const n = Number(m[1]);
  if (!Number.isSafeInteger(n) || n >= HARDENED) fail(`index ${m[1]} is not below 2^31`);
  return m[2] ? n + HARDENED : n;
}

/** Derivation after a key: steps, at most one `<a;b;...>` tuple, and an optional final wildcard. */
function parseSteps(parts: readonly string[]): { steps: PathStep[]; wildcard: Wildcard } {
  const steps: PathStep[] = [];
  let wildcard: Wildcard = 'none';
  let multipath = false;
  parts.forEach((part, i) => {
    if (wildcard !== 'none') badPath('has steps after the /* wildcard; it must be the last step');
    if (part === '*') wildcard = 'unhardened';
    else if (part === '*h' || part === "*'") wildcard = 'hardened';
    else if (part.startsWith('<')) {
      if (!part.endsWith('>')) badPath(`multipath step ${JSON.stringify(part)} has no closing ">"`);
      if (multipath) badPath('has more than one multipath <...> step');
      multipath = true;
      const alternatives = part.slice(1, -1).split(';');
      if (alternatives.length < 2) badPath(`multipath step ${JSON.stringify(part)} needs at least two indices`);
      const indices = alternatives.map((a) => parseIndex(a, badPath));
      if (new Set(indices).size !== indices.length) badPath(`multipath step ${JSON.stringify(part)} repeats an index`);
      steps.push(indices);
    } else if (part === '') {
      badPath(i === parts.length - 1 ? 'ends in "/"' : 'has an empty step "//"');
    } else {
      steps.push(parseIndex(part, badPath));
    }
  });
  return { steps, wildcard };
}

function parseOrigin(text: string): KeyOrigin {
  const [fp, ...path] = text.split('/');
  if (!/^[0-9a-fA-F]{8}$/.test(fp!)) badOrigin(`fingerprint must be 8 hex characters, got ${JSON.stringify(fp)}`);
  path.forEach((step, i) => {
    if (step === '') badOrigin(i === path.length - 1 ? 'ends in "/"' : 'has an empty step "//"');
  });
  return { fingerprint: parseInt(fp!, 16), path: path.map((s) => parseIndex(s, badOrigin)) };
}

function parsePoint(bytes: Uint8Array): void {
  try {
    secp256k1.Point.fromBytes(bytes);
  } catch {
    badKey(`${bytesToHex(bytes)} is not a valid public key`);
  }
}

function parseHexKey(hex: string, context: KeyContext): Uint8Array {
  const bytes = hexToBytes(hex.toLowerCase());
  if (bytes.length === 32) {
    if (context === 'musig') badKey('musig() participants must be 33-byte compressed public keys, not x-only');
    if (context !== 'tap') badKey('64-hex-character x-only keys are only allowed inside tr() and rawtr()');
    if (!isXOnlyPublicKey(bytes)) badKey(`${hex} is not a valid x-only public key`);
    return bytes;
  }
  if (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) {
    parsePoint(bytes);
    return bytes;
  }
  if (bytes.length === 65 && bytes[0] === 4) {
    if (context !== 'legacy') badKey(`uncompressed public keys are not allowed in ${context === 'segwit' ? 'segwit' : 'taproot'} scripts`);
    parsePoint(bytes);
    return bytes;
  }
  badKey(`hex public key must be 66 hex characters (02/03) or 130 (04)${context === 'tap' ? ' or 64 (x-only)' : ''}, got ${hex.length}`);
}

function parseWif(payload: Uint8Array, network: Network, context: KeyContext): KeyExpression & { kind: 'wif' } {
  const version = payload[0]!;
  if (version !== network.wif) {
    const owner = networksLabel((n) => n.wif === version);
    badKey(owner === 'no known network' ? `WIF version byte 0x${version.toString(16)} is unknown` : `WIF key is for ${owner}, expected ${network.name}`);
  }
  const compressed = payload.length === 34;
  if (compressed && payload[33] !== 0x01) badKey('compressed WIF key must end in 0x01');
  const privateKey = payload.slice(1, 33);
  const k = bytesToNumberBE(privateKey);
  if (k === 0n || k >= CURVE_ORDER) badKey('WIF private key is not in 1..n-1');
  if (!compressed && context !== 'legacy') badKey(`uncompressed keys are not allowed in ${context === 'segwit' ? 'segwit' : 'taproot'} scripts`);
  return { kind: 'wif', privateKey, compressed };
}

function parseMusig(text: string, network: Network, context: KeyContext): KeyExpression {
  if (context === 'musig') badMusig('cannot be nested inside another musig()');
  if (context !== 'tap') {
    throw new DecodeError('DESCRIPTOR_MUSIG_CONTEXT', '"musig()" is only allowed as a key inside tr() or rawtr()');
  }
  const close = closingBracket(text, 'musig'.length);
  if (close < 0) badMusig('has no closing ")"');
  const inner = text.slice('musig('.length, close);
  const participants = splitTopLevel(inner, ',').map((p) => parseKeyExpression(p, network, 'musig'));
  const suffix = text.slice(close + 1);
  if (suffix !== '' && !suffix.startsWith('/')) badMusig(`is followed by ${JSON.stringify(suffix)} instead of a derivation path`);
  const { steps, wildcard } = parseSteps(suffix === '' ? [] : suffix.slice(1).split('/'));
  if (steps.length > 0 || wildcard !== 'none') {
    // BIP390: derivation after musig() is BIP328 derivation from the aggregate's synthetic xpub.
    for (const p of participants) {
      if (p.kind !== 'xkey') badMusig('with derivation after it needs every participant to be an extended key');
      if (p.wildcard !== 'none') badMusig('with derivation after it cannot have ranged (/*) participants');
      if (p.steps.some((s) => typeof s !== 'number')) badMusig('with derivation after it cannot have multipath participants');
    }
    if (steps.flat().some((i) => i >= HARDENED)) badMusig('derivation cannot have hardened steps (there is no aggregate private key)');
    if (wildcard === 'hardened') badMusig('derivation cannot end in a hardened wildcard /*h');
  }
  return { kind: 'musig', participants, steps, wildcard };
}

/** Parses one key expression appearing in `context`. */
export function parseKeyExpression(text: string, network: Network, context: KeyContext): KeyExpression {
  if (text.startsWith('musig(')) return parseMusig(text, network, context);
  let origin: KeyOrigin | undefined;
  let rest = text;
  const close = text.indexOf(']');
  if (text.startsWith('[')) {
    if (close < 0) badOrigin('has no closing "]"');
    origin = parseOrigin(text.slice(1, close));
    rest = text.slice(close + 1);
  } else if (close >= 0) {
    badOrigin('has "]" without an opening "["');
  }
  if (rest.includes(']') || rest.includes('[')) badOrigin('appears more than once');
  if (rest.startsWith('musig(')) badMusig('cannot have a key origin');
  if (rest === '') badKey(origin ? 'is missing after its key origin' : 'is empty');
  const [keyText, ...pathParts] = rest.split('/');
  const noPath = (what: string) => {
    if (pathParts.length > 0) badPath(`is not allowed after a ${what}; only extended keys can be derived`);
  };
  if (/^[0-9a-fA-F]+$/.test(keyText!) && [64, 66, 130].includes(keyText!.length)) {
    noPath('hex public key');
    return { kind: 'hex', ...(origin && { origin }), pubkey: parseHexKey(keyText!, context) };
  }
  // WIF keys are 51-52 characters and extended keys 111; bounding the length first also keeps
  // Base58's quadratic decoding away from long junk.
  const chars = [...keyText!];
  if (keyText === '' || chars.length > 112 || !chars.every((c) => '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'.includes(c))) {
    badKey(`${JSON.stringify(keyText!.slice(0, 120))} is neither hex, WIF nor an extended key`);
  }
  const length = base58.decode(keyText!).length;
  if (length === 37 || length === 38) {
    let payload: Uint8Array;
    try {
      payload = base58check.decode(keyText!);
    } catch {
      badKey('WIF private key has an invalid checksum');
    }
    noPath('WIF private key');
    return { ...(origin && { origin }), ...parseWif(payload, network, context) };
  }
  if (length !== 82) badKey(`${JSON.stringify(keyText)} is neither hex, WIF nor an extended key`);
  let key: ExtendedKey;
  try {
    key = ExtendedKey.parse(keyText!, network);
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    badKey(`extended key is invalid (${err.code}): ${err.message}`);
  }
  const { steps, wildcard } = parseSteps(pathParts);
  return { kind: 'xkey', ...(origin && { origin }), key, steps, wildcard };
}

function formatIndex(index: number): string {
  return index >= HARDENED ? `${index - HARDENED}h` : `${index}`;
}

function formatSteps(steps: readonly PathStep[], wildcard: Wildcard): string {
  const parts = steps.map((s) => (typeof s === 'number' ? formatIndex(s) : `<${s.map(formatIndex).join(';')}>`));
  if (wildcard === 'unhardened') parts.push('*');
  if (wildcard === 'hardened') parts.push('*h');
  return parts.map((p) => `/${p}`).join('');
}

function formatOrigin(origin: KeyOrigin): string {
  return `[${fingerprintHex(origin.fingerprint)}${origin.path.map((i) => `/${formatIndex(i)}`).join('')}]`;
}

/** Canonical text of a key expression: lower-case hex, `h` for hardened steps. */
export function formatKeyExpression(key: KeyExpression, network: Network): string {
  switch (key.kind) {
    case 'musig':
      return `musig(${key.participants.map((p) => formatKeyExpression(p, network)).join(',')})${formatSteps(key.steps, key.wildcard)}`;
    case 'hex':
      return `${key.origin ? formatOrigin(key.origin) : ''}${bytesToHex(key.pubkey)}`;
    case 'wif': {
      const payload = Uint8Array.of(network.wif, ...key.privateKey, ...(key.compressed ? [1] : []));
      return `${key.origin ? formatOrigin(key.origin) : ''}${base58check.encode(payload)}`;
    }
    case 'xkey':
      return `${key.origin ? formatOrigin(key.origin) : ''}${key.key.toBase58()}${formatSteps(key.steps, key.wildcard)}`;
  }
}

/** Lengths of every BIP389 multipath step in a key expression (musig participants included). */
export function multipathLengths(key: KeyExpression): number[] {
  const own = key.kind === 'xkey' || key.kind === 'musig' ? key.steps.filter((s) => typeof s !== 'number').map((s) => (s as readonly number[]).length) : [];
  return key.kind === 'musig' ? [...own, ...key.participants.flatMap(multipathLengths)] : own;
}

/** Whether a key expression yields a different key per child index. */
export function isRangedKey(key: KeyExpression): boolean {
  if (key.kind === 'musig') return key.wildcard !== 'none' || key.participants.some(isRangedKey);
  return key.kind === 'xkey' && key.wildcard !== 'none';
}

