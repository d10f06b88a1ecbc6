// BOLT 8 between two processes over TCP on 127.0.0.1: this test dials a child process
// (bolt08-tcp-peer.ts, run with `node --import tsx`), completes the Noise_XK handshake, exchanges
// BOLT 1 init, then does 10,000 ping/pong round trips checking every pong, with ignored pings
// (num_pong_bytes ≥ 65532) mixed in. The child is always killed afterwards.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Features, negotiateFeatures } from '../../../core/lightning/features.js';
import { type MessageOfKind, decodeMessage, encodeMessage, initFeatures } from '../../../core/lightning/messages.js';
import { connectPeer } from '../../../core/lightning/transport.js';

const peerScript = fileURLToPath(new URL('./bolt08-tcp-peer.ts', import.meta.url));
const ROUND_TRIPS = 10_000;

let child: ChildProcessWithoutNullStreams | undefined;
afterAll(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('BOLT 8 over TCP between two processes', () => {
  it(`handshake, init, then ${ROUND_TRIPS} ping/pong round trips`, { timeout: 120_000 }, async () => {
    child = spawn(process.execPath, ['--import', 'tsx', peerScript], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const { port, nodeId } = JSON.parse(line) as { port: number; nodeId: string };

    const socket = createConnection(port, '127.0.0.1');
    await once(socket, 'connect');
    const localSecret = secp256k1.utils.randomSecretKey();
    const peer = await connectPeer(socket, { localSecret, remoteNodeId: hexToBytes(nodeId) });
    expect(peer.remoteNodeId).toEqual(hexToBytes(nodeId));

    const ours = Features.of({ option_simple_taproot: 'optional', option_simple_close: 'optional', option_shutdown_anysegwit: 'optional' });
    await peer.send(encodeMessage({ kind: 'init', globalfeatures: Features.fromBits([]), features: ours }));
    const theirInit = decodeMessage((await peer.receive())!);
    expect(theirInit.kind).toBe('init');
    const negotiation = negotiateFeatures(ours, initFeatures(theirInit as MessageOfKind<'init'>));
    expect(negotiation.ok && negotiation.negotiated.has('option_simple_taproot')).toBe(true);

    let ignoredPings = 0;
    for (let i = 0; i < ROUND_TRIPS; i++) {
      if (i % 1000 === 999) {
        // BOLT 1: num_pong_bytes ≥ 65532 → no pong; the next pong must answer the next ping.
        await peer.send(encodeMessage({ kind: 'ping', numPongBytes: 65532 + (i % 4), ignored: new Uint8Array(8) }));
        ignoredPings++;
      }
      const numPongBytes = (i * 7919) % 2048;
      await peer.send(encodeMessage({ kind: 'ping', numPongBytes, ignored: new Uint8Array(i % 64) }));
      const reply = decodeMessage((await peer.receive())!);
      if (reply.kind !== 'pong') throw new Error(`round trip ${i}: got ${reply.kind}`);
      if (reply.ignored.length !== numPongBytes || reply.ignored.some((b) => b !== 0)) {
        throw new Error(`round trip ${i}: pong of ${reply.ignored.length} bytes for num_pong_bytes ${numPongBytes}`);
      }
    }
    expect(ignoredPings).toBe(ROUND_TRIPS / 1000);

    peer.close();
    expect(await peer.receive()).toBeUndefined();
    const [code] = await exited;
    expect(code, stderr).toBe(0);
    expect(stderr).toContain(`peer closed after ${ROUND_TRIPS + ignoredPings} pings`);
  });
});
