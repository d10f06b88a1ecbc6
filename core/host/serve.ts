/** Web mode: the core serves the renderer and the API on 127.0.0.1 and prints the URL to open. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { TapdeskApp } from '../node/app.js';
import { startWebServer } from '../node/web-server.js';
import { readEndpoint, removeEndpoint, writeEndpoint } from './endpoint.js';
import { appVersion, rendererDir } from './paths.js';

export interface ServeOptions {
  dataDir: string;
  port?: number;
  log?: (line: string) => void;
}

export interface Serving {
  url: string;
  wsUrl: string;
  token: string;
  app: TapdeskApp;
  close(): Promise<void>;
}

export class AlreadyRunningError extends Error {
  override readonly name = 'AlreadyRunningError';
}

export async function serve(opts: ServeOptions): Promise<Serving> {
  const log = opts.log ?? ((line: string) => console.error(line));
  const running = readEndpoint(opts.dataDir);
  if (running) {
    throw new AlreadyRunningError(
      `Tapdesk is already running on this data directory (pid ${running.pid})${running.url ? `: open ${running.url}` : ''}`,
    );
  }
  if (!existsSync(join(rendererDir, 'index.html'))) log('warning: the renderer is not built; run `npm run build` first');
  const app = new TapdeskApp({ dataDir: opts.dataDir, mode: 'web', version: appVersion, log });
  let web;
  try {
    web = await startWebServer({ api: app.server, port: opts.port ?? 0, staticDir: rendererDir });
  } catch (err) {
    await app.close();
    throw err;
  }
  writeEndpoint(opts.dataDir, { wsUrl: web.wsUrl, url: web.url, token: web.token, pid: process.pid });
  // Serve first (the page can show "connecting…"), then connect to the chain.
  void app.start();
  let closed = false;
  return {
    url: web.url,
    wsUrl: web.wsUrl,
    token: web.token,
    app,
    async close() {
      if (closed) return;
      closed = true;
      removeEndpoint(opts.dataDir);
      await web.close();
      await app.close();
    },
  };
}
