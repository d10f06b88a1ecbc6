import { expect, test } from '@playwright/test';
import { startCore, tempDataDir, type RunningCore } from './core-process.js';

let core: RunningCore | undefined;
test.afterEach(async () => {
  await core?.stop();
  core = undefined;
});

test('a setting changed in the UI survives a restart of the core', async ({ page }) => {
  const dataDir = tempDataDir('settings');
  core = await startCore(dataDir);
  await page.goto(core.url);
  await expect(page.getByTestId('network-badge')).toHaveText(/Playground/);
  // The token leaves the address bar once taken.
  expect(page.url()).not.toContain('token=');

  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('page-settings')).toBeVisible();
  await expect(page.getByTestId('settings-unit-BTC')).toBeChecked();
  await expect(page.getByTestId('settings-unit-example')).toHaveText('Example: 0.01234567 BTC');

  await page.getByTestId('settings-unit-sats').check();
  await expect(page.getByTestId('settings-message')).toHaveText('Unit saved.');
  await expect(page.getByTestId('settings-unit-example')).toHaveText('Example: 1,234,567 sats');

  await page.getByTestId('settings-theme-dark').check();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.getByTestId('settings-hide-balances').check();
  await expect(page.getByTestId('settings-message')).toHaveText('Privacy setting saved.');

  await core.stop();
  core = await startCore(dataDir);
  await page.goto(core.url);
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-unit-sats')).toBeChecked();
  await expect(page.getByTestId('settings-theme-dark')).toBeChecked();
  await expect(page.getByTestId('settings-hide-balances')).toBeChecked();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
});

test('a bad blockchain source is refused with a message naming the field, and nothing changes', async ({ page }) => {
  core = await startCore(tempDataDir('chain'));
  await page.goto(core.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-chain-kind').selectOption('esplora');
  await page.getByTestId('settings-chain-url').fill('not a url');
  await page.getByTestId('settings-chain-save').click();
  await expect(page.getByTestId('settings-message')).toContainText('Blockchain source not saved');
  await expect(page.getByTestId('settings-message')).toContainText('chain.url');
  await expect(page.getByTestId('network-badge')).toHaveText(/Playground/);

  // A local address nothing listens on: the source is saved, and the connection fails without traffic leaving the machine.
  await page.getByTestId('settings-chain-url').fill('http://127.0.0.1:1/api');
  await page.getByTestId('settings-chain-proxy').fill('socks5h://127.0.0.1:9');
  await page.getByTestId('settings-chain-save').click();
  await expect(page.getByTestId('settings-message')).toHaveText('Blockchain source saved.');
  await expect(page.getByTestId('network-badge')).toHaveText('mainnet');
});

test('a page without the launch token cannot reach the core', async ({ page }) => {
  core = await startCore(tempDataDir('token'));
  await page.goto(core.url.replace(/#.*/, ''));
  await expect(page.getByTestId('fatal-error')).toContainText('could not reach its core');
});

test('every navigation entry opens its page', async ({ page }) => {
  core = await startCore(tempDataDir('nav'));
  await page.goto(core.url);
  for (const id of ['wallet', 'send', 'receive', 'coins', 'psbt', 'channels', 'shared', 'payees', 'settings']) {
    await page.getByTestId(`nav-${id}`).click();
    await expect(page.getByTestId(`page-${id}`)).toBeVisible();
  }
});
