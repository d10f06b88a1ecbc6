// BIP371 taproot PSBT fields: every invalid encoding against its exact error, every valid one
// round-tripped with its taproot fields read back; then the taproot signer: BIP341's key-path
// wallet vectors signed through `signTaprootKeyPath` (sighash and signature checked), script-path
// signing and finalization, and the signer's refusals.
import { schnorr } from '@noble/curves/secp256k1.js';
import { base64, hex } from '@scure/base';
import { p2tr, p2tr_pk, RawTx } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { pubSchnorr } from '@scure/btc-signer/utils.js';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { testnet } from '../../../core/bitcoin/networks.js';
import {
  privateKeySchnorrSigner,
  type SchnorrSigner,
  signTaprootKeyPath,
  signTaprootScriptPath,
  type TaprootSignRequest,
} from '../../../core/bitcoin/psbt-sign.js';
import {
  createPsbt,
  decodePsbt,
  encodePsbt,
  extractTransaction,
  finalizePsbt,
  inputPrevout,
  PsbtError,
  summarizePsbt,
  updatePsbtInput,
} from '../../../core/bitcoin/psbt.js';
import { inputWeight, outputWeight, overheadWeight } from '../../../core/bitcoin/tx-size.js';
import { vectorJson } from '../../support/vectors.js';
import { psbtCases } from './bip174-mediawiki-vectors.js';

const cases = psbtCases('bip371.txt');
const invalid = cases.filter((c) => c.section === 'The following are invalid PSBTs');
const valid = cases.filter((c) => c.section === 'The following are valid PSBTs');

const INVALID_EXPECTED: readonly (readonly [string, string])[] = [
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_INTERNAL_KEY must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_KEY_SIG must be 64 or 65 bytes, got 63'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_KEY_SIG must be 64 or 65 bytes, got 66'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_BIP32_DERIVATION must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_VALUE', 'output 1: PSBT_OUT_TAP_INTERNAL_KEY must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_KEY', 'output 1: PSBT_OUT_TAP_BIP32_DERIVATION must be a 32-byte x-only public key, got 33 bytes'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_SCRIPT_SIG key data must be an x-only key and a leaf hash (64 bytes), got 65'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_SCRIPT_SIG must be 64 or 65 bytes, got 66'],
  ['PSBT_BAD_VALUE', 'input 0: PSBT_IN_TAP_SCRIPT_SIG must be 64 or 65 bytes, got 63'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_LEAF_SCRIPT control block must be 33 + 32m bytes (m <= 128), got 98'],
  ['PSBT_BAD_KEY', 'input 0: PSBT_IN_TAP_LEAF_SCRIPT control block must be 33 + 32m bytes (m <= 128), got 96'],
];

const INTERNAL = 'fe349064c98d6e2a853fa3c9b12bd8b304a19c195c60efa7ee2393046d3fa232';
const NUMS = '50929b74c1a04954b78b4b6035e97a5e078a5a0f28ec96d547bfee9ace803ac0';
const OUT_INTERNAL = '1124da7aec92ccd06c954562647f437b138b95721a84be2bf2276bbddab3e671';
const SCRIPT_LEAVES = [
  'cd970e15f53fc0c82f950fd560ffa919b76172be017368a89913af074f400b09',
  '115f2e490af7cc45c4f78511f36057ce5c5a5c56325a29fb44dfc203f356e1f8',
  '6f7d62059e9497a1a4a267569d9876da60101aff38e3529b9b939ce7f91ae970',
];

describe('BIP371 invalid PSBTs', () => {
  it('the BIP lists 11 invalid cases', () => expect(invalid).toHaveLength(INVALID_EXPECTED.length));
  invalid.forEach((c, i) => {
    const [code, fragment] = INVALID_EXPECTED[i]!;
    it(`BIP371 invalid ${i + 1}: ${c.name.replace(/<\/?tt>/g, '')} → ${code}`, () => {
      expect(base64.encode(hex.decode(c.hex))).toBe(c.base64);
      for (const input of [c.base64, c.hex, hex.decode(c.hex)]) {
        let err: unknown;
        try {
          decodePsbt(input);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(DecodeError);
        expect((err as DecodeError).code).toBe(code);
        expect((err as DecodeError).message).toContain(fragment);
      }
    });
  });
});

describe('BIP371 valid PSBTs', () => {
  it('the BIP lists 6 valid cases', () => expect(valid).toHaveLength(6));
  const decoded = (i: number) => {
    const c = valid[i]!;
    expect(base64.encode(hex.decode(c.hex))).toBe(c.base64);
    const psbt = decodePsbt(c.base64);
    expect(hex.encode(encodePsbt(psbt))).toBe(c.hex);
    return summarizePsbt(psbt);
  };

  it(`BIP371 valid 1: ${valid[0]?.name}`, () => {
    const s = decoded(0);
    expect(s.inputs[0]!.taproot).toMatchObject({ internalKey: INTERNAL, merkleRoot: null, keyPathSigned: false, leaves: [] });
    expect(s.inputs[0]!.taproot!.derivations).toEqual([{ pubkey: INTERNAL, fingerprint: '772b2da7', path: "m/86'/1'/0'/1/0", leafHashes: [] }]);
    expect(s.inputs[0]!.status).toBe('unsigned');
    // Key path with a 64-byte signature: the estimate uses the exact BIP341 witness.
    expect(s.vsize).toBe(99);
  });

  it(`BIP371 valid 2: ${valid[1]?.name}`, () => {
    const s = decoded(1);
    expect(s.inputs[0]!.taproot).toMatchObject({ internalKey: INTERNAL, keyPathSigned: true });
    expect(s.inputs[0]!.status).toBe('signed');
    // The signature verifies under the output key for the BIP341 sighash we compute.
    const psbt = decodePsbt(valid[1]!.base64);
    const input = psbt.getInput(0);
    const prevout = inputPrevout(input)!;
    const sighash = psbt.preimageWitnessV1(0, [prevout.script], 0, [prevout.amount]);
    expect(schnorr.verify(input.tapKeySig!, sighash, prevout.script.subarray(2))).toBe(true);
    finalizePsbt(psbt);
    const tx = RawTx.decode(extractTransaction(psbt));
    expect(tx.witnesses![0]!.map((w) => hex.encode(w))).toEqual([hex.encode(input.tapKeySig!)]);
  });

  it(`BIP371 valid 3: ${valid[2]?.name}`, () => {
    const s = decoded(2);
    expect(s.outputs[0]!.scriptType).toBe('p2tr');
    // With a network the summary names addresses (the BIP's keys are testnet, m/86'/1'/…).
    const withAddresses = summarizePsbt(decodePsbt(valid[2]!.base64), testnet);
    expect(withAddresses.outputs[0]!.address).toMatch(/^tb1p[02-9ac-hj-np-z]{58}$/);
    expect(withAddresses.inputs[0]!.address).toMatch(/^tb1p[02-9ac-hj-np-z]{58}$/);
    expect(s.outputs[0]!.address).toBeNull();
    expect(s.outputs[0]!.taproot).toEqual({
      internalKey: OUT_INTERNAL,
      tree: [],
      derivations: [{ pubkey: OUT_INTERNAL, fingerprint: '772b2da7', path: "m/86'/1'/0'/0/5", leafHashes: [] }],
    });
  });

  it(`BIP371 valid 4: ${valid[3]?.name}`, () => {
    const s = decoded(3);
    const t = s.inputs[0]!.taproot!;
    expect(t.internalKey).toBe(NUMS);
    expect(t.merkleRoot).toBe('f0362e2f75a6f420a5bde3eb221d96ae6720cf25f81890c95b1d775acb515e65');
    expect(t.leaves.map((l) => l.leafHash)).toEqual(SCRIPT_LEAVES);
    // Each leaf hash is recomputed from the leaf script (BIP341 TapLeaf).
    for (const leaf of t.leaves) expect(hex.encode(tapLeafHash(hex.decode(leaf.script), leaf.leafVersion))).toBe(leaf.leafHash);
    expect(t.derivations.map((d) => [d.path, d.leafHashes])).toEqual([
      ["m/86'/1'/2'/0/0", [SCRIPT_LEAVES[0]]],
      ["m/86'/1'/1'/0/0", [SCRIPT_LEAVES[1]]],
      ['m', []],
      ["m/86'/1'/3'/0/0", [SCRIPT_LEAVES[2]]],
    ]);
    // Script-path only (NUMS internal key) and no signatures: the size cannot be estimated.
    expect(s.vsize).toBeNull();
  });

  it(`BIP371 valid 5: ${valid[4]?.name}`, () => {
    const s = decoded(4);
    expect(s.outputs[0]!.taproot!.internalKey).toBe(NUMS);
    expect(s.outputs[0]!.taproot!.tree.map((l) => [l.depth, l.leafVersion])).toEqual([
      [2, 0xc0],
      [2, 0xc0],
      [1, 0xc0],
    ]);
    // The output key is the NUMS key tweaked with the tree's root.
    const tree = s.outputs[0]!.taproot!.tree.map((l) => ({ script: hex.decode(l.script) }));
    const rebuilt = p2tr(NUMS, [[tree[0]!, tree[1]!], tree[2]!]);
    expect(hex.encode(rebuilt.script)).toBe(s.outputs[0]!.script);
  });

  it(`BIP371 valid 6: ${valid[5]?.name}`, () => {
    const s = decoded(5);
    const t = s.inputs[0]!.taproot!;
    expect(t.scriptPathSignatures.map((x) => x.leafHash)).toEqual(SCRIPT_LEAVES);
    expect(s.inputs[0]!.status).toBe('signed');
    // The finalizer picks the shallowest satisfied leaf: signature, script, depth-1 control block.
    const psbt = decodePsbt(valid[5]!.base64);
    finalizePsbt(psbt);
    const witness = RawTx.decode(extractTransaction(psbt)).witnesses![0]!;
    const leaf = t.leaves[1]!;
    expect(witness.map((w) => w.length)).toEqual([64, leaf.script.length / 2, leaf.controlBlock.length / 2]);
    expect(hex.encode(witness[1]!)).toBe(leaf.script);
    const final = summarizePsbt(psbt);
    expect(final.finalized).toBe(true);
    expect(final.vsizeEstimated).toBe(false);
    expect(final.weight! - outputWeight(34) - overheadWeight(1, 1, true)).toBe(inputWeight({ type: 'p2tr-script', stackItemLengths: [64], leafScriptLength: 34, controlBlockLength: 65 }));
  });
});

interface KeyPathVector {
  given: { rawUnsignedTx: string; utxosSpent: { scriptPubKey: string; amountSats: number }[] };
  inputSpending: {
    given: { txinIndex: number; internalPrivkey: string; merkleRoot: string | null; hashType: number };
    intermediary: { internalPubkey: string; sigHash: string };
    expected: { witness: string[] };
  }[];
}

describe('BIP341 key-path signing through signTaprootKeyPath', () => {
  const [vector] = vectorJson<{ keyPathSpending: KeyPathVector[] }>('bip341-wallet-test-vectors.json').keyPathSpending;
  const tx = RawTx.decode(hex.decode(vector!.given.rawUnsignedTx));
  const build = () => {
    const psbt = createPsbt({
      txVersion: tx.version,
      lockTime: tx.lockTime,
      inputs: tx.inputs.map((i) => ({ txid: hex.encode(i.txid), vout: i.index, sequence: i.sequence })),
      outputs: tx.outputs,
    });
    vector!.given.utxosSpent.forEach((u, i) =>
      updatePsbtInput(psbt, i, { witnessUtxo: { script: hex.decode(u.scriptPubKey), amount: BigInt(u.amountSats) } }),
    );
    return psbt;
  };
  // BIP341's vectors sign with 32 zero bytes of auxiliary randomness.
  const zeroAux = new Uint8Array(32);
  const everySighash = { allowedSighashTypes: [0x00, 0x01, 0x02, 0x03, 0x81, 0x82, 0x83] };

  vector!.inputSpending.forEach((spend, n) => {
    const { txinIndex, internalPrivkey, merkleRoot, hashType } = spend.given;
    it(`BIP341 keyPathSpending input ${txinIndex} (case ${n + 1}, hashType 0x${hashType.toString(16)})`, () => {
      const psbt = build();
      updatePsbtInput(psbt, txinIndex, {
        tapInternalKey: hex.decode(spend.intermediary.internalPubkey),
        ...(merkleRoot ? { tapMerkleRoot: hex.decode(merkleRoot) } : {}),
        ...(hashType ? { sighashType: hashType } : {}),
      });
      const requests: TaprootSignRequest[] = [];
      const inner = privateKeySchnorrSigner(hex.decode(internalPrivkey), zeroAux);
      const signer: SchnorrSigner = (request) => {
        requests.push(request);
        return inner(request);
      };
      expect(signTaprootKeyPath(psbt, txinIndex, signer, everySighash)).toBe('signed');
      expect(hex.encode(requests[0]!.sighash)).toBe(spend.intermediary.sigHash);
      expect(hex.encode(requests[0]!.publicKey)).toBe(vector!.given.utxosSpent[txinIndex]!.scriptPubKey.slice(4));
      expect(hex.encode(psbt.getInput(txinIndex).tapKeySig!)).toBe(spend.expected.witness[0]);
      expect(signTaprootKeyPath(psbt, txinIndex, signer, everySighash)).toBe('already-signed');
    });
  });

  it('refuses a sighash type outside the allowed list (default: DEFAULT and ALL)', () => {
    const spend = vector!.inputSpending[0]!;
    const psbt = build();
    updatePsbtInput(psbt, 0, { tapInternalKey: hex.decode(spend.intermediary.internalPubkey), sighashType: 3 });
    const err = catchError(() => signTaprootKeyPath(psbt, 0, privateKeySchnorrSigner(hex.decode(spend.given.internalPrivkey))));
    expect(err.code).toBe('PSBT_SIGN_REFUSED');
    expect(err.message).toContain('sighash type 0x3 is not accepted');
  });

  it('rejects a signature that does not verify under the output key', () => {
    const spend = vector!.inputSpending[0]!;
    const psbt = build();
    updatePsbtInput(psbt, 0, { tapInternalKey: hex.decode(spend.intermediary.internalPubkey), sighashType: 3 });
    const liar: SchnorrSigner = (r) => schnorr.sign(r.sighash, hex.decode(spend.given.internalPrivkey));
    const err = catchError(() => signTaprootKeyPath(psbt, 0, liar, everySighash));
    expect(err.code).toBe('PSBT_BAD_SIGNATURE');
    expect(psbt.getInput(0).tapKeySig).toBeUndefined();
  });

  it('refuses a taproot input whose internal key does not tweak to the spent output key', () => {
    const psbt = build();
    updatePsbtInput(psbt, 0, { tapInternalKey: pubSchnorr(new Uint8Array(32).fill(7)) });
    const err = catchError(() => signTaprootKeyPath(psbt, 0, privateKeySchnorrSigner(new Uint8Array(32).fill(7))));
    expect(err.code).toBe('PSBT_SIGN_REFUSED');
    expect(err.message).toContain('TAPROOT_KEY_MISMATCH');
  });

  it('needs every input\'s UTXO, since BIP341 commits to all spent outputs', () => {
    const spend = vector!.inputSpending[0]!;
    const psbt = createPsbt({
      txVersion: tx.version,
      lockTime: tx.lockTime,
      inputs: tx.inputs.map((i) => ({ txid: hex.encode(i.txid), vout: i.index, sequence: i.sequence })),
      outputs: tx.outputs,
    });
    const u = vector!.given.utxosSpent[0]!;
    updatePsbtInput(psbt, 0, {
      witnessUtxo: { script: hex.decode(u.scriptPubKey), amount: BigInt(u.amountSats) },
      tapInternalKey: hex.decode(spend.intermediary.internalPubkey),
    });
    const err = catchError(() => signTaprootKeyPath(psbt, 0, privateKeySchnorrSigner(hex.decode(spend.given.internalPrivkey))));
    expect(err.code).toBe('PSBT_MISSING_UTXO');
  });
});

describe('taproot script-path signing', () => {
  const key = (n: number) => new Uint8Array(32).fill(n);
  const setup = () => {
    const leafA = p2tr_pk(pubSchnorr(key(1))).script;
    const leafB = p2tr_pk(pubSchnorr(key(2))).script;
    const pay = p2tr(pubSchnorr(key(9)), [{ script: leafA }, { script: leafB }]);
    const psbt = createPsbt({
      inputs: [{ txid: 'ab'.repeat(32), vout: 1 }],
      outputs: [{ script: pay.script, amount: 90_000n }],
    });
    updatePsbtInput(psbt, 0, {
      witnessUtxo: { script: pay.script, amount: 100_000n },
      tapInternalKey: pay.tapInternalKey,
      tapMerkleRoot: pay.tapMerkleRoot,
      tapLeafScript: pay.tapLeafScript,
    });
    return { psbt, leafA, leafB, pay };
  };

  it('signs the leaf naming the signer\'s key, finalizes with that leaf, and sizes as tx-size says', () => {
    const { psbt, leafA } = setup();
    const leafHash = tapLeafHash(leafA);
    expect(signTaprootScriptPath(psbt, 0, { leafHash, publicKey: pubSchnorr(key(1)) }, privateKeySchnorrSigner(key(1)))).toBe('signed');
    const [sigKey, sig] = psbt.getInput(0).tapScriptSig![0]!;
    expect(hex.encode(sigKey.leafHash)).toBe(hex.encode(leafHash));
    expect(sig).toHaveLength(64);
    finalizePsbt(psbt);
    const summary = summarizePsbt(psbt);
    expect(summary.inputs[0]!.status).toBe('finalized');
    const witness = RawTx.decode(extractTransaction(psbt)).witnesses![0]!;
    expect(hex.encode(witness[1]!)).toBe(hex.encode(leafA));
    expect(summary.weight).toBe(
      inputWeight({ type: 'p2tr-script', stackItemLengths: [64], leafScriptLength: leafA.length, controlBlockLength: witness[2]!.length }) +
        outputWeight(34) +
        overheadWeight(1, 1, true),
    );
  });

  it('reports a leaf that does not contain the key as not-our-key, and an unknown leaf as a refusal', () => {
    const { psbt, leafA } = setup();
    expect(signTaprootScriptPath(psbt, 0, { leafHash: tapLeafHash(leafA), publicKey: pubSchnorr(key(2)) }, privateKeySchnorrSigner(key(2)))).toBe(
      'not-our-key',
    );
    const err = catchError(() => signTaprootScriptPath(psbt, 0, { leafHash: new Uint8Array(32), publicKey: pubSchnorr(key(2)) }, privateKeySchnorrSigner(key(2))));
    expect(err.code).toBe('PSBT_SIGN_REFUSED');
    expect(err.message).toContain('has no PSBT_IN_TAP_LEAF_SCRIPT for leaf 0000');
  });

  it('signs the key path of a tree output with the Merkle-root tweak', () => {
    const { psbt } = setup();
    expect(signTaprootKeyPath(psbt, 0, privateKeySchnorrSigner(key(9)))).toBe('signed');
    finalizePsbt(psbt);
    expect(RawTx.decode(extractTransaction(psbt)).witnesses![0]!.map((w) => w.length)).toEqual([64]);
  });
});

function catchError(fn: () => unknown): PsbtError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PsbtError);
    return err as PsbtError;
  }
  return expect.fail('expected a PsbtError');
}
