// Test fixtures for the core: a TapdeskApp on a fresh temp data dir, and clients over each transport.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MessageChannel } from 'node:worker_threads';
import { createClient, createRawApi, type Client, type RawApi, type Transport } from '../../core/api/client.js';
import type { ServerMessage } from '../../core/api/envelope.js';
import { connectWebSocket } from '../../core/host/ws-transport.js';
import { TapdeskApp } from '../../core/node/app.js';
import { servePort, workerUnwrap } from '../../core/node/port-transport.js';
import { startWebServer, type WebServer } from '../../core/node/web-server.js';

export function tempDir(prefix = 'tapdesk-test'): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

export function newApp(dataDir = tempDir()): TapdeskApp {
  return new TapdeskApp({ dataDir, mode: 'cli', version: '0.0.0-test', validateResults: true });
}

export interface Connected {
  client: Client;
  raw: RawApi;
  close(): Promise<void>;
}

export type TransportName = 'in-process' | 'websocket' | 'message-port';

export async function connect(app: TapdeskApp, transport: TransportName): Promise<Connected> {
  if (transport === 'in-process') {
    // The same envelope, without a wire: exercises ApiServer.attach exactly as transports do.
    const listeners: ((m: ServerMessage) => void)[] = [];
    const attachment = app.server.attach({ send: (m) => queueMicrotask(() => listeners.forEach((l) => l(structuredClone(m)))) });
    const t: Transport = {
      send: (m) => queueMicrotask(() => attachment.receive(structuredClone(m))),
      onMessage: (l) => listeners.push(l),
      onClose: () => {},
      close: () => attachment.detach(),
    };
    const raw = createRawApi(t);
    return { raw, client: createClient(raw), close: async () => raw.close() };
  }
  if (transport === 'websocket') {
    const web: WebServer = await startWebServer({ api: app.server });
    const raw = createRawApi(await connectWebSocket(web.wsUrl, web.token));
    return {
      raw,
      client: createClient(raw),
      close: async () => {
        raw.close();
        await web.close();
      },
    };
  }
  const { port1, port2 } = new MessageChannel();
  const stop = servePort(app.server, port1, workerUnwrap);
  const closeListeners: ((reason: string) => void)[] = [];
  port2.on('close', () => closeListeners.forEach((l) => l('port closed')));
  const raw = createRawApi({
    send: (m) => port2.postMessage(m),
    onMessage: (l) => port2.on('message', (m: ServerMessage) => l(m)),
    onClose: (l) => closeListeners.push(l),
    close: () => port2.close(),
  });
  return {
    raw,
    client: createClient(raw),
    close: async () => {
      stop();
      port2.close();
    },
  };
}
