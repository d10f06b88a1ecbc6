/**
 * The renderer's only way to the core: the typed client from core/api over whichever transport
 * this window has — Electron's preload (`window.tapdesk`) or, in web mode, a WebSocket carrying the
 * per-launch token that the URL fragment delivered.
 */
import { createClient, createRawApi, type RawApi, type Transport } from '../../../core/api/client';
import type { ClientMessage, ServerMessage } from '../../../core/api/envelope';

declare global {
  interface Window {
    tapdesk?: RawApi;
  }
}

const TOKEN_KEY = 'tapdesk.token';

/** Takes the token out of the address bar (and history) and keeps it for reloads of this tab only. */
function takeToken(): string | null {
  const match = /(?:^|[#&])token=([0-9a-f]{64})/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function webSocketTransport(token: string | null): Transport {
  const protocols = token ? ['tapdesk.v1', `token.${token}`] : ['tapdesk.v1'];
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ipc`, protocols);
  const queue: ClientMessage[] = [];
  ws.addEventListener('open', () => queue.splice(0).forEach((m) => ws.send(JSON.stringify(m))));
  return {
    send: (message) => (ws.readyState === WebSocket.OPEN ? ws.send(JSON.stringify(message)) : queue.push(message)),
    onMessage: (listener) => ws.addEventListener('message', (e) => listener(JSON.parse(String(e.data)) as ServerMessage)),
    onClose: (listener) =>
      ws.addEventListener('close', (e) =>
        listener(e.code === 1006 && !token ? 'no access token: open the URL that `tapdesk serve` printed' : `the connection closed (${e.code})`),
      ),
    close: () => ws.close(),
  };
}

const raw: RawApi = window.tapdesk ?? createRawApi(webSocketTransport(takeToken()));

export const api = createClient(raw);
export const transportKind: 'electron' | 'web' = window.tapdesk ? 'electron' : 'web';
