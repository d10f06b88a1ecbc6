// Shared fixtures for the Playground tests: a node in a temp directory with a hand-driven clock,
// fixed keys, and transactions built and signed with @scure/btc-signer + @noble/curves — the wallet
// side of the house — so that what the Playground's bitcore-backed validator accepts was signed by
// an independent implementation.
import { schnorr } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { p2tr, p2wpkh } from '@scure/btc-signer/payment.js';
import { TaprootControlBlock } from '@scure/btc-signer/psbt.js';
import { Transaction } from '@scure/btc-signer/transaction.js';
import { pubECDSA, pubSchnorr } from '@scure/btc-signer/utils.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Playground, type PlaygroundOptions } from '../../../core/chain/playground/playground.js';
import { REGTEST } from '../../../core/chain/playground/params.js';
import { decodeTx, encodeTx, type DecodedTx } from '../../../core/chain/playground/wire.js';

export const START_TIME = 1_700_000_000;

/** A Playground in its own temp directory; the clock only moves when the test moves it. */
export class TestNode {
  readonly dir: string;
  readonly file: string;
  now = START_TIME;
  pg: Playground;

  constructor(opts: Partial<PlaygroundOptions> = {}, dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'playground-'));
    this.file = join(this.dir, 'playground.sqlite');
    this.pg = this.open(opts);
  }

  open(opts: Partial<PlaygroundOptions> = {}): Playground {
    return new Playground({ clock: () => this.now, faucetKey: new Uint8Array(32).fill(0x42), ...opts, file: this.file });
  }

  /** Closes and reopens the same file, as a restarted process would. */
  restart(opts: Partial<PlaygroundOptions> = {}): Playground {
    this.pg.close();
    this.pg = this.open(opts);
    return this.pg;
  }

  close(): void {
    this.pg.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Mines `n` blocks to the faucet, one second of clock per block. */
  mine(n = 1): string[] {
    const hashes: string[] = [];
    for (let i = 0; i < n; i++) {
      this.now += 1;
      hashes.push(...this.pg.generate(1, this.pg.faucetWallet.script));
    }
    return hashes;
  }

  /** A confirmed output of `value` paying `script` (faucet payment, then one block). */
  fund(script: Uint8Array, value: bigint): Utxo {
    const txid = this.pg.faucet(script, value);
    this.mine(1);
    const tx = this.pg.tx(txid)!.tx;
    const vout = tx.outputs.findIndex((o) => hex.encode(o.script) === hex.encode(script) && o.value === value);
    return { txid, vout, value, script };
  }
}

export interface Utxo {
  txid: string;
  vout: number;
  value: bigint;
  script: Uint8Array;
}

export interface Output {
  script: Uint8Array;
  value: bigint;
}

export interface Key {
  secret: Uint8Array;
  xonly: Uint8Array;
  pub: Uint8Array;
  /** P2TR key-path output (BIP86 style: no script tree). */
  p2tr: Uint8Array;
  p2wpkh: Uint8Array;
}

export function key(seed: number): Key {
  const secret = new Uint8Array(32).fill(seed);
  const xonly = pubSchnorr(secret);
  const pub = pubECDSA(secret);
  return { secret, xonly, pub, p2tr: p2tr(xonly, undefined, REGTEST).script, p2wpkh: p2wpkh(pub, REGTEST).script };
}

export interface TxShape {
  version?: number;
  locktime?: number;
  sequence?: number;
}

function draft(utxos: readonly Utxo[], outputs: readonly Output[], shape: TxShape, extra: (u: Utxo) => object): Transaction {
  const tx = new Transaction({ version: shape.version ?? 2, lockTime: shape.locktime ?? 0, allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
  for (const u of utxos) {
    tx.addInput({ txid: hex.decode(u.txid), index: u.vout, witnessUtxo: { script: u.script, amount: u.value }, sequence: shape.sequence ?? 0xfffffffd, ...extra(u) });
  }
  for (const o of outputs) tx.addOutput({ script: o.script, amount: o.value });
  return tx;
}

/** Spends P2TR key-path outputs of `keys` (each input signed by the key whose output it is), with btc-signer. */
export function spendKeyPath(keys: Key | Key[], utxos: readonly Utxo[], outputs: readonly Output[], shape: TxShape = {}): DecodedTx {
  const list = Array.isArray(keys) ? keys : [keys];
  const owner = (u: Utxo) => list.find((k) => hex.encode(k.p2tr) === hex.encode(u.script)) ?? list[0]!;
  const tx = draft(utxos, outputs, shape, (u) => ({ tapInternalKey: owner(u).xonly }));
  // Zero aux randomness keeps signatures, and so blocks, reproducible between runs.
  for (const k of list) tx.sign(k.secret, undefined, new Uint8Array(32));
  tx.finalize();
  return decodeTx(tx.extract());
}

/** Spends P2WPKH outputs of `k`, signed by btc-signer (ECDSA, SIGHASH_ALL). */
export function spendWpkh(k: Key, utxos: readonly Utxo[], outputs: readonly Output[], shape: TxShape = {}): DecodedTx {
  const tx = draft(utxos, outputs, shape, () => ({}));
  tx.sign(k.secret);
  tx.finalize();
  return decodeTx(tx.extract());
}

export interface Leaf {
  script: Uint8Array;
  controlBlock: Uint8Array;
}

/** A taproot output committing to `leaves` (leaf version 0xc0) with internal key `internal`. */
export function tapTree(internal: Uint8Array, leaves: readonly Uint8Array[]): { script: Uint8Array; leaves: Leaf[] } {
  const tree = leaves.map((script) => ({ script, leafVersion: 0xc0 }));
  const out = p2tr(internal, tree.length === 1 ? tree[0]! : tree, REGTEST, true);
  const byScript = new Map(out.tapLeafScript!.map(([cb, s]) => [hex.encode(s.subarray(0, -1)), TaprootControlBlock.encode(cb)]));
  return { script: out.script, leaves: leaves.map((script) => ({ script, controlBlock: byScript.get(hex.encode(script))! })) };
}

/**
 * Spends one taproot output through `leaf`. `witness(sign)` returns the stack below the script and
 * control block; `sign(k)` makes k's BIP342 signature (SIGHASH_DEFAULT) for this input.
 */
export function spendScriptPath(
  utxo: Utxo,
  leaf: Leaf,
  outputs: readonly Output[],
  witness: (sign: (k: Key) => Uint8Array) => Uint8Array[],
  shape: TxShape = {},
): DecodedTx {
  const tx = draft([utxo], outputs, shape, () => ({}));
  const sighash = tx.preimageWitnessV1(0, [utxo.script], 0, [utxo.value], undefined, leaf.script, 0xc0);
  const sign = (k: Key) => schnorr.sign(sighash, k.secret, new Uint8Array(32));
  tx.updateInput(0, { finalScriptWitness: [...witness(sign), leaf.script, leaf.controlBlock] });
  return decodeTx(tx.extract());
}

/** The same transaction with one witness item replaced (to break a signature on purpose). */
export function withWitness(tx: DecodedTx, input: number, item: number, value: Uint8Array): DecodedTx {
  const inputs = tx.inputs.map((i, n) => (n === input ? { ...i, witness: i.witness.map((w, j) => (j === item ? value : w)) } : i));
  return decodeTx(encodeTx({ ...tx, inputs }));
}
