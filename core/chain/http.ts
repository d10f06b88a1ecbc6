/**
 * HTTP(S) transport shared by the chain backends: one request under a hard deadline, connection
 * failures turned into ChainErrors that say what to check, an optional SOCKS5 proxy under every
 * connection (Tor), a bounded response size, and a retry loop with exponential backoff for the
 * failures the caller classifies as transient.
 *
 * It is NOT an API client: status codes and bodies mean nothing here, the backends interpret them
 * (bitcoind/rpc.ts, esplora/source.ts).
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { type Socks5Proxy, socks5Connect } from './socks5.js';
import { ChainError } from './source.js';

export interface HttpTransportOptions {
  /** Base URL; request paths are appended to its path (e.g. `https://blockstream.info/api`). */
  baseUrl: string;
  /** Deadline for a whole request: connect, send, and the complete response body. */
  timeoutMs: number;
  /** When set, every connection goes through this SOCKS5 proxy (no keep-alive, no local DNS). */
  proxy?: Socks5Proxy;
  /** Largest response body accepted, in bytes. */
  maxBodyBytes?: number;
  /** Concurrent connections to the server (keep-alive pool size without a proxy). */
  maxSockets?: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface HttpRequestInit {
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

const DEFAULT_MAX_BODY = 128 * 1024 * 1024;

/** What a connection-level error means for the user, by Node error code. */
function connectionError(origin: string, err: NodeJS.ErrnoException): ChainError {
  if (err instanceof ChainError) return err;
  switch (err.code) {
    case 'ECONNREFUSED':
      return new ChainError('UNREACHABLE', `${origin} refused the connection: check that the server is running and the URL and port are right`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new ChainError('UNREACHABLE', `cannot resolve the host of ${origin}: check the URL and the network connection`);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new ChainError('UNREACHABLE', `${origin} is unreachable (${err.code}): check the network connection`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new ChainError('UNREACHABLE', `${origin} closed the connection unexpectedly (${err.code})`);
    default:
      if (typeof err.code === 'string' && (err.code.startsWith('ERR_TLS') || err.code.includes('CERT'))) {
        return new ChainError('UNREACHABLE', `TLS with ${origin} failed (${err.code}): ${err.message}`);
      }
      return new ChainError('UNREACHABLE', `request to ${origin} failed: ${err.message}`);
  }
}

export class HttpTransport {
  readonly origin: string;
  private readonly base: URL;
  private readonly agent: http.Agent | undefined;
  private readonly maxBody: number;

  constructor(private readonly options: HttpTransportOptions) {
    let base: URL;
    try {
      base = new URL(options.baseUrl);
    } catch {
      throw new RangeError(`"baseUrl" expected an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new RangeError(`"baseUrl" expected an http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
    }
    if (!(options.timeoutMs > 0)) throw new RangeError(`"timeoutMs" expected a positive number, got ${options.timeoutMs}`);
    this.base = base;
    this.origin = base.origin + base.pathname.replace(/\/$/, '');
    this.maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    const pool = { keepAlive: true, maxSockets: options.maxSockets ?? 4 };
    this.agent = options.proxy ? undefined : base.protocol === 'https:' ? new https.Agent(pool) : new http.Agent(pool);
  }

  /** Connects through the SOCKS5 proxy, then wraps in TLS for https (SNI = the target host). */
  private proxiedConnection(
    proxy: Socks5Proxy,
    timeoutMs: number,
  ): (opts: unknown, done: (err: Error | null, socket?: net.Socket) => void) => undefined {
    const host = this.base.hostname.replace(/^\[(.*)\]$/, '$1');
    const tlsWanted = this.base.protocol === 'https:';
    const port = Number(this.base.port || (tlsWanted ? 443 : 80));
    return (_opts, done) => {
      socks5Connect(proxy, { host, port }, timeoutMs).then(
        (socket) => {
          if (!tlsWanted) return done(null, socket);
          done(null, tls.connect({ socket, servername: net.isIP(host) ? undefined : host }));
        },
        (err: Error) => done(err),
      );
      return undefined;
    };
  }

  request(method: 'GET' | 'POST', path: string, init: HttpRequestInit = {}): Promise<HttpResponse> {
    const timeoutMs = init.timeoutMs ?? this.options.timeoutMs;
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    const body = init.body === undefined ? undefined : typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : Buffer.from(init.body);
    const headers: Record<string, string> = { ...init.headers };
    if (body) headers['content-length'] = String(body.length);
    const lib = url.protocol === 'https:' ? https : http;
    const where = this.origin;

    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const finish = (err: ChainError | null, res?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(res as HttpResponse);
      };
      const req = lib.request(url, {
        method,
        headers,
        ...(this.options.proxy
          ? { createConnection: this.proxiedConnection(this.options.proxy, timeoutMs) as never }
          : { agent: this.agent }),
      });
      const timer = setTimeout(() => {
        finish(new ChainError('TIMEOUT', `${where} did not answer within ${timeoutMs} ms: check that the server is up and not overloaded, or raise the timeout`));
        req.destroy();
      }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => finish(connectionError(where, err)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxBody) {
            finish(new ChainError('BAD_RESPONSE', `${where} sent a response larger than ${this.maxBody} bytes for ${method} ${path}`));
            req.destroy();
            return;
          }
          chunks.push(chunk);
        });
        res.on('error', (err: NodeJS.ErrnoException) => finish(connectionError(where, err)));
        res.on('end', () => {
          if (!res.complete) {
            finish(new ChainError('UNREACHABLE', `${where} closed the connection before the response to ${method} ${path} was complete`));
            return;
          }
          finish(null, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent?.destroy();
  }
}

export interface RetryPolicy {
  /** Extra attempts after the first. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 250, maxDelayMs: 4_000 };

/**
 * Runs `attempt` until it succeeds, it fails with an error `transient` rejects (returns false), or
 * the retries are spent (the last error is thrown). `transient` may return a delay in ms (e.g. from
 * Retry-After) to wait instead of the exponential one.
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  transient: (err: unknown) => boolean | number,
): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await attempt();
    } catch (err) {
      const verdict = transient(err);
      if (verdict === false || i >= policy.retries) throw err;
      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** i);
      const delay = typeof verdict === 'number' ? Math.min(policy.maxDelayMs, Math.max(0, verdict)) : backoff;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
