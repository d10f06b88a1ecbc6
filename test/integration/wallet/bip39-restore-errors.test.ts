// Restoring from a recovery phrase with a mistake: the error names the word, its position and the
// BIP39 words it is probably meant to be, so the restore screen can say what to fix.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError, createClient, type Client } from '../../../core/api/client.js';
import { TapdeskApp } from '../../../core/node/app.js';
import { newApp } from '../../support/core.js';

const ELEVEN = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon';

async function restoreError(api: Client, mnemonic: string): Promise<ApiCallError> {
  const err = await api.call('wallet.restore', { mnemonic, name: 'Restored', passphrase: 'restore passphrase' }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCallError);
  return err as ApiCallError;
}

describe('wallet.restore with a wrong recovery phrase', () => {
  // No chain needed: the phrase is checked before anything else.
  let app: TapdeskApp;
  let api: Client;
  beforeAll(() => {
    app = newApp();
    api = createClient(app.server.local());
  });
  afterAll(() => app.close());

  it('a misspelt word is named with its position and the words it is probably meant to be', async () => {
    const err = await restoreError(api, `${ELEVEN} abot`);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('"mnemonic" word 12 "abot" is not in the BIP39 english wordlist: did you mean "about", "above" or "able"?');
  });

  it('a single likely word is offered alone', async () => {
    const err = await restoreError(api, `${ELEVEN.replace('abandon abandon', 'abandon abandonn')} about`);
    expect(err.message).toBe('"mnemonic" word 2 "abandonn" is not in the BIP39 english wordlist: did you mean "abandon"?');
  });

  it('a word far from every BIP39 word is named without guesses', async () => {
    const err = await restoreError(api, `xylophonequartz ${ELEVEN}`);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('"mnemonic" word 1 "xylophonequartz" is not in the BIP39 english wordlist');
  });

  it('a wrong checksum keeps its own message', async () => {
    const err = await restoreError(api, `${ELEVEN} abandon`);
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toBe('"mnemonic" checksum does not match: a word is wrong or the words are out of order');
  });
});
