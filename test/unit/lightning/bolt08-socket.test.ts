// BOLT 8 over a socket: handshake under a timeout, framing across arbitrary chunk boundaries,
// flow control both ways, and closing on bad MAC / peer close. Loopback TCP in-process, plus an
// in-memory Duplex where byte-exact control is needed.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { once } from 'node:events';
import { type AddressInfo, type Server, type Socket, createConnection, createServer } from 'node:net';
import { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import { TransportCipher, initiatorActOne, initiatorActThree } from '../../../core/lightning/noise.js';
import { type PeerTransport, TransportError, acceptPeer, connectPeer } from '../../../core/lightning/transport.js';

const aliceSecret = new Uint8Array(32).fill(0x41);
const bobSecret = new Uint8Array(32).fill(0x42);
const aliceId = secp256k1.getPublicKey(aliceSecret, true);
const bobId = secp256k1.getPublicKey(bobSecret, true);

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/** A connected loopback TCP pair (both ends), torn down after the test. */
async function tcpPair(): Promise<{ client: Socket; server: Socket }> {
  const srv: Server = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const accepted = once(srv, 'connection') as Promise<[Socket]>;
  const client = createConnection((srv.address() as AddressInfo).port, '127.0.0.1');
  const [server] = await accepted;
  cleanups.push(() => {
    client.destroy();
    server.destroy();
    srv.close();
  });
  return { client, server };
}

async function connected(): Promise<{ alice: PeerTransport; bob: PeerTransport; client: Socket; server: Socket }> {
  const { client, server } = await tcpPair();
  const [alice, bob] = await Promise.all([
    connectPeer(client, { localSecret: aliceSecret, remoteNodeId: bobId }),
    acceptPeer(server, { localSecret: bobSecret }),
  ]);
  return { alice, bob, client, server };
}

/** Two in-memory Duplex ends; what one writes the other reads, `final` ends the other's readable. */
function memoryPair(): [Duplex, Duplex] {
  const ends: Duplex[] = [];
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Uint8Array, _enc, cb) {
        other().push(chunk);
        cb();
      },
      final(cb) {
        other().push(null);
        cb();
      },
    });
  ends.push(make(() => ends[1]!), make(() => ends[0]!));
  return [ends[0]!, ends[1]!];
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('BOLT 8 socket transport', () => {
  it('completes the handshake over TCP; the acceptor learns the dialer’s node id; messages flow both ways', async () => {
    const { alice, bob } = await connected();
    expect(bob.remoteNodeId).toEqual(aliceId);
    expect(alice.remoteNodeId).toEqual(bobId);
    await alice.send(Uint8Array.of(0, 18, 0, 1, 0, 0));
    expect(await bob.receive()).toEqual(Uint8Array.of(0, 18, 0, 1, 0, 0));
    await bob.send(new Uint8Array(0xffff).fill(7));
    expect(await alice.receive()).toEqual(new Uint8Array(0xffff).fill(7));
  });

  it('3000 messages in a burst arrive in order, across several key rotations', async () => {
    const { alice, bob } = await connected();
    const n = 3000;
    const sending = (async () => {
      for (let i = 0; i < n; i++) await alice.send(Uint8Array.of(i >> 8, i & 0xff, ...new Uint8Array(i % 300)));
    })();
    for (let i = 0; i < n; i++) {
      const m = (await bob.receive())!;
      expect([m[0], m[1], m.length]).toEqual([i >> 8, i & 0xff, 2 + (i % 300)]);
    }
    await sending;
  });

  it('frames split into single bytes and frames coalesced into one chunk both decode', async () => {
    const [a, b] = memoryPair();
    const [alice, bob] = await Promise.all([
      connectPeer(a, { localSecret: aliceSecret, remoteNodeId: bobId }),
      acceptPeer(b, { localSecret: bobSecret }),
    ]);
    // Capture alice's frames instead of delivering them, then feed them to bob re-chunked.
    const frames: Uint8Array[] = [];
    const original = a.write.bind(a);
    a.write = ((chunk: Uint8Array) => (frames.push(chunk), true)) as typeof a.write;
    await alice.send(Uint8Array.of(1, 2, 3));
    await alice.send(Uint8Array.of(4, 5));
    await alice.send(Uint8Array.of(6));
    a.write = original;
    const all = Uint8Array.from(frames.flatMap((f) => [...f]));
    const firstTwo = frames[0]!.length + frames[1]!.length;
    for (const byte of all.subarray(0, firstTwo)) b.push(Uint8Array.of(byte));
    b.push(all.subarray(firstTwo));
    expect(await bob.receive()).toEqual(Uint8Array.of(1, 2, 3));
    expect(await bob.receive()).toEqual(Uint8Array.of(4, 5));
    expect(await bob.receive()).toEqual(Uint8Array.of(6));
  });

  it('async iteration ends when the peer closes between messages', async () => {
    const { alice, bob } = await connected();
    await alice.send(Uint8Array.of(1));
    await alice.send(Uint8Array.of(2));
    alice.close();
    const got: number[] = [];
    for await (const m of bob) got.push(m[0]!);
    expect(got).toEqual([1, 2]);
    await bob.closed;
    await expect(bob.send(Uint8Array.of(3))).rejects.toThrow(TransportError);
  });

  it('a peer closing in the middle of a frame is an error, not a clean end', async () => {
    const [a, b] = memoryPair();
    const [alice, bob] = await Promise.all([
      connectPeer(a, { localSecret: aliceSecret, remoteNodeId: bobId }),
      acceptPeer(b, { localSecret: bobSecret }),
    ]);
    const frames: Uint8Array[] = [];
    a.write = ((chunk: Uint8Array) => (frames.push(chunk), true)) as typeof a.write;
    await alice.send(new Uint8Array(100));
    b.push(frames[0]!.subarray(0, 50));
    b.push(null);
    const err = await rejection(bob.receive());
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).code).toBe('closed');
  });

  it('a frame with a bad MAC rejects with DecodeError bad_mac and destroys the connection', async () => {
    const { client, server } = await tcpPair();
    const bobSide = acceptPeer(server, { localSecret: bobSecret });
    // Dial by hand so we can corrupt a frame after a correct handshake.
    const { actOne, state } = initiatorActOne({ localSecret: aliceSecret, remoteStatic: bobId });
    client.write(actOne);
    const [actTwo] = (await once(client, 'data')) as [Uint8Array];
    const { actThree, keys } = initiatorActThree(state, actTwo);
    client.write(actThree);
    const bob = await bobSide;
    const frame = new TransportCipher(keys).encrypt(Uint8Array.of(0, 18));
    frame[25]! ^= 1;
    client.write(frame);
    const err = await rejection(bob.receive());
    expect(err).toBeInstanceOf(DecodeError);
    expect((err as DecodeError).code).toBe('bad_mac');
    await bob.closed;
    expect(server.destroyed).toBe(true);
    await once(client, 'close');
    await expect(bob.receive()).rejects.toBe(err);
  });

  it('a dialer with the wrong node id fails the responder with act1_bad_tag and its own side sees the close', async () => {
    const { client, server } = await tcpPair();
    const wrongId = secp256k1.getPublicKey(new Uint8Array(32).fill(0x43), true);
    const [dial, accept] = await Promise.allSettled([
      connectPeer(client, { localSecret: aliceSecret, remoteNodeId: wrongId }),
      acceptPeer(server, { localSecret: bobSecret }),
    ]);
    expect(accept.status === 'rejected' && (accept.reason as DecodeError).code).toBe('act1_bad_tag');
    expect(dial.status === 'rejected' && (dial.reason as TransportError).code).toBe('closed');
    expect(server.destroyed && client.destroyed).toBe(true);
  });

  it('a silent peer hits the handshake timeout and the socket is destroyed', async () => {
    const { server } = await tcpPair();
    const started = Date.now();
    const err = await rejection(acceptPeer(server, { localSecret: bobSecret, handshakeTimeoutMs: 150 }));
    expect((err as TransportError).code).toBe('handshake_timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.destroyed).toBe(true);
  });

  it('a peer that stops after act one hits the timeout on the dialing side too', async () => {
    const { client, server } = await tcpPair();
    server.on('data', () => undefined); // reads act one, never answers
    const err = await rejection(connectPeer(client, { localSecret: aliceSecret, remoteNodeId: bobId, handshakeTimeoutMs: 150 }));
    expect((err as TransportError).code).toBe('handshake_timeout');
  });

  it('send waits for drain when the socket buffer is full', async () => {
    const [a, b] = memoryPair();
    const [alice, bob] = await Promise.all([
      connectPeer(a, { localSecret: aliceSecret, remoteNodeId: bobId }),
      acceptPeer(b, { localSecret: bobSecret }),
    ]);
    expect(bob.remoteNodeId).toEqual(aliceId);
    // From now on alice's socket reports a full buffer until we emit drain.
    a.write = (() => false) as typeof a.write;
    let sent = false;
    const pending = alice.send(Uint8Array.of(1)).then(() => (sent = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toBe(false);
    a.emit('drain');
    await pending;
    expect(sent).toBe(true);
  });

  it('unread incoming messages pause the socket; reading them resumes it and loses nothing', async () => {
    const { alice, bob, server } = await connected();
    const n = 400;
    for (let i = 0; i < n; i++) void alice.send(new Uint8Array(1024).fill(i & 0xff));
    // ≥ 256 KiB of frames are on their way and nobody is reading at bob's end.
    await new Promise((r) => setTimeout(r, 100));
    expect(server.isPaused()).toBe(true);
    for (let i = 0; i < n; i++) expect((await bob.receive())![0]).toBe(i & 0xff);
    expect(server.isPaused()).toBe(false);
  });
});
