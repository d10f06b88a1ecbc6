/**
 * Entry point of the core when Electron's main process forks it with `utilityProcess.fork`.
 * Main transfers one MessagePort per renderer (message `{ type: 'connect' }`) and asks for a clean
 * stop with `{ type: 'shutdown' }`. The same API is also offered to local programs (the CLI) on a
 * token-protected loopback WebSocket recorded in endpoint.json.
 */
import { parseArgs } from 'node:util';
import { TapdeskApp } from '../node/app.js';
import { electronUnwrap, servePort, type PortLike } from '../node/port-transport.js';
import { startWebServer } from '../node/web-server.js';
import { removeEndpoint, writeEndpoint } from './endpoint.js';
import { appVersion, defaultDataDir } from './paths.js';

/** The slice of Electron's `process.parentPort` we use (core never imports electron). */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown; ports: PortLike[] }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
if (!parentPort) {
  console.error('electron-core must be started by the Tapdesk Electron shell; use `tapdesk serve` for web mode');
  process.exit(2);
}

const { values } = parseArgs({ options: { data: { type: 'string' } }, allowPositionals: false });
const dataDir = values.data ?? defaultDataDir();
const log = (line: string) => console.error(`[core] ${line}`);
const app = new TapdeskApp({ dataDir, mode: 'electron', version: appVersion, log });
const cliEndpoint = await startWebServer({ api: app.server });
writeEndpoint(dataDir, { wsUrl: cliEndpoint.wsUrl, url: null, token: cliEndpoint.token, pid: process.pid });
void app.start();

const detachers = new Set<() => void>();
parentPort.on('message', (event) => {
  const message = event.data as { type?: string };
  if (message.type === 'connect' && event.ports[0]) {
    detachers.add(servePort(app.server, event.ports[0], electronUnwrap));
  } else if (message.type === 'shutdown') {
    void shutdown();
  }
});

async function shutdown(): Promise<void> {
  for (const detach of detachers) detach();
  removeEndpoint(dataDir);
  await cliEndpoint.close();
  await app.close();
  parentPort!.postMessage({ type: 'stopped' });
  process.exit(0);
}

parentPort.postMessage({ type: 'ready' });
