/**
 * Block-level consensus rules of the Playground, pure: merkle roots (with the CVE-2012-2459
 * mutation check), the BIP141 witness commitment, regtest proof of work, Core's CheckBlock and
 * ContextualCheckBlock/Header, and building a coinbase (BIP34 height, witness commitment).
 * https://github.com/bitcoin/bips/blob/master/bip-0141.mediawiki#commitment-structure
 *
 * Not here: rules that need the UTXO set (chainstate.ts connects blocks), mining policy (miner.ts).
 */
import { hex } from '@scure/base';
import { checkTransaction, isCoinbase, isFinalTx, legacySigOps, rejection, type Rejection } from './consensus.js';
import { MAX_BLOCK_SIGOPS_COST, MAX_BLOCK_WEIGHT, MAX_FUTURE_BLOCK_TIME, POW_BITS, WITNESS_SCALE_FACTOR } from './params.js';
import { pushInt } from './script.js';
import { finalizeTx, hashToHex, hexToHash, sha256d, type BlockHeader, type DecodedBlock, type DecodedTx, type TxOut } from './wire.js';

/** Header of the BIP141 commitment output: OP_RETURN, push 36, 0xaa21a9ed. */
const COMMITMENT_HEADER = Uint8Array.of(0x6a, 0x24, 0xaa, 0x21, 0xa9, 0xed);

/** Block version the miner sets (BIP9 top bits, no deployment signalled). */
export const MINER_BLOCK_VERSION = 0x20000000;

/** Merkle root over display-order hashes; `mutated` flags duplicate sibling pairs (CVE-2012-2459). */
export function merkleRoot(hashes: readonly string[]): { root: string; mutated: boolean } {
  if (hashes.length === 0) return { root: '0'.repeat(64), mutated: false };
  let level = hashes.map(hexToHash);
  let mutated = false;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const left = level[i]!;
      const right = level[i + 1] ?? left;
      if (i + 1 < level.length && hex.encode(left) === hex.encode(right)) mutated = true;
      const pair = new Uint8Array(64);
      pair.set(left, 0);
      pair.set(right, 32);
      next.push(sha256d(pair));
    }
    level = next;
  }
  return { root: hashToHex(level[0]!), mutated };
}

/** Target encoded by compact `bits`, or null when negative/overflowing (Core: fNegative/fOverflow). */
export function targetFromBits(bits: number): bigint | null {
  const exponent = bits >>> 24;
  const mantissa = bits & 0x007fffff;
  if (mantissa !== 0 && bits & 0x00800000) return null;
  const target = exponent <= 3 ? BigInt(mantissa >>> (8 * (3 - exponent))) : BigInt(mantissa) << BigInt(8 * (exponent - 3));
  if (target >= 1n << 256n) return null;
  return target;
}

/** Work a block with `bits` proves: 2^256 / (target + 1). */
export function blockWork(bits: number): bigint {
  const target = targetFromBits(bits);
  return target === null || target === 0n ? 0n : (1n << 256n) / (target + 1n);
}

export function checkProofOfWork(hash: string, bits: number): boolean {
  const target = targetFromBits(bits);
  return target !== null && target !== 0n && BigInt(`0x${hash}`) <= target;
}

/** Core's GetDifficulty: the genesis target's mantissa over this one, in floating point. */
export function difficulty(bits: number): number {
  let shift = (bits >>> 24) & 0xff;
  let diff = 0x0000ffff / (bits & 0x00ffffff);
  while (shift < 29) {
    diff *= 256.0;
    shift++;
  }
  while (shift > 29) {
    diff /= 256.0;
    shift--;
  }
  return diff;
}

/** Index of the last output carrying a witness commitment, as Core's GetWitnessCommitmentIndex. */
export function witnessCommitmentIndex(coinbase: DecodedTx): number {
  let index = -1;
  coinbase.outputs.forEach((out, i) => {
    if (out.script.length >= 38 && COMMITMENT_HEADER.every((b, j) => out.script[j] === b)) index = i;
  });
  return index;
}

/** sha256d(witness merkle root || reserved value): the coinbase's wtxid counts as zero. */
export function witnessCommitment(txs: readonly DecodedTx[], reserved: Uint8Array): Uint8Array {
  const wtxids = txs.map((tx, i) => (i === 0 ? '0'.repeat(64) : tx.wtxid));
  const root = hexToHash(merkleRoot(wtxids).root);
  const data = new Uint8Array(64);
  data.set(root, 0);
  data.set(reserved, 32);
  return sha256d(data);
}

/** Core's CheckBlock: structure, proof of work, merkle root, every transaction's own rules. */
export function checkBlock(block: DecodedBlock): Rejection | null {
  if (!checkProofOfWork(block.hash, block.header.bits)) return rejection('high-hash', 'proof of work failed');
  const { root, mutated } = merkleRoot(block.txs.map((t) => t.txid));
  if (root !== block.header.merkleRoot) return rejection('bad-txnmrklroot', 'hashMerkleRoot mismatch');
  if (mutated) return rejection('bad-txns-duplicate', 'duplicate transaction');
  if (block.txs.length === 0 || block.txs.length * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT || block.strippedSize * WITNESS_SCALE_FACTOR > MAX_BLOCK_WEIGHT) {
    return rejection('bad-blk-length', 'size limits failed');
  }
  if (!isCoinbase(block.txs[0]!)) return rejection('bad-cb-missing', 'first tx is not coinbase');
  if (block.txs.slice(1).some(isCoinbase)) return rejection('bad-cb-multiple', 'more than one coinbase');
  for (const tx of block.txs) {
    const r = checkTransaction(tx);
    if (r) return rejection(r.reason, `Transaction check failed (tx hash ${tx.txid}) ${r.debug ?? ''}`.trimEnd());
  }
  const sigops = block.txs.reduce((n, tx) => n + legacySigOps(tx), 0);
  if (sigops * WITNESS_SCALE_FACTOR > MAX_BLOCK_SIGOPS_COST) return rejection('bad-blk-sigops', 'out-of-bounds SigOpCount');
  return null;
}

/** Core's ContextualCheckBlockHeader on regtest. `prevMtp` is the parent's median time past. */
export function contextualCheckHeader(header: BlockHeader, height: number, prevMtp: number, now: number): Rejection | null {
  if (header.bits !== POW_BITS) return rejection('bad-diffbits', 'incorrect proof of work');
  if (header.time <= prevMtp) return rejection('time-too-old', "block's timestamp is too early");
  if (header.time > now + MAX_FUTURE_BLOCK_TIME) return rejection('time-too-new', "block timestamp too far in the future");
  // BIP34, BIP66 and BIP65 are active from height 1 on regtest: version 4 at least.
  if (height >= 1 && header.version < 4) {
    return rejection(`bad-version(0x${(header.version >>> 0).toString(16).padStart(8, '0')})`, `rejected nVersion=0x${(header.version >>> 0).toString(16).padStart(8, '0')} block`);
  }
  return null;
}

/** Core's ContextualCheckBlock: finality (BIP113), BIP34 height, witness commitment, weight. */
export function contextualCheckBlock(block: DecodedBlock, height: number, prevMtp: number): Rejection | null {
  for (const tx of block.txs) {
    if (!isFinalTx(tx, height, prevMtp)) return rejection('bad-txns-nonfinal', 'non-final transaction');
  }
  const coinbase = block.txs[0]!;
  if (height >= 1) {
    const expect = pushInt(height);
    const sig = coinbase.inputs[0]!.scriptSig;
    if (sig.length < expect.length || !expect.every((b, i) => sig[i] === b)) {
      return rejection('bad-cb-height', 'block height mismatch in coinbase');
    }
  }
  const at = witnessCommitmentIndex(coinbase);
  let hasCommitment = false;
  if (at >= 0) {
    const witness = coinbase.inputs[0]!.witness;
    if (witness.length !== 1 || witness[0]!.length !== 32) {
      return rejection('bad-witness-nonce-size', 'CheckWitnessMerkleRoot : invalid witness reserved value size');
    }
    const expected = witnessCommitment(block.txs, witness[0]!);
    const got = coinbase.outputs[at]!.script.subarray(6, 38);
    if (!expected.every((b, i) => got[i] === b)) {
      return rejection('bad-witness-merkle-match', 'CheckWitnessMerkleRoot : witness merkle commitment mismatch');
    }
    hasCommitment = true;
  }
  if (!hasCommitment && block.txs.some((tx) => tx.hasWitness)) {
    return rejection('unexpected-witness', 'CheckWitnessMerkleRoot : unexpected witness data found');
  }
  if (block.weight > MAX_BLOCK_WEIGHT) return rejection('bad-blk-weight', 'ContextualCheckBlock : weight limit failed');
  return null;
}

/**
 * The coinbase Core's miner writes: scriptSig `<height> OP_0` (or `<height> <extraNonce>` to make
 * a block unique), the reward to `payout`, then the witness commitment; witness = 32 zero bytes.
 */
export function buildCoinbase(height: number, payout: Uint8Array, reward: bigint, txs: readonly DecodedTx[], extraNonce: number): DecodedTx {
  const heightPush = pushInt(height);
  const tail = extraNonce === 0 ? Uint8Array.of(0x00) : pushInt(extraNonce);
  const scriptSig = new Uint8Array(heightPush.length + tail.length);
  scriptSig.set(heightPush, 0);
  scriptSig.set(tail, heightPush.length);
  const reserved = new Uint8Array(32);
  const outputs: TxOut[] = [{ value: reward, script: payout }];
  const draft = {
    version: 2,
    inputs: [{ txid: '0'.repeat(64), vout: 0xffffffff, scriptSig, sequence: 0xffffffff, witness: [reserved] }],
    outputs,
    locktime: 0,
  };
  // The commitment ignores the coinbase's own wtxid, so it can be computed before the coinbase exists.
  const placeholder = finalizeTx(draft);
  const commitment = witnessCommitment([placeholder, ...txs], reserved);
  const script = new Uint8Array(38);
  script.set(COMMITMENT_HEADER, 0);
  script.set(commitment, 6);
  outputs.push({ value: 0n, script });
  return finalizeTx(draft);
}
