// Transaction weight by spend type (BIP141/BIP144/BIP341), checked against real transactions signed
// with @scure/btc-signer: the serialized bytes give the weight as 3 × stripped size + total size.
import { hex } from '@scure/base';
import {
  OutScript,
  p2ms,
  p2pkh,
  p2sh,
  p2tr,
  p2tr_pk,
  p2wpkh,
  p2wsh,
  RawTx,
  SigHash,
  TaprootControlBlock,
  Transaction,
} from '@scure/btc-signer';
import { pubECDSA, pubSchnorr } from '@scure/btc-signer/utils.js';
import { describe, expect, it } from 'vitest';
import {
  compactSizeLength,
  type InputSpend,
  inputWeight,
  OUTPUT_SCRIPT_LENGTH,
  outputWeight,
  overheadWeight,
  transactionWeight,
  weightToVsize,
} from '../../../core/bitcoin/tx-size.js';

const key = (n: number): Uint8Array => new Uint8Array(32).fill(n);
const PREV_TXID = hex.decode('aa'.repeat(32));

/** Weight from the wire: stripped (no-witness) bytes count 4×, witness bytes 1×. */
function serializedWeight(raw: Uint8Array): number {
  const tx = RawTx.decode(raw);
  const stripped = RawTx.encode({ ...tx, segwitFlag: false, witnesses: undefined });
  return stripped.length * 3 + raw.length;
}

/** A previous transaction paying `script`, for legacy inputs that need the full nonWitnessUtxo. */
function fundingTx(script: Uint8Array, amount: bigint): { raw: Uint8Array; txid: string } {
  const prev = new Transaction({ allowUnknownOutputs: true });
  prev.addInput({ txid: PREV_TXID, index: 7 });
  prev.addOutput({ script, amount });
  return { raw: prev.unsignedTx, txid: prev.id };
}

interface Fixture {
  spend: InputSpend;
  add(tx: Transaction): void;
  sign(tx: Transaction, idx: number): void;
}

const AMOUNT = 100_000n;

const fixtures: Record<string, (seed: number) => Fixture> = {
  'p2tr key path (SIGHASH_DEFAULT, 64-byte sig)': (seed) => {
    const pay = p2tr(pubSchnorr(key(seed)));
    return {
      spend: { type: 'p2tr-key' },
      add: (tx) =>
        tx.addInput({ txid: PREV_TXID, index: seed, witnessUtxo: { script: pay.script, amount: AMOUNT }, tapInternalKey: pay.tapInternalKey }),
      sign: (tx, idx) => tx.signIdx(key(seed), idx),
    };
  },
  'p2tr key path (SIGHASH_ALL, 65-byte sig)': (seed) => {
    const pay = p2tr(pubSchnorr(key(seed)));
    return {
      spend: { type: 'p2tr-key', sighashByte: true },
      add: (tx) =>
        tx.addInput({
          txid: PREV_TXID,
          index: seed,
          witnessUtxo: { script: pay.script, amount: AMOUNT },
          tapInternalKey: pay.tapInternalKey,
          sighashType: SigHash.ALL,
        }),
      sign: (tx, idx) => tx.signIdx(key(seed), idx, [SigHash.ALL]),
    };
  },
  'p2tr script path (1-key leaf, depth-1 control block)': (seed) => {
    const leafScript = p2tr_pk(pubSchnorr(key(seed))).script;
    const otherLeaf = p2tr_pk(pubSchnorr(key(seed + 101))).script;
    const pay = p2tr(pubSchnorr(key(seed + 100)), [{ script: leafScript }, { script: otherLeaf }]);
    const [controlBlock, scriptWithVersion] = pay.tapLeafScript![0]!;
    return {
      spend: {
        type: 'p2tr-script',
        stackItemLengths: [64],
        leafScriptLength: leafScript.length,
        controlBlockLength: TaprootControlBlock.encode(controlBlock).length,
      },
      add: (tx) =>
        tx.addInput({
          txid: PREV_TXID,
          index: seed,
          witnessUtxo: { script: pay.script, amount: AMOUNT },
          tapLeafScript: [[controlBlock, scriptWithVersion]],
        }),
      sign: (tx, idx) => tx.signIdx(key(seed), idx),
    };
  },
  'p2wpkh': (seed) => {
    const pay = p2wpkh(pubECDSA(key(seed)));
    return {
      spend: { type: 'p2wpkh', signatureLength: 71 },
      add: (tx) => tx.addInput({ txid: PREV_TXID, index: seed, witnessUtxo: { script: pay.script, amount: AMOUNT } }),
      sign: (tx, idx) => tx.signIdx(key(seed), idx),
    };
  },
  'p2sh-p2wpkh': (seed) => {
    const pay = p2sh(p2wpkh(pubECDSA(key(seed))));
    return {
      spend: { type: 'p2sh-p2wpkh', signatureLength: 71 },
      add: (tx) =>
        tx.addInput({ txid: PREV_TXID, index: seed, witnessUtxo: { script: pay.script, amount: AMOUNT }, redeemScript: pay.redeemScript }),
      sign: (tx, idx) => tx.signIdx(key(seed), idx),
    };
  },
  'p2wsh 2-of-2 multisig': (seed) => {
    const ms = p2ms(2, [pubECDSA(key(seed)), pubECDSA(key(seed + 1))]);
    const pay = p2wsh(ms);
    return {
      // CHECKMULTISIG's extra pop: one empty item, then two signatures.
      spend: { type: 'p2wsh', stackItemLengths: [0, 71, 71], witnessScriptLength: ms.script.length },
      add: (tx) =>
        tx.addInput({ txid: PREV_TXID, index: seed, witnessUtxo: { script: pay.script, amount: AMOUNT }, witnessScript: pay.witnessScript }),
      sign: (tx, idx) => {
        tx.signIdx(key(seed), idx);
        tx.signIdx(key(seed + 1), idx);
      },
    };
  },
  'p2pkh (compressed key)': (seed) => {
    const pay = p2pkh(pubECDSA(key(seed)));
    const prev = fundingTx(pay.script, AMOUNT);
    return {
      spend: { type: 'p2pkh', signatureLength: 71 },
      add: (tx) => tx.addInput({ txid: prev.txid, index: 0, nonWitnessUtxo: prev.raw }),
      sign: (tx, idx) => tx.signIdx(key(seed), idx),
    };
  },
};

function buildSigned(entries: Fixture[], outputScripts: Uint8Array[]): Uint8Array {
  const tx = new Transaction({ lowR: true });
  entries.forEach((f) => f.add(tx));
  for (const script of outputScripts) tx.addOutput({ script, amount: 1_000n });
  entries.forEach((f, i) => f.sign(tx, i));
  tx.finalize();
  return tx.extract();
}

const P2TR_OUT = p2tr(pubSchnorr(key(200))).script;
const P2WPKH_OUT = p2wpkh(pubECDSA(key(201))).script;
const P2PKH_OUT = p2pkh(pubECDSA(key(202))).script;
const P2SH_OUT = p2sh(p2wpkh(pubECDSA(key(203)))).script;
const P2WSH_OUT = p2wsh(p2ms(1, [pubECDSA(key(204))])).script;

describe('BIP141 weight of one input, compared with a signed transaction', () => {
  for (const [name, make] of Object.entries(fixtures)) {
    it(`${name}: weight and vsize match the serialized transaction`, () => {
      const fixture = make(1);
      const raw = buildSigned([fixture], [P2TR_OUT]);
      const expected = serializedWeight(raw);
      expect(transactionWeight([fixture.spend], [OUTPUT_SCRIPT_LENGTH.p2tr])).toBe(expected);
      expect(weightToVsize(transactionWeight([fixture.spend], [34]))).toBe(Math.ceil(expected / 4));
    });
  }
});

describe('well-known per-type figures', () => {
  it('p2tr key path input is 230 WU (57.5 vB), 231 WU with a sighash byte', () => {
    expect(inputWeight({ type: 'p2tr-key' })).toBe(230);
    expect(inputWeight({ type: 'p2tr-key', sighashByte: true })).toBe(231);
  });
  it('p2wpkh input is 272 WU (68 vB) with a 72-byte signature, 271 with 71', () => {
    expect(inputWeight({ type: 'p2wpkh' })).toBe(272);
    expect(inputWeight({ type: 'p2wpkh', signatureLength: 71 })).toBe(271);
  });
  it('p2sh-p2wpkh input is 364 WU (91 vB)', () => {
    expect(inputWeight({ type: 'p2sh-p2wpkh' })).toBe(364);
  });
  it('p2pkh input is 148 vB compressed, 180 vB uncompressed', () => {
    expect(inputWeight({ type: 'p2pkh' })).toBe(148 * 4);
    expect(inputWeight({ type: 'p2pkh', uncompressed: true })).toBe(180 * 4);
  });
  it('outputs: p2tr 43 vB, p2wpkh 31 vB, p2sh 32 vB, p2pkh 34 vB', () => {
    expect(outputWeight(OUTPUT_SCRIPT_LENGTH.p2tr)).toBe(43 * 4);
    expect(outputWeight(OUTPUT_SCRIPT_LENGTH.p2wpkh)).toBe(31 * 4);
    expect(outputWeight(OUTPUT_SCRIPT_LENGTH.p2sh)).toBe(32 * 4);
    expect(outputWeight(OUTPUT_SCRIPT_LENGTH.p2pkh)).toBe(34 * 4);
  });
  it('overhead: 10 vB + marker/flag 0.5 vB for a 1-in segwit tx', () => {
    expect(overheadWeight(1, 2, true)).toBe(42);
    expect(overheadWeight(1, 2, false)).toBe(40);
    expect(overheadWeight(253, 1, false)).toBe((8 + 3 + 1) * 4);
  });
  it('compact sizes switch width at 0xfd, 0x10000 and 2^32', () => {
    expect([0, 252, 253, 0xffff, 0x10000, 0xffffffff, 0x100000000].map(compactSizeLength)).toEqual([1, 1, 3, 3, 5, 5, 9]);
  });
});

describe('mixed transactions', () => {
  it('all seven spend types in one transaction with five output types match the serialized weight', () => {
    const entries = Object.values(fixtures).map((make, i) => make(10 + i * 3));
    const outs = [P2TR_OUT, P2WPKH_OUT, P2PKH_OUT, P2SH_OUT, P2WSH_OUT];
    const raw = buildSigned(entries, outs);
    expect(transactionWeight(entries.map((e) => e.spend), outs.map((o) => o.length))).toBe(serializedWeight(raw));
  });

  it('a legacy input inside a segwit transaction costs one extra weight unit (its empty witness)', () => {
    const legacy = fixtures['p2pkh (compressed key)']!(40);
    const taproot = fixtures['p2tr key path (SIGHASH_DEFAULT, 64-byte sig)']!(41);
    const raw = buildSigned([legacy, taproot], [P2TR_OUT]);
    const expected = serializedWeight(raw);
    expect(transactionWeight([legacy.spend, taproot.spend], [34])).toBe(expected);
    expect(expected).toBe(inputWeight(legacy.spend) + 1 + inputWeight(taproot.spend) + outputWeight(34) + overheadWeight(2, 1, true));
  });

  it('a legacy-only transaction has no marker and no empty witnesses', () => {
    const legacy = fixtures['p2pkh (compressed key)']!(50);
    const raw = buildSigned([legacy], [P2PKH_OUT]);
    expect(raw.length * 4).toBe(serializedWeight(raw));
    expect(transactionWeight([legacy.spend], [25])).toBe(raw.length * 4);
  });

  it('a custom spend described by its final scriptSig and witness weighs the same as the typed spend', () => {
    expect(inputWeight({ type: 'custom', scriptSigLength: 0, witnessItemLengths: [72, 33] })).toBe(inputWeight({ type: 'p2wpkh' }));
    expect(inputWeight({ type: 'custom', scriptSigLength: 107, witnessItemLengths: null })).toBe(inputWeight({ type: 'p2pkh', signatureLength: 72 }));
    expect(inputWeight({ type: 'custom', scriptSigLength: 23, witnessItemLengths: [72, 33] })).toBe(inputWeight({ type: 'p2sh-p2wpkh' }));
  });

  it('253 taproot key-path inputs need a 3-byte input count', () => {
    const spends: InputSpend[] = Array.from({ length: 253 }, () => ({ type: 'p2tr-key' }));
    expect(transactionWeight(spends, [34])).toBe(253 * 230 + outputWeight(34) + (8 + 3 + 1) * 4 + 2);
  });
});

describe('validation', () => {
  it('rejects a control block that is not 33 + 32m bytes', () => {
    expect(() => inputWeight({ type: 'p2tr-script', stackItemLengths: [64], leafScriptLength: 34, controlBlockLength: 34 })).toThrow(
      '"controlBlockLength" expected 33 + 32m bytes with m <= 128, got 34',
    );
  });
  it('rejects negative lengths with the field name', () => {
    expect(() => outputWeight(-1)).toThrow('"scriptPubKeyLength" expected non-negative integer, got -1');
    expect(() => inputWeight({ type: 'p2wsh', stackItemLengths: [1, -2], witnessScriptLength: 3 })).toThrow(
      '"stackItemLengths[1]" expected non-negative integer, got -2',
    );
  });
  it('rejects an impossible ECDSA signature length', () => {
    expect(() => inputWeight({ type: 'p2wpkh', signatureLength: 80 })).toThrow('"signatureLength" expected 9..73 bytes, got 80');
  });
  it('scripts from OutScript have the lengths in OUTPUT_SCRIPT_LENGTH', () => {
    expect(P2TR_OUT.length).toBe(OUTPUT_SCRIPT_LENGTH.p2tr);
    expect(P2WPKH_OUT.length).toBe(OUTPUT_SCRIPT_LENGTH.p2wpkh);
    expect(P2WSH_OUT.length).toBe(OUTPUT_SCRIPT_LENGTH.p2wsh);
    expect(P2SH_OUT.length).toBe(OUTPUT_SCRIPT_LENGTH.p2sh);
    expect(OutScript.decode(P2PKH_OUT).type).toBe('pkh');
    expect(P2PKH_OUT.length).toBe(OUTPUT_SCRIPT_LENGTH.p2pkh);
  });
});
