/**
 * Parses output script descriptors into the syntax tree of `ast.ts`, enforcing where each script
 * expression may appear (BIP381-387), key restrictions per context, and the lockstep rule for
 * BIP389 multipath steps. Untrusted text in, DecodeError out — nothing else.
 *
 * Codes (besides the key codes of `key-expression.ts` and the checksum codes of `checksum.ts`):
 * DESCRIPTOR_SYNTAX, DESCRIPTOR_UNKNOWN_FUNCTION, DESCRIPTOR_UNSUPPORTED (combo(), sp(), general
 * miniscript), DESCRIPTOR_BAD_CONTEXT, DESCRIPTOR_BAD_THRESHOLD, DESCRIPTOR_TOO_MANY_KEYS,
 * DESCRIPTOR_BAD_TREE, DESCRIPTOR_BAD_HEX, DESCRIPTOR_BAD_ADDRESS, DESCRIPTOR_MULTIPATH_MISMATCH,
 * DESCRIPTOR_BAD_TIMELOCK (older()/after() outside 1..2^31-1).
 *
 * Miniscript (BIP379) is limited to the leaves `and_v(v:pk(KEY),older(N))` and
 * `and_v(v:pk(KEY),after(N))` inside tr(); every other fragment is DESCRIPTOR_UNSUPPORTED.
 *
 * Spec: BIP380-387, BIP389, BIP390 (https://github.com/bitcoin/bips), BIP379 miniscript
 * (https://github.com/bitcoin/bips/blob/master/bip-0379.md), Bitcoin Core doc/descriptors.md for rawtr().
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { decodeAddress } from '../address.js';
import { DecodeError } from '../errors.js';
import type { Network } from '../networks.js';
import { type Descriptor, type KeyExpression, type LeafExpression, type ScriptExpression, scriptKeys, type TreeExpression } from './ast.js';
import { verifyChecksum } from './checksum.js';
import { type KeyContext, multipathLengths, parseKeyExpression } from './key-expression.js';
import { parseCall, splitTopLevel, syntaxError } from './syntax.js';

export interface ParseOptions {
  /** Reject descriptors without `#checksum` (BIP380 makes it optional for parsing). */
  requireChecksum?: boolean;
}

/** Where a script expression appears. */
type Level = 'top' | 'sh' | 'wsh' | 'sh-wsh';

const MAX_MULTI_A_KEYS = 999;
const MAX_BARE_MULTI_KEYS = 3;
const MAX_WSH_MULTI_KEYS = 20;
const MAX_SCRIPT_ELEMENT = 520;
const MAX_TREE_DEPTH = 128;

/** Miniscript (BIP379) fragments other than pk()/pkh(), which Tapdesk does not implement. */
const MINISCRIPT = new Set([
  'pk_k', 'pk_h', 'older', 'after', 'sha256', 'hash256', 'ripemd160', 'hash160',
  'andor', 'and_v', 'and_b', 'and_n', 'or_b', 'or_c', 'or_d', 'or_i', 'thresh',
]);
/** Script expressions of BIP380-387 (and Core's rawtr), to tell misplaced from unknown names. */
const SCRIPT_NAMES = new Set(['pk', 'pkh', 'wpkh', 'sh', 'wsh', 'multi', 'sortedmulti', 'tr', 'rawtr', 'raw', 'addr', 'combo', 'sp', 'multi_a', 'sortedmulti_a']);

function fail(code: string, message: string): never {
  throw new DecodeError(code, `"descriptor" ${message}`);
}

function keyContext(level: Level, witness: boolean): KeyContext {
  return witness || level === 'wsh' || level === 'sh-wsh' ? 'segwit' : 'legacy';
}

function argCount(name: string, args: string[], min: number, max = min): void {
  if (args.length < min || args.length > max || (args.length === 1 && args[0] === '' && min > 0)) {
    const want = min === max ? `${min}` : `${min} to ${max}`;
    syntaxError(`${name}() takes ${want} argument${max === 1 ? '' : 's'}, got ${args.length === 1 && args[0] === '' ? 0 : args.length}`);
  }
}

function parseThreshold(text: string, keys: number, name: string): number {
  if (!/^\d+$/.test(text)) fail('DESCRIPTOR_BAD_THRESHOLD', `${name}() threshold ${JSON.stringify(text)} is not a number`);
  const k = Number(text);
  if (k < 1) fail('DESCRIPTOR_BAD_THRESHOLD', `${name}() threshold must be at least 1`);
  if (k > keys) fail('DESCRIPTOR_BAD_THRESHOLD', `${name}() threshold ${k} is larger than its ${keys} keys`);
  return k;
}

/** Bytes a key takes in a legacy script (for P2SH's 520-byte redeem script limit). */
function scriptKeySize(key: KeyExpression): number {
  if (key.kind === 'hex') return key.pubkey.length;
  if (key.kind === 'wif') return key.compressed ? 33 : 65;
  return 33;
}

function parseMulti(name: 'multi' | 'sortedmulti', args: string[], network: Network, level: Level): ScriptExpression {
  if (args.length < 2) syntaxError(`${name}() needs a threshold and at least one key`);
  // The threshold is checked against the key count first, so its error wins over a bad key's.
  const threshold = parseThreshold(args[0]!, args.length - 1, name);
  const keys = args.slice(1).map((a) => parseKeyExpression(a, network, keyContext(level, false)));
  if (level === 'top' && keys.length > MAX_BARE_MULTI_KEYS) {
    fail('DESCRIPTOR_TOO_MANY_KEYS', `bare ${name}() allows at most ${MAX_BARE_MULTI_KEYS} keys, got ${keys.length}`);
  }
  if ((level === 'wsh' || level === 'sh-wsh') && keys.length > MAX_WSH_MULTI_KEYS) {
    fail('DESCRIPTOR_TOO_MANY_KEYS', `${name}() allows at most ${MAX_WSH_MULTI_KEYS} keys, got ${keys.length}`);
  }
  if (level === 'sh') {
    const size = 3 + keys.reduce((sum, k) => sum + 1 + scriptKeySize(k), 0);
    if (size > MAX_SCRIPT_ELEMENT) fail('DESCRIPTOR_TOO_MANY_KEYS', `sh(${name}()) redeem script would be ${size} bytes, over the ${MAX_SCRIPT_ELEMENT}-byte limit`);
  }
  return { type: name, threshold, keys };
}

/** Largest older()/after() argument: BIP379 requires 1 <= N < 2^31. */
const MAX_TIMELOCK = 2 ** 31 - 1;

/** BIP379 `and_v(v:pk(KEY),older(N))` / `and_v(v:pk(KEY),after(N))`: the only and_v() shapes Tapdesk knows. */
function parseTimelockedKey(args: string[], network: Network): LeafExpression {
  const unsupported = (): never =>
    fail('DESCRIPTOR_UNSUPPORTED', `miniscript and_v(${args.join(',')}) is not supported (only and_v(v:pk(KEY),older(N)) and and_v(v:pk(KEY),after(N)))`);
  argCount('and_v', args, 2);
  const [first, second] = args as [string, string];
  const pk = first.startsWith('v:') ? parseCall(first.slice(2)) : undefined;
  if (pk?.name !== 'pk') unsupported();
  const lock = parseCall(second);
  if (lock?.name !== 'older' && lock?.name !== 'after') unsupported();
  argCount('pk', pk!.args, 1);
  const key = parseKeyExpression(pk!.args[0]!, network, 'tap');
  argCount(lock!.name, lock!.args, 1);
  const text = lock!.args[0]!;
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > MAX_TIMELOCK) {
    fail('DESCRIPTOR_BAD_TIMELOCK', `${lock!.name}() expects an integer from 1 to ${MAX_TIMELOCK}, got ${JSON.stringify(text)}`);
  }
  return { type: 'and_v', key, lock: lock!.name as 'older' | 'after', value: Number(text) };
}

function parseLeaf(text: string, network: Network): LeafExpression {
  const call = parseCall(text);
  if (!call) {
    if (/^[a-z]+:/.test(text)) {
      fail('DESCRIPTOR_UNSUPPORTED', `miniscript ${JSON.stringify(text)} is not supported (only pk(), pkh(), multi_a(), sortedmulti_a() and and_v(v:pk(KEY),older|after(N)) leaves)`);
    }
    syntaxError(`tree leaf ${JSON.stringify(text)} is not a script expression`);
  }
  const { name, args } = call;
  switch (name) {
    case 'pk':
    case 'pkh':
      argCount(name, args, 1);
      return { type: name, key: parseKeyExpression(args[0]!, network, 'tap') };
    case 'multi_a':
    case 'sortedmulti_a': {
      if (args.length < 2) syntaxError(`${name}() needs a threshold and at least one key`);
      if (args.length - 1 > MAX_MULTI_A_KEYS) fail('DESCRIPTOR_TOO_MANY_KEYS', `${name}() allows at most ${MAX_MULTI_A_KEYS} keys, got ${args.length - 1}`);
      const threshold = parseThreshold(args[0]!, args.length - 1, name);
      return { type: name, threshold, keys: args.slice(1).map((a) => parseKeyExpression(a, network, 'tap')) };
    }
    case 'and_v':
      return parseTimelockedKey(args, network);
    case 'musig':
      throw new DecodeError('DESCRIPTOR_MUSIG_CONTEXT', '"musig()" is a key expression; use it inside pk() or as the tr() key');
    default:
      if (MINISCRIPT.has(name)) fail('DESCRIPTOR_UNSUPPORTED', `miniscript fragment ${name}() is not supported in tr() trees`);
      if (SCRIPT_NAMES.has(name)) fail('DESCRIPTOR_BAD_CONTEXT', `${name}() is not allowed inside a tr() tree`);
      fail('DESCRIPTOR_UNKNOWN_FUNCTION', `has unknown script expression ${name}()`);
  }
}

function parseTree(text: string, network: Network, depth: number): TreeExpression {
  if (!text.startsWith('{')) return parseLeaf(text, network);
  if (depth >= MAX_TREE_DEPTH) fail('DESCRIPTOR_BAD_TREE', `tr() tree is deeper than ${MAX_TREE_DEPTH} levels`);
  if (!text.endsWith('}')) syntaxError(`tree branch ${JSON.stringify(text)} has no closing "}"`);
  const parts = splitTopLevel(text.slice(1, -1), ',');
  if (parts.length !== 2) fail('DESCRIPTOR_BAD_TREE', `tree branch {...} must have exactly two children, got ${parts.length}`);
  return [parseTree(parts[0]!, network, depth + 1), parseTree(parts[1]!, network, depth + 1)];
}

function parseScript(text: string, network: Network, level: Level): ScriptExpression {
  const call = parseCall(text);
  if (!call) syntaxError(`${JSON.stringify(text)} is not a script expression`);
  const { name, args } = call;
  const topOnly = (what: string): void => {
    if (level !== 'top') fail('DESCRIPTOR_BAD_CONTEXT', `${what} is only allowed at the top level`);
  };
  switch (name) {
    case 'pk':
    case 'pkh':
      argCount(name, args, 1);
      return { type: name, key: parseKeyExpression(args[0]!, network, keyContext(level, false)) };
    case 'wpkh':
      if (level === 'wsh' || level === 'sh-wsh') fail('DESCRIPTOR_BAD_CONTEXT', 'wpkh() is not allowed inside wsh()');
      argCount(name, args, 1);
      return { type: 'wpkh', key: parseKeyExpression(args[0]!, network, 'segwit') };
    case 'sh':
      topOnly('sh()');
      argCount(name, args, 1);
      return { type: 'sh', inner: parseScript(args[0]!, network, 'sh') };
    case 'wsh':
      if (level !== 'top' && level !== 'sh') fail('DESCRIPTOR_BAD_CONTEXT', 'wsh() is only allowed at the top level or inside sh()');
      argCount(name, args, 1);
      return { type: 'wsh', inner: parseScript(args[0]!, network, level === 'sh' ? 'sh-wsh' : 'wsh') };
    case 'multi':
    case 'sortedmulti':
      return parseMulti(name, args, network, level);
    case 'tr': {
      topOnly('tr()');
      argCount(name, args, 1, 2);
      const internalKey = parseKeyExpression(args[0]!, network, 'tap');
      return args.length === 2 ? { type: 'tr', internalKey, tree: parseTree(args[1]!, network, 0) } : { type: 'tr', internalKey };
    }
    case 'rawtr':
      topOnly('rawtr()');
      argCount(name, args, 1);
      return { type: 'rawtr', key: parseKeyExpression(args[0]!, network, 'tap') };
    case 'raw': {
      topOnly('raw()');
      argCount(name, args, 1);
      const hex = args[0]!;
      if (!/^([0-9a-fA-F]{2})*$/.test(hex)) fail('DESCRIPTOR_BAD_HEX', `raw() argument ${JSON.stringify(hex)} is not hex`);
      return { type: 'raw', script: hexToBytes(hex.toLowerCase()) };
    }
    case 'addr': {
      topOnly('addr()');
      argCount(name, args, 1);
      try {
        return { type: 'addr', scriptPubKey: decodeAddress(args[0]!, network).scriptPubKey };
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        fail('DESCRIPTOR_BAD_ADDRESS', `addr() argument is not a valid ${network.name} address (${err.code}): ${err.message}`);
      }
    }
    case 'combo':
      // Validate the key first so its own errors (e.g. musig() here) are reported precisely.
      topOnly('combo()');
      argCount(name, args, 1);
      parseKeyExpression(args[0]!, network, 'legacy');
      fail('DESCRIPTOR_UNSUPPORTED', 'combo() (BIP384) produces several scripts per key and is not supported');
    case 'sp':
      fail('DESCRIPTOR_UNSUPPORTED', 'sp() silent payment descriptors are not supported');
    case 'musig':
      throw new DecodeError('DESCRIPTOR_MUSIG_CONTEXT', '"musig()" is only allowed as a key inside tr() or rawtr()');
    case 'multi_a':
    case 'sortedmulti_a':
      fail('DESCRIPTOR_BAD_CONTEXT', `${name}() is only allowed inside a tr() tree`);
    default:
      if (MINISCRIPT.has(name)) fail('DESCRIPTOR_UNSUPPORTED', `miniscript fragment ${name}() is not supported`);
      fail('DESCRIPTOR_UNKNOWN_FUNCTION', `has unknown script expression ${name}()`);
  }
}

/** BIP389: every multipath step in a descriptor has the same number of alternatives. */
function checkMultipath(script: ScriptExpression): void {
  const lengths = scriptKeys(script).flatMap(multipathLengths);
  if (new Set(lengths).size > 1) {
    fail('DESCRIPTOR_MULTIPATH_MISMATCH', `multipath steps must all have the same number of alternatives, got ${[...new Set(lengths)].join(' and ')}`);
  }
}

/** Parses a descriptor for `network` (its WIF and extended key prefixes, and addr() addresses). */
export function parseDescriptor(text: string, network: Network, options: ParseOptions = {}): Descriptor {
  if (typeof text !== 'string') throw new TypeError(`"descriptor" expected a string, got ${typeof text}`);
  const body = verifyChecksum(text, options.requireChecksum ?? false);
  const script = parseScript(body, network, 'top');
  checkMultipath(script);
  return { network, script };
}
