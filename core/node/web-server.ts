/**
 * Web mode: serves the built renderer over HTTP and the API over a WebSocket, on 127.0.0.1 only.
 * A random per-launch token must arrive as the WebSocket subprotocol `token.<hex>`; browsers must
 * also come from our own origin (a page elsewhere cannot drive the wallet), and the Host header
 * must name loopback (DNS rebinding). Without them the upgrade is refused with 401/403.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerMessage } from '../api/envelope.js';
import type { ApiServer } from './api-server.js';

export const WS_PATH = '/ipc';
export const PROTOCOL = 'tapdesk.v1';
const TOKEN_PREFIX = 'token.';

export interface WebServerOptions {
  api: ApiServer;
  host?: string;
  port?: number;
  /** The built renderer; omit to serve the API only (CLI endpoint of the Electron core). */
  staticDir?: string;
  token?: string;
}

export interface WebServer {
  port: number;
  token: string;
  /** The page to open, with the token in the fragment (never sent to the server in requests). */
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export function newToken(): string {
  return randomBytes(32).toString('hex');
}

function tokenMatches(expected: string, offered: string | undefined): boolean {
  if (!offered) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(offered);
  return a.length === b.length && timingSafeEqual(a, b);
}

function offeredToken(req: IncomingMessage): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (!header) return undefined;
  return header
    .split(',')
    .map((p) => p.trim())
    .find((p) => p.startsWith(TOKEN_PREFIX))
    ?.slice(TOKEN_PREFIX.length);
}

function reject(socket: Socket, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
}

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  let port = 0;
  const allowedHosts = () => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = () => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);

  const http = createServer((req, res) => {
    if (!allowedHosts().has(req.headers.host ?? '')) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('forbidden host');
      return;
    }
    if (!opts.staticDir || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    serveStatic(opts.staticDir, req, res, port);
  });

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 16 * 1024 * 1024,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });

  http.on('upgrade', (req, socket: Socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== WS_PATH) return reject(socket, 404, 'Not Found');
    if (!allowedHosts().has(req.headers.host ?? '')) return reject(socket, 403, 'Forbidden');
    const origin = req.headers.origin;
    // Browsers always send Origin; local programs (CLI, tests) send none but still need the token.
    if (origin !== undefined && !allowedOrigins().has(origin)) return reject(socket, 403, 'Forbidden');
    if (!tokenMatches(token, offeredToken(req))) return reject(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  });

  const attach = (ws: WebSocket) => {
    const attachment = opts.api.attach({
      send: (message: ServerMessage) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
    });
    ws.on('message', (data, isBinary) => {
      if (isBinary) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data.toString());
      } catch {
        return;
      }
      attachment.receive(parsed);
    });
    ws.on('close', () => attachment.detach());
    ws.on('error', () => attachment.detach());
  };

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(opts.port ?? 0, host, () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    port,
    token,
    url: `${origin}/#token=${token}`,
    wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function serveStatic(root: string, req: IncomingMessage, res: ServerResponse, port: number): void {
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  const relative = normalize(pathname).replace(/^([/\\])+/, '');
  let file = join(root, relative);
  if (!file.startsWith(root + sep) && file !== root) {
    res.writeHead(403).end();
    return;
  }
  let stat = statSync(file, { throwIfNoEntry: false });
  if (!stat || stat.isDirectory()) {
    // The renderer is a single page: unknown paths get the shell.
    file = join(root, 'index.html');
    stat = statSync(file, { throwIfNoEntry: false });
  }
  if (!stat) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('renderer not built: run `npm run build`');
    return;
  }
  res.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'content-length': stat.size,
    'cache-control': 'no-store',
    'content-security-policy': contentSecurityPolicy(`ws://127.0.0.1:${port} ws://localhost:${port}`),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

/** Same policy as the renderer's own <meta> tag, plus the WebSocket endpoint. */
export function contentSecurityPolicy(connectSrc = ''): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${connectSrc ? ' ' + connectSrc : ''}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
