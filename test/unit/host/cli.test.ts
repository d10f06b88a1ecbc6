// The CLI as a user runs it: separate process, JSON on stdout, typed errors on stderr, exit codes.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, serveFromSource } from '../../support/cli.js';
import { tempDir } from '../../support/core.js';

describe('tapdesk CLI', () => {
  it('`call app.info` prints the JSON result and exits 0', async () => {
    const data = tempDir();
    const r = await runCli(['call', 'app.info', '{}', '--data', data]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'Tapdesk', network: 'regtest', playground: true, dataDir: data, schemaVersion: 1, mode: 'cli' });
  });

  it('`call settings.set {"unit":"parsec"}` fails with INVALID_PARAMS on stderr and a non-zero exit', async () => {
    const data = tempDir();
    const r = await runCli(['call', 'settings.set', '{"unit":"parsec"}', '--data', data]);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('INVALID_PARAMS');
    expect(error.message).toContain('"unit"');
    const after = await runCli(['call', 'settings.get', '--data', data]);
    expect(JSON.parse(after.stdout).unit).toBe('BTC');
  });

  it('params that are not JSON are an INVALID_PARAMS error', async () => {
    const r = await runCli(['call', 'settings.set', '{unit:', '--data', tempDir()]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('INVALID_PARAMS');
  });

  it('an unknown method is UNKNOWN_METHOD', async () => {
    const r = await runCli(['wallet.nope', '--data', tempDir()]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stderr).error.code).toBe('UNKNOWN_METHOD');
  });

  it('the short form `tapdesk <method> --json` works and settings persist between runs', async () => {
    const data = tempDir();
    expect((await runCli(['settings.set', '--json', '{"unit":"sats"}', '--data', data])).code).toBe(0);
    const r = await runCli(['settings.get', '--data', data], {});
    expect(JSON.parse(r.stdout).unit).toBe('sats');
  });

  it('TAPDESK_DATA_DIR selects the data directory', async () => {
    const data = tempDir();
    const r = await runCli(['app.info'], { TAPDESK_DATA_DIR: data });
    expect(JSON.parse(r.stdout).dataDir).toBe(data);
  });

  it('a corrupt wallet database is reported as STORE_ERROR and left untouched', async () => {
    const data = tempDir();
    writeFileSync(join(data, 'tapdesk.sqlite'), 'not a database at all'.repeat(100));
    const r = await runCli(['app.info', '--data', data]);
    expect(r.code).toBe(1);
    const { error } = JSON.parse(r.stderr) as { error: { code: string; message: string } };
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toContain('left untouched');
  });

  it('`methods` lists every method with a JSON Schema of its params', async () => {
    const r = await runCli(['methods']);
    const list = JSON.parse(r.stdout) as { method: string; params: { type: string } }[];
    expect(list.map((m) => m.method)).toContain('settings.set');
    expect(list.find((m) => m.method === 'settings.set')?.params.type).toBe('object');
  });

  it('usage errors exit 2', async () => {
    const r = await runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown command');
  });

  it('talks to the running core when one serves the data directory, and serve cleans up on SIGTERM', async () => {
    const data = tempDir();
    const server = await serveFromSource(['--data', data, '--port', '0']);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{64}$/);
    expect(existsSync(join(data, 'endpoint.json'))).toBe(true);
    const r = await runCli(['settings.set', '{"theme":"dark"}', '--data', data]);
    expect(r.code).toBe(0);
    // The running core's mode answers, proving the call went over its WebSocket.
    expect(JSON.parse((await runCli(['app.info', '--data', data])).stdout).mode).toBe('web');
    const again = await runCli(['serve', '--data', data]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already running');
    expect(await server.stop()).toBe(0);
    expect(existsSync(join(data, 'endpoint.json'))).toBe(false);
    expect(JSON.parse((await runCli(['settings.get', '--data', data])).stdout).theme).toBe('dark');
  });
});
