/**
 * Bitcoin Core JSON-RPC over HTTP(S): cookie or rpcuser/rpcpassword auth, single calls and batches
 * (many calls in one HTTP request), a deadline per request, retries with exponential backoff for
 * transient failures only, and every result validated with a zod schema.
 * https://github.com/bitcoin/bitcoin/blob/master/doc/JSON-RPC-interface.md
 *
 * Requests use JSON-RPC 1.0 framing, which every Core version accepts; in that mode Core reports
 * RPC errors with HTTP 500 (404 for an unknown method) and a normal envelope, so the envelope, not
 * the status, decides what happened. Transient: connection refused/reset and HTTP 5xx without an
 * envelope (Core's 503 "Work queue depth exceeded"). Never retried: 401/403, RPC errors, timeouts.
 *
 * Not here: what any method means (bitcoind/source.ts maps RPC errors to ChainErrors).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { DEFAULT_RETRY, HttpTransport, type HttpResponse, type RetryPolicy, withRetry } from '../http.js';
import { ChainError } from '../source.js';

export type RpcAuth = { cookieFile: string } | { user: string; password: string };

export interface RpcClientOptions {
  /** e.g. `http://127.0.0.1:8332` (a wallet path like `/wallet/name` is kept). */
  url: string;
  auth: RpcAuth;
  /** Per HTTP request, default 30 s. */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
}

/** An error the node returned for one call: `code` is Core's RPC error code (e.g. -5, -26). */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly method: string,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface RpcCall<T> {
  method: string;
  params: readonly unknown[];
  schema: z.ZodType<T>;
}

export type RpcOutcome<T> = { ok: true; value: T } | { ok: false; error: RpcError };

const envelope = z.object({
  result: z.unknown(),
  error: z.union([z.null(), z.object({ code: z.number(), message: z.string() })]).optional(),
  id: z.unknown(),
});
type Envelope = z.infer<typeof envelope>;

/** ChainErrors worth retrying; marked where they are made, so the policy is decided in one place. */
const transient = new WeakSet<object>();

function markTransient(err: ChainError): ChainError {
  transient.add(err);
  return err;
}

function isTransient(err: unknown): boolean {
  return err instanceof ChainError && (transient.has(err) || err.code === 'UNREACHABLE');
}

/** Core's reject reason is the text before the first ", " outside parentheses (ToString of a
 * validation state: "reason, debug message"). */
export function rejectReason(message: string): string {
  let depth = 0;
  for (let i = 0; i < message.length - 1; i++) {
    const ch = message[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ',' && message[i + 1] === ' ' && depth === 0) return message.slice(0, i);
  }
  return message;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/** Calls sent in one coalesced batch at most (Core's default -rpcworkqueue is 64 requests, not calls). */
const MAX_COALESCED = 100;

export class RpcClient {
  private readonly http: HttpTransport;
  private readonly policy: RetryPolicy;
  private credentials: string | undefined;
  private nextId = 1;

  constructor(private readonly options: RpcClientOptions) {
    this.http = new HttpTransport({ baseUrl: options.url, timeoutMs: options.timeoutMs ?? 30_000 });
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
  }

  get url(): string {
    return this.http.origin;
  }

  /**
   * One call; RPC errors throw RpcError, transport and shape problems throw ChainError. Calls made
   * in the same tick travel together as one batch request (a sync asking for 32 filters at once
   * makes one round trip, not 32).
   */
  call<T>(method: string, params: readonly unknown[], schema: z.ZodType<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push({ call: { method, params, schema }, resolve: resolve as (v: unknown) => void, reject });
      if (this.queued.length === 1) queueMicrotask(() => this.flush());
    });
  }

  private queued: { call: RpcCall<unknown>; resolve: (value: unknown) => void; reject: (err: unknown) => void }[] = [];

  private flush(): void {
    const all = this.queued;
    this.queued = [];
    for (let i = 0; i < all.length; i += MAX_COALESCED) {
      const group = all.slice(i, i + MAX_COALESCED);
      this.batch(group.map((g) => g.call)).then(
        (outcomes) =>
          outcomes.forEach((outcome, j) => {
            const waiter = group[j]!;
            if (!outcome) waiter.reject(new ChainError('BAD_RESPONSE', `${this.url} returned no result for ${waiter.call.method}`));
            else if (!outcome.ok) waiter.reject(outcome.error);
            else waiter.resolve(outcome.value);
          }),
        (err: unknown) => group.forEach((g) => g.reject(err)),
      );
    }
  }

  /** Many calls in one HTTP request; each outcome in the order of `calls`. */
  async batch<const C extends readonly RpcCall<unknown>[]>(
    calls: C,
  ): Promise<{ [K in keyof C]: RpcOutcome<C[K] extends RpcCall<infer T> ? T : never> }> {
    if (calls.length === 0) return [] as never;
    const ids = calls.map(() => this.nextId++);
    const single = calls.length === 1;
    const payload = calls.map((c, i) => ({ jsonrpc: '1.0', id: ids[i], method: c.method, params: c.params }));
    const body = JSON.stringify(single ? payload[0] : payload);
    const what = single ? (calls[0]?.method ?? '') : `batch of ${calls.length} (${[...new Set(calls.map((c) => c.method))].join(', ')})`;
    const envelopes = await withRetry(() => this.post(body, what, single), this.policy, isTransient);
    const byId = new Map<unknown, Envelope>(envelopes.map((e) => [e.id, e]));
    return calls.map((c, i) => {
      const env = byId.get(ids[i]);
      if (!env) throw new ChainError('BAD_RESPONSE', `${this.url} left out the answer to ${c.method} in a batch`);
      if (env.error) return { ok: false, error: new RpcError(c.method, env.error.code, env.error.message) };
      const parsed = c.schema.safeParse(env.result);
      if (!parsed.success) {
        throw new ChainError('BAD_RESPONSE', `${this.url} answered ${c.method} with an unexpected shape: ${describeIssues(parsed.error)}`);
      }
      return { ok: true, value: parsed.data };
    }) as never;
  }

  close(): void {
    this.http.close();
  }

  private async authorization(refresh: boolean): Promise<string> {
    if (this.credentials && !refresh) return this.credentials;
    const auth = this.options.auth;
    let pair: string;
    if ('cookieFile' in auth) {
      try {
        pair = (await readFile(auth.cookieFile, 'utf8')).trim();
      } catch (err) {
        throw new ChainError(
          'UNAUTHORIZED',
          `cannot read the cookie file ${auth.cookieFile} (${(err as NodeJS.ErrnoException).code ?? String(err)}): check the cookie file path and that bitcoind is running with that datadir`,
        );
      }
      if (!pair.includes(':')) throw new ChainError('UNAUTHORIZED', `the cookie file ${auth.cookieFile} does not hold "user:password": check the cookie file path`);
    } else {
      pair = `${auth.user}:${auth.password}`;
    }
    this.credentials = `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
    return this.credentials;
  }

  private async post(body: string, what: string, single: boolean): Promise<Envelope[]> {
    let res = await this.send(body, false);
    // A restarted bitcoind writes a new cookie: read it again once before giving up.
    if (res.status === 401 && 'cookieFile' in this.options.auth) res = await this.send(body, true);
    return this.interpret(res, what, single);
  }

  private async send(body: string, refreshCredentials: boolean): Promise<HttpResponse> {
    return this.http.request('POST', '/', {
      body,
      headers: { 'content-type': 'application/json', authorization: await this.authorization(refreshCredentials) },
    });
  }

  private interpret(res: HttpResponse, what: string, single: boolean): Envelope[] {
    const where = this.url;
    if (res.status === 401) {
      throw new ChainError('UNAUTHORIZED', `${where} answered 401 Unauthorized to ${what}: wrong credentials: check the cookie file path or rpcuser/rpcpassword`);
    }
    if (res.status === 403) {
      throw new ChainError('UNAUTHORIZED', `${where} answered 403 Forbidden: the node does not accept RPC from this address; check rpcallowip and rpcbind`);
    }
    const text = res.body.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = single ? envelope.safeParse(json) : z.array(envelope).safeParse(json);
    if (parsed.success) return Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    const excerpt = text.trim().slice(0, 200);
    if (res.status >= 500) {
      const hint = /work queue depth exceeded/i.test(text) ? ': the node is overloaded (raise -rpcworkqueue or lower concurrency)' : '';
      throw markTransient(new ChainError('BAD_RESPONSE', `${where} answered HTTP ${res.status} to ${what}${excerpt ? ` (${excerpt})` : ''}${hint}`));
    }
    if (res.status === 404) {
      throw new ChainError('BAD_RESPONSE', `${where} has no JSON-RPC endpoint (HTTP 404): check the RPC URL and port`);
    }
    if (json === undefined) {
      throw new ChainError('BAD_RESPONSE', `${where} answered ${what} with malformed JSON (HTTP ${res.status}): is this a Bitcoin Core RPC port? Got: ${JSON.stringify(excerpt.slice(0, 80))}`);
    }
    throw new ChainError('BAD_RESPONSE', `${where} answered ${what} with JSON that is not a JSON-RPC response: ${describeIssues(parsed.error)}`);
  }
}
