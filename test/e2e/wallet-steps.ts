// What a user does in the wallet screens, as reusable steps for the specs: every step goes through
// the UI by data-testid, never around it.
import { expect, type Page } from '@playwright/test';

export const PASSPHRASE = 'correct horse battery staple';

/** The BIP39 test phrase: valid checksum, so restoring it works; never holds real coins. */
export const TEST_MNEMONIC = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

/** Regtest addresses no wallet here owns (witness programs of repeated bytes). */
export const FOREIGN = {
  p2tr: 'bcrt1pqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqyqszqgpqn4zdly',
  p2wpkh: 'bcrt1qqyqszqgpqyqszqgpqyqszqgpqyqszqgpvxat9t',
  p2wsh: 'bcrt1qqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrqvpsusm736',
} as const;

/** Creates a wallet through onboarding: 12 words, the backup quiz, name and passphrase. */
export async function createWallet(page: Page, name: string): Promise<string[]> {
  await page.getByTestId('current-wallet-switch').click();
  await page.getByTestId('chooser-create').click();
  await page.getByTestId('create-length-12').check();
  await page.getByTestId('create-generate').click();
  const grid = page.getByTestId('create-word');
  await expect(grid.locator('li')).toHaveCount(12);
  const words: string[] = [];
  for (let i = 1; i <= 12; i++) words.push((await page.getByTestId(`create-word-${i}`).textContent())!.trim());
  await page.getByTestId('create-written').check();
  await page.getByTestId('create-words-next').click();
  for (let q = 1; q <= 3; q++) {
    const input = page.getByTestId(`create-quiz-${q}`);
    const position = Number(await input.getAttribute('data-position'));
    await input.fill(words[position - 1]!);
  }
  await page.getByTestId('create-quiz-next').click();
  await fillSecurity(page, 'create', name);
  await page.getByTestId('create-submit').click();
  await expect(page.getByTestId('wallet-title')).toHaveText(name);
  return words;
}

export async function fillSecurity(page: Page, prefix: 'create' | 'restore', name: string): Promise<void> {
  await page.getByTestId(`${prefix}-name`).fill(name);
  await page.getByTestId(`${prefix}-passphrase`).fill(PASSPHRASE);
  await page.getByTestId(`${prefix}-passphrase-confirm`).fill(PASSPHRASE);
}

export async function restoreWallet(page: Page, name: string, mnemonic = TEST_MNEMONIC): Promise<void> {
  await page.getByTestId('current-wallet-switch').click();
  await page.getByTestId('chooser-restore').click();
  await page.getByTestId('restore-phrase').fill(mnemonic);
  await fillSecurity(page, 'restore', name);
  await page.getByTestId('restore-submit').click();
  await expect(page.getByTestId('wallet-title')).toHaveText(name);
}

/** Faucet coins to a fresh address of the open wallet, from the Playground panel in Settings. */
export async function faucet(page: Page, amountBtc: string): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('playground-faucet-amount').fill(amountBtc);
  await page.getByTestId('playground-faucet').click();
  await expect(page.getByTestId('playground-result')).toContainText(`Sent ${amountBtc}`);
}

export async function mine(page: Page, blocks = 1): Promise<void> {
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('playground-mine-count').fill(String(blocks));
  await page.getByTestId('playground-mine').click();
  await expect(page.getByTestId('playground-result')).toContainText(`Mined ${blocks} ${blocks === 1 ? 'block' : 'blocks'}`);
}

/** The balance as the wallet page shows it, e.g. "1.00000000 BTC". */
export async function expectBalance(page: Page, part: 'spendable' | 'total' | 'unconfirmed' | 'frozen', text: string): Promise<void> {
  await expect(page.getByTestId(`balance-${part}`)).toHaveText(text);
}
