// Child process for bolt08-tcp.test.ts: a BOLT 8 responder on 127.0.0.1 that answers one peer.
// Prints `{"port":…,"nodeId":"…"}` on stdout once listening; exchanges init, then answers every
// ping per BOLT 1 until the peer closes. Exits 0 on a clean close, 1 on any protocol failure,
// and also exits when its stdin closes, so it never outlives the test that spawned it.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type AddressInfo, createServer } from 'node:net';
import { Features, negotiateFeatures } from '../../../core/lightning/features.js';
import { decodeMessage, encodeMessage, initFeatures, pongFor } from '../../../core/lightning/messages.js';
import { acceptPeer } from '../../../core/lightning/transport.js';

const localSecret = secp256k1.utils.randomSecretKey();
const ourFeatures = Features.of({
  option_simple_taproot: 'optional',
  option_simple_close: 'optional',
  option_shutdown_anysegwit: 'optional',
});

function fail(reason: string): never {
  process.stderr.write(`bolt08-tcp-peer: ${reason}\n`);
  process.exit(1);
}

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

const server = createServer((socket) => {
  server.close(); // one peer only
  void (async () => {
    const peer = await acceptPeer(socket, { localSecret, handshakeTimeoutMs: 5_000 });
    let pings = 0;
    let sawInit = false;
    for await (const bytes of peer) {
      const msg = decodeMessage(bytes);
      if (!sawInit) {
        if (msg.kind !== 'init') fail(`first message was ${msg.kind}, not init`);
        const negotiation = negotiateFeatures(ourFeatures, initFeatures(msg));
        if (!negotiation.ok) fail(negotiation.problem);
        await peer.send(encodeMessage({ kind: 'init', globalfeatures: Features.fromBits([]), features: ourFeatures }));
        sawInit = true;
        continue;
      }
      if (msg.kind !== 'ping') fail(`expected ping, got ${msg.kind}`);
      pings++;
      const pong = pongFor(msg);
      if (pong) await peer.send(encodeMessage(pong));
    }
    process.stderr.write(`bolt08-tcp-peer: peer closed after ${pings} pings\n`);
    process.exit(0);
  })().catch((err: unknown) => fail(err instanceof Error ? `${err.name}: ${err.message}` : String(err)));
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ port, nodeId: bytesToHex(secp256k1.getPublicKey(localSecret, true)) })}\n`);
});
