// Web mode's gate: loopback only, per-launch token, own origin, own host; static files confined.
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectWebSocket } from '../../../core/host/ws-transport.js';
import type { TapdeskApp } from '../../../core/node/app.js';
import { startWebServer, type WebServer } from '../../../core/node/web-server.js';
import { newApp, tempDir } from '../../support/core.js';

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('web mode server', () => {
  let app: TapdeskApp;
  let web: WebServer;
  let staticDir: string;
  beforeAll(async () => {
    app = newApp();
    staticDir = tempDir('tapdesk-static');
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Tapdesk</title>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log(1)');
    web = await startWebServer({ api: app.server, staticDir });
  });
  afterAll(async () => {
    await web.close();
    await app.close();
  });

  it('listens on 127.0.0.1 on a random port and puts the token in the URL fragment', () => {
    expect(web.port).toBeGreaterThan(0);
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/#token=${web.token}`);
    expect(web.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('accepts a WebSocket with the token', async () => {
    const t = await connectWebSocket(web.wsUrl, web.token);
    t.close();
  });

  it('refuses a WebSocket without the token (401)', async () => {
    await expect(connectWebSocket(web.wsUrl, null)).rejects.toThrow('HTTP 401');
  });

  it('refuses a WebSocket with a wrong token (401)', async () => {
    await expect(connectWebSocket(web.wsUrl, 'ab'.repeat(32))).rejects.toThrow('HTTP 401');
  });

  it('refuses a WebSocket from another origin even with the token (403)', async () => {
    await expect(connectWebSocket(web.wsUrl, web.token, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
  });

  it('accepts the page’s own origin', async () => {
    const t = await connectWebSocket(web.wsUrl, web.token, { origin: `http://127.0.0.1:${web.port}` });
    t.close();
  });

  it('refuses a foreign Host header (DNS rebinding)', async () => {
    const res = await get(web.port, '/', { host: `attacker.example:${web.port}` });
    expect(res.status).toBe(403);
  });

  it('serves the renderer with a strict CSP and no-sniff', async () => {
    const res = await get(web.port, '/');
    expect(res.status).toBe(200);
    expect(res.body).toContain('<title>Tapdesk</title>');
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
    expect(String(res.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    const js = await get(web.port, '/assets/app.js');
    expect(js.headers['content-type']).toContain('text/javascript');
  });

  it('never serves files outside the renderer folder', async () => {
    for (const path of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/../../secret']) {
      const res = await get(web.port, path);
      expect(res.body).not.toContain('"name"');
      expect(res.body).not.toContain('root:');
      expect([200, 403]).toContain(res.status);
    }
  });
});
