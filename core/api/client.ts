/**
 * The typed client, shared by the renderer, the Electron preload, the CLI and tests. It speaks the
 * envelope over any message transport; types come from the contract, nothing is redeclared.
 * Imports only types, so the preload bundle stays tiny.
 */
import type { EventData, EventName, MethodName, Params, Result } from './contract.js';
import type { ClientMessage, ServerMessage } from './envelope.js';
import type { ApiErrorShape, ErrorCode } from './errors.js';

export type Outcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

export interface Transport {
  send(message: ClientMessage): void;
  /** Every message the core sends; the transport has already decoded it. */
  onMessage(listener: (message: ServerMessage) => void): void;
  /** Called once when the transport closes; pending calls then fail. */
  onClose(listener: (reason: string) => void): void;
  close(): void;
}

/** The untyped surface: what the Electron preload exposes as `window.tapdesk`. */
export interface RawApi {
  call(method: string, params: unknown): Promise<Outcome>;
  subscribe(event: string, listener: (data: unknown) => void): () => void;
}

export function createRawApi(transport: Transport): RawApi & { close(): void } {
  let nextId = 1;
  let closedReason: string | null = null;
  const pending = new Map<number, (outcome: Outcome) => void>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();

  transport.onMessage((msg) => {
    if (msg.kind === 'event') {
      for (const listener of listeners.get(msg.event) ?? []) listener(msg.data);
      return;
    }
    const resolve = pending.get(msg.id);
    if (!resolve) return;
    pending.delete(msg.id);
    resolve(msg.kind === 'result' ? { ok: true, result: msg.result } : { ok: false, error: msg.error });
  });
  transport.onClose((reason) => {
    closedReason = reason;
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'UNAVAILABLE', message: `connection to the Tapdesk core closed: ${reason}` } });
    pending.clear();
  });

  return {
    call(method, params) {
      if (closedReason !== null) {
        return Promise.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: `connection to the Tapdesk core closed: ${closedReason}` } });
      }
      const id = nextId++;
      return new Promise<Outcome>((resolve) => {
        pending.set(id, resolve);
        transport.send({ kind: 'call', id, method, params });
      });
    },
    subscribe(event, listener) {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
        transport.send({ kind: 'subscribe', event });
      }
      set.add(listener);
      return () => {
        const current = listeners.get(event);
        if (!current?.delete(listener) || current.size > 0) return;
        listeners.delete(event);
        if (closedReason === null) transport.send({ kind: 'unsubscribe', event });
      };
    },
    close() {
      transport.close();
    },
  };
}

export class ApiCallError extends Error {
  override readonly name = 'ApiCallError';
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface Client {
  call<M extends MethodName>(method: M, ...params: {} extends Params<M> ? [params?: Params<M>] : [params: Params<M>]): Promise<Result<M>>;
  subscribe<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
}

export function createClient(raw: RawApi): Client {
  return {
    async call(method, ...args) {
      const outcome = await raw.call(method, args[0] ?? {});
      if (!outcome.ok) throw new ApiCallError(outcome.error.code, outcome.error.message);
      return outcome.result as never;
    },
    subscribe(event, listener) {
      return raw.subscribe(event, listener as (data: unknown) => void);
    },
  };
}
