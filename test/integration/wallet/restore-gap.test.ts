// Restore finds coins the gap limit only reveals later: index 25 paid before index 6 (the payment
// that makes 25 fall within the gap) must still be found, by rescanning the earlier blocks.
import { describe, expect, it } from 'vitest';
import { createClient } from '../../../core/api/client.js';
import { ExtendedKey } from '../../../core/bitcoin/hdkey.js';
import { mnemonicToSeed } from '../../../core/bitcoin/mnemonic.js';
import { NETWORKS } from '../../../core/bitcoin/networks.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { bip86Account } from '../../../core/wallet/account.js';
import { tempDir } from '../../support/core.js';

const MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('restore and the gap limit', () => {
  it('finds a coin at index 25 that confirmed before the coin at index 6', async () => {
    const app = new TapdeskApp({ dataDir: tempDir('tapdesk-gap'), mode: 'cli', version: 'test' });
    await app.start();
    const api = createClient(app.server.local());
    try {
      const account = bip86Account(ExtendedKey.fromSeed(mnemonicToSeed(MNEMONIC), NETWORKS.regtest));
      const at = (index: number) => account.output(0, index).address!;
      await api.call('playground.faucet', { address: at(25), amount: 2_000_000 });
      await api.call('playground.mine', { blocks: 3 });
      await api.call('playground.faucet', { address: at(6), amount: 1_000_000 });
      await api.call('playground.mine', { blocks: 1 });
      await api.call('playground.faucet', { address: at(45), amount: 500_000 });
      await api.call('playground.mine', { blocks: 1 });

      const wallet = await api.call('wallet.restore', { mnemonic: MNEMONIC, name: 'Restored', passphrase: 'restore passphrase' });
      const { balance } = await api.call('wallet.sync', { walletId: wallet.id });
      // 6 is within the first 20; 25 only after 6 is seen; 45 only after 25 is found.
      expect(balance.confirmed).toBe(3_500_000);
      const coins = await api.call('wallet.utxos', { walletId: wallet.id });
      expect(coins.map((c) => c.index).sort((a, b) => a - b)).toEqual([6, 25, 45]);
    } finally {
      await app.close();
    }
  });
});
