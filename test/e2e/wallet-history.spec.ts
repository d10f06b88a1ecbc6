// After a payment: labels typed on Send stay with it, history search finds it, a fee bump from the
// transaction screen goes through the same review and replaces it, and amounts follow the unit and
// hide-balances settings.
import { expect, test } from '@playwright/test';
import { startCore, tempDataDir, type RunningCore } from './core-process.js';
import { expectBalance, faucet, FOREIGN, mine, restoreWallet } from './wallet-steps.js';

let core: RunningCore | undefined;
test.afterEach(async () => {
  await core?.stop();
  core = undefined;
});

test('a labelled payment is found by search, bumped from its details screen, and the original shows as replaced', async ({ page }) => {
  core = await startCore(tempDataDir('history'));
  await page.goto(core.url);
  await restoreWallet(page, 'Savings');
  await faucet(page, '1');
  await mine(page, 1);

  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-address-0').fill(FOREIGN.p2wpkh);
  await page.getByTestId('send-amount-0').fill('0.3');
  await page.getByTestId('send-label-0').fill('plumber');
  await page.getByTestId('send-fee-custom-rate').fill('2');
  await page.getByTestId('send-review').click();
  await expect(page.getByTestId('review-feerate')).toHaveText('2 sat/vB');
  await page.getByTestId('review-send').click();
  const original = (await page.getByTestId('send-done-txid').textContent())!.trim();

  // The label typed on Send became the transaction's label; search finds it by label.
  await page.getByTestId('nav-wallet').click();
  await expect(page.getByTestId('history-row')).toHaveCount(2);
  await page.getByTestId('history-search').fill('plumb');
  await expect(page.getByTestId('history-row')).toHaveCount(1);
  await expect(page.getByTestId('history-row')).toHaveAttribute('data-txid', original);
  await expect(page.getByTestId('history-open')).toHaveText('plumber');
  await page.getByTestId('history-search').fill('no such thing');
  await expect(page.getByTestId('history-empty')).toContainText('No transaction matches');
  await page.getByTestId('history-search').fill('');

  // Details: the output carries its label; bump the fee to 5 sat/vB through the review screen.
  await page.locator(`[data-testid="history-row"][data-txid="${original}"]`).click();
  await expect(page.getByTestId('tx-label')).toHaveValue('plumber');
  await expect(page.locator('[data-testid="tx-output"][data-change="false"]').locator('input')).toHaveValue('plumber');
  await page.getByTestId('tx-bump').click();
  await page.getByTestId('tx-fee-custom-rate').fill('5');
  await page.getByTestId('tx-action-review').click();
  await expect(page.getByTestId('review-title')).toHaveText('Review fee bump');
  await expect(page.getByTestId('review-replaces')).toContainText(original.slice(0, 10));
  await expect(page.getByTestId('review-feerate')).toHaveText(/^[5-9](\.\d+)? sat\/vB$/);
  await page.getByTestId('review-send').click();
  const bumped = (await page.getByTestId('send-done-txid').textContent())!.trim();
  expect(bumped).not.toBe(original);

  await page.getByTestId('nav-wallet').click();
  await expect(page.locator(`[data-testid="history-row"][data-txid="${original}"]`)).toHaveAttribute('data-status', 'replaced');
  await expect(page.locator(`[data-testid="history-row"][data-txid="${bumped}"]`)).toHaveAttribute('data-status', 'pending');
  await mine(page, 1);
  await page.getByTestId('nav-wallet').click();
  await expect(page.locator(`[data-testid="history-row"][data-txid="${bumped}"]`)).toHaveAttribute('data-status', 'confirmed');

  // Editing a label on the details screen is kept.
  await page.locator(`[data-testid="history-row"][data-txid="${bumped}"]`).click();
  await page.getByTestId('tx-label').fill('plumber, bumped');
  await page.getByTestId('tx-label').press('Enter');
  await expect(page.getByTestId('tx-label-saved')).toBeVisible();
  await page.getByTestId('tx-back').click();
  await expect(page.locator(`[data-testid="history-row"][data-txid="${bumped}"]`).getByTestId('history-open')).toHaveText('plumber, bumped');

  // Units and privacy: sats, then hidden.
  const net = Number(await page.locator(`[data-testid="history-row"][data-txid="${bumped}"]`).getByTestId('history-amount').getAttribute('data-sats'));
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-unit-sats').check();
  await page.getByTestId('nav-wallet').click();
  await expectBalance(page, 'total', `${(100_000_000 + net).toLocaleString('en-US')} sats`);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-hide-balances').check();
  await page.getByTestId('nav-wallet').click();
  await expectBalance(page, 'total', '•••••• sats');
  await expect(page.getByTestId('history-amount').first()).toHaveText('•••••• sats');
});
