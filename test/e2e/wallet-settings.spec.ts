// Receiving (fresh address kept until paid, BIP21 link with amount/label/message, QR code) and the
// wallet's settings: recovery phrase behind the passphrase, descriptor and label exports, rename,
// removal; plus the blockchain source test and the Playground's reorg control.
import { expect, test, type Download } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { startCore, tempDataDir, type RunningCore } from './core-process.js';
import { mine, PASSPHRASE, restoreWallet, TEST_MNEMONIC } from './wallet-steps.js';

let core: RunningCore | undefined;
test.afterEach(async () => {
  await core?.stop();
  core = undefined;
});

async function text(download: Promise<Download>): Promise<{ name: string; content: string }> {
  const d = await download;
  return { name: d.suggestedFilename(), content: await readFile((await d.path())!, 'utf8') };
}

test('receive: one fresh address until it is paid, a BIP21 link and QR code, labels on addresses', async ({ page }) => {
  core = await startCore(tempDataDir('receive'));
  await page.goto(core.url);
  await restoreWallet(page, 'Savings');

  await page.getByTestId('nav-receive').click();
  const address = (await page.getByTestId('receive-address').textContent())!.trim();
  expect(address).toMatch(/^bcrt1p[02-9ac-hj-np-z]{58}$/);
  await expect(page.getByTestId('receive-uri')).toHaveText(`bitcoin:${address}`);
  await expect(page.getByTestId('receive-qr').locator('svg')).toBeVisible();

  await page.getByTestId('receive-amount').fill('0.01');
  await page.getByTestId('receive-message').fill('Invoice 7');
  await page.getByTestId('receive-label').fill('Alice');
  await page.getByTestId('receive-label').press('Enter');
  await expect(page.getByTestId('receive-uri')).toHaveText(`bitcoin:${address}?amount=0.01&label=Alice&message=Invoice%207`);
  const row = page.locator(`[data-testid="address-row"][data-address="${address}"]`);
  await expect(row.getByTestId('address-label')).toHaveValue('Alice');
  await expect(row).toHaveAttribute('data-used', 'false');

  // Coming back shows the same, still unpaid address.
  await page.getByTestId('nav-wallet').click();
  await page.getByTestId('nav-receive').click();
  await expect(page.getByTestId('receive-address')).toHaveText(address);
  await page.getByTestId('receive-amount').fill('0.0x');
  await expect(page.getByTestId('receive-amount-error')).toHaveText('Enter an amount in BTC, like 0.0015.');

  // Paid: the screen moves on to a new address and the old one is marked used.
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('playground-faucet-address').fill(address);
  await page.getByTestId('playground-faucet-amount').fill('0.01');
  await page.getByTestId('playground-faucet').click();
  await expect(page.getByTestId('playground-result')).toContainText(`to ${address}`);
  await mine(page, 1);
  await page.getByTestId('nav-receive').click();
  await expect(page.getByTestId('receive-paid')).toContainText(address);
  await expect(page.getByTestId('receive-address')).not.toHaveText(address);
  await expect(row).toHaveAttribute('data-used', 'true');
  await expect(row.getByTestId('address-label')).toHaveValue('Alice');
});

test('wallet settings: recovery phrase behind the passphrase, exports, rename and removal', async ({ page }) => {
  core = await startCore(tempDataDir('wallet-settings'));
  await page.goto(core.url);
  await restoreWallet(page, 'Savings');
  await page.getByTestId('wallet-settings-open').click();

  await page.getByTestId('ws-show-pass').fill('wrong passphrase');
  await page.getByTestId('ws-show-mnemonic').click();
  await expect(page.getByTestId('ws-phrase-message')).toContainText('wrong passphrase');
  await expect(page.getByTestId('ws-words')).toHaveCount(0);
  await page.getByTestId('ws-show-pass').fill(PASSPHRASE);
  await page.getByTestId('ws-show-mnemonic').click();
  await expect(page.getByTestId('ws-words').locator('li')).toHaveCount(12);
  const words = await page.getByTestId('ws-words').locator('[data-testid^="ws-words-"]').allTextContents();
  expect(words.join(' ')).toBe(TEST_MNEMONIC);
  await page.getByTestId('ws-hide-mnemonic').click();
  await expect(page.getByTestId('ws-words')).toHaveCount(0);

  // Descriptors for Bitcoin Core: receive and change branches of the same account.
  const descriptor = (await page.getByTestId('ws-descriptor').textContent())!.trim();
  const downloadCore = page.waitForEvent('download');
  await page.getByTestId('ws-export-core').click();
  const coreFile = await text(downloadCore);
  expect(coreFile.name).toBe('Savings-importdescriptors.json');
  const entries = JSON.parse(coreFile.content) as { desc: string; internal: boolean }[];
  expect(entries.map((e) => e.internal)).toEqual([false, true]);
  expect(entries[0]!.desc.startsWith(descriptor.replace('<0;1>', '0').replace(/#.*$/, ''))).toBe(true);

  // Labels as BIP329 JSON lines.
  await page.getByTestId('nav-receive').click();
  const address = (await page.getByTestId('receive-address').textContent())!.trim();
  await page.getByTestId('receive-label').fill('Alice');
  await page.getByTestId('receive-label').press('Enter');
  await expect(page.locator(`[data-testid="address-row"][data-address="${address}"]`).getByTestId('address-label')).toHaveValue('Alice');
  await page.getByTestId('nav-wallet').click();
  await page.getByTestId('wallet-settings-open').click();
  const downloadLabels = page.waitForEvent('download');
  await page.getByTestId('ws-labels-export').click();
  const labels = await text(downloadLabels);
  expect(labels.name).toBe('Savings-labels.jsonl');
  expect(labels.content.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toContainEqual({ type: 'addr', ref: address, label: 'Alice' });
  await expect(page.getByTestId('ws-labels-message')).toContainText('Saved 1 label');

  await page.getByTestId('ws-name').fill('Rainy day');
  await page.getByTestId('ws-rename').click();
  await expect(page.getByTestId('ws-name-message')).toHaveText('Renamed.');
  await expect(page.getByTestId('current-wallet-name')).toHaveText('Rainy day');

  // Removal needs the exact name.
  await expect(page.getByTestId('ws-remove')).toBeDisabled();
  await page.getByTestId('ws-remove-confirm').fill('Rainy');
  await expect(page.getByTestId('ws-remove')).toBeDisabled();
  await page.getByTestId('ws-remove-confirm').fill('Rainy day');
  await page.getByTestId('ws-remove').click();
  await expect(page.getByTestId('chooser-empty')).toBeVisible();
  await expect(page.getByTestId('current-wallet-name')).toHaveCount(0);
});

test('settings: testing the blockchain source and reorganising the Playground chain', async ({ page }) => {
  core = await startCore(tempDataDir('chain-test'));
  await page.goto(core.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-chain-test').click();
  await expect(page.getByTestId('chain-test-network')).toHaveText('regtest');
  await expect(page.getByTestId('chain-test-filters')).toHaveText('available');
  await expect(page.getByTestId('chain-test-latency')).toHaveText(/^[\d.,]+ ms$/);

  // A backend that is not there: the error says so, and the saved source is untouched.
  await page.getByTestId('settings-chain-kind').selectOption('esplora');
  await page.getByTestId('settings-chain-network').selectOption('regtest');
  await page.getByTestId('settings-chain-url').fill('http://127.0.0.1:1/api');
  await page.getByTestId('settings-chain-test').click();
  await expect(page.getByTestId('settings-chain-test-error')).toContainText('Connection failed');
  await expect(page.getByTestId('network-badge')).toHaveText(/Playground/);
  await page.getByTestId('settings-chain-kind').selectOption('playground');

  await mine(page, 3);
  await page.getByTestId('playground-reorg-count').fill('2');
  await page.getByTestId('playground-reorg').click();
  await expect(page.getByTestId('playground-result')).toHaveText(/^Replaced the last 2 blocks with a longer chain; height is now \d+\.$/);
  await expect(page.getByTestId('status-chain')).toContainText(/height \d+/);
});
