// The @cmdcode/tapscript adapter (core/bitcoin/tapscript.ts) on its own: every BIP341 scriptPubKey
// vector through the adapter's functions directly (leaf hashes, merkle root, tweak, output key,
// control blocks built and parsed), then random trees against @scure/btc-signer's p2tr — including
// scripts of 253+ bytes, where the library's own script decoder fails.
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { p2tr, TaprootControlBlock } from '@scure/btc-signer';
import { type TaprootScriptTree, tapLeafHash as scureTapLeafHash } from '@scure/btc-signer/payment.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { pushData } from '../../../core/bitcoin/script-number.js';
import { type TapTree, taprootOutput } from '../../../core/bitcoin/taproot.js';
import {
  buildControlBlock,
  isValidLeafVersion,
  type LeafHashTree,
  parseControlBlock,
  tapBranchHash,
  tapLeafHash,
  tapMerkleTree,
  tapTweakHash,
  tweakedOutputKey,
} from '../../../core/bitcoin/tapscript.js';
import { vectorJson } from '../../support/vectors.js';

interface VectorLeaf {
  id: number;
  script: string;
  leafVersion: number;
}
type VectorTree = VectorLeaf | VectorTree[];
interface Case {
  given: { internalPubkey: string; scriptTree: VectorTree | null };
  intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string; tweakedPubkey: string };
  expected: { scriptPubKey: string; scriptPathControlBlocks?: string[] };
}
const cases = vectorJson<{ scriptPubKey: Case[] }>('bip341-wallet-test-vectors.json').scriptPubKey;

function hashTree(node: VectorTree): LeafHashTree {
  if (Array.isArray(node)) return node.length === 1 ? hashTree(node[0]!) : [hashTree(node[0]!), hashTree(node[1]!)];
  return tapLeafHash(hexToBytes(node.script), node.leafVersion);
}
function leaves(node: VectorTree): VectorLeaf[] {
  return Array.isArray(node) ? node.flatMap(leaves) : [node];
}

describe('tapscript adapter on the BIP341 scriptPubKey vectors', () => {
  cases.forEach((c, i) => {
    it(`BIP341 scriptPubKey(${i}) through the adapter`, () => {
      const internalKey = hexToBytes(c.given.internalPubkey);
      let root: Uint8Array | undefined;
      if (c.given.scriptTree) {
        for (const leaf of leaves(c.given.scriptTree)) {
          expect(bytesToHex(tapLeafHash(hexToBytes(leaf.script), leaf.leafVersion))).toBe(c.intermediary.leafHashes![leaf.id]);
        }
        const tree = tapMerkleTree(hashTree(c.given.scriptTree));
        root = tree.root;
        expect(bytesToHex(root)).toBe(c.intermediary.merkleRoot);
        const { parity, outputKey } = tweakedOutputKey(internalKey, root);
        leaves(c.given.scriptTree).forEach((leaf, k) => {
          const block = buildControlBlock({ leafVersion: leaf.leafVersion, parity, internalKey, path: tree.paths[k]! });
          const expected = c.expected.scriptPathControlBlocks![leaf.id]!;
          expect(bytesToHex(block)).toBe(expected);
          const parsed = parseControlBlock(hexToBytes(expected));
          expect(parsed.leafVersion).toBe(leaf.leafVersion);
          expect(parsed.parity).toBe(parity);
          expect(bytesToHex(parsed.internalKey)).toBe(c.given.internalPubkey);
          expect(parsed.path.map(bytesToHex)).toEqual(tree.paths[k]!.map(bytesToHex));
        });
        expect(bytesToHex(outputKey)).toBe(c.intermediary.tweakedPubkey);
      }
      expect(bytesToHex(tapTweakHash(internalKey, root))).toBe(c.intermediary.tweak);
      const q = tweakedOutputKey(internalKey, root);
      expect(bytesToHex(q.outputKey)).toBe(c.intermediary.tweakedPubkey);
      expect(`5120${bytesToHex(q.outputKey)}`).toBe(c.expected.scriptPubKey);
    });
  });
});

describe('tapscript adapter primitives', () => {
  it('orders TapBranch children', () => {
    const a = new Uint8Array(32).fill(1);
    const b = new Uint8Array(32).fill(2);
    expect(bytesToHex(tapBranchHash(a, b))).toBe(bytesToHex(tapBranchHash(b, a)));
  });

  it.each([0, 0xfc, 0xfd, 0xffff, 0x10000])('hashes a %i-byte leaf script like @scure/btc-signer', (len) => {
    const script = new Uint8Array(len).fill(0x61);
    expect(bytesToHex(tapLeafHash(script))).toBe(bytesToHex(scureTapLeafHash(script)));
    expect(bytesToHex(tapLeafHash(script, 0xfa))).toBe(bytesToHex(scureTapLeafHash(script, 0xfa)));
  });

  it('accepts only even leaf versions other than the annex tag', () => {
    expect(isValidLeafVersion(0xc0)).toBe(true);
    expect(isValidLeafVersion(0xc1)).toBe(false);
    expect(isValidLeafVersion(0x50)).toBe(false);
    expect(isValidLeafVersion(0x100)).toBe(false);
    expect(() => tapLeafHash(Uint8Array.of(0x51), 0xc1)).toThrow(RangeError);
  });

  it('rejects internal keys that are not on the curve', () => {
    const notOnCurve = hexToBytes('0000000000000000000000000000000000000000000000000000000000000005');
    expect(() => tweakedOutputKey(notOnCurve)).toThrow(RangeError);
    expect(() => tweakedOutputKey(new Uint8Array(32).fill(0xff))).toThrow(RangeError);
  });

  it('rejects malformed control blocks with TAPROOT_BAD_CONTROL_BLOCK', () => {
    const good = hexToBytes(cases[3]!.expected.scriptPathControlBlocks![0]!);
    const bad = [
      good.subarray(0, 32),
      good.subarray(0, 34),
      Uint8Array.of(...good, 1),
      new Uint8Array(33 + 32 * 129).fill(0xc0),
      Uint8Array.of(0x50, ...good.subarray(1)),
      Uint8Array.of(0xc0, ...new Uint8Array(32).fill(0xff)),
    ];
    for (const b of bad) {
      expect(() => parseControlBlock(b)).toThrow(DecodeError);
      expect(() => parseControlBlock(b)).toThrow(expect.objectContaining({ code: 'TAPROOT_BAD_CONTROL_BLOCK' }));
    }
    expect(parseControlBlock(Uint8Array.of(0xc1, ...good.subarray(1, 33))).parity).toBe(1);
  });
});

// btc-signer parses tapscript leaves, so random scripts are well-formed: pushes and plain opcodes.
const scriptArb = fc
  .array(
    fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 40 }).map(pushData),
      fc.integer({ min: 250, max: 300 }).map((n) => pushData(new Uint8Array(n).fill(7))),
      fc.constantFrom(0xac, 0xad, 0xba, 0x87, 0x75).map((op) => Uint8Array.of(op)),
    ),
    { maxLength: 4 },
  )
  .map((parts) => concatBytes(...parts));
const leafArb: fc.Arbitrary<TapTree> = fc.record({
  script: scriptArb,
  leafVersion: fc.constantFrom(0xc0, 0xc2, 0xfa),
});
const treeArb: fc.Arbitrary<TapTree> = fc.letrec<{ tree: TapTree }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafArb, fc.tuple(tie('tree'), tie('tree'))),
})).tree;
const secretArb = fc.uint8Array({ minLength: 48, maxLength: 48 }).map((b) => schnorr.utils.randomSecretKey(b));

function toScure(tree: TapTree): TaprootScriptTree {
  return Array.isArray(tree) ? (tree as readonly TapTree[]).map(toScure) : (tree as TaprootScriptTree);
}

describe('tapscript adapter vs @scure/btc-signer on random trees', () => {
  it('produces the same output key, merkle root and control blocks', () => {
    fc.assert(
      fc.property(secretArb, treeArb, (secret, tree) => {
        const internalKey = schnorr.getPublicKey(secret);
        const ours = taprootOutput(internalKey, tree);
        const scure = p2tr(internalKey, toScure(tree), undefined, true);
        expect(bytesToHex(ours.outputKey)).toBe(bytesToHex(scure.tweakedPubkey));
        expect(bytesToHex(ours.merkleRoot!)).toBe(bytesToHex(scure.tapMerkleRoot));
        expect(bytesToHex(ours.scriptPubKey)).toBe(bytesToHex(scure.script));
        // btc-signer lists leaves in its own order; match each of ours by script and version.
        const scureBlocks = new Map(scure.tapLeafScript!.map(([cb, s]) => [bytesToHex(s), bytesToHex(TaprootControlBlock.encode(cb))]));
        for (const leaf of ours.leaves) {
          const key = bytesToHex(Uint8Array.of(...leaf.script, leaf.leafVersion));
          const theirs = scureBlocks.get(key);
          // Repeated leaves collapse in btc-signer's map; their blocks may differ only in path order.
          if (ours.leaves.filter((l) => bytesToHex(Uint8Array.of(...l.script, l.leafVersion)) === key).length === 1) {
            expect(bytesToHex(leaf.controlBlock)).toBe(theirs);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});
