/**
 * The Playground faucet's wallet: one P2TR key (BIP86-style, no script tree) whose coins come from
 * blocks the Playground mines to it, and the transactions paying testers from those coins,
 * largest coins first, change back to itself. Signing uses @scure/btc-signer; the Playground
 * still validates the result with its own independent interpreter like any other transaction.
 *
 * Not here: finding the coins or mining them (the Playground does that), fee estimation.
 */
import { hex } from '@scure/base';
import { p2tr } from '@scure/btc-signer/payment.js';
import { Transaction } from '@scure/btc-signer/transaction.js';
import { pubSchnorr } from '@scure/btc-signer/utils.js';
import { scriptToAddress } from './address.js';
import { feeForVsize } from './consensus.js';
import { dustThreshold } from './policy.js';
import { decodeTx, type DecodedTx } from './wire.js';

export interface FaucetCoin {
  txid: string;
  vout: number;
  value: bigint;
}

export class FaucetWallet {
  readonly script: Uint8Array;
  readonly address: string;
  private readonly internalKey: Uint8Array;

  constructor(private readonly secret: Uint8Array) {
    if (secret.length !== 32) throw new RangeError(`"faucetKey" expected 32 bytes, got ${secret.length}`);
    this.internalKey = pubSchnorr(secret);
    this.script = p2tr(this.internalKey).script;
    this.address = scriptToAddress(this.script)!;
  }

  /**
   * A signed transaction paying `amount` to `to` at `feeRate` (sat/kvB) from `coins` (taken in the
   * given order until enough), or null when they do not cover amount and fee.
   */
  pay(coins: readonly FaucetCoin[], to: Uint8Array, amount: bigint, feeRate: bigint): DecodedTx | null {
    const chosen: FaucetCoin[] = [];
    let total = 0n;
    for (const coin of coins) {
      chosen.push(coin);
      total += coin.value;
      // Measure with change; a change too small to keep goes to the fee.
      const draft = this.build(chosen, to, amount, total - amount);
      if (!draft) continue;
      const fee = feeForVsize(feeRate, draft.vsize);
      if (total < amount + fee) continue;
      const change = total - amount - fee;
      const keepChange = change >= dustThreshold({ value: change, script: this.script });
      return this.build(chosen, to, amount, keepChange ? change : 0n);
    }
    return null;
  }

  private build(coins: readonly FaucetCoin[], to: Uint8Array, amount: bigint, change: bigint): DecodedTx | null {
    if (change < 0n) return null;
    const tx = new Transaction({ allowUnknownOutputs: true });
    for (const coin of coins) {
      tx.addInput({ txid: hex.decode(coin.txid), index: coin.vout, witnessUtxo: { script: this.script, amount: coin.value }, tapInternalKey: this.internalKey });
    }
    tx.addOutput({ script: to, amount });
    if (change > 0n) tx.addOutput({ script: this.script, amount: change });
    // Zero auxiliary randomness (BIP340 allows it): the same request signs the same bytes, so a chain
    // mined with a fixed clock and key is reproducible, witness commitments included.
    tx.sign(this.secret, undefined, new Uint8Array(32));
    tx.finalize();
    return decodeTx(tx.extract());
  }
}
