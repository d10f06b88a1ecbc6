// Getting into a wallet: restoring with a mistyped word (the error names the word and offers the
// likely one), locking and unlocking with a wrong then the right passphrase, and the UI following a
// lock that happened elsewhere (auto-lock arrives the same way, as a `wallet.locked` event).
import { expect, test } from '@playwright/test';
import { callCore, startCore, tempDataDir, type RunningCore } from './core-process.js';
import { faucet, fillSecurity, FOREIGN, mine, PASSPHRASE, restoreWallet, TEST_MNEMONIC } from './wallet-steps.js';

let core: RunningCore | undefined;
test.afterEach(async () => {
  await core?.stop();
  core = undefined;
});

test('restoring with a mistyped word names the word and what it probably is; fixed, the wallet opens', async ({ page }) => {
  core = await startCore(tempDataDir('restore'));
  await page.goto(core.url);
  await page.getByTestId('chooser-restore').click();
  await page.getByTestId('restore-phrase').fill(TEST_MNEMONIC.replace(/about$/, 'abot'));
  await expect(page.getByTestId('restore-word-count')).toContainText('12 words');
  await fillSecurity(page, 'restore', 'Old wallet');
  await page.getByTestId('restore-submit').click();
  await expect(page.getByTestId('restore-error')).toHaveText('"mnemonic" word 12 "abot" is not in the BIP39 english wordlist: did you mean "about", "above" or "able"?');

  // A real word in the wrong place fails the checksum instead.
  await page.getByTestId('restore-phrase').fill(TEST_MNEMONIC.replace(/about$/, 'abandon'));
  await page.getByTestId('restore-submit').click();
  await expect(page.getByTestId('restore-error')).toContainText('checksum does not match');

  await page.getByTestId('restore-phrase').fill(TEST_MNEMONIC);
  await page.getByTestId('restore-submit').click();
  await expect(page.getByTestId('wallet-title')).toHaveText('Old wallet');
  await expect(page.getByTestId('current-wallet-name')).toHaveText('Old wallet');
});

test('lock, a wrong passphrase is refused inline, the right one opens the wallet; a lock from elsewhere shows the unlock screen', async ({ page }) => {
  core = await startCore(tempDataDir('lock'));
  await page.goto(core.url);
  await restoreWallet(page, 'Savings');

  await page.getByTestId('current-wallet-lock').click();
  await expect(page.getByTestId('unlock-screen')).toBeVisible();
  await expect(page.getByTestId('current-wallet-locked')).toBeVisible();
  // Every wallet page is behind the unlock screen.
  await page.getByTestId('nav-send').click();
  await expect(page.getByTestId('unlock-screen')).toBeVisible();

  await page.getByTestId('unlock-input').fill('not my passphrase');
  await page.getByTestId('unlock-submit').click();
  await expect(page.getByTestId('unlock-error')).toHaveText('Wrong passphrase. Check caps lock and keyboard layout, then try again.');
  await expect(page.getByTestId('unlock-screen')).toBeVisible();

  await page.getByTestId('unlock-input').fill(PASSPHRASE);
  await page.getByTestId('unlock-submit').click();
  await expect(page.getByTestId('send-form')).toBeVisible();
  await expect(page.getByTestId('current-wallet-lock')).toBeVisible();

  // Locked by another client of the core while a payment is under review (the auto-lock timer
  // locks the same way): the screen follows the event, and after unlocking the review is still there.
  await faucet(page, '0.5');
  await mine(page, 1);
  await page.getByTestId('nav-send').click();
  await page.getByTestId('send-address-0').fill(FOREIGN.p2wpkh);
  await page.getByTestId('send-amount-0').fill('0.1');
  await page.getByTestId('send-review').click();
  await expect(page.getByTestId('review-title')).toHaveText('Review payment');
  const [wallet] = await callCore<{ id: string }[]>(core, 'wallet.list');
  await callCore(core, 'wallet.lock', { walletId: wallet!.id });
  await expect(page.getByTestId('unlock-screen')).toBeVisible();
  await page.getByTestId('unlock-input').fill(PASSPHRASE);
  await page.getByTestId('unlock-submit').click();
  await expect(page.getByTestId('review-title')).toHaveText('Review payment');
  await page.getByTestId('review-send').click();
  await expect(page.getByTestId('send-done-txid')).toHaveText(/^[0-9a-f]{64}$/);
});
