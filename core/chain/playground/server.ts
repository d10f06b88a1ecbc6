/**
 * The Playground's HTTP face, bound to loopback only: Bitcoin Core JSON-RPC at `/` (cookie auth,
 * `__cookie__:<random>` in `<dataDir>/.cookie`, 401 without it) and the Esplora REST API under
 * `/api` (unauthenticated, like a public Esplora). Optional scheduled mining for demos.
 * `runPlayground` is the `tapdesk playground` command in one call.
 *
 * Not here: what the endpoints answer (rpc.ts, esplora.ts), chain logic (playground.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { addressToScript } from './address.js';
import { handleEsplora } from './esplora.js';
import { Playground } from './playground.js';
import { handleRpcBody } from './rpc.js';

export interface PlaygroundServerOptions {
  /** Directory for the chain database and the RPC cookie; created when missing. */
  dataDir: string;
  /** Loopback address to bind (default 127.0.0.1); anything else is refused. */
  host?: string;
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Seconds since the epoch, for reproducible chains. */
  clock?: () => number;
  /** 32-byte faucet key secret (default: random, kept in the database). */
  faucetKey?: Uint8Array;
  /** Core's -mempoolfullrbf (default true). */
  fullRbf?: boolean;
  /** Mine one block every this many milliseconds (default: only on request). */
  blockIntervalMs?: number;
  /** Where scheduled blocks pay (default: the faucet's address). */
  miningAddress?: string;
}

export interface PlaygroundHandle {
  rpcUrl: string;
  esploraUrl: string;
  cookieFile: string;
  cookie: { user: string; password: string };
  network: 'regtest';
  /** The node itself, for in-process callers (tests, benchmarks). */
  playground: Playground;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 32 * 1024 * 1024;
const COOKIE_USER = '__cookie__';

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(null);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function authorized(req: IncomingMessage, expected: Buffer): boolean {
  const header = req.headers.authorization ?? '';
  const m = /^Basic\s+(\S+)$/i.exec(header);
  if (!m) return false;
  const got = Buffer.from(m[1]!, 'base64');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

export async function startPlayground(opts: PlaygroundServerOptions): Promise<PlaygroundHandle> {
  const host = opts.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new RangeError(`"host" expected a loopback address, got ${JSON.stringify(host)}`);
  let miningScript: Uint8Array | undefined;
  if (opts.miningAddress !== undefined) {
    miningScript = addressToScript(opts.miningAddress) ?? undefined;
    if (!miningScript) throw new RangeError(`"miningAddress" expected a regtest address, got ${JSON.stringify(opts.miningAddress)}`);
  }
  mkdirSync(opts.dataDir, { recursive: true });
  const pgOpts: ConstructorParameters<typeof Playground>[0] = { file: join(opts.dataDir, 'playground.sqlite') };
  if (opts.clock) pgOpts.clock = opts.clock;
  if (opts.faucetKey) pgOpts.faucetKey = opts.faucetKey;
  if (opts.fullRbf !== undefined) pgOpts.fullRbf = opts.fullRbf;
  const pg = new Playground(pgOpts);

  const password = randomBytes(32).toString('hex');
  const cookieFile = join(opts.dataDir, '.cookie');
  writeFileSync(cookieFile, `${COOKIE_USER}:${password}`, { mode: 0o600 });
  const expected = Buffer.from(`${COOKIE_USER}:${password}`);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://playground');
    const path = url.pathname;
    if (path === '/api' || path.startsWith('/api/')) {
      const body = await readBody(req);
      if (body === null) return send(res, 413, 'text/plain', 'Request body too large');
      const r = handleEsplora(pg, req.method ?? 'GET', path.slice(4) || '/', body.toString('utf8'));
      return send(res, r.status, r.contentType, r.body);
    }
    if (path !== '/' && !path.startsWith('/wallet/')) return send(res, 404, 'text/plain', 'Not Found');
    if (!authorized(req, expected)) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="jsonrpc"' });
      res.end();
      return;
    }
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'JSONRPC server handles only POST requests');
    const body = await readBody(req);
    if (body === null) return send(res, 413, 'text/plain', 'Request body too large');
    const r = handleRpcBody(pg, body.toString('utf8'));
    if (r.body === null) {
      res.writeHead(204);
      res.end();
      return;
    }
    send(res, r.status, 'application/json', `${r.body}\n`);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain', err instanceof Error ? err.message : String(err));
      else res.destroy();
    });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => resolve());
    });
  } catch (err) {
    pg.close();
    rmSync(cookieFile, { force: true });
    throw err;
  }

  let timer: NodeJS.Timeout | undefined;
  if (opts.blockIntervalMs !== undefined && opts.blockIntervalMs > 0) {
    const script = miningScript ?? pg.faucetWallet.script;
    timer = setInterval(() => pg.generate(1, script), opts.blockIntervalMs);
    timer.unref();
  }

  const { port } = server.address() as AddressInfo;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    rpcUrl: base,
    esploraUrl: `${base}/api`,
    cookieFile,
    cookie: { user: COOKIE_USER, password },
    network: 'regtest',
    playground: pg,
    close() {
      closing ??= new Promise<void>((resolve) => {
        if (timer) clearInterval(timer);
        server.close(() => {
          pg.close();
          rmSync(cookieFile, { force: true });
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * Starts the Playground (default port 18443, regtest's RPC port), prints where to reach it, and
 * closes it cleanly on SIGINT/SIGTERM.
 */
export async function runPlayground(opts: PlaygroundServerOptions & { log?: (line: string) => void }): Promise<PlaygroundHandle> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const handle = await startPlayground({ ...opts, port: opts.port ?? 18443 });
  log('Tapdesk Playground (regtest) is running');
  log(`  Core RPC:  ${handle.rpcUrl}  (cookie: ${handle.cookieFile})`);
  log(`  Esplora:   ${handle.esploraUrl}`);
  log(`  Faucet:    playground_faucet <address> <amount in BTC>  (faucet address ${handle.playground.faucetWallet.address})`);
  log(`  Tip:       height ${handle.playground.chain.tipHeight}`);
  const close = (): Promise<void> => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return handle.close();
  };
  const stop = (): void => void close().then(() => log('Tapdesk Playground stopped'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return { ...handle, close };
}
