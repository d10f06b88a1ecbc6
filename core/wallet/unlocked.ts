/**
 * Key material of an unlocked seed wallet, held only in the core process and only while unlocked.
 * `wipe()` zeroes every private buffer we hold (JavaScript cannot promise no copy was ever made;
 * we keep as few as possible and never serialize them). Signs PSBT inputs whose BIP32 origin is
 * ours: key path for BIP86 outputs, script path for leaves that name one of our keys.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { equalBytes } from '@noble/curves/utils.js';
import type { Transaction } from '@scure/btc-signer';
import { randomBytes } from 'node:crypto';
import type { ExtendedKey } from '../bitcoin/hdkey.js';
import { signTaprootKeyPath, signTaprootScriptPath, type SchnorrSigner } from '../bitcoin/psbt-sign.js';
import { tweakPrivateKey } from '../bitcoin/taproot.js';

export class UnlockedKeys {
  private master: ExtendedKey | null;
  private readonly derived = new Map<string, ExtendedKey>();

  constructor(master: ExtendedKey) {
    this.master = master;
  }

  private key(path: readonly number[]): ExtendedKey {
    if (!this.master) throw new Error('wallet is locked');
    const id = path.join('/');
    let key = this.derived.get(id);
    if (!key) {
      key = this.master.derive(path);
      this.derived.set(id, key);
    }
    return key;
  }

  /**
   * The extended private key at `path` from the master (cached and wiped on lock like the signing
   * keys), for protocols that sign outside the PSBT key-path/script-path rules above: the MuSig2
   * participant keys of shared accounts.
   */
  extendedKey(path: readonly number[]): ExtendedKey {
    return this.key(path);
  }

  get fingerprint(): number {
    if (!this.master) throw new Error('wallet is locked');
    return this.master.fingerprint;
  }

  /**
   * Signs every input this seed can sign (taproot key path or script path, by PSBT_IN_TAP_BIP32_DERIVATION
   * entries carrying our fingerprint). Returns how many signatures were added.
   */
  signPsbt(psbt: Transaction): number {
    const fingerprint = this.fingerprint;
    let signed = 0;
    for (let i = 0; i < psbt.inputsLength; i++) {
      const input = psbt.getInput(i);
      for (const [xonly, { hashes, der }] of input.tapBip32Derivation ?? []) {
        if (der.fingerprint !== fingerprint) continue;
        const child = this.key(der.path);
        if (!equalBytes(child.xOnlyPublicKey, xonly)) continue;
        const priv = child.privateKey;
        if (!priv) continue;
        const isInternal = input.tapInternalKey && equalBytes(input.tapInternalKey, xonly);
        if (isInternal && !input.tapKeySig) {
          const signer: SchnorrSigner = (req) => {
            const tweaked = tweakPrivateKey(priv, req.merkleRoot && req.merkleRoot.length ? req.merkleRoot : undefined);
            try {
              return schnorr.sign(req.sighash, tweaked, randomBytes(32));
            } finally {
              tweaked.fill(0);
            }
          };
          if (signTaprootKeyPath(psbt, i, signer) === 'signed') signed++;
        }
        for (const leafHash of hashes) {
          const signer: SchnorrSigner = (req) => schnorr.sign(req.sighash, priv, randomBytes(32));
          if (signTaprootScriptPath(psbt, i, { leafHash, publicKey: xonly }, signer) === 'signed') signed++;
        }
      }
    }
    return signed;
  }


  wipe(): void {
    for (const key of this.derived.values()) key.wipe();
    this.derived.clear();
    this.master?.wipe();
    this.master = null;
  }
}
