// Playground mining + validation throughput: 1,000 P2TR key-path spends (signed by
// @scure/btc-signer) accepted to the mempool — each script verified by bitcore-lib — then mined
// into one block; against the same 1,000 signatures verified with raw @noble/curves schnorr. Then
// the cost of connecting that block on a second node whose script cache is cold (full validation).
import { schnorr } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { p2tr } from '@scure/btc-signer/payment.js';
import { Transaction } from '@scure/btc-signer/transaction.js';
import { pubSchnorr } from '@scure/btc-signer/utils.js';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Playground } from '../../core/chain/playground/playground.js';
import { REGTEST } from '../../core/chain/playground/params.js';
import { decodeTx, type DecodedTx } from '../../core/chain/playground/wire.js';
import type { createBench as CreateBench, Sample } from './harness.js';

const SPENDS = 1_000;

function sample(name: string, ops: number, ms: number): Sample {
  return { name, ops: (ops * 1000) / ms, perOpMs: ms / ops };
}

export default async function (createBench: typeof CreateBench): Promise<void> {
  const b = createBench('Playground: mining + validation of 1,000 P2TR key-path spends');
  const dir = mkdtempSync(join(tmpdir(), 'playground-bench-'));
  const fileA = join(dir, 'a.sqlite');
  const fileB = join(dir, 'b.sqlite');
  let now = 1_700_000_000;
  const clock = () => now;
  const faucetKey = new Uint8Array(32).fill(0x42);
  const secret = new Uint8Array(32).fill(1);
  const xonly = pubSchnorr(secret);
  const script = p2tr(xonly, undefined, REGTEST).script;
  const dest = p2tr(pubSchnorr(new Uint8Array(32).fill(2)), undefined, REGTEST).script;

  // Setup: 1,000 confirmed P2TR outputs of one key, via the faucet and a fan-out transaction.
  let a = new Playground({ file: fileA, clock, faucetKey });
  const fundTxid = a.faucet(script, 20n * 100_000_000n);
  now += 1;
  a.generate(1, a.faucetWallet.script);
  const fund = a.tx(fundTxid)!.tx;
  const fundVout = fund.outputs.findIndex((o) => hex.encode(o.script) === hex.encode(script));
  const fan = new Transaction();
  fan.addInput({ txid: hex.decode(fundTxid), index: fundVout, witnessUtxo: { script, amount: 20n * 100_000_000n }, tapInternalKey: xonly });
  for (let i = 0; i < SPENDS; i++) fan.addOutput({ script, amount: 1_000_000n });
  fan.sign(secret);
  fan.finalize();
  const fanTx = decodeTx(fan.extract());
  if (!a.acceptTx(fanTx).ok) throw new Error('fan-out refused');
  now += 1;
  a.generate(1, a.faucetWallet.script);

  // The 1,000 spends, and for the reference the sighash each signature signs.
  const spends: DecodedTx[] = [];
  const messages: Uint8Array[] = [];
  const outputKey = script.subarray(2);
  for (let i = 0; i < SPENDS; i++) {
    const tx = new Transaction();
    tx.addInput({ txid: hex.decode(fanTx.txid), index: i, witnessUtxo: { script, amount: 1_000_000n }, tapInternalKey: xonly });
    tx.addOutput({ script: dest, amount: 999_000n });
    messages.push(tx.preimageWitnessV1(0, [script], 0, [1_000_000n]));
    tx.sign(secret);
    tx.finalize();
    spends.push(decodeTx(tx.extract()));
  }

  // A second node on the same chain, for cold connects.
  a.close();
  copyFileSync(fileA, fileB);
  a = new Playground({ file: fileA, clock, faucetKey });
  const bNode = new Playground({ file: fileB, clock, faucetKey });

  let t0 = performance.now();
  for (const tx of spends) {
    const r = a.acceptTx(tx);
    if (!r.ok) throw new Error(`spend refused: ${r.rejection.reason}`);
  }
  const acceptMs = performance.now() - t0;
  now += 1;
  t0 = performance.now();
  const [hash] = a.generate(1, a.faucetWallet.script);
  const mineMs = performance.now() - t0;
  const block = a.chain.block(hash!)!;
  if (block.txs.length !== SPENDS + 1) throw new Error(`block has ${block.txs.length - 1} spends`);

  t0 = performance.now();
  const result = bNode.submitBlock(block);
  const connectMs = performance.now() - t0;
  if (result !== null) throw new Error(`cold connect refused: ${result}`);

  t0 = performance.now();
  for (let i = 0; i < SPENDS; i++) {
    if (!schnorr.verify(spends[i]!.inputs[0]!.witness[0]!, messages[i]!, outputKey)) throw new Error('reference verify failed');
  }
  const nobleMs = performance.now() - t0;

  const subject = sample('accept to mempool + mine (bitcore-lib scripts)', SPENDS, acceptMs + mineMs);
  const cold = sample('cold block connect (full validation)', SPENDS, connectMs);
  const reference = sample('@noble/curves schnorr.verify, same signatures', SPENDS, nobleMs);
  for (const s of [subject, cold, reference]) b.line(`${s.name}: ${s.ops.toFixed(0)} tx/s (${s.perOpMs.toFixed(2)} ms/tx)`);
  b.line(`mempool acceptance ${acceptMs.toFixed(0)} ms; mining the block (warm script cache) ${mineMs.toFixed(0)} ms; block weight ${block.weight}`);
  b.line(`block connect: ${connectMs.toFixed(0)} ms cold (scripts verified), ${mineMs.toFixed(0)} ms warm (template + connect)`);
  b.ratio('validated tx/s vs raw schnorr verify', subject, reference);
  b.ratio('cold connect tx/s vs raw schnorr verify', cold, reference);

  a.close();
  bNode.close();
  rmSync(dir, { recursive: true, force: true });
}
