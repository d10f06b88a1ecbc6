/**
 * The API server: validates every incoming message against the contract, dispatches to a handler,
 * and fans events out to subscribed connections. Transport-agnostic: a transport hands it a
 * `Connection` and feeds it whatever arrives. Invalid input changes nothing: params are parsed
 * before a handler runs.
 */
import {
  events,
  isEventName,
  isMethodName,
  methods,
  type EventData,
  type EventName,
  type MethodName,
  type ParsedParams,
  type Result,
} from '../api/contract.js';
import type { RawApi } from '../api/client.js';
import { ClientMessage, type ServerMessage } from '../api/envelope.js';
import type { ApiErrorShape } from '../api/errors.js';
import { describeIssues, toApiError } from './errors.js';

export type Handlers = {
  [M in MethodName]: (params: ParsedParams<M>) => Promise<Result<M>> | Result<M>;
};

export type CallOutcome = { ok: true; result: unknown } | { ok: false; error: ApiErrorShape };

export interface Connection {
  send(message: ServerMessage): void;
}

export interface Attachment {
  /** Feed one received message (already JSON-decoded for text transports). */
  receive(raw: unknown): void;
  detach(): void;
}

export interface ApiServerOptions {
  /** Check handler results against the contract too (on in tests and development). */
  validateResults?: boolean;
  onInternalError?: (method: string, err: unknown) => void;
}

export class ApiServer {
  private readonly subscribers = new Map<Connection, Set<EventName>>();

  constructor(
    private readonly handlers: Handlers,
    private readonly options: ApiServerOptions = {},
  ) {}

  /** Answers synchronously when the handler does, so the common case costs no extra ticks. */
  call(method: string, params: unknown): CallOutcome | Promise<CallOutcome> {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: 'UNKNOWN_METHOD', message: `unknown method "${method}"` } };
    }
    const spec = methods[method];
    const parsed = spec.params.safeParse(params ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: 'INVALID_PARAMS', message: `${method}: ${describeIssues(parsed.error)}` } };
    }
    try {
      const handler = this.handlers[method] as (p: unknown) => Promise<unknown> | unknown;
      const result = handler(parsed.data);
      return result instanceof Promise
        ? result.then((r) => this.succeed(method, r), (err: unknown) => this.fail(method, err))
        : this.succeed(method, result);
    } catch (err) {
      return this.fail(method, err);
    }
  }

  private succeed(method: MethodName, result: unknown): CallOutcome {
    if (this.options.validateResults) {
      const checked = methods[method].result.safeParse(result);
      if (!checked.success) return this.fail(method, new Error(`${method} returned a result outside the contract: ${describeIssues(checked.error)}`));
    }
    return { ok: true, result };
  }

  private fail(method: string, err: unknown): CallOutcome {
    const error = toApiError(err);
    if (error.code === 'INTERNAL') this.options.onInternalError?.(method, err);
    return { ok: false, error };
  }

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    if (this.options.validateResults) events[event].parse(data);
    for (const [conn, subs] of this.subscribers) {
      if (subs.has(event)) conn.send({ kind: 'event', event, data });
    }
  }

  attach(conn: Connection): Attachment {
    const subs = new Set<EventName>();
    this.subscribers.set(conn, subs);
    return {
      receive: (raw) => {
        const msg = ClientMessage.safeParse(raw);
        if (!msg.success) return; // not ours to answer: no id to answer to
        const m = msg.data;
        if (m.kind === 'call') {
          const reply = (outcome: CallOutcome) => {
            if (!this.subscribers.has(conn)) return;
            conn.send(outcome.ok ? { kind: 'result', id: m.id, result: outcome.result } : { kind: 'error', id: m.id, error: outcome.error });
          };
          const outcome = this.call(m.method, m.params);
          if (outcome instanceof Promise) void outcome.then(reply);
          else reply(outcome);
        } else if (isEventName(m.event)) {
          if (m.kind === 'subscribe') subs.add(m.event);
          else subs.delete(m.event);
        }
      },
      detach: () => {
        this.subscribers.delete(conn);
      },
    };
  }

  /** The API in-process, for the CLI when no core is running and for the web-mode banner. */
  local(): RawApi {
    return {
      call: async (method, params) => this.call(method, params),
      subscribe: (event, listener) => {
        const attachment = this.attach({ send: (m) => m.kind === 'event' && m.event === event && listener(m.data) });
        attachment.receive({ kind: 'subscribe', event });
        return () => attachment.detach();
      },
    };
  }

  get connectionCount(): number {
    return this.subscribers.size;
  }
}
