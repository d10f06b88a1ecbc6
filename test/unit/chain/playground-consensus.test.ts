// Consensus and policy rejections of the Playground, each with Bitcoin Core 28's exact reject reason
// (and debug text where Core gives one): accept-to-mempool first, then the same rules inside blocks
// (generateblock's TestBlockValidity and submitblock's result strings).
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Script } from '@scure/btc-signer/script.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCoinbase } from '../../../core/chain/playground/consensus.js';
import { checkProofOfWork, merkleRoot } from '../../../core/chain/playground/block-rules.js';
import { mineBlock } from '../../../core/chain/playground/miner.js';
import { assembleBlock, finalizeTx, type BlockHeader, type DecodedBlock, type DecodedTx } from '../../../core/chain/playground/wire.js';
import { key, spendKeyPath, spendScriptPath, spendWpkh, tapTree, TestNode, withWitness, type Utxo } from './playground-fixtures.js';

const alice = key(1);
const bob = key(2);
const EMPTY = new Uint8Array();

let node: TestNode;
beforeAll(() => {
  node = new TestNode();
});
afterAll(() => node.close());

function reject(tx: DecodedTx) {
  const outcome = node.pg.acceptTx(tx, true);
  if (outcome.ok) throw new Error(`accepted ${tx.txid}`);
  return outcome.rejection;
}

/** Core's TestBlockValidity result for a block with exactly `txs` on the tip. */
function blockReject(txs: DecodedTx[]) {
  const result = node.pg.generateBlock(alice.p2tr, txs, false);
  if ('block' in result) throw new Error('block accepted');
  return result.rejection;
}

/** `tx` with its first output raised to `value` (the signer refuses to build that; the node must too). */
function overpaying(tx: DecodedTx, value: bigint): DecodedTx {
  return finalizeTx({ ...tx, outputs: tx.outputs.map((o, i) => (i === 0 ? { ...o, value } : o)) });
}

/** Re-encodes a DER signature (plus hashtype byte) with s replaced by n − s (high S). */
function highS(sig: Uint8Array): Uint8Array {
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const lenR = sig[3]!;
  const r = sig.subarray(4, 4 + lenR);
  const lenS = sig[5 + lenR]!;
  const s = BigInt(`0x${hex.encode(sig.subarray(6 + lenR, 6 + lenR + lenS))}`);
  let sHex = (N - s).toString(16);
  if (sHex.length % 2) sHex = `0${sHex}`;
  let sBytes = hex.decode(sHex);
  if (sBytes[0]! & 0x80) sBytes = Uint8Array.from([0, ...sBytes]);
  const body = [0x02, r.length, ...r, 0x02, sBytes.length, ...sBytes];
  return Uint8Array.from([0x30, body.length, ...body, sig[sig.length - 1]!]);
}

describe('accept-to-mempool', () => {
  let coin: Utxo;
  let wpkhCoin: Utxo;
  beforeAll(() => {
    coin = node.fund(alice.p2tr, 100_000n);
    wpkhCoin = node.fund(alice.p2wpkh, 100_000n);
  });

  it('accepts a valid P2TR key-path spend and reports its fee', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    const outcome = node.pg.acceptTx(tx, true);
    expect(outcome).toMatchObject({ ok: true, txid: tx.txid, fee: 1_000n, vsize: tx.vsize });
  });

  it('bad signature: mandatory-script-verify-flag-failed (Invalid Schnorr signature)', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    const sig = Uint8Array.from(tx.inputs[0]!.witness[0]!);
    sig[20]! ^= 1;
    expect(reject(withWitness(tx, 0, 0, sig))).toEqual({ reason: 'mandatory-script-verify-flag-failed (Invalid Schnorr signature)' });
  });

  it('undefined sighash type: mandatory-script-verify-flag-failed (Invalid Schnorr signature hash type)', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    const sig = Uint8Array.from([...tx.inputs[0]!.witness[0]!, 0x04]);
    expect(reject(withWitness(tx, 0, 0, sig)).reason).toBe('mandatory-script-verify-flag-failed (Invalid Schnorr signature hash type)');
  });

  it('signature over another message (SIGHASH_ALL byte appended to a DEFAULT signature): Invalid Schnorr signature', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    const sig = Uint8Array.from([...tx.inputs[0]!.witness[0]!, 0x01]);
    expect(reject(withWitness(tx, 0, 0, sig)).reason).toBe('mandatory-script-verify-flag-failed (Invalid Schnorr signature)');
  });

  it('high-S ECDSA signature: non-mandatory-script-verify-flag (policy only)', () => {
    const tx = spendWpkh(alice, [wpkhCoin], [{ script: bob.p2tr, value: 99_000n }]);
    const malleated = withWitness(tx, 0, 0, highS(tx.inputs[0]!.witness[0]!));
    expect(reject(malleated)).toEqual({ reason: 'non-mandatory-script-verify-flag (Non-canonical signature: S value is unnecessarily high)' });
  });

  it('missing input: bad-txns-inputs-missingorspent (missing-inputs)', () => {
    const tx = spendKeyPath(alice, [{ ...coin, txid: 'ab'.repeat(32) }], [{ script: bob.p2tr, value: 99_000n }]);
    expect(reject(tx)).toEqual({ reason: 'bad-txns-inputs-missingorspent', missingInputs: true });
  });

  it('spent input: bad-txns-inputs-missingorspent once the spend is mined', () => {
    const c = node.fund(alice.p2tr, 50_000n);
    const first = spendKeyPath(alice, [c], [{ script: bob.p2tr, value: 49_000n }]);
    expect(node.pg.acceptTx(first).ok).toBe(true);
    node.mine(1);
    const second = spendKeyPath(alice, [c], [{ script: alice.p2tr, value: 48_000n }]);
    expect(reject(second)).toEqual({ reason: 'bad-txns-inputs-missingorspent', missingInputs: true });
    expect(reject(first)).toEqual({ reason: 'txn-already-known' });
  });

  it('immature coinbase: bad-txns-premature-spend-of-coinbase, tried to spend coinbase at depth 1', () => {
    const [hash] = node.pg.generate(1, alice.p2tr);
    const cb = node.pg.chain.block(hash!)!.txs[0]!;
    const tx = spendKeyPath(alice, [{ txid: cb.txid, vout: 0, value: cb.outputs[0]!.value, script: alice.p2tr }], [{ script: bob.p2tr, value: 1_000_000n }]);
    expect(reject(tx)).toEqual({ reason: 'bad-txns-premature-spend-of-coinbase', debug: 'tried to spend coinbase at depth 1' });
  });

  it('outputs above inputs: bad-txns-in-belowout with Core’s amounts', () => {
    const tx = overpaying(spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]), 110_000n);
    expect(reject(tx)).toEqual({ reason: 'bad-txns-in-belowout', debug: 'value in (0.001) < value out (0.0011)' });
  });

  it('dust output: dust', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 329n }, { script: alice.p2tr, value: 90_000n }]);
    expect(reject(tx)).toEqual({ reason: 'dust' });
    const atThreshold = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 330n }, { script: alice.p2tr, value: 90_000n }]);
    expect(node.pg.acceptTx(atThreshold, true).ok).toBe(true);
  });

  it('fee below 1 sat/vB: min relay fee not met, with fee and minimum', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 100_000n - 100n }]);
    expect(reject(tx)).toEqual({ reason: 'min relay fee not met', debug: `100 < ${tx.vsize}` });
  });

  it('a coinbase-shaped transaction: coinbase', () => {
    const cb = node.pg.chain.block(node.pg.chain.tip.hash)!.txs[0]!;
    expect(isCoinbase(cb)).toBe(true);
    expect(reject(cb)).toEqual({ reason: 'coinbase' });
  });

  it('version 3 and version 0: version', () => {
    expect(reject(spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], { version: 3 }))).toEqual({ reason: 'version' });
    expect(reject(spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], { version: 0 }))).toEqual({ reason: 'version' });
  });

  it('non-standard output script: scriptpubkey; two OP_RETURNs: multi-op-return', () => {
    expect(reject(spendKeyPath(alice, [coin], [{ script: Uint8Array.of(0x51, 0x51), value: 99_000n }]))).toEqual({ reason: 'scriptpubkey' });
    const opReturn = Script.encode(['RETURN', Uint8Array.of(1, 2, 3)]);
    const two = spendKeyPath(alice, [coin], [{ script: opReturn, value: 0n }, { script: opReturn, value: 0n }, { script: bob.p2tr, value: 99_000n }]);
    expect(reject(two)).toEqual({ reason: 'multi-op-return' });
  });

  it('non-witness size under 65 bytes: tx-size-small', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: Script.encode(['RETURN']), value: 99_000n }]);
    expect(tx.baseSize).toBeLessThan(65);
    expect(reject(tx)).toEqual({ reason: 'tx-size-small' });
  });

  it('twice: txn-already-in-mempool; same txid, other witness: txn-same-nonwitness-data-in-mempool', () => {
    const c = node.fund(alice.p2wpkh, 40_000n);
    const tx = spendWpkh(alice, [c], [{ script: bob.p2tr, value: 39_000n }]);
    expect(node.pg.acceptTx(tx).ok).toBe(true);
    expect(reject(tx)).toEqual({ reason: 'txn-already-in-mempool' });
    const other = withWitness(tx, 0, 0, highS(tx.inputs[0]!.witness[0]!));
    expect(other.txid).toBe(tx.txid);
    expect(other.wtxid).not.toBe(tx.wtxid);
    expect(reject(other)).toEqual({ reason: 'txn-same-nonwitness-data-in-mempool' });
  });

  it('locktime not reached: non-final', () => {
    const tip = node.pg.chain.tipHeight;
    const late = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], { locktime: tip + 1, sequence: 0xfffffffe });
    expect(reject(late)).toEqual({ reason: 'non-final' });
    const ok = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], { locktime: tip, sequence: 0xfffffffe });
    expect(node.pg.acceptTx(ok, true).ok).toBe(true);
  });
});

describe('script-path spends accepted and mined', () => {
  const carol = key(3);
  const preimage = new Uint8Array(32).fill(0x11);
  const multisigLeaf = Script.encode([alice.xonly, 'CHECKSIG', bob.xonly, 'CHECKSIGADD', carol.xonly, 'CHECKSIGADD', 2, 'NUMEQUAL']);
  const hashlockLeaf = Script.encode(['SHA256', sha256(preimage), 'EQUALVERIFY', carol.xonly, 'CHECKSIG']);

  it('CHECKSIGADD 2-of-3 and hashlock leaves of one tree each spend one output', () => {
    const tree = tapTree(carol.xonly, [multisigLeaf, hashlockLeaf]);
    const a = node.fund(tree.script, 60_000n);
    const b = node.fund(tree.script, 60_000n);
    const viaMultisig = spendScriptPath(a, tree.leaves[0]!, [{ script: alice.p2tr, value: 59_000n }], (sign) => [EMPTY, sign(bob), sign(alice)]);
    const viaHashlock = spendScriptPath(b, tree.leaves[1]!, [{ script: alice.p2tr, value: 59_000n }], (sign) => [sign(carol), preimage]);
    expect(node.pg.acceptTx(viaMultisig).ok).toBe(true);
    expect(node.pg.acceptTx(viaHashlock).ok).toBe(true);
    const [hash] = node.mine(1);
    expect(node.pg.chain.block(hash!)!.txs.map((t) => t.txid).slice(1).sort()).toEqual([viaMultisig.txid, viaHashlock.txid].sort());
  });

  it('a 2-of-3 leaf with one signature: mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)', () => {
    const tree = tapTree(carol.xonly, [multisigLeaf, hashlockLeaf]);
    const c = node.fund(tree.script, 60_000n);
    const tx = spendScriptPath(c, tree.leaves[0]!, [{ script: alice.p2tr, value: 59_000n }], (sign) => [EMPTY, EMPTY, sign(alice)]);
    expect(reject(tx)).toEqual({ reason: 'mandatory-script-verify-flag-failed (Script evaluated without error but finished with a false/empty top stack element)' });
  });
});

describe('script timelocks in the mempool (BIP65 CLTV, BIP112 CSV)', () => {
  const csvLeaf = Script.encode([10, 'CHECKSEQUENCEVERIFY', 'DROP', alice.xonly, 'CHECKSIG']);
  let csvTree: ReturnType<typeof tapTree>;
  let csvCoin: Utxo;
  beforeAll(() => {
    csvTree = tapTree(bob.xonly, [csvLeaf]);
    csvCoin = node.fund(csvTree.script, 80_000n);
  });

  it('CSV leaf with nSequence 10 one block after funding: non-BIP68-final, then accepted 9 blocks later', () => {
    const tx = spendScriptPath(csvCoin, csvTree.leaves[0]!, [{ script: bob.p2tr, value: 79_000n }], (sign) => [sign(alice)], { sequence: 10 });
    expect(reject(tx)).toEqual({ reason: 'non-BIP68-final' });
    node.mine(8);
    expect(reject(tx)).toEqual({ reason: 'non-BIP68-final' });
    node.mine(1);
    expect(node.pg.acceptTx(tx, true).ok).toBe(true);
  });

  it('CSV leaf spent with nSequence 9 once BIP68 allows it: mandatory-script-verify-flag-failed (Locktime requirement not satisfied)', () => {
    const tx = spendScriptPath(csvCoin, csvTree.leaves[0]!, [{ script: bob.p2tr, value: 79_000n }], (sign) => [sign(alice)], { sequence: 9 });
    expect(reject(tx)).toEqual({ reason: 'mandatory-script-verify-flag-failed (Locktime requirement not satisfied)' });
  });

  it('CLTV leaf: at the script’s height the transaction waits (non-final); below it the script fails', () => {
    const lockHeight = node.pg.chain.tipHeight + 5;
    const leaf = Script.encode([lockHeight, 'CHECKLOCKTIMEVERIFY', 'DROP', alice.xonly, 'CHECKSIG']);
    const tree = tapTree(bob.xonly, [leaf]);
    const c = node.fund(tree.script, 80_000n);
    const spend = (locktime: number) => spendScriptPath(c, tree.leaves[0]!, [{ script: bob.p2tr, value: 79_000n }], (sign) => [sign(alice)], { locktime, sequence: 0xfffffffe });
    expect(reject(spend(lockHeight))).toEqual({ reason: 'non-final' });
    node.mine(lockHeight - node.pg.chain.tipHeight);
    expect(node.pg.acceptTx(spend(lockHeight), true).ok).toBe(true);
    expect(reject(spend(lockHeight - 1))).toEqual({ reason: 'mandatory-script-verify-flag-failed (Locktime requirement not satisfied)' });
  });

  it('CLTV with a final nSequence fails the script (BIP65: the input must not be final)', () => {
    const lockHeight = 10;
    const leaf = Script.encode([lockHeight, 'CHECKLOCKTIMEVERIFY', 'DROP', alice.xonly, 'CHECKSIG']);
    const tree = tapTree(bob.xonly, [leaf]);
    const c = node.fund(tree.script, 80_000n);
    const tx = spendScriptPath(c, tree.leaves[0]!, [{ script: bob.p2tr, value: 79_000n }], (sign) => [sign(alice)], { locktime: lockHeight, sequence: 0xffffffff });
    expect(reject(tx)).toEqual({ reason: 'mandatory-script-verify-flag-failed (Locktime requirement not satisfied)' });
  });
});

describe('the same rules inside blocks', () => {
  let coin: Utxo;
  beforeAll(() => {
    coin = node.fund(alice.p2tr, 100_000n);
  });

  it('a valid transaction passes TestBlockValidity', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    expect('block' in node.pg.generateBlock(alice.p2tr, [tx], false)).toBe(true);
  });

  it('missing input: bad-txns-inputs-missingorspent', () => {
    const tx = spendKeyPath(alice, [{ ...coin, txid: 'cd'.repeat(32) }], [{ script: bob.p2tr, value: 99_000n }]);
    expect(blockReject([tx]).reason).toBe('bad-txns-inputs-missingorspent');
  });

  it('double spend inside one block: bad-txns-inputs-missingorspent', () => {
    const a = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    const b = spendKeyPath(alice, [coin], [{ script: alice.p2tr, value: 98_000n }]);
    expect(blockReject([a, b]).reason).toBe('bad-txns-inputs-missingorspent');
  });

  it('immature coinbase: bad-txns-premature-spend-of-coinbase', () => {
    const [hash] = node.pg.generate(1, alice.p2tr);
    const cb = node.pg.chain.block(hash!)!.txs[0]!;
    const tx = spendKeyPath(alice, [{ txid: cb.txid, vout: 0, value: cb.outputs[0]!.value, script: alice.p2tr }], [{ script: bob.p2tr, value: 1_000_000n }]);
    expect(blockReject([tx])).toEqual({ reason: 'bad-txns-premature-spend-of-coinbase', debug: 'tried to spend coinbase at depth 1' });
  });

  it('outputs above inputs: bad-txns-in-belowout', () => {
    const tx = overpaying(spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]), 100_001n);
    expect(blockReject([tx]).reason).toBe('bad-txns-in-belowout');
  });

  it('bad signature: mandatory-script-verify-flag-failed (Invalid Schnorr signature)', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }]);
    const sig = Uint8Array.from(tx.inputs[0]!.witness[0]!);
    sig[0]! ^= 1;
    expect(blockReject([withWitness(tx, 0, 0, sig)]).reason).toBe('mandatory-script-verify-flag-failed (Invalid Schnorr signature)');
  });

  it('policy-only failures are valid in blocks (high-S ECDSA)', () => {
    const c = node.fund(alice.p2wpkh, 30_000n);
    const tx = spendWpkh(alice, [c], [{ script: bob.p2tr, value: 29_000n }]);
    expect('block' in node.pg.generateBlock(alice.p2tr, [withWitness(tx, 0, 0, highS(tx.inputs[0]!.witness[0]!))], false)).toBe(true);
  });

  it('non-final locktime: bad-txns-nonfinal', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], { locktime: node.pg.chain.tipHeight + 1, sequence: 0 });
    expect(blockReject([tx])).toEqual({ reason: 'bad-txns-nonfinal', debug: 'non-final transaction' });
  });

  it('BIP68 not met: bad-txns-nonfinal, contains a non-BIP68-final transaction', () => {
    const tx = spendKeyPath(alice, [coin], [{ script: bob.p2tr, value: 99_000n }], { sequence: 50 });
    expect(blockReject([tx])).toEqual({ reason: 'bad-txns-nonfinal', debug: 'contains a non-BIP68-final transaction' });
  });
});

describe('submitblock results', () => {
  function template(fees = 0n): DecodedBlock {
    const tip = node.pg.chain.tip;
    return mineBlock({ prevHash: tip.hash, height: tip.height + 1, time: Math.max(tip.mtp + 1, node.now), payout: alice.p2tr, txs: [], fees, extraNonce: 7 });
  }
  /** A block with this header and these transactions that passes proof of work. */
  function grind(header: BlockHeader, txs: DecodedTx[]): DecodedBlock {
    for (let nonce = 0; ; nonce++) {
      const block = assembleBlock({ ...header, nonce }, txs);
      if (checkProofOfWork(block.hash, header.bits)) return block;
    }
  }

  it('a valid block joins the chain (null); again: duplicate', () => {
    const block = template();
    expect(node.pg.submitBlock(block)).toBeNull();
    expect(node.pg.chain.tip.hash).toBe(block.hash);
    expect(node.pg.submitBlock(block)).toBe('duplicate');
  });

  it('a coinbase claiming more than subsidy + fees: bad-cb-amount; offered again: duplicate-invalid', () => {
    const block = template(1n);
    expect(node.pg.submitBlock(block)).toBe('bad-cb-amount');
    expect(node.pg.submitBlock(block)).toBe('duplicate-invalid');
  });

  it('a transaction list that does not match the header: bad-txnmrklroot', () => {
    const block = template();
    const extra = node.pg.chain.block(node.pg.chain.tip.hash)!.txs[0]!;
    expect(node.pg.submitBlock(grind(block.header, [block.txs[0]!, extra]))).toBe('bad-txnmrklroot');
  });

  it('not enough work: high-hash', () => {
    const block = template();
    let nonce = 0;
    while (checkProofOfWork(assembleBlock({ ...block.header, nonce }, block.txs).hash, block.header.bits)) nonce++;
    expect(node.pg.submitBlock(assembleBlock({ ...block.header, nonce }, block.txs))).toBe('high-hash');
  });

  it('a timestamp at the median time past: time-too-old', () => {
    const block = template();
    expect(node.pg.submitBlock(grind({ ...block.header, time: node.pg.chain.tip.mtp }, block.txs))).toBe('time-too-old');
  });

  it('a timestamp more than two hours ahead of the clock: time-too-new', () => {
    const block = template();
    expect(node.pg.submitBlock(grind({ ...block.header, time: node.now + 7201 }, block.txs))).toBe('time-too-new');
  });

  it('version 3 after BIP65: bad-version(0x00000003)', () => {
    const block = template();
    expect(node.pg.submitBlock(grind({ ...block.header, version: 3 }, block.txs))).toBe('bad-version(0x00000003)');
  });

  it('another difficulty: bad-diffbits', () => {
    const block = template();
    expect(node.pg.submitBlock(grind({ ...block.header, bits: 0x207ffffe }, block.txs))).toBe('bad-diffbits');
  });

  it('an unknown parent: prev-blk-not-found', () => {
    const block = template();
    expect(node.pg.submitBlock(grind({ ...block.header, prevHash: '11'.repeat(32) }, block.txs))).toBe('prev-blk-not-found');
  });

  it('a coinbase without the BIP34 height: bad-cb-height', () => {
    const block = template();
    const cb = block.txs[0]!;
    const wrong = finalizeTx({ ...cb, inputs: [{ ...cb.inputs[0]!, scriptSig: Uint8Array.of(0x01, 0x7f, 0x00) }] });
    expect(node.pg.submitBlock(grind({ ...block.header, merkleRoot: merkleRoot([wrong.txid]).root }, [wrong]))).toBe('bad-cb-height');
  });

  it('a wrong witness commitment: bad-witness-merkle-match', () => {
    const block = template();
    const cb = block.txs[0]!;
    const outputs = cb.outputs.map((o, i) => (i === 1 ? { ...o, script: Uint8Array.from([...o.script.subarray(0, 6), ...new Uint8Array(32)]) } : o));
    const wrong = finalizeTx({ ...cb, outputs });
    expect(node.pg.submitBlock(grind({ ...block.header, merkleRoot: merkleRoot([wrong.txid]).root }, [wrong]))).toBe('bad-witness-merkle-match');
  });

  it('no coinbase first: bad-cb-missing', () => {
    const block = template();
    const coinbase = block.txs[0]!;
    const notCoinbase = finalizeTx({ ...coinbase, inputs: [{ ...coinbase.inputs[0]!, vout: 0 }] });
    expect(node.pg.submitBlock(grind({ ...block.header, merkleRoot: merkleRoot([notCoinbase.txid]).root }, [notCoinbase]))).toBe('bad-cb-missing');
  });
});
