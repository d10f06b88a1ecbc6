/**
 * Preload (sandboxed, bundled to CommonJS): receives the core's MessagePort from main and exposes
 * exactly `window.tapdesk = { call, subscribe }` to the page. No Node, no ipcRenderer, no port
 * reaches the page itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createRawApi, type RawApi, type Transport } from '../../core/api/client.js';
import type { ServerMessage } from '../../core/api/envelope.js';

function portTransport(port: MessagePort): Transport {
  const closeListeners: ((reason: string) => void)[] = [];
  port.addEventListener('close', () => closeListeners.forEach((l) => l('core port closed')));
  port.start();
  return {
    send: (message) => port.postMessage(message),
    onMessage: (listener) => port.addEventListener('message', (event) => listener(event.data as ServerMessage)),
    onClose: (listener) => closeListeners.push(listener),
    close: () => port.close(),
  };
}

const api = new Promise<RawApi>((resolve) => {
  ipcRenderer.once('tapdesk:port', (event) => {
    const port = event.ports[0];
    if (port) resolve(createRawApi(portTransport(port)));
  });
  ipcRenderer.send('tapdesk:request-port');
});

const exposed: RawApi = {
  call: async (method, params) => (await api).call(method, params),
  subscribe: (event, listener) => {
    let unsubscribe: (() => void) | null = null;
    let cancelled = false;
    void api.then((raw) => {
      if (!cancelled) unsubscribe = raw.subscribe(event, listener);
    });
    return () => {
      cancelled = true;
      unsubscribe?.();
    };
  },
};

contextBridge.exposeInMainWorld('tapdesk', exposed);
