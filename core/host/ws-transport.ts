/** A Node WebSocket `Transport` for the CLI, tests and benchmarks (browsers use their own WebSocket). */
import WebSocket from 'ws';
import type { Transport } from '../api/client.js';
import type { ServerMessage } from '../api/envelope.js';
import { PROTOCOL } from '../node/web-server.js';

export async function connectWebSocket(wsUrl: string, token: string | null, opts: { origin?: string } = {}): Promise<Transport> {
  const protocols = token === null ? [PROTOCOL] : [PROTOCOL, `token.${token}`];
  const ws = new WebSocket(wsUrl, protocols, opts.origin ? { origin: opts.origin } : {});
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`connection refused by the core: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  return {
    send: (message) => ws.send(JSON.stringify(message)),
    onMessage: (listener) => ws.on('message', (data) => listener(JSON.parse(data.toString()) as ServerMessage)),
    onClose: (listener) => ws.on('close', (code) => listener(`websocket closed (${code})`)),
    close: () => ws.close(),
  };
}
