/**
 * THE contract between the core and its callers (renderer, CLI, tests). Every method is
 * `{ params, result }` as zod schemas and every event is one schema; client and server types are
 * inferred from this object, the server validates params with it, and the CLI lists it.
 * Names are `domain.verb`. Amounts are integer satoshis (`number`, exact below 2^53).
 * To add a method: add an entry here, add its handler in core/node/handlers, done.
 */
import { z } from 'zod';
import { chainMethods } from './chain.js';
import { Settings } from './settings.js';
import { sharedMethods } from './shared.js';
import { walletEvents, walletMethods } from './wallet.js';

const NoParams = z.object({}).strict();

export const Network = z.enum(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest']);

export const AppInfo = z.object({
  name: z.literal('Tapdesk'),
  version: z.string(),
  network: Network,
  /** True when the network is the Playground: coins there are test coins with no value. */
  playground: z.boolean(),
  dataDir: z.string(),
  schemaVersion: z.number().int(),
  mode: z.enum(['electron', 'web', 'cli']),
});

export const AppStatus = z.object({
  state: z.enum(['starting', 'ready', 'error']),
  chain: z.object({
    backend: z.enum(['playground', 'bitcoind', 'esplora']),
    connected: z.boolean(),
    height: z.number().int().nullable(),
    message: z.string().nullable(),
  }),
});
export type AppStatus = z.infer<typeof AppStatus>;

export const methods = {
  'app.info': { params: NoParams, result: AppInfo },
  'app.status': { params: NoParams, result: AppStatus },
  'settings.get': { params: NoParams, result: Settings },
  /** Partial update; the whole new settings object is returned and `settings.changed` fires. */
  'settings.set': { params: Settings.partial().strict(), result: Settings },
  ...walletMethods,
  ...chainMethods,
  ...sharedMethods,
} as const;

export const events = {
  'app.status': AppStatus,
  'settings.changed': Settings,
  ...walletEvents,
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type EventName = keyof typeof events;
export type Params<M extends MethodName> = z.input<Methods[M]['params']>;
export type ParsedParams<M extends MethodName> = z.output<Methods[M]['params']>;
export type Result<M extends MethodName> = z.output<Methods[M]['result']>;
export type EventData<E extends EventName> = z.output<(typeof events)[E]>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(events, name);
}
