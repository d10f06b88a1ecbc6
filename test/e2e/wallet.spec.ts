// The scenario, end to end against a real core in web mode: a new user creates a wallet,
// backs up the seed, gets Playground coins, pays two people in one transaction and watches the
// history go from pending to confirmed.
import { expect, test } from '@playwright/test';
import { startCore, tempDataDir, type RunningCore } from './core-process.js';
import { createWallet, expectBalance, faucet, FOREIGN, mine } from './wallet-steps.js';

let core: RunningCore | undefined;
test.afterEach(async () => {
  await core?.stop();
  core = undefined;
});

test('a new saver creates a wallet, receives test coins, pays two people and sees it confirm', async ({ page }) => {
  core = await startCore(tempDataDir('scenario'));
  await page.goto(core.url);

  // First start: no wallet yet, the chooser welcomes the user.
  await expect(page.getByTestId('chooser-empty')).toBeVisible();
  const words = await createWallet(page, 'Savings');
  expect(words).toHaveLength(12);
  await expect(page.getByTestId('current-wallet-name')).toHaveText('Savings');
  await expectBalance(page, 'total', '0.00000000 BTC');
  await expect(page.getByTestId('history-empty')).toBeVisible();

  // Coins from the Playground faucet: unconfirmed first, spendable after a block.
  await faucet(page, '1.5');
  await page.getByTestId('nav-wallet').click();
  await expectBalance(page, 'unconfirmed', '1.50000000 BTC');
  await expectBalance(page, 'spendable', '0.00000000 BTC');
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('history-status')).toHaveAttribute('data-status', 'pending');
  await mine(page, 1);
  await page.getByTestId('nav-wallet').click();
  await expectBalance(page, 'spendable', '1.50000000 BTC');
  await expect(page.getByTestId('history-status')).toHaveText('1 confirmation');

  // One payment, two recipients.
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-address-0').fill(FOREIGN.p2wpkh);
  await page.getByTestId('send-amount-0').fill('0.1');
  await page.getByTestId('send-label-0').fill('rent');
  await page.getByTestId('send-add-recipient').click();
  await page.getByTestId('send-address-1').fill(FOREIGN.p2tr);
  await page.getByTestId('send-amount-1').fill('0.25');
  await page.getByTestId('send-label-1').fill('tools');
  await page.getByTestId('send-address-1').blur();
  await expect(page.getByTestId('send-address-check-0')).toHaveText('Valid p2wpkh address.');
  await expect(page.getByTestId('send-address-check-1')).toHaveText('Valid p2tr address.');
  await page.getByTestId('send-fee-normal').check();
  await page.getByTestId('send-review').click();

  await expect(page.getByTestId('review-title')).toHaveText('Review payment');
  const outputs = page.getByTestId('review-output');
  await expect(outputs).toHaveCount(3);
  await expect(outputs.filter({ hasText: FOREIGN.p2wpkh })).toContainText('0.10000000 BTC');
  await expect(outputs.filter({ hasText: FOREIGN.p2tr })).toContainText('0.25000000 BTC');
  await expect(page.locator('[data-testid="review-output"][data-change="true"]')).toHaveCount(1);
  const fee = Number(await page.getByTestId('review-fee').getAttribute('data-sats'));
  expect(fee).toBeGreaterThan(0);
  await expect(page.getByTestId('review-total')).toHaveAttribute('data-sats', String(35_000_000 + fee));
  await page.getByTestId('review-send').click();

  await expect(page.getByTestId('send-done')).toBeVisible();
  const txid = (await page.getByTestId('send-done-txid').textContent())!.trim();
  expect(txid).toMatch(/^[0-9a-f]{64}$/);

  // History: the payment is pending, then confirmed once a block is mined.
  await page.getByTestId('nav-wallet').click();
  const row = page.locator(`[data-testid="history-row"][data-txid="${txid}"]`);
  await expect(row).toHaveAttribute('data-status', 'pending');
  await expect(row.getByTestId('history-amount')).toHaveText(`−${btc(35_000_000 + fee)}`);
  await expectBalance(page, 'total', btc(150_000_000 - 35_000_000 - fee));
  await mine(page, 1);
  await page.getByTestId('nav-wallet').click();
  await expect(row).toHaveAttribute('data-status', 'confirmed');
  await expect(row.getByTestId('history-status')).toHaveText('1 confirmation');
  await expectBalance(page, 'spendable', btc(150_000_000 - 35_000_000 - fee));

  // The details screen shows both payments with their labels and the change.
  await row.click();
  await expect(page.getByTestId('tx-detail')).toHaveAttribute('data-txid', txid);
  await expect(page.getByTestId('tx-output')).toHaveCount(3);
  await expect(page.locator('[data-testid="tx-output"][data-change="true"]')).toHaveCount(1);
});

function btc(sats: number): string {
  return `${Math.floor(sats / 1e8)}.${String(sats % 1e8).padStart(8, '0')} BTC`;
}
