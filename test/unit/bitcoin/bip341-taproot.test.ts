// BIP341 wallet test vectors (bip341-wallet-test-vectors.json): every scriptPubKey case through our
// taproot.ts / tapscript adapter (leaf hashes, merkle root, tweak, output key, scriptPubKey, bech32m
// address, control blocks), cross-checked with @scure/btc-signer's p2tr; and every keyPathSpending
// input (hashPrevouts, hashAmounts, hashScriptPubkeys, hashSequences, hashOutputs, sigMsg, sigHash,
// tweaked private key, BIP340 signature with all-zero aux randomness).
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '@noble/hashes/utils.js';
import { p2tr, RawTx, taprootNumsKey, Transaction } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { decodeAddress, scriptPubKeyToAddress } from '../../../core/bitcoin/address.js';
import { mainnet } from '../../../core/bitcoin/networks.js';
import { NUMS_INTERNAL_KEY, type TapTree, taprootOutput, taprootOutputKey, tweakPrivateKey, verifyScriptPath } from '../../../core/bitcoin/taproot.js';
import { vectorJson } from '../../support/vectors.js';

interface VectorLeaf {
  id: number;
  script: string;
  leafVersion: number;
}
type VectorTree = VectorLeaf | VectorTree[];
interface ScriptPubKeyCase {
  given: { internalPubkey: string; scriptTree: VectorTree | null };
  intermediary: { leafHashes?: string[]; merkleRoot: string | null; tweak: string; tweakedPubkey: string };
  expected: { scriptPubKey: string; bip350Address: string; scriptPathControlBlocks?: string[] };
}
interface KeyPathInput {
  given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number };
  intermediary: { internalPubkey: string; tweak: string; tweakedPrivkey: string; sigMsg: string; precomputedUsed: string[]; sigHash: string };
  expected: { witness: string[] };
}
interface Vectors {
  version: number;
  scriptPubKey: ScriptPubKeyCase[];
  keyPathSpending: {
    given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
    intermediary: Record<'hashAmounts' | 'hashOutputs' | 'hashPrevouts' | 'hashScriptPubkeys' | 'hashSequences', string>;
    inputSpending: KeyPathInput[];
    auxiliary: { fullySignedTx: string };
  }[];
}
const vectors = vectorJson<Vectors>('bip341-wallet-test-vectors.json');

function toTapTree(node: VectorTree): TapTree {
  if (Array.isArray(node)) {
    if (node.length === 1) return toTapTree(node[0]!);
    expect(node).toHaveLength(2);
    return [toTapTree(node[0]!), toTapTree(node[1]!)];
  }
  return { script: hexToBytes(node.script), leafVersion: node.leafVersion };
}

/** Leaf ids in depth-first order (the order our `leaves` come out in). */
function leafIds(node: VectorTree): number[] {
  return Array.isArray(node) ? node.flatMap(leafIds) : [node.id];
}

/** The same tree in @scure/btc-signer's shape. */
function toScureTree(node: VectorTree): unknown {
  if (Array.isArray(node)) return node.length === 1 ? toScureTree(node[0]!) : node.map(toScureTree);
  return { script: hexToBytes(node.script), leafVersion: node.leafVersion };
}

describe('BIP341 wallet vectors: scriptPubKey', () => {
  it('has 7 cases', () => expect(vectors.scriptPubKey).toHaveLength(7));
  vectors.scriptPubKey.forEach((c, i) => {
    it(`BIP341 scriptPubKey(${i}): ${c.given.scriptTree ? `${leafIds(c.given.scriptTree).length}-leaf tree` : 'no script tree'}`, () => {
      const internalKey = hexToBytes(c.given.internalPubkey);
      const tree = c.given.scriptTree ? toTapTree(c.given.scriptTree) : undefined;
      const out = taprootOutput(internalKey, tree);

      expect(out.merkleRoot ? bytesToHex(out.merkleRoot) : null).toBe(c.intermediary.merkleRoot);
      expect(bytesToHex(out.tweak)).toBe(c.intermediary.tweak);
      expect(bytesToHex(out.outputKey)).toBe(c.intermediary.tweakedPubkey);
      expect(bytesToHex(out.scriptPubKey)).toBe(c.expected.scriptPubKey);
      expect(scriptPubKeyToAddress(out.scriptPubKey, mainnet)).toBe(c.expected.bip350Address);
      expect(bytesToHex(decodeAddress(c.expected.bip350Address, mainnet).scriptPubKey)).toBe(c.expected.scriptPubKey);

      if (c.given.scriptTree) {
        // Vector leafHashes and control blocks are indexed by leaf id.
        const ids = leafIds(c.given.scriptTree);
        out.leaves.forEach((leaf, k) => {
          const id = ids[k]!;
          expect(bytesToHex(leaf.leafHash)).toBe(c.intermediary.leafHashes![id]);
          expect(bytesToHex(leaf.controlBlock)).toBe(c.expected.scriptPathControlBlocks![id]);
          expect(verifyScriptPath(out.outputKey, leaf.script, leaf.controlBlock)).toBe(true);
          // The same control block must not prove a different script.
          expect(verifyScriptPath(out.outputKey, Uint8Array.of(...leaf.script, 0x75), leaf.controlBlock)).toBe(false);
        });
      } else {
        expect(out.leaves).toEqual([]);
      }

      // Cross-check with @scure/btc-signer's independent construction.
      const scure = c.given.scriptTree
        ? p2tr(internalKey, toScureTree(c.given.scriptTree) as never, undefined, true)
        : p2tr(internalKey, undefined, undefined, true);
      expect(bytesToHex(scure.script)).toBe(c.expected.scriptPubKey);
      expect(scure.address).toBe(c.expected.bip350Address);
    });
  });
});

describe('BIP341 unspendable internal key', () => {
  it('NUMS_INTERNAL_KEY is lift_x(SHA256(G uncompressed)), as BIP341 suggests and btc-signer uses', () => {
    expect(bytesToHex(NUMS_INTERNAL_KEY)).toBe(bytesToHex(sha256(secp256k1.Point.BASE.toBytes(false))));
    expect(bytesToHex(NUMS_INTERNAL_KEY)).toBe(bytesToHex(taprootNumsKey()));
  });
});

const SIGHASH_ALL = 0x01;
const SIGHASH_NONE = 0x02;
const SIGHASH_SINGLE = 0x03;
const ANYONECANPAY = 0x80;

function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
function u64le(n: bigint): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, n, true);
  return b;
}
function varBytes(b: Uint8Array): Uint8Array {
  expect(b.length).toBeLessThan(0xfd);
  return concatBytes(Uint8Array.of(b.length), b);
}

describe('BIP341 wallet vectors: keyPathSpending', () => {
  const kp = vectors.keyPathSpending[0]!;
  const raw = hexToBytes(kp.given.rawUnsignedTx);
  const tx = RawTx.decode(raw);
  const utxos = kp.given.utxosSpent.map((u) => ({ script: hexToBytes(u.scriptPubKey), amount: BigInt(u.amountSats) }));
  // RawTx keeps txids in display order; the serialized outpoint is little-endian.
  const outpoint = (i: number) => concatBytes(Uint8Array.from(tx.inputs[i]!.txid).reverse(), u32le(tx.inputs[i]!.index));
  const serializedOutput = (o: { amount: bigint; script: Uint8Array }) => concatBytes(u64le(o.amount), varBytes(o.script));
  const hashes = {
    hashPrevouts: sha256(concatBytes(...tx.inputs.map((_, i) => outpoint(i)))),
    hashAmounts: sha256(concatBytes(...utxos.map((u) => u64le(u.amount)))),
    hashScriptPubkeys: sha256(concatBytes(...utxos.map((u) => varBytes(u.script)))),
    hashSequences: sha256(concatBytes(...tx.inputs.map((inp) => u32le(inp.sequence)))),
    hashOutputs: sha256(concatBytes(...tx.outputs.map(serializedOutput))),
  };

  it('BIP341 keyPathSpending(0) transaction-wide intermediary hashes', () => {
    expect(vectors.keyPathSpending).toHaveLength(1);
    for (const name of Object.keys(kp.intermediary) as (keyof typeof hashes)[]) {
      expect(bytesToHex(hashes[name]), name).toBe(kp.intermediary[name]);
    }
  });

  /** Epoch 0x00 || BIP341 SigMsg(hash_type, ext_flag = 0), key path without annex (as the vectors give it). */
  function sigMsg(index: number, hashType: number): Uint8Array {
    const outType = hashType === 0 ? SIGHASH_ALL : hashType & 3;
    const anyoneCanPay = (hashType & ANYONECANPAY) !== 0;
    const parts: Uint8Array[] = [Uint8Array.of(0x00, hashType), u32le(tx.version), u32le(tx.lockTime)];
    if (!anyoneCanPay) parts.push(hashes.hashPrevouts, hashes.hashAmounts, hashes.hashScriptPubkeys, hashes.hashSequences);
    if (outType !== SIGHASH_NONE && outType !== SIGHASH_SINGLE) parts.push(hashes.hashOutputs);
    parts.push(Uint8Array.of(0)); // spend_type: no annex, key path
    if (anyoneCanPay) {
      parts.push(outpoint(index), u64le(utxos[index]!.amount), varBytes(utxos[index]!.script), u32le(tx.inputs[index]!.sequence));
    } else {
      parts.push(u32le(index));
    }
    if (outType === SIGHASH_SINGLE) parts.push(sha256(serializedOutput(tx.outputs[index]!)));
    return concatBytes(...parts);
  }

  const signer = Transaction.fromRaw(raw, { allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });

  kp.inputSpending.forEach((input, k) => {
    const { txinIndex, internalPrivkey, merkleRoot, hashType } = input.given;
    it(`BIP341 keyPathSpending(0) input ${k} (txin ${txinIndex}, hashType 0x${hashType.toString(16)})`, () => {
      const priv = hexToBytes(internalPrivkey);
      const root = merkleRoot ? hexToBytes(merkleRoot) : undefined;
      const internalPubkey = schnorr.getPublicKey(priv);
      expect(bytesToHex(internalPubkey)).toBe(input.intermediary.internalPubkey);

      // The vectors give only the merkle root, not the tree behind it.
      const withRoot = taprootOutputKey(internalPubkey, root);
      expect(bytesToHex(withRoot.tweak)).toBe(input.intermediary.tweak);
      expect(bytesToHex(withRoot.scriptPubKey)).toBe(kp.given.utxosSpent[txinIndex]!.scriptPubKey);

      const tweaked = tweakPrivateKey(priv, root);
      expect(bytesToHex(tweaked)).toBe(input.intermediary.tweakedPrivkey);
      expect(bytesToHex(schnorr.getPublicKey(tweaked))).toBe(bytesToHex(withRoot.outputKey));

      const msg = sigMsg(txinIndex, hashType);
      expect(bytesToHex(msg)).toBe(input.intermediary.sigMsg);
      const sigHash = schnorr.utils.taggedHash('TapSighash', msg);
      expect(bytesToHex(sigHash)).toBe(input.intermediary.sigHash);
      const scureHash = signer.preimageWitnessV1(txinIndex, utxos.map((u) => u.script), hashType, utxos.map((u) => u.amount));
      expect(bytesToHex(scureHash)).toBe(input.intermediary.sigHash);

      // BIP341's vectors sign with all-zero auxiliary randomness, which makes BIP340 deterministic.
      const sig = schnorr.sign(sigHash, tweaked, new Uint8Array(32));
      const witnessSig = hashType === 0 ? sig : concatBytes(sig, Uint8Array.of(hashType));
      expect(input.expected.witness).toEqual([bytesToHex(witnessSig)]);
      expect(schnorr.verify(sig, sigHash, withRoot.outputKey)).toBe(true);
    });
  });

  it('BIP341 keyPathSpending(0) fully signed transaction carries those witnesses', () => {
    const signed = RawTx.decode(hexToBytes(kp.auxiliary.fullySignedTx));
    for (const input of kp.inputSpending) {
      expect(signed.witnesses![input.given.txinIndex]!.map((w) => bytesToHex(w))).toEqual(input.expected.witness);
    }
  });
});

