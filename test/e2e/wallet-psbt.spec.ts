// Signing elsewhere: a watch-only wallet made from the seed wallet's descriptor prepares a payment
// and exports the unsigned PSBT; the seed wallet imports it on the PSBT screen, signs, broadcasts.
import { expect, test } from '@playwright/test';
import { readFile } from 'node:fs/promises';
import { startCore, tempDataDir, type RunningCore } from './core-process.js';
import { expectBalance, faucet, FOREIGN, mine, restoreWallet } from './wallet-steps.js';

let core: RunningCore | undefined;
test.afterEach(async () => {
  await core?.stop();
  core = undefined;
});

test('a PSBT file from a watch-only wallet is signed by the seed wallet, combined with the unsigned copy and broadcast', async ({ page }) => {
  core = await startCore(tempDataDir('psbt'));
  await page.goto(core.url);
  await restoreWallet(page, 'Keys');
  await faucet(page, '2');
  await mine(page, 1);

  // The seed wallet's descriptor, as its settings screen shows it.
  await page.getByTestId('nav-wallet').click();
  await page.getByTestId('wallet-settings-open').click();
  const descriptor = (await page.getByTestId('ws-descriptor').textContent())!.trim();
  expect(descriptor).toMatch(/^tr\(\[[0-9a-f]{8}\/86h\/1h\/0h\]tpub\w+\/<0;1>\/\*\)#\w{8}$/);

  // Watch-only twin: same coins, no keys.
  await page.getByTestId('current-wallet-switch').click();
  await page.getByTestId('chooser-watch').click();
  await page.getByTestId('watch-name').fill('Watcher');
  await page.getByTestId('watch-descriptor').fill(descriptor);
  await page.getByTestId('watch-submit').click();
  await expect(page.getByTestId('wallet-title')).toHaveText('Watcher');
  await expect(page.getByTestId('wallet-watch-only')).toBeVisible();
  await expectBalance(page, 'spendable', '2.00000000 BTC');
  await expect(page.getByTestId('current-wallet-lock')).toHaveCount(0);

  await page.getByTestId('nav-send').click();
  await expect(page.getByTestId('send-watch-only')).toBeVisible();
  await page.getByTestId('send-address-0').fill(FOREIGN.p2tr);
  await page.getByTestId('send-amount-0').fill('0.75');
  await page.getByTestId('send-review').click();
  await expect(page.getByTestId('review-watch-only')).toBeVisible();
  await expect(page.getByTestId('review-send')).toHaveCount(0);
  const fee = Number(await page.getByTestId('review-fee').getAttribute('data-sats'));
  const unsigned = await page.getByTestId('review-psbt-text').inputValue();
  expect(unsigned).toMatch(/^cHNidP8/);
  // The saved file is the binary PSBT (BIP174 magic first), the same bytes as the text.
  const download = page.waitForEvent('download');
  await page.getByTestId('review-psbt-download').click();
  expect((await download).suggestedFilename()).toMatch(/^Watcher-\d{8}-\d{6}\.psbt$/);
  const file = await readFile((await (await download).path())!);
  expect(file.subarray(0, 5).toString('hex')).toBe('70736274ff');
  expect(file.toString('base64')).toBe(unsigned);

  const psbtFile = (await (await download).path())!;

  // The seed wallet opens the saved file on the PSBT screen and signs it.
  await page.getByTestId('current-wallet-switch').click();
  await page.locator('[data-testid="chooser-wallet"][data-name="Keys"]').click();
  await page.getByTestId('nav-psbt').click();
  await page.getByTestId('psbt-file').setInputFiles({ name: 'from-watcher.psbt', mimeType: 'application/octet-stream', buffer: file });
  await expect(page.getByTestId('psbt-analysis')).toContainText('from-watcher.psbt');
  await expect(page.getByTestId('psbt-complete')).toHaveAttribute('data-complete', 'false');
  await expect(page.getByTestId('psbt-input-row')).toHaveAttribute('data-mine', 'true');
  await expect(page.getByTestId('psbt-input-row')).toHaveAttribute('data-signed', 'false');
  await expect(page.locator('[data-testid="psbt-output-row"][data-mine="false"]')).toContainText('0.75000000 BTC');
  await expect(page.getByTestId('psbt-signable')).toHaveText('1 input');
  await expect(page.getByTestId('psbt-broadcast')).toHaveCount(0);
  await page.getByTestId('psbt-sign').click();
  await expect(page.getByTestId('psbt-notice')).toHaveText('Signed 1 input. The transaction is complete: you can broadcast it.');
  await expect(page.getByTestId('psbt-complete')).toHaveAttribute('data-complete', 'true');
  const signed = await page.getByTestId('psbt-export-text').inputValue();
  expect(signed).not.toBe(unsigned);

  // As with a co-signer's copy: the unsigned file and the signed text combine into a complete PSBT.
  await page.getByTestId('psbt-clear').click();
  await page.getByTestId('psbt-file').setInputFiles(psbtFile);
  await page.getByTestId('psbt-input').fill(signed);
  await page.getByTestId('psbt-add').click();
  await expect(page.getByTestId('psbt-loaded').locator('li')).toHaveCount(2);
  await page.getByTestId('psbt-combine').click();
  await expect(page.getByTestId('psbt-notice')).toHaveText('Combined into one PSBT.');
  await expect(page.getByTestId('psbt-complete')).toHaveAttribute('data-complete', 'true');
  await page.getByTestId('psbt-broadcast').click();
  const txid = (await page.getByTestId('psbt-broadcast-txid').textContent())!.trim();
  expect(txid).toMatch(/^[0-9a-f]{64}$/);

  // Both wallets see the payment; a block confirms it.
  await page.getByTestId('psbt-broadcast-view').click();
  await expect(page.getByTestId('tx-status')).toHaveAttribute('data-status', 'pending');
  await expect(page.getByTestId('tx-net')).toHaveAttribute('data-sats', String(-(75_000_000 + fee)));
  await mine(page, 1);
  await page.getByTestId('current-wallet-switch').click();
  await page.locator('[data-testid="chooser-wallet"][data-name="Watcher"]').click();
  const row = page.locator(`[data-testid="history-row"][data-txid="${txid}"]`);
  await expect(row).toHaveAttribute('data-status', 'confirmed');
  await expectBalance(page, 'total', btc(200_000_000 - 75_000_000 - fee));
});

function btc(sats: number): string {
  return `${Math.floor(sats / 1e8)}.${String(sats % 1e8).padStart(8, '0')} BTC`;
}
