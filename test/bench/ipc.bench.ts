// IPC round trip: 10k `app.info` calls through the full contract path, against a raw echo over the
// same transport (WebSocket; worker_threads MessageChannel standing in for Electron's MessagePort).
// The echo answers each request with the very bytes the contract answers with (a recorded app.info
// reply), so the difference is what validation and dispatch add, not a difference in payload size.
import { performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';
import WebSocket, { WebSocketServer } from 'ws';
import { createRawApi, type RawApi } from '../../core/api/client.js';
import type { ServerMessage } from '../../core/api/envelope.js';
import { connectWebSocket } from '../../core/host/ws-transport.js';
import { TapdeskApp } from '../../core/node/app.js';
import { servePort, workerUnwrap } from '../../core/node/port-transport.js';
import { startWebServer } from '../../core/node/web-server.js';
import { tempDir } from '../support/core.js';
import { percentiles, type createBench } from './harness.js';

const CALLS = 10_000;
const request = { kind: 'call', id: 0, method: 'app.info', params: {} };

async function timeCalls(roundTrip: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 500; i++) await roundTrip(); // warm-up
  const latencies: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const t0 = performance.now();
    await roundTrip();
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

function report(b: ReturnType<typeof createBench>, name: string, contract: number[], echo: number[]): void {
  const c = percentiles(contract);
  const e = percentiles(echo);
  const fmt = (x: number) => `${(x * 1000).toFixed(1)} µs`;
  b.line(`${name} contract app.info: p50 ${fmt(c.p50)}, p99 ${fmt(c.p99)}, mean ${fmt(c.mean)} (${CALLS} calls)`);
  b.line(`${name} raw echo:          p50 ${fmt(e.p50)}, p99 ${fmt(e.p99)}, mean ${fmt(e.mean)}`);
  b.line(`${name} overhead of the contract over raw echo: p50 ${(((c.p50 - e.p50) / e.p50) * 100).toFixed(1)}%, mean ${(((c.mean - e.mean) / e.mean) * 100).toFixed(1)}% (goal < 20%)`);
}

export default async function (bench: typeof createBench): Promise<void> {
  const b = bench('IPC round trip (app.info vs raw echo)');
  const app = new TapdeskApp({ dataDir: tempDir('tapdesk-bench'), mode: 'cli', version: 'bench' });

  // WebSocket: the full path vs a ws server that sends each frame straight back.
  const web = await startWebServer({ api: app.server });
  const api = createRawApi(await connectWebSocket(web.wsUrl, web.token));
  const contractWs = await timeCalls(() => api.call('app.info', {}));
  api.close();
  await web.close();

  const echoServer = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  const recordedReply = JSON.stringify({ kind: 'result', id: 0, result: await app.server.local().call('app.info', {}).then((o) => (o.ok ? o.result : null)) });
  echoServer.on('connection', (ws) => ws.on('message', (data) => (JSON.parse(data.toString()), ws.send(recordedReply))));
  await new Promise((r) => echoServer.once('listening', r));
  const echoClient = new WebSocket(`ws://127.0.0.1:${(echoServer.address() as { port: number }).port}`);
  await new Promise((r) => echoClient.once('open', r));
  let wsWaiter: (() => void) | null = null;
  echoClient.on('message', (data) => {
    JSON.parse(data.toString());
    wsWaiter?.();
  });
  const echoWs = await timeCalls(
    () =>
      new Promise<void>((resolve) => {
        wsWaiter = resolve;
        echoClient.send(JSON.stringify(request));
      }),
  );
  echoClient.close();
  echoServer.close();
  report(b, 'WebSocket', contractWs, echoWs);

  // MessagePort: servePort vs a port that posts each message back.
  const { port1, port2 } = new MessageChannel();
  const stop = servePort(app.server, port1, workerUnwrap);
  const portApi: RawApi = createRawApi({
    send: (m) => port2.postMessage(m),
    onMessage: (l) => port2.on('message', (m: ServerMessage) => l(m)),
    onClose: () => {},
    close: () => port2.close(),
  });
  const contractPort = await timeCalls(() => portApi.call('app.info', {}));
  stop();
  port2.close();

  const echo = new MessageChannel();
  const recordedResult = JSON.parse(recordedReply) as object;
  echo.port1.on('message', () => echo.port1.postMessage(recordedResult));
  let portWaiter: (() => void) | null = null;
  echo.port2.on('message', () => portWaiter?.());
  const echoPort = await timeCalls(
    () =>
      new Promise<void>((resolve) => {
        portWaiter = resolve;
        echo.port2.postMessage(request);
      }),
  );
  echo.port1.close();
  echo.port2.close();
  report(b, 'MessagePort', contractPort, echoPort);
  await app.close();
}
