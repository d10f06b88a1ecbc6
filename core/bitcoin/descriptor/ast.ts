/**
 * The output script descriptor syntax tree: key expressions (BIP380, BIP389 multipath, BIP390
 * musig) and the script expressions Tapdesk understands (BIP381 pk/pkh/sh, BIP382 wpkh/wsh,
 * BIP383 multi/sortedmulti, BIP385 raw/addr, BIP386 tr, BIP387 multi_a/sortedmulti_a, Bitcoin
 * Core's rawtr, the BIP379 `pkh()` fragment inside tr(), and exactly two more BIP379 miniscript
 * shapes inside tr(): `and_v(v:pk(KEY),older(N))` and `and_v(v:pk(KEY),after(N))` — one key alone
 * once a relative (BIP68/BIP112) or absolute (BIP65) timelock has passed, the recovery leaf of
 * shared accounts. No other miniscript).
 *
 * Plain data: parse with `parse.ts`, print with `format.ts`, produce scripts with `derive.ts`.
 */
import type { ExtendedKey } from '../hdkey.js';
import type { Network } from '../networks.js';

/** `[fingerprint/path]` before a key. */
export interface KeyOrigin {
  readonly fingerprint: number;
  readonly path: readonly number[];
}

/** A derivation step: a child index (hardened ones include 2^31) or a BIP389 `<a;b;...>` tuple. */
export type PathStep = number | readonly number[];

/** `/*` (unhardened children), `/*h` (hardened children) or no wildcard. */
export type Wildcard = 'none' | 'unhardened' | 'hardened';

export type KeyExpression =
  /** Hex public key: 33-byte compressed, 65-byte uncompressed, or 32-byte x-only (tr() only). */
  | { readonly kind: 'hex'; readonly origin?: KeyOrigin; readonly pubkey: Uint8Array }
  | { readonly kind: 'wif'; readonly origin?: KeyOrigin; readonly privateKey: Uint8Array; readonly compressed: boolean }
  | {
      readonly kind: 'xkey';
      readonly origin?: KeyOrigin;
      readonly key: ExtendedKey;
      readonly steps: readonly PathStep[];
      readonly wildcard: Wildcard;
    }
  /** BIP390: aggregate of the participants, optionally followed by unhardened BIP328 derivation. */
  | { readonly kind: 'musig'; readonly participants: readonly KeyExpression[]; readonly steps: readonly PathStep[]; readonly wildcard: Wildcard };

/** Script expressions allowed as leaves of a tr() tree. */
export type LeafExpression =
  | { readonly type: 'pk' | 'pkh'; readonly key: KeyExpression }
  | { readonly type: 'multi_a' | 'sortedmulti_a'; readonly threshold: number; readonly keys: readonly KeyExpression[] }
  /**
   * BIP379 `and_v(v:pk(KEY),older(N))` (`lock: 'older'`, script `<KEY> CHECKSIGVERIFY <N> CHECKSEQUENCEVERIFY`)
   * or `and_v(v:pk(KEY),after(N))` (`lock: 'after'`, `... <N> CHECKLOCKTIMEVERIFY`); 1 <= N < 2^31.
   */
  | { readonly type: 'and_v'; readonly key: KeyExpression; readonly lock: 'older' | 'after'; readonly value: number };

/** A tr() script tree: a leaf or a `{left,right}` pair. */
export type TreeExpression = LeafExpression | readonly [TreeExpression, TreeExpression];

export type ScriptExpression =
  | { readonly type: 'pk' | 'pkh' | 'wpkh'; readonly key: KeyExpression }
  | { readonly type: 'multi' | 'sortedmulti'; readonly threshold: number; readonly keys: readonly KeyExpression[] }
  | { readonly type: 'sh' | 'wsh'; readonly inner: ScriptExpression }
  | { readonly type: 'tr'; readonly internalKey: KeyExpression; readonly tree?: TreeExpression }
  | { readonly type: 'rawtr'; readonly key: KeyExpression }
  | { readonly type: 'raw'; readonly script: Uint8Array }
  | { readonly type: 'addr'; readonly scriptPubKey: Uint8Array };

export interface Descriptor {
  /** Network of its WIF/extended keys and of the addresses it produces. */
  readonly network: Network;
  readonly script: ScriptExpression;
}

export function isTreeLeaf(node: TreeExpression): node is LeafExpression {
  return !Array.isArray(node);
}

/** Every key expression of a tree, left to right. */
function treeKeys(tree: TreeExpression): KeyExpression[] {
  if (!isTreeLeaf(tree)) return [...treeKeys(tree[0]), ...treeKeys(tree[1])];
  return 'key' in tree ? [tree.key] : [...tree.keys];
}

/** Every key expression of a script expression (musig() counts as one), in written order. */
export function scriptKeys(script: ScriptExpression): KeyExpression[] {
  switch (script.type) {
    case 'pk':
    case 'pkh':
    case 'wpkh':
    case 'rawtr':
      return [script.key];
    case 'multi':
    case 'sortedmulti':
      return [...script.keys];
    case 'sh':
    case 'wsh':
      return scriptKeys(script.inner);
    case 'tr':
      return [script.internalKey, ...(script.tree ? treeKeys(script.tree) : [])];
    case 'raw':
    case 'addr':
      return [];
  }
}

function mapTree(tree: TreeExpression, fn: (key: KeyExpression) => KeyExpression): TreeExpression {
  if (!isTreeLeaf(tree)) return [mapTree(tree[0], fn), mapTree(tree[1], fn)];
  return 'key' in tree ? { ...tree, key: fn(tree.key) } : { ...tree, keys: tree.keys.map(fn) };
}

/** The same script expression with every key expression replaced by `fn(key)`. */
export function mapScriptKeys(script: ScriptExpression, fn: (key: KeyExpression) => KeyExpression): ScriptExpression {
  switch (script.type) {
    case 'pk':
    case 'pkh':
    case 'wpkh':
    case 'rawtr':
      return { ...script, key: fn(script.key) };
    case 'multi':
    case 'sortedmulti':
      return { ...script, keys: script.keys.map(fn) };
    case 'sh':
    case 'wsh':
      return { ...script, inner: mapScriptKeys(script.inner, fn) };
    case 'tr':
      return script.tree
        ? { type: 'tr', internalKey: fn(script.internalKey), tree: mapTree(script.tree, fn) }
        : { type: 'tr', internalKey: fn(script.internalKey) };
    case 'raw':
    case 'addr':
      return script;
  }
}
