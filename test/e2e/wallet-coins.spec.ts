// Coin control: freezing a coin takes it out of the spendable balance (and out of automatic coin
// selection); "Send selected" pays with exactly the chosen coin.
import { expect, test } from '@playwright/test';
import { startCore, tempDataDir, type RunningCore } from './core-process.js';
import { expectBalance, faucet, FOREIGN, mine, restoreWallet } from './wallet-steps.js';

let core: RunningCore | undefined;
test.afterEach(async () => {
  await core?.stop();
  core = undefined;
});

test('freezing a coin lowers the spendable balance; a selected coin is exactly what a payment spends', async ({ page }) => {
  core = await startCore(tempDataDir('coins'));
  await page.goto(core.url);
  await restoreWallet(page, 'Savings');
  await faucet(page, '1');
  await faucet(page, '0.5');
  await mine(page, 1);

  await page.getByTestId('nav-coins').click();
  const rows = page.getByTestId('coin-row');
  await expect(rows).toHaveCount(2);
  await expectBalance(page, 'spendable', '1.50000000 BTC');
  const small = rows.filter({ has: page.locator('[data-testid="coin-amount"][data-sats="50000000"]') });
  const outpoint = (await small.getAttribute('data-outpoint'))!;

  await small.getByTestId('coin-freeze').check();
  await expect(small).toHaveAttribute('data-frozen', 'true');
  await expectBalance(page, 'spendable', '1.00000000 BTC');
  await expectBalance(page, 'frozen', '0.50000000 BTC');
  await expectBalance(page, 'total', '1.50000000 BTC');
  // The wallet page agrees.
  await page.getByTestId('nav-wallet').click();
  await expectBalance(page, 'spendable', '1.00000000 BTC');

  // Automatic selection leaves the frozen coin alone.
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-address-0').fill(FOREIGN.p2wsh);
  await page.getByTestId('send-amount-0').fill('0.2');
  await page.getByTestId('send-review').click();
  await expect(page.getByTestId('review-input')).toHaveCount(1);
  await expect(page.getByTestId('review-input')).not.toHaveAttribute('data-outpoint', outpoint);
  await expect(page.getByTestId('review-input')).toContainText('1.00000000 BTC');
  await page.getByTestId('review-back').click();
  await page.getByTestId('send-clear').click();

  // Unfrozen again, then chosen by hand: the payment spends that coin and nothing else.
  await page.getByTestId('nav-coins').click();
  await small.getByTestId('coin-freeze').uncheck();
  await expectBalance(page, 'spendable', '1.50000000 BTC');
  await small.getByTestId('coin-select').check();
  await expect(page.getByTestId('coins-selected-total')).toHaveText('0.50000000 BTC');
  await page.getByTestId('coins-send-selected').click();
  await expect(page.getByTestId('send-coin-control')).toBeChecked();
  await expect(page.getByTestId('send-coins-selected')).toContainText('1 coin selected: 0.50000000 BTC');
  await page.getByTestId('send-address-0').fill(FOREIGN.p2wsh);
  await page.getByTestId('send-max').check();
  await page.getByTestId('send-review').click();
  await expect(page.getByTestId('review-input')).toHaveCount(1);
  await expect(page.getByTestId('review-input')).toHaveAttribute('data-outpoint', outpoint);
  await expect(page.getByTestId('review-output')).toHaveCount(1);
  const fee = Number(await page.getByTestId('review-fee').getAttribute('data-sats'));
  await expect(page.getByTestId('review-output-amount')).toHaveAttribute('data-sats', String(50_000_000 - fee));
});
