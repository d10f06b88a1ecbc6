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

test('a pending payment is cancelled back to the wallet; a stuck payment of ours is sped up with CPFP', async ({ page }) => {
  core = await startCore(tempDataDir('cancel-cpfp'));
  await page.goto(core.url);
  await restoreWallet(page, 'Savings');
  await faucet(page, '1');
  await mine(page, 1);

  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-address-0').fill(FOREIGN.p2tr);
  await page.getByTestId('send-amount-0').fill('0.4');
  await page.getByTestId('send-review').click();
  await page.getByTestId('review-send').click();
  const payment = (await page.getByTestId('send-done-txid').textContent())!.trim();

  await page.getByTestId('send-done-view').click();
  await page.getByTestId('tx-cancel').click();
  await page.getByTestId('tx-action-review').click();
  await expect(page.getByTestId('review-title')).toHaveText('Review cancellation');
  // Everything goes back to this wallet: no output to the payee.
  await expect(page.getByTestId('review-output').filter({ hasText: FOREIGN.p2tr })).toHaveCount(0);
  const fee = Number(await page.getByTestId('review-fee').getAttribute('data-sats'));
  await expect(page.getByTestId('review-total')).toHaveAttribute('data-sats', String(fee));
  await page.getByTestId('review-send').click();
  await expect(page.getByTestId('send-done')).toBeVisible();
  await page.getByTestId('nav-wallet').click();
  await expect(page.locator(`[data-testid="history-row"][data-txid="${payment}"]`)).toHaveAttribute('data-status', 'replaced');
  await mine(page, 1);
  await page.getByTestId('nav-wallet').click();
  await expectBalance(page, 'total', `0.${String(100_000_000 - fee).padStart(8, '0')} BTC`);

  // Incoming and unconfirmed: its fee is not visible here, so CPFP is explained rather than offered.
  await faucet(page, '0.2');
  await page.getByTestId('nav-wallet').click();
  const incoming = page.locator('[data-testid="history-row"][data-status="pending"]');
  await expect(incoming).toHaveCount(1);
  await incoming.click();
  await expect(page.getByTestId('tx-cpfp-unavailable')).toContainText('Ask the sender to bump it');
  await expect(page.getByTestId('tx-cpfp')).toHaveCount(0);
  await mine(page, 1);

  // Our own payment, stuck at 1 sat/vB: a child spending its change pays for both.
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-address-0').fill(FOREIGN.p2wpkh);
  await page.getByTestId('send-amount-0').fill('0.1');
  await page.getByTestId('send-review').click();
  await page.getByTestId('review-send').click();
  const parent = (await page.getByTestId('send-done-txid').textContent())!.trim();
  await page.getByTestId('send-done-view').click();
  await page.getByTestId('tx-cpfp').click();
  await page.getByTestId('tx-fee-custom').check();
  await page.getByTestId('tx-fee-custom-rate').fill('10');
  await page.getByTestId('tx-action-review').click();
  await expect(page.getByTestId('review-title')).toHaveText('Review child-pays-for-parent');
  await expect(page.getByTestId('review-input')).toHaveAttribute('data-outpoint', new RegExp(`^${parent}:`));
  await page.getByTestId('review-send').click();
  const child = (await page.getByTestId('send-done-txid').textContent())!.trim();
  await page.getByTestId('nav-wallet').click();
  await expect(page.locator(`[data-testid="history-row"][data-txid="${child}"]`)).toHaveAttribute('data-status', 'pending');
  await mine(page, 1);
  await page.getByTestId('nav-wallet').click();
  await expect(page.locator(`[data-testid="history-row"][data-txid="${child}"]`)).toHaveAttribute('data-status', 'confirmed');
  await expect(page.locator(`[data-testid="history-row"][data-txid="${parent}"]`)).toHaveAttribute('data-status', 'confirmed');
});
