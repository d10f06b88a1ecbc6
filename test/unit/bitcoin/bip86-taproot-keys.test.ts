// BIP86 test vectors (bip86.json): mnemonic -> root keys -> account m/86'/0'/0' -> each address's
// xprv, xpub, internal key, output key, scriptPubKey and address; derived from the account xprv
// and again from the account xpub (watch-only).
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { decodeAddress } from '../../../core/bitcoin/address.js';
import {
  bip86AccountPath,
  bip86Output,
  bip86Path,
  type Bip86Chain,
  deriveBip86Account,
  deriveBip86Address,
  deriveBip86Addresses,
} from '../../../core/bitcoin/bip86.js';
import { ExtendedKey, formatHdPath, parseExtendedKey, parseHdPath } from '../../../core/bitcoin/hdkey.js';
import { mnemonicToSeed } from '../../../core/bitcoin/mnemonic.js';
import { mainnet, regtest, testnet } from '../../../core/bitcoin/networks.js';
import { vectorJson } from '../../support/vectors.js';

interface Bip86Vectors {
  mnemonic: string;
  rootpriv: string;
  rootpub: string;
  account: { path: string; xprv: string; xpub: string }[];
  addresses: { description: string; path: string; xprv: string; xpub: string; internal_key: string; output_key: string; scriptPubKey: string; address: string }[];
}
const v = vectorJson<Bip86Vectors>('bip86.json');

describe('BIP86 test vectors', () => {
  const master = ExtendedKey.fromSeed(mnemonicToSeed(v.mnemonic), mainnet);

  it('BIP86 root keys from the mnemonic (no passphrase)', () => {
    expect(master.toBase58()).toBe(v.rootpriv);
    expect(master.toXpub()).toBe(v.rootpub);
  });

  it(`BIP86 account 0 at ${v.account[0]!.path}`, () => {
    const acct = v.account[0]!;
    expect(formatHdPath(bip86AccountPath(mainnet, 0))).toBe(acct.path);
    const account = deriveBip86Account(master, 0);
    expect(account.toBase58()).toBe(acct.xprv);
    expect(account.toXpub()).toBe(acct.xpub);
  });

  for (const a of v.addresses) {
    it(`BIP86 ${a.description}`, () => {
      const [chain, index] = parseHdPath(a.path).slice(3) as [Bip86Chain, number];
      expect(formatHdPath(bip86Path(mainnet, 0, chain, index))).toBe(a.path);
      for (const account of [deriveBip86Account(master, 0), parseExtendedKey(v.account[0]!.xpub, mainnet)]) {
        const derived = deriveBip86Address(account, chain, index);
        if (account.isPrivate) expect(derived.key.toBase58()).toBe(a.xprv);
        expect(derived.key.toXpub()).toBe(a.xpub);
        expect(bytesToHex(derived.internalKey)).toBe(a.internal_key);
        expect(bytesToHex(derived.outputKey)).toBe(a.output_key);
        expect(bytesToHex(derived.scriptPubKey)).toBe(a.scriptPubKey);
        expect(derived.address).toBe(a.address);
        expect(derived.chain).toBe(chain);
        expect(derived.index).toBe(index);
      }
      expect(master.derive(a.path).toBase58()).toBe(a.xprv);
      const fromKey = bip86Output(parseExtendedKey(a.xpub).publicKey, mainnet);
      expect(bytesToHex(fromKey.outputKey)).toBe(a.output_key);
      expect(bytesToHex(decodeAddress(a.address, mainnet).scriptPubKey)).toBe(a.scriptPubKey);
    });
  }
});

describe('BIP86 on test networks', () => {
  it('uses coin type 1 and tb/bcrt addresses', () => {
    expect(formatHdPath(bip86AccountPath(testnet, 3))).toBe("m/86'/1'/3'");
    const master = ExtendedKey.fromSeed(mnemonicToSeed(v.mnemonic), regtest);
    const account = deriveBip86Account(master, 0);
    expect(account.toXpub().startsWith('tpub')).toBe(true);
    const first = deriveBip86Address(account, 0, 0);
    expect(first.address.startsWith('bcrt1p')).toBe(true);
    expect(bytesToHex(decodeAddress(first.address, regtest).scriptPubKey)).toBe(bytesToHex(first.scriptPubKey));
  });

  it('derives runs of addresses like one at a time', () => {
    const account = deriveBip86Account(ExtendedKey.fromSeed(mnemonicToSeed(v.mnemonic), mainnet), 0);
    const run = deriveBip86Addresses(account, 1, 5, 3);
    expect(run.map((a) => a.index)).toEqual([5, 6, 7]);
    run.forEach((a) => expect(a.address).toBe(deriveBip86Address(account, 1, a.index).address));
    expect(deriveBip86Addresses(account, 0, 0, 1)[0]!.address).toBe(v.addresses[0]!.address);
    expect(() => deriveBip86Addresses(account, 0, 2 ** 31 - 1, 2)).toThrow(RangeError);
  });

  it('rejects bad chains, indices and non-master keys', () => {
    const master = ExtendedKey.fromSeed(mnemonicToSeed(v.mnemonic), mainnet);
    const account = deriveBip86Account(master, 0);
    expect(() => deriveBip86Address(account, 2 as Bip86Chain, 0)).toThrow(RangeError);
    expect(() => deriveBip86Address(account, 0, 2 ** 31)).toThrow(RangeError);
    expect(() => deriveBip86Account(account, 0)).toThrow(RangeError);
    expect(() => deriveBip86Account(master.neuter(), 0)).toThrow(RangeError);
  });
});
