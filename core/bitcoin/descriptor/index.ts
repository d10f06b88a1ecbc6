/**
 * Output script descriptors (BIP380-387, BIP389 multipath, BIP390 musig() keys): parse untrusted
 * text into a syntax tree, print it back canonically with its checksum, expand and neuter it, and
 * derive scripts, addresses, Taproot outputs and key origins at an index and branch.
 */
export type { Descriptor, KeyExpression, KeyOrigin, LeafExpression, PathStep, ScriptExpression, TreeExpression, Wildcard } from './ast.js';
export { descriptorChecksum, verifyChecksum, withChecksum } from './checksum.js';
export {
  deriveDescriptor,
  type DerivedKey,
  type DerivedOutput,
  type DeriveOptions,
  isRangedDescriptor,
  type MusigAggregate,
  multipathBranches,
  musigSyntheticXpub,
} from './derive.js';
export { formatDescriptor } from './format.js';
export { formatKeyExpression, type KeyContext, parseKeyExpression } from './key-expression.js';
export { type ParseOptions, parseDescriptor } from './parse.js';
export { expandMultipath, toPublicDescriptor } from './transform.js';
