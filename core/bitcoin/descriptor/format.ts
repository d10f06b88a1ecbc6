/**
 * Prints a descriptor syntax tree back to text in canonical form: lower-case hex, `h` as the
 * hardened marker, no spaces, canonical addresses in addr(), and the BIP380 checksum appended.
 * Parsing the output gives an equal tree.
 *
 * Not here: dropping private keys (`transform.ts`).
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { scriptPubKeyToAddress } from '../address.js';
import type { Network } from '../networks.js';
import { type Descriptor, isTreeLeaf, type LeafExpression, type ScriptExpression, type TreeExpression } from './ast.js';
import { withChecksum } from './checksum.js';
import { formatKeyExpression } from './key-expression.js';

function formatLeaf(leaf: LeafExpression, network: Network): string {
  if (leaf.type === 'and_v') return `and_v(v:pk(${formatKeyExpression(leaf.key, network)}),${leaf.lock}(${leaf.value}))`;
  if ('key' in leaf) return `${leaf.type}(${formatKeyExpression(leaf.key, network)})`;
  return `${leaf.type}(${[String(leaf.threshold), ...leaf.keys.map((k) => formatKeyExpression(k, network))].join(',')})`;
}

function formatTree(tree: TreeExpression, network: Network): string {
  return isTreeLeaf(tree) ? formatLeaf(tree, network) : `{${formatTree(tree[0], network)},${formatTree(tree[1], network)}}`;
}

function formatScript(script: ScriptExpression, network: Network): string {
  switch (script.type) {
    case 'pk':
    case 'pkh':
    case 'wpkh':
    case 'rawtr':
      return `${script.type}(${formatKeyExpression(script.key, network)})`;
    case 'multi':
    case 'sortedmulti':
      return `${script.type}(${[String(script.threshold), ...script.keys.map((k) => formatKeyExpression(k, network))].join(',')})`;
    case 'sh':
    case 'wsh':
      return `${script.type}(${formatScript(script.inner, network)})`;
    case 'tr': {
      const key = formatKeyExpression(script.internalKey, network);
      return script.tree ? `tr(${key},${formatTree(script.tree, network)})` : `tr(${key})`;
    }
    case 'raw':
      return `raw(${bytesToHex(script.script)})`;
    case 'addr':
      return `addr(${scriptPubKeyToAddress(script.scriptPubKey, network)})`;
  }
}

/** Canonical text of a descriptor, with `#checksum` unless `checksum: false`. */
export function formatDescriptor(descriptor: Descriptor, options: { checksum?: boolean } = {}): string {
  const body = formatScript(descriptor.script, descriptor.network);
  return options.checksum === false ? body : withChecksum(body);
}
