/**
 * Serves the API over a message port: Electron's MessagePortMain in the core utility process, or a
 * worker_threads MessagePort (tests, benchmarks). Messages are structured clones, not JSON.
 */
import type { ServerMessage } from '../api/envelope.js';
import type { ApiServer } from './api-server.js';

/** What both Electron's MessagePortMain and Node's worker_threads MessagePort offer. */
export interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message' | 'close', listener: (event: unknown) => void): unknown;
  start?(): void;
  close(): void;
}

/**
 * `unwrap` takes the payload out of a message event: Electron delivers `{ data, ports }`,
 * worker_threads delivers the value itself.
 */
export function servePort(server: ApiServer, port: PortLike, unwrap: (event: unknown) => unknown): () => void {
  const attachment = server.attach({ send: (message: ServerMessage) => port.postMessage(message) });
  port.on('message', (event: unknown) => attachment.receive(unwrap(event)));
  port.on('close', () => attachment.detach());
  port.start?.();
  return () => {
    attachment.detach();
    port.close();
  };
}

export const electronUnwrap = (event: unknown): unknown => (event as { data: unknown }).data;
export const workerUnwrap = (event: unknown): unknown => event;
