// Key derivation throughput: 1,000 BIP86 receive addresses from an account xpub, ours
// (ExtendedKey + tapscript-adapter tweak + our bech32m encoder) against the reference built
// directly from @scure/bip32 and @scure/btc-signer's p2tr, measured in the same run.
import { HDKey } from '@scure/bip32';
import { p2tr } from '@scure/btc-signer';
import { deriveBip86Account, deriveBip86Addresses } from '../../core/bitcoin/bip86.js';
import { deriveDescriptor, parseDescriptor } from '../../core/bitcoin/descriptor/index.js';
import { ExtendedKey } from '../../core/bitcoin/hdkey.js';
import { mnemonicToSeed } from '../../core/bitcoin/mnemonic.js';
import { mainnet } from '../../core/bitcoin/networks.js';
import type { createBench as CreateBench } from './harness.js';

const COUNT = 1000;
const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

export default async function (createBench: typeof CreateBench): Promise<void> {
  const b = createBench(`Bitcoin keys: ${COUNT.toLocaleString('en')} BIP86 addresses from an account xpub`);
  const account = deriveBip86Account(ExtendedKey.fromSeed(mnemonicToSeed(MNEMONIC), mainnet), 0).neuter();
  const xpub = account.toBase58();

  const ours = (count = COUNT) => deriveBip86Addresses(account, 0, 0, count).map((a) => a.address);
  const reference = (count = COUNT) => {
    const chain = HDKey.fromExtendedKey(xpub).deriveChild(0);
    return Array.from({ length: count }, (_, i) => p2tr(chain.deriveChild(i).publicKey!.subarray(1)).address!);
  };
  const descriptor = parseDescriptor(`tr(${xpub}/0/*)`, mainnet);
  const viaDescriptor = (count = COUNT) => Array.from({ length: count }, (_, i) => deriveDescriptor(descriptor, { index: i }).address!);

  // The three agree (on a prefix, to keep the run short) before anything is timed.
  const expected = reference(20);
  for (const [name, run] of [['ours', ours], ['descriptor', viaDescriptor]] as const) {
    if (run(20).some((a, i) => a !== expected[i])) throw new Error(`${name} derived different addresses than the reference`);
  }
  b.line(`first address ${expected[0]} (BIP86 vector: bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr)`);

  // One operation is a whole run of 1,000 addresses, so a few operations per measurement suffice.
  const ref = b.measure(`reference: @scure/bip32 deriveChild + btc-signer p2tr, ${COUNT} addresses`, () => reference(), { seconds: 2 });
  const mine = b.measure(`ours: deriveBip86Addresses, ${COUNT} addresses`, () => ours(), { seconds: 2 });
  const desc = b.measure(`ours: tr(xpub/0/*) deriveDescriptor, ${COUNT} addresses`, () => viaDescriptor(), { seconds: 2 });
  b.ratio('deriveBip86Addresses / reference', mine, ref);
  b.ratio('descriptor / reference', desc, ref);
  b.line(`per address: reference ${((ref.perOpMs * 1000) / COUNT).toFixed(1)} µs, ours ${((mine.perOpMs * 1000) / COUNT).toFixed(1)} µs, descriptor ${((desc.perOpMs * 1000) / COUNT).toFixed(1)} µs`);
}
