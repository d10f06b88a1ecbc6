// SOCKS5 CONNECT client (RFC 1928 + RFC 1929 username/password) against a local fake proxy, and
// the Esplora backend routed through it (every request via the proxy, Tor-style isolation
// credentials, a proxy that is down / refuses / rejects credentials / stalls, TLS over the proxy).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EsploraSource } from '../../../core/chain/esplora/source.js';
import { socks5Connect } from '../../../core/chain/socks5.js';
import { ChainError } from '../../../core/chain/source.js';

interface FakeProxy {
  port: number;
  /** Every CONNECT: address type and target as the proxy saw them. */
  connects: { atyp: number; host: string; port: number }[];
  /** Every username/password pair offered. */
  logins: string[];
  /** Methods offered in each greeting. */
  greetings: number[][];
  close(): Promise<void>;
}

interface FakeProxyBehaviour {
  credentials?: { user: string; pass: string };
  /** CONNECT reply code (0 = success). */
  reply?: number;
  /** Never answer the greeting. */
  silent?: boolean;
  /** Send these bytes from the "target" right after the success reply, in the same packet. */
  earlyData?: Buffer;
}

async function fakeProxy(behaviour: FakeProxyBehaviour = {}): Promise<FakeProxy> {
  const connects: FakeProxy['connects'] = [];
  const logins: string[] = [];
  const greetings: number[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    let buf = Buffer.alloc(0);
    let stage: 'greeting' | 'auth' | 'connect' | 'piped' = 'greeting';
    client.on('data', (chunk) => {
      if (stage === 'piped') return;
      buf = Buffer.concat([buf, chunk]);
      if (behaviour.silent) return;
      for (;;) {
        if (stage === 'greeting') {
          if (buf.length < 2 || buf.length < 2 + (buf[1] as number)) return;
          const methods = [...buf.subarray(2, 2 + (buf[1] as number))];
          buf = buf.subarray(2 + methods.length);
          greetings.push(methods);
          const wanted = behaviour.credentials ? 0x02 : 0x00;
          if (!methods.includes(wanted)) {
            client.end(Buffer.of(0x05, 0xff));
            return;
          }
          client.write(Buffer.of(0x05, wanted));
          stage = behaviour.credentials ? 'auth' : 'connect';
        } else if (stage === 'auth') {
          if (buf.length < 2) return;
          const ulen = buf[1] as number;
          if (buf.length < 3 + ulen) return;
          const plen = buf[2 + ulen] as number;
          if (buf.length < 3 + ulen + plen) return;
          const user = buf.subarray(2, 2 + ulen).toString();
          const pass = buf.subarray(3 + ulen, 3 + ulen + plen).toString();
          buf = buf.subarray(3 + ulen + plen);
          logins.push(`${user}:${pass}`);
          const ok = user === behaviour.credentials?.user && pass === behaviour.credentials?.pass;
          if (!ok) {
            client.end(Buffer.of(0x01, 0x01));
            return;
          }
          client.write(Buffer.of(0x01, 0x00));
          stage = 'connect';
        } else if (stage === 'connect') {
          if (buf.length < 5) return;
          const atyp = buf[3] as number;
          const len = atyp === 1 ? 4 : atyp === 4 ? 16 : 1 + (buf[4] as number);
          if (buf.length < 4 + len + 2) return;
          const addr = buf.subarray(4, 4 + len);
          const host =
            atyp === 1 ? [...addr].join('.') : atyp === 4 ? (addr.toString('hex').match(/.{4}/g) ?? []).join(':') : addr.subarray(1).toString();
          const port = buf.readUInt16BE(4 + len);
          buf = buf.subarray(4 + len + 2);
          connects.push({ atyp, host, port });
          const reply = behaviour.reply ?? 0;
          if (reply !== 0) {
            client.end(Buffer.of(0x05, reply, 0x00, 0x01, 0, 0, 0, 0, 0, 0));
            return;
          }
          stage = 'piped';
          const ok = Buffer.of(0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0, 0);
          if (behaviour.earlyData) {
            client.write(Buffer.concat([ok, behaviour.earlyData]));
            return;
          }
          // Every target is served locally: names resolve to 127.0.0.1, as Tor would resolve remotely.
          const upstream = net.connect(port, '127.0.0.1', () => {
            client.write(ok);
            if (buf.length) upstream.write(buf);
            client.pipe(upstream).pipe(client);
          });
          upstream.on('error', () => client.destroy());
          client.on('close', () => upstream.destroy());
          return;
        } else {
          return;
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    connects,
    logins,
    greetings,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function listen(server: http.Server | https.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Listens on 127.0.0.1 and registers a cleanup that closes the server and every connection. */
async function serve(server: http.Server | https.Server): Promise<number> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const port = await listen(server);
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return port;
}

async function expectChainError(promise: Promise<unknown>, code: string, message: RegExp): Promise<ChainError> {
  const err = await promise.then(
    () => {
      throw new Error('expected a ChainError');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChainError);
  expect((err as ChainError).code).toBe(code);
  expect((err as ChainError).message).toMatch(message);
  return err as ChainError;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function echoServer(): Promise<number> {
  const server = net.createServer((s) => s.pipe(s));
  const port = await listen(server);
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return port;
}

describe('socks5Connect', () => {
  it('connects without auth and carries data both ways (IPv4 target, address type 0x01)', async () => {
    const proxy = await fakeProxy();
    cleanups.push(() => proxy.close());
    const port = await echoServer();
    const socket = await socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: '127.0.0.1', port });
    socket.resume();
    const echoed = new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.write('ping');
    expect(await echoed).toBe('ping');
    socket.destroy();
    expect(proxy.greetings).toEqual([[0x00]]);
    expect(proxy.connects).toEqual([{ atyp: 1, host: '127.0.0.1', port }]);
  });

  it('sends host names unresolved (address type 0x03), so .onion works and DNS does not leak', async () => {
    const proxy = await fakeProxy({ earlyData: Buffer.from('hi') });
    cleanups.push(() => proxy.close());
    const socket = await socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: 'explorerzydxu5ecjrkwceayqybizmpjjznk5izmitf2modhcusuqlid.onion', port: 80 });
    socket.destroy();
    expect(proxy.connects).toEqual([{ atyp: 3, host: 'explorerzydxu5ecjrkwceayqybizmpjjznk5izmitf2modhcusuqlid.onion', port: 80 }]);
  });

  it('encodes IPv6 literals as address type 0x04', async () => {
    const proxy = await fakeProxy({ earlyData: Buffer.alloc(0) });
    cleanups.push(() => proxy.close());
    (await socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: '[2001:db8::1]', port: 8333 })).destroy();
    (await socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: '::ffff:10.0.0.1', port: 1 })).destroy();
    expect(proxy.connects).toEqual([
      { atyp: 4, host: '2001:0db8:0000:0000:0000:0000:0000:0001', port: 8333 },
      { atyp: 4, host: '0000:0000:0000:0000:0000:ffff:0a00:0001', port: 1 },
    ]);
  });

  it('keeps bytes the target sent together with the CONNECT reply', async () => {
    const proxy = await fakeProxy({ earlyData: Buffer.from('SSH-2.0-hello\r\n') });
    cleanups.push(() => proxy.close());
    const socket = await socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: 'example.org', port: 22 });
    const first = await new Promise<string>((resolve) => socket.once('data', (d) => resolve(d.toString())));
    socket.destroy();
    expect(first).toBe('SSH-2.0-hello\r\n');
  });

  it('with credentials offers only username/password (Tor stream isolation) and sends them', async () => {
    const proxy = await fakeProxy({ credentials: { user: 'tapdesk-1', pass: 'x' }, earlyData: Buffer.alloc(0) });
    cleanups.push(() => proxy.close());
    const socket = await socks5Connect({ host: '127.0.0.1', port: proxy.port, username: 'tapdesk-1', password: 'x' }, { host: 'a.example', port: 443 });
    socket.destroy();
    expect(proxy.greetings).toEqual([[0x02]]);
    expect(proxy.logins).toEqual(['tapdesk-1:x']);
  });

  it('a proxy that is down → UNREACHABLE naming the proxy and Tor', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await new Promise<void>((r) => server.close(() => r()));
    await expectChainError(
      socks5Connect({ host: '127.0.0.1', port }, { host: 'example.org', port: 80 }),
      'UNREACHABLE',
      new RegExp(`SOCKS5 proxy 127\\.0\\.0\\.1:${port} is not reachable \\(ECONNREFUSED\\): check that Tor or the proxy is running`),
    );
  });

  it('wrong credentials → UNREACHABLE "rejected the username/password"', async () => {
    const proxy = await fakeProxy({ credentials: { user: 'u', pass: 'right' } });
    cleanups.push(() => proxy.close());
    await expectChainError(
      socks5Connect({ host: '127.0.0.1', port: proxy.port, username: 'u', password: 'wrong' }, { host: 'example.org', port: 80 }),
      'UNREACHABLE',
      /rejected the username\/password: check the proxy credentials/,
    );
  });

  it('a proxy that wants credentials we do not have → UNREACHABLE "requires authentication"', async () => {
    const proxy = await fakeProxy({ credentials: { user: 'u', pass: 'p' } });
    cleanups.push(() => proxy.close());
    await expectChainError(socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: 'example.org', port: 80 }), 'UNREACHABLE', /requires authentication: configure the proxy username and password/);
  });

  it.each([
    [0x05, 'connection refused \\(reply 0x05\\)'],
    [0x04, 'host unreachable \\(reply 0x04\\)'],
    [0xf0, 'onion service descriptor can not be found \\(reply 0xf0\\)'],
    [0x42, 'unknown error \\(reply 0x42\\)'],
  ])('CONNECT reply 0x%s → UNREACHABLE with its meaning', async (reply, meaning) => {
    const proxy = await fakeProxy({ reply });
    cleanups.push(() => proxy.close());
    await expectChainError(
      socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: 'example.org', port: 80 }),
      'UNREACHABLE',
      new RegExp(`could not connect to example\\.org:80: ${meaning}`),
    );
  });

  it('a proxy that never answers → TIMEOUT', async () => {
    const proxy = await fakeProxy({ silent: true });
    cleanups.push(() => proxy.close());
    const started = Date.now();
    await expectChainError(socks5Connect({ host: '127.0.0.1', port: proxy.port }, { host: 'example.org', port: 80 }, 200), 'TIMEOUT', /did not complete the handshake for example\.org:80 within 200 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('refuses credentials longer than 255 bytes, naming the field', () => {
    expect(() => socks5Connect({ host: '127.0.0.1', port: 1, username: 'u'.repeat(256), password: 'p' }, { host: 'a', port: 1 })).toThrowError(
      '"username" expected 1 to 255 bytes, got 256',
    );
  });
});

// A minimal Esplora: regtest genesis, a tip, and a transaction that is not found.
const REGTEST_GENESIS = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';
function fakeEsplora(seen: string[]): http.RequestListener {
  return (req, res) => {
    seen.push(`${req.method} ${req.url} host=${req.headers.host}`);
    if (req.url === '/block-height/0' || req.url === '/blocks/tip/hash') return res.end(REGTEST_GENESIS);
    if (req.url === `/block/${REGTEST_GENESIS}`) return res.end(JSON.stringify({ id: REGTEST_GENESIS, height: 0, timestamp: 1296688602, tx_count: 1 }));
    res.statusCode = 404;
    res.end('Transaction not found');
  };
}

describe('Esplora through SOCKS5', () => {
  it('routes every request through the proxy with the isolation credentials', async () => {
    const seen: string[] = [];
    const server = http.createServer(fakeEsplora(seen));
    const port = await serve(server);
    const proxy = await fakeProxy({ credentials: { user: 'wallet-7', pass: 'circuit' } });
    cleanups.push(() => proxy.close());
    const source = new EsploraSource({
      url: `http://esplora.internal:${port}`,
      network: 'regtest',
      proxy: { host: '127.0.0.1', port: proxy.port, username: 'wallet-7', password: 'circuit' },
      pacing: false,
    });
    cleanups.push(() => source.close());
    expect(await source.tip()).toEqual({ height: 0, hash: REGTEST_GENESIS });
    expect(await source.tx('11'.repeat(32))).toBeNull();
    // Genesis check, tip hash, tip block, raw tx and tx status: five requests, five proxied streams.
    expect(seen).toHaveLength(5);
    expect(proxy.connects).toHaveLength(5);
    expect(proxy.connects.every((c) => c.atyp === 3 && c.host === 'esplora.internal' && c.port === port)).toBe(true);
    expect(proxy.logins.every((l) => l === 'wallet-7:circuit')).toBe(true);
    expect(seen.every((s) => s.endsWith(`host=esplora.internal:${port}`))).toBe(true);
  });

  it('a proxy that is down → UNREACHABLE after the retries, never a direct connection', async () => {
    const seen: string[] = [];
    const server = http.createServer(fakeEsplora(seen));
    const port = await serve(server);
    const dead = net.createServer();
    const deadPort = await listen(dead);
    await new Promise<void>((r) => dead.close(() => r()));
    const source = new EsploraSource({
      url: `http://127.0.0.1:${port}`,
      network: 'regtest',
      proxy: { host: '127.0.0.1', port: deadPort },
      pacing: false,
      retry: { retries: 1, baseDelayMs: 5 },
    });
    cleanups.push(() => source.close());
    await expectChainError(source.tip(), 'UNREACHABLE', /SOCKS5 proxy 127\.0\.0\.1:\d+ is not reachable \(ECONNREFUSED\): check that Tor or the proxy is running/);
    expect(seen).toEqual([]);
  });

  it('a proxy that refuses the target → UNREACHABLE with the SOCKS reply', async () => {
    const proxy = await fakeProxy({ reply: 0x05 });
    cleanups.push(() => proxy.close());
    const source = new EsploraSource({
      url: 'http://esplora.internal:3000',
      network: 'regtest',
      proxy: { host: '127.0.0.1', port: proxy.port },
      pacing: false,
      retry: { retries: 0 },
    });
    cleanups.push(() => source.close());
    await expectChainError(source.info(), 'UNREACHABLE', /could not connect to esplora\.internal:3000: connection refused \(reply 0x05\)/);
  });

  describe('https over the proxy', () => {
    let dir: string | undefined;
    let tlsOptions: { key: Buffer; cert: Buffer } | undefined;
    beforeAll(() => {
      try {
        dir = mkdtempSync(join(tmpdir(), 'tapdesk-socks-tls-'));
        execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=esplora.internal',
          '-addext', 'subjectAltName=DNS:esplora.internal', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
        tlsOptions = { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
      } catch {
        tlsOptions = undefined;
      }
    });
    afterAll(() => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it('runs TLS to the target through the tunnel and verifies its certificate (self-signed → refused)', async (ctx) => {
      if (!tlsOptions) return ctx.skip('openssl is not available to make a test certificate');
      let sni: string | undefined;
      const server = https.createServer(tlsOptions, fakeEsplora([]));
      server.on('secureConnection', (s) => {
        sni = (s as unknown as { servername?: string }).servername;
      });
      const port = await serve(server);
      const proxy = await fakeProxy();
      cleanups.push(() => proxy.close());
      const source = new EsploraSource({
        url: `https://esplora.internal:${port}`,
        network: 'regtest',
        proxy: { host: '127.0.0.1', port: proxy.port },
        pacing: false,
        retry: { retries: 0 },
      });
      cleanups.push(() => source.close());
      await expectChainError(source.tip(), 'UNREACHABLE', /TLS with https:\/\/esplora\.internal:\d+ failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)\)/);
      expect(proxy.connects).toEqual([{ atyp: 3, host: 'esplora.internal', port }]);
      expect(sni ?? 'esplora.internal').toBe('esplora.internal');
    });
  });
});
