// Two partners co-sign a supplier payment from a 2-of-2 MuSig2 shared account, each in their own
// browser on their own Tapdesk core (two web-mode cores, two data directories; Bob's core reaches
// Alice's Playground over RPC). Everything that travels between them is a file saved in one
// browser and opened in the other: Bob's key card, Alice's setup file, and the payment's PSBT
// through both signing rounds. The payment confirms and both see it.
import { expect, test, type BrowserContext, type Page } from '@playwright/test';
import { callCore, startCore, tempDataDir, type RunningCore } from './core-process.js';
import { createWallet, FOREIGN, restoreWallet } from './wallet-steps.js';

let alice: RunningCore | undefined;
let bob: RunningCore | undefined;
const contexts: BrowserContext[] = [];

test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
  await bob?.stop();
  await alice?.stop();
  alice = bob = undefined;
});

/** Clicks `testid` and returns the path of the file the page downloads. */
async function download(page: Page, testid: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testid).click()]);
  return (await file.path())!;
}

async function participant(row: ReturnType<Page['getByTestId']>, name: string) {
  return row.and(row.page().locator(`[data-name="${name}"]`));
}

test('two browsers co-sign a supplier payment by exchanging PSBT files', async ({ browser }) => {
  test.setTimeout(240_000);
  alice = await startCore(tempDataDir('shared-alice'));
  bob = await startCore(tempDataDir('shared-bob'));
  const pg = await callCore<{ rpcUrl: string; cookieFile: string }>(alice, 'playground.info');
  await callCore(bob, 'settings.set', { chain: { kind: 'bitcoind', url: pg.rpcUrl, network: 'regtest', auth: { kind: 'cookie', cookieFile: pg.cookieFile } } });

  const open = async (core: RunningCore) => {
    const context = await browser.newContext({ acceptDownloads: true });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(core.url);
    return page;
  };
  const a = await open(alice);
  const b = await open(bob);
  await restoreWallet(a, 'Alice keys');
  await createWallet(b, 'Bob keys');

  // Bob's key card, saved as a file.
  await b.getByTestId('nav-shared').click();
  await b.getByTestId('shared-card-name').fill('Bob');
  await b.getByTestId('shared-card-show').click();
  await expect(b.getByTestId('shared-card-text')).toHaveValue(/"tapdesk":"key-card".*"name":"Bob".*\/87h\/1h\/0h\]tpub/);
  const bobCard = await download(b, 'shared-card-save');

  // Alice builds the account from her card and Bob's file.
  await a.getByTestId('nav-shared').click();
  await a.getByTestId('shared-new').click();
  await a.getByTestId('shared-create-myname').fill('Alice');
  await a.getByTestId('shared-create-add-mine').click();
  await a.getByTestId('shared-create-card-file').setInputFiles(bobCard);
  await expect(a.getByTestId('shared-create-card')).toHaveCount(2);
  await expect(a.getByTestId('shared-preview-policy')).toHaveText('Both Alice and Bob');
  const checksum = (await a.getByTestId('shared-preview-checksum').textContent())!;
  const firstAddress = (await a.getByTestId('shared-preview-address').textContent())!;
  await a.getByTestId('shared-create-name').fill('Supplier payments');
  await a.getByTestId('shared-create-submit').click();
  await expect(a.getByTestId('shared-account-name')).toHaveText('Supplier payments');
  await expect(a.getByTestId('shared-account-checksum')).toHaveText(checksum);
  const setup = await download(a, 'shared-export-setup');

  // Bob joins from Alice's setup file and sees the same checksum and the same first address.
  await b.getByTestId('shared-join').click();
  await b.getByTestId('shared-join-file').setInputFiles(setup);
  await b.getByTestId('shared-join-submit').click();
  await expect(b.getByTestId('shared-account-name')).toHaveText('Supplier payments');
  await expect(b.getByTestId('shared-account-policy')).toHaveText('Both Alice and Bob');
  await expect(b.getByTestId('shared-account-checksum')).toHaveText(checksum);
  await expect(b.locator('[data-testid="shared-participant"][data-me="true"]')).toHaveAttribute('data-name', 'Bob');
  await b.getByTestId('shared-tab-receive').click();
  await b.getByTestId('shared-receive-new').click();
  await expect(b.getByTestId('shared-receive-address')).toHaveText(firstAddress);

  // Money in (Playground faucet), seen by both.
  await callCore(alice, 'playground.faucet', { address: firstAddress, amount: 50_000_000 });
  await callCore(alice, 'playground.mine', { blocks: 1 });
  for (const p of [a, b]) {
    await p.getByTestId('shared-tab-overview').click();
    await p.getByTestId('shared-sync').click();
    await expect(p.getByTestId('shared-balance-spendable')).toHaveText('0.50000000 BTC');
  }

  // Bob proposes the supplier payment and adds his nonce (round 1), then saves the PSBT.
  await b.getByTestId('shared-tab-propose').click();
  await b.getByTestId('send-address-0').fill(FOREIGN.p2wpkh);
  await b.getByTestId('send-amount-0').fill('0.12');
  await b.getByTestId('shared-fee-custom').check();
  await b.getByTestId('shared-fee-custom-rate').fill('2');
  await expect(b.getByTestId('shared-propose-path')).toHaveText('Everyone signs: the key path, one signature, like any single-key payment.');
  await b.getByTestId('shared-propose-submit').click();
  await expect(b.getByTestId('shared-sign-next')).toHaveText('Waiting for nonces from Alice and Bob (round 1)');
  await b.getByTestId('shared-sign-nonce').click();
  await expect(b.getByTestId('shared-sign-next')).toHaveText('Waiting for nonces from Alice (round 1)');
  const round1 = await download(b, 'shared-sign-export-download');

  // Alice opens Bob's file: she sees the payment and who has done what, adds her nonce and her partial signature.
  await a.getByTestId('shared-tab-sign').click();
  await a.getByTestId('shared-sign-file').setInputFiles(round1);
  const rows = a.getByTestId('shared-sign-participant');
  await expect(await participant(rows, 'Bob')).toHaveAttribute('data-nonce', 'true');
  await expect(await participant(rows, 'Alice')).toHaveAttribute('data-nonce', 'false');
  await expect(a.getByTestId('shared-sign-output').and(a.locator('[data-change="false"]'))).toContainText('0.12000000 BTC');
  await expect(a.getByTestId('shared-sign-sign')).toBeDisabled();
  await a.getByTestId('shared-sign-nonce').click();
  await expect(a.getByTestId('shared-sign-next')).toHaveText('Waiting for partial signatures from Alice and Bob (round 2)');
  await a.getByTestId('shared-sign-sign').click();
  await expect(await participant(rows, 'Alice')).toHaveAttribute('data-psig', 'true');
  await expect(a.getByTestId('shared-sign-next')).toHaveText('Waiting for partial signatures from Bob (round 2)');
  const round2 = await download(a, 'shared-sign-export-download');

  // Bob opens Alice's file (combined with his copy), signs, and broadcasts.
  await b.getByTestId('shared-sign-file').setInputFiles(round2);
  await expect(b.getByTestId('shared-sign-notice')).toContainText('Combined with');
  await expect(await participant(b.getByTestId('shared-sign-participant'), 'Alice')).toHaveAttribute('data-psig', 'true');
  await b.getByTestId('shared-sign-sign').click();
  await expect(b.getByTestId('shared-sign-status')).toHaveAttribute('data-complete', 'true');
  await b.getByTestId('shared-sign-broadcast').click();
  const txid = (await b.getByTestId('shared-sign-txid').textContent())!;
  expect(txid).toMatch(/^[0-9a-f]{64}$/);

  await callCore(alice, 'playground.mine', { blocks: 1 });
  for (const p of [a, b]) {
    await p.getByTestId('shared-tab-overview').click();
    await p.getByTestId('shared-sync').click();
    const row = p.locator(`[data-testid="shared-history-row"][data-txid="${txid}"]`);
    await expect(row).toHaveAttribute('data-status', 'confirmed');
    await expect(row).toHaveAttribute('data-confirmations', '1');
  }
});
