// Child process for crash-safety.test.ts: prepares a payment and dies by SIGKILL at the moment the
// transaction would leave for the network — after the wallet persisted it, before any node saw it.
import { createClient } from '../../../core/api/client.js';
import { TapdeskApp } from '../../../core/node/app.js';

const [dataDir, walletId, passphrase, address] = process.argv.slice(2) as [string, string, string, string];
const app = new TapdeskApp({ dataDir, mode: 'cli', version: 'test' });
await app.start();
const api = createClient(app.server.local());
await api.call('wallet.unlock', { walletId, passphrase });
const draft = await api.call('wallet.prepareSend', { walletId, recipients: [{ address, amount: 1_000_000 }], feeRate: 3 });
const source = app.chain.source();
source.broadcast = async () => {
  process.stdout.write(`crashing\n`);
  process.kill(process.pid, 'SIGKILL');
  return new Promise<string>(() => {});
};
await api.call('wallet.send', { walletId, psbt: draft.psbt });
