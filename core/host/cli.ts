#!/usr/bin/env node
/**
 * `tapdesk` — the command line that mirrors the UI: every API method can be called from a script.
 *   tapdesk serve [--port N] [--data DIR]          web mode: prints the URL to open
 *   tapdesk call <method> ['<json>'] [--data DIR]  prints the JSON result; errors go to stderr, exit 1
 *   tapdesk <method> [--json '<json>']             the same, shorter
 *   tapdesk methods                                lists methods with their params as JSON Schema
 *   tapdesk playground [--port N]                  the Playground devnet alone, for other wallets and tools
 * `call` talks to the running Tapdesk on that data directory when there is one, else runs the core
 * in-process.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createClient, createRawApi, type Outcome, type RawApi } from '../api/client.js';
import { methods } from '../api/contract.js';
import { runPlayground } from '../chain/playground/server.js';
import { TapdeskApp } from '../node/app.js';
import { toApiError } from '../node/errors.js';
import { readEndpoint } from './endpoint.js';
import { appVersion, defaultDataDir } from './paths.js';
import { AlreadyRunningError, serve } from './serve.js';
import { connectWebSocket } from './ws-transport.js';

const usage = `Tapdesk ${appVersion}
usage:
  tapdesk serve [--port N] [--data DIR]
  tapdesk call <method> ['<json params>'] [--data DIR]
  tapdesk <method> [--json '<json params>'] [--data DIR]
  tapdesk methods
  tapdesk playground [--port N] [--data DIR]     the Playground devnet alone (Core RPC + Esplora on 127.0.0.1)
Data directory: --data, else $TAPDESK_DATA_DIR, else ${defaultDataDir()}`;

class UsageError extends Error {}

function printError(error: { code: string; message: string }): void {
  process.stderr.write(JSON.stringify({ error }, null, 2) + '\n');
}

async function withApi<T>(dataDir: string, needsChain: boolean, fn: (api: RawApi) => Promise<T>): Promise<T> {
  const running = readEndpoint(dataDir);
  if (running) {
    const raw = createRawApi(await connectWebSocket(running.wsUrl, running.token));
    try {
      return await fn(raw);
    } finally {
      raw.close();
    }
  }
  const app = new TapdeskApp({ dataDir, mode: 'cli', version: appVersion });
  try {
    if (needsChain) await app.start();
    return await fn(app.server.local());
  } finally {
    await app.close();
  }
}

async function call(method: string, json: string | undefined, dataDir: string): Promise<number> {
  let params: unknown = {};
  if (json !== undefined && json.trim() !== '') {
    try {
      params = JSON.parse(json);
    } catch (err) {
      printError({ code: 'INVALID_PARAMS', message: `params are not valid JSON: ${(err as Error).message}` });
      return 1;
    }
  }
    // Settings and app info need no chain; everything else runs against the configured one.
  const needsChain = !/^(app|settings)\./.test(method);
  const outcome: Outcome = await withApi(dataDir, needsChain, (api) => api.call(method, params));
  if (!outcome.ok) {
    printError(outcome.error);
    return 1;
  }
  process.stdout.write(JSON.stringify(outcome.result, null, 2) + '\n');
  return 0;
}

async function runServe(port: number | undefined, dataDir: string): Promise<number> {
  const serving = await serve({ dataDir, port });
  const client = createClient(serving.app.server.local());
  const info = await client.call('app.info');
  console.log(`Tapdesk ${info.version} (web mode, ${info.playground ? 'Playground — test coins only' : info.network})`);
  console.log(`data: ${dataDir}`);
  console.log(`open: ${serving.url}`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await serving.close();
  return 0;
}

function listMethods(): number {
  const list = Object.entries(methods).map(([name, spec]) => ({
    method: name,
    params: z.toJSONSchema(spec.params, { io: 'input', unrepresentable: 'any' }),
  }));
  process.stdout.write(JSON.stringify(list, null, 2) + '\n');
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      port: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const dataDir = values.data ?? defaultDataDir();
  const [command, ...rest] = positionals;
  if (values.version) {
    console.log(appVersion);
    return 0;
  }
  if (values.help || !command || command === 'help') {
    console.log(usage);
    return command || values.help ? 0 : 2;
  }
  if (command === 'serve') {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port expects 0-65535, got ${values.port}`);
    return runServe(port, dataDir);
  }
  if (command === 'methods') return listMethods();
  if (command === 'playground') {
    const port = values.port === undefined ? undefined : Number(values.port);
    if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port expects 0-65535, got ${values.port}`);
    // runPlayground stops the servers on SIGINT/SIGTERM; the process ends when they have closed.
    await runPlayground({ dataDir: join(dataDir, 'playground'), ...(port !== undefined && { port }) });
    return 0;
  }
  if (command === 'call') {
    const [method, json] = rest;
    if (!method) throw new UsageError('call needs a method name, e.g. tapdesk call app.info');
    return call(method, json ?? values.json, dataDir);
  }
  if (command.includes('.')) return call(command, rest[0] ?? values.json, dataDir);
  throw new UsageError(`unknown command "${command}"`);
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError || (err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    console.error(`${(err as Error).message}\n\n${usage}`);
    process.exitCode = 2;
  } else if (err instanceof AlreadyRunningError) {
    console.error(err.message);
    process.exitCode = 1;
  } else {
    printError(toApiError(err));
    process.exitCode = 1;
  }
}
