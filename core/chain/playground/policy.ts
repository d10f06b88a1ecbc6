/**
 * Relay policy of Bitcoin Core 28 that the Playground's mempool applies on top of consensus, as
 * pure functions: IsStandardTx (version, weight, scriptSig, output types, dust, OP_RETURN count),
 * AreInputsStandard, IsWitnessStandard and the sigop-adjusted virtual size.
 * https://github.com/bitcoin/bitcoin/blob/v28.0/src/policy/policy.cpp
 *
 * Not here: fee and RBF rules (mempool.ts), consensus (consensus.ts). Version 3 (TRUC) transactions
 * are refused as "version": their topology rules are not implemented.
 */
import { feeForVsize, rejection, type Coin, type Rejection } from './consensus.js';
import {
  BYTES_PER_SIGOP,
  DUST_RELAY_FEERATE,
  MAX_OP_RETURN_RELAY,
  MAX_P2SH_SIGOPS,
  MAX_STANDARD_P2WSH_SCRIPT_SIZE,
  MAX_STANDARD_P2WSH_STACK_ITEM_SIZE,
  MAX_STANDARD_P2WSH_STACK_ITEMS,
  MAX_STANDARD_SCRIPTSIG_SIZE,
  MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE,
  MAX_STANDARD_TX_VERSION,
  MAX_STANDARD_TX_WEIGHT,
} from './params.js';
import { classify, countSigOps, isP2SH, isPayToAnchor, isPushOnly, lastPush, OP, witnessProgram } from './script.js';
import { encodeCompactSize, type DecodedTx, type TxOut } from './wire.js';

const MAX_SCRIPT_SIZE = 10_000;
const ANNEX_TAG = 0x50;
const TAPSCRIPT_LEAF = 0xc0;

function isUnspendable(script: Uint8Array): boolean {
  return (script.length > 0 && script[0] === OP.RETURN) || script.length > MAX_SCRIPT_SIZE;
}

/** Core's GetDustThreshold at the default dust relay fee (3 sat/vB). */
export function dustThreshold(out: TxOut): bigint {
  if (isUnspendable(out.script)) return 0n;
  let size = 8 + encodeCompactSize(out.script.length).length + out.script.length;
  // The cost of spending it later: outpoint, scriptSig length, sequence, and a typical witness or scriptSig.
  size += witnessProgram(out.script) ? 32 + 4 + 1 + Math.floor(107 / 4) + 4 : 32 + 4 + 1 + 107 + 4;
  return feeForVsize(DUST_RELAY_FEERATE, size);
}

/** Core's IsStandard for one output script. */
function isStandardOutput(script: Uint8Array): { ok: boolean; nulldata: boolean } {
  const c = classify(script);
  if (c.type === 'nonstandard') return { ok: false, nulldata: false };
  if (c.type === 'multisig') {
    const n = c.keys!.length;
    return { ok: n >= 1 && n <= 3 && c.required! >= 1 && c.required! <= n, nulldata: false };
  }
  if (c.type === 'nulldata') return { ok: script.length <= MAX_OP_RETURN_RELAY, nulldata: true };
  return { ok: true, nulldata: false };
}

/** Core's IsStandardTx. */
export function checkStandardTx(tx: DecodedTx): Rejection | null {
  if (tx.version > MAX_STANDARD_TX_VERSION || tx.version < 1) return rejection('version');
  if (tx.weight > MAX_STANDARD_TX_WEIGHT) return rejection('tx-size');
  for (const input of tx.inputs) {
    if (input.scriptSig.length > MAX_STANDARD_SCRIPTSIG_SIZE) return rejection('scriptsig-size');
    if (!isPushOnly(input.scriptSig)) return rejection('scriptsig-not-pushonly');
  }
  let dataOutputs = 0;
  for (const out of tx.outputs) {
    const std = isStandardOutput(out.script);
    if (!std.ok) return rejection('scriptpubkey');
    if (std.nulldata) dataOutputs++;
    else if (out.value < dustThreshold(out)) return rejection('dust');
  }
  if (dataOutputs > 1) return rejection('multi-op-return');
  return null;
}

/** Core's AreInputsStandard: known spent script types, P2SH redeem scripts within 15 sigops. */
export function inputsStandard(tx: DecodedTx, coins: readonly Coin[]): boolean {
  return tx.inputs.every((input, i) => {
    const prev = coins[i]!.script;
    const type = classify(prev).type;
    if (type === 'nonstandard' || type === 'witness_unknown') return false;
    if (type === 'scripthash') {
      const redeem = lastPush(input.scriptSig);
      if (!redeem || input.scriptSig.length === 0) return false;
      if (countSigOps(redeem, true) > MAX_P2SH_SIGOPS) return false;
    }
    return true;
  });
}

/** Core's IsWitnessStandard. */
export function witnessStandard(tx: DecodedTx, coins: readonly Coin[]): boolean {
  return tx.inputs.every((input, i) => {
    if (input.witness.length === 0) return true;
    let prev = coins[i]!.script;
    let p2sh = false;
    if (isP2SH(prev)) {
      const redeem = lastPush(input.scriptSig);
      if (!redeem || input.scriptSig.length === 0) return false;
      prev = redeem;
      p2sh = true;
    }
    if (isPayToAnchor(prev)) return false;
    const wp = witnessProgram(prev);
    if (!wp) return false;
    const stack = input.witness;
    if (wp.version === 0 && wp.program.length === 32) {
      if (stack[stack.length - 1]!.length > MAX_STANDARD_P2WSH_SCRIPT_SIZE) return false;
      const items = stack.length - 1;
      if (items > MAX_STANDARD_P2WSH_STACK_ITEMS) return false;
      for (let j = 0; j < items; j++) if (stack[j]!.length > MAX_STANDARD_P2WSH_STACK_ITEM_SIZE) return false;
    }
    if (wp.version === 1 && wp.program.length === 32 && !p2sh) {
      const last = stack[stack.length - 1]!;
      if (stack.length >= 2 && last.length > 0 && last[0] === ANNEX_TAG) return false;
      if (stack.length >= 2) {
        const control = last;
        if (control.length === 0) return false;
        if ((control[0]! & 0xfe) === TAPSCRIPT_LEAF) {
          for (const item of stack.slice(0, -2)) if (item.length > MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE) return false;
        }
      } else if (stack.length === 0) {
        return false;
      }
    }
    return true;
  });
}

/** GetVirtualTransactionSize: weight or sigop cost × 20, whichever is larger, in vbytes. */
export function policyVsize(weight: number, sigopCost: number): number {
  return Math.ceil(Math.max(weight, sigopCost * BYTES_PER_SIGOP) / 4);
}
