// One contract suite, run over every transport: the renderer must not be able to tell them apart.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiCallError } from '../../../core/api/client.js';
import { methods } from '../../../core/api/contract.js';
import { defaultSettings } from '../../../core/api/settings.js';
import type { TapdeskApp } from '../../../core/node/app.js';
import { connect, newApp, type Connected, type TransportName } from '../../support/core.js';

async function rejection(p: Promise<unknown>): Promise<ApiCallError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiCallError);
  return err as ApiCallError;
}

describe.each<TransportName>(['in-process', 'websocket', 'message-port'])('API contract over %s', (transport) => {
  let app: TapdeskApp;
  let conn: Connected;
  beforeEach(async () => {
    app = newApp();
    conn = await connect(app, transport);
  });
  afterEach(async () => {
    await conn.close();
    await app.close();
  });

  it('app.info answers with version, network, data dir and schema version', async () => {
    const info = await conn.client.call('app.info');
    expect(info).toMatchObject({ name: 'Tapdesk', version: '0.0.0-test', network: 'regtest', playground: true, schemaVersion: 1, mode: 'cli' });
    expect(info.dataDir).toMatch(/tapdesk-test-/);
  });

  it('settings.get starts from the defaults', async () => {
    expect(await conn.client.call('settings.get')).toEqual(defaultSettings);
  });

  it('settings.set merges, persists and returns the whole settings', async () => {
    const next = await conn.client.call('settings.set', { unit: 'sats', theme: 'dark' });
    expect(next).toEqual({ ...defaultSettings, unit: 'sats', theme: 'dark' });
    expect(await conn.client.call('settings.get')).toEqual(next);
  });

  it('invalid params give INVALID_PARAMS naming the field, and change nothing', async () => {
    await conn.client.call('settings.set', { hideBalances: true });
    // @ts-expect-error deliberately outside the contract
    const err = await rejection(conn.client.call('settings.set', { unit: 'parsec', theme: 'light' }));
    expect(err.code).toBe('INVALID_PARAMS');
    expect(err.message).toContain('"unit"');
    expect(await conn.client.call('settings.get')).toEqual({ ...defaultSettings, hideBalances: true });
  });

  it('unknown keys are refused rather than ignored', async () => {
    const outcome = await conn.raw.call('settings.set', { colour: 'red' });
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.error.code).toBe('INVALID_PARAMS');
    expect(!outcome.ok && outcome.error.message).toContain('"colour"');
  });

  it('nested invalid params name the nested field', async () => {
    const err = await rejection(
      conn.client.call('settings.set', { chain: { kind: 'bitcoind', url: 'ftp://x', network: 'mainnet', auth: { kind: 'cookie', cookieFile: '/c' } } }),
    );
    expect(err.code).toBe('INVALID_PARAMS');
    expect(err.message).toContain('"chain.url"');
  });

  it('an unknown method gives UNKNOWN_METHOD', async () => {
    const outcome = await conn.raw.call('wallet.stealEverything', {});
    expect(outcome).toEqual({ ok: false, error: { code: 'UNKNOWN_METHOD', message: 'unknown method "wallet.stealEverything"' } });
  });

  it('events reach subscribers, and stop after unsubscribe', async () => {
    const seen: string[] = [];
    const unsubscribe = conn.client.subscribe('settings.changed', (s) => seen.push(s.unit));
    // A call after subscribing is ordered after the subscription on every transport.
    await conn.client.call('settings.set', { unit: 'sats' });
    await conn.client.call('app.info');
    expect(seen).toEqual(['sats']);
    unsubscribe();
    await conn.client.call('settings.set', { unit: 'BTC' });
    await conn.client.call('app.info');
    expect(seen).toEqual(['sats']);
  });

  it('changing the chain backend reconnects and reports the new backend in app.status', async () => {
    const statuses: { backend: string; connected: boolean; message: string | null }[] = [];
    conn.client.subscribe('app.status', (s) => statuses.push(s.chain));
    // Nothing listens on port 1: the connection is refused at once, without leaving this machine.
    await conn.client.call('settings.set', { chain: { kind: 'esplora', url: 'http://127.0.0.1:1/api', network: 'mainnet' } });
    await conn.client.call('app.info');
    expect(statuses.every((s) => s.backend === 'esplora' && !s.connected)).toBe(true);
    expect(statuses.at(-1)?.message).toMatch(/127\.0\.0\.1:1/);
    expect((await conn.client.call('app.status')).chain).toMatchObject({ backend: 'esplora', connected: false });
    expect((await conn.client.call('app.info')).network).toBe('mainnet');
  });

  it('many concurrent calls each get their own answer', async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 2 ? conn.client.call('app.info') : conn.client.call('settings.get'))));
    results.forEach((r, i) => expect(i % 2 ? 'version' in r : 'unit' in r).toBe(true));
  });
});

describe('contract shape', () => {
  it('every method has params and result schemas and a domain.verb name', () => {
    for (const [name, spec] of Object.entries(methods)) {
      expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
      expect(typeof spec.params.safeParse).toBe('function');
      expect(typeof spec.result.safeParse).toBe('function');
    }
  });
});
