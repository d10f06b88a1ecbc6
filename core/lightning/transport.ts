/**
 * BOLT 8 over a byte stream: runs the Noise_XK handshake (`noise.ts`) on an already-connected
 * Duplex (a `net.Socket`, or a SOCKS/Tor stream a dialer elsewhere opened) under a timeout, then
 * frames the encrypted messages: reads the 18-byte header, then exactly `length + 16` bytes —
 * lengths are u16 and MAC-checked before use, so no read is ever sized from unverified input.
 *
 * Flow control both ways: `send` waits for `drain` when the socket's buffer is full, and
 * incoming bytes pause the socket once more than `readHighWaterMark` bytes sit unread. A bad MAC
 * destroys the connection (BOLT 8: terminate); a peer that closes between messages ends the
 * message stream cleanly, mid-message is an error.
 *
 * Carries raw Lightning messages (bytes); decoding them is `messages.ts`, dialing is not here.
 *
 * Spec: https://github.com/lightning/bolts/blob/master/08-transport.md
 */
import type { Duplex } from 'node:stream';
import {
  ACT_ONE_SIZE,
  ACT_THREE_SIZE,
  ACT_TWO_SIZE,
  FRAME_HEADER_SIZE,
  MAC_SIZE,
  MAX_PAYLOAD_SIZE,
  TransportCipher,
  initiatorActOne,
  initiatorActThree,
  responderActTwo,
  responderComplete,
} from './noise.js';

/** Failures of the connection itself (as opposed to `DecodeError`: bytes the peer got wrong). */
export class TransportError extends Error {
  override readonly name = 'TransportError';
  constructor(
    readonly code: 'handshake_timeout' | 'closed' | 'socket_error',
    message: string,
  ) {
    super(message);
  }
}

export interface TransportOptions {
  /** Our node secret key (the static Noise key). */
  localSecret: Uint8Array;
  /** Whole-handshake deadline; the socket is destroyed when it passes. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Unread incoming bytes above which the socket is paused. Default 256 KiB (≥ 2 maximal frames). */
  readHighWaterMark?: number;
  /** Injected only by tests; otherwise fresh randomness. */
  ephemeralSecret?: Uint8Array;
}

const MAX_FRAME = FRAME_HEADER_SIZE + MAX_PAYLOAD_SIZE + MAC_SIZE;

/** Buffers a Duplex's chunks and hands out exact byte counts, pausing the socket when too much is unread. */
class SocketReader {
  private chunks: Uint8Array[] = [];
  private offset = 0; // into chunks[0]
  private buffered = 0;
  private ended = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly socket: Duplex,
    private readonly highWaterMark: number,
  ) {
    socket.on('data', (chunk: Uint8Array) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered >= this.highWaterMark) socket.pause();
      this.notify();
    });
    socket.on('end', () => this.finish());
    socket.on('close', () => this.finish());
    socket.on('error', (err: Error) => {
      this.failure ??= new TransportError('socket_error', err.message);
      this.finish();
    });
  }

  private finish(): void {
    this.ended = true;
    this.notify();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Fails pending and future reads with `err` (first failure wins). */
  fail(err: Error): void {
    this.failure ??= err;
    this.notify();
  }

  /**
   * Exactly `n` bytes; `undefined` if the stream ended cleanly before any of them arrived.
   * Throws when it ended part-way, failed, or `fail` was called.
   */
  async read(n: number, what: string): Promise<Uint8Array | undefined> {
    while (this.buffered < n) {
      if (this.failure) throw this.failure;
      if (this.ended) {
        if (this.buffered === 0) return undefined;
        throw new TransportError('closed', `peer closed in the middle of ${what} (${this.buffered} of ${n} bytes)`);
      }
      if (this.socket.isPaused()) this.socket.resume();
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
    if (this.failure) throw this.failure;
    const out = this.take(n);
    if (this.buffered < this.highWaterMark && this.socket.isPaused() && !this.ended) this.socket.resume();
    return out;
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length - this.offset >= n) {
      // The common case: one chunk holds the whole read, so no copy.
      const out = first.subarray(this.offset, this.offset + n);
      this.offset += n;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
      return out;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const part = chunk.subarray(this.offset, this.offset + (n - filled));
      out.set(part, filled);
      filled += part.length;
      this.offset += part.length;
      if (this.offset === chunk.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    return out;
  }
}

/** An established BOLT 8 connection: send and receive whole Lightning messages. */
export class PeerTransport implements AsyncIterable<Uint8Array> {
  /** Resolves once the underlying socket has closed, for whatever reason. */
  readonly closed: Promise<void>;
  private receiving: Promise<unknown> = Promise.resolve();
  private draining: Promise<void> | undefined;
  private failure: Error | undefined;
  private isClosed = false;

  /** @internal built by `connectPeer` / `acceptPeer` */
  constructor(
    private readonly socket: Duplex,
    private readonly reader: SocketReader,
    private readonly cipher: TransportCipher,
    /** The peer's node id: known up front when dialing, learnt from Act Three when accepting. */
    readonly remoteNodeId: Uint8Array,
  ) {
    this.closed = new Promise((resolve) => {
      if (socket.destroyed) resolve();
      else socket.once('close', () => resolve());
    });
    void this.closed.then(() => (this.isClosed = true));
  }

  /** Encrypts and writes one message; waits for `drain` if the socket asked for it. */
  async send(message: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.isClosed || this.socket.destroyed || this.socket.writableEnded) throw new TransportError('closed', 'connection is closed');
    // Encrypt and write in one synchronous step: frames must hit the wire in nonce order.
    if (!this.socket.write(this.cipher.encrypt(message))) await this.drain();
  }

  private drain(): Promise<void> {
    this.draining ??= new Promise<void>((resolve, reject) => {
      const done = (err?: Error) => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        this.draining = undefined;
        if (err) reject(err);
        else resolve();
      };
      const onDrain = () => done();
      const onClose = () => done(new TransportError('closed', 'connection closed while waiting to send'));
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
    });
    return this.draining;
  }

  /**
   * The next message, or `undefined` once the peer has closed between messages. Throws
   * `DecodeError('bad_mac')` (after destroying the connection) on a forged or corrupt frame, and
   * `TransportError` if the connection broke mid-message. Calls queue in order.
   */
  receive(): Promise<Uint8Array | undefined> {
    const next = this.receiving.then(() => this.receiveOne());
    this.receiving = next.catch(() => undefined);
    return next;
  }

  private async receiveOne(): Promise<Uint8Array | undefined> {
    if (this.failure) throw this.failure;
    try {
      const header = await this.reader.read(FRAME_HEADER_SIZE, 'a message header');
      if (!header) return undefined;
      const length = this.cipher.decryptLength(header);
      const body = await this.reader.read(length + MAC_SIZE, 'a message body');
      if (!body) throw new TransportError('closed', 'peer closed between a message header and its body');
      return this.cipher.decryptMessage(body);
    } catch (err) {
      this.failure = err as Error;
      this.reader.fail(this.failure);
      this.socket.destroy();
      throw err;
    }
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      const message = await this.receive();
      if (message === undefined) return;
      yield message;
    }
  }

  /** Flushes what was sent, then closes. */
  close(): void {
    if (this.socket.destroyed) return;
    this.socket.end(() => this.socket.destroy());
  }
}

async function handshake<T>(socket: Duplex, opts: TransportOptions, run: (reader: SocketReader) => Promise<T>): Promise<T> {
  const reader = new SocketReader(socket, Math.max(opts.readHighWaterMark ?? 256 * 1024, MAX_FRAME));
  if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
  const ms = opts.handshakeTimeoutMs ?? 10_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new TransportError('handshake_timeout', `BOLT 8 handshake did not complete within ${ms} ms`);
      reader.fail(err);
      reject(err);
    }, ms);
  });
  try {
    return await Promise.race([run(reader), timeout]);
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function readAct(reader: SocketReader, size: number, name: string): Promise<Uint8Array> {
  const act = await reader.read(size, name);
  if (!act) throw new TransportError('closed', `peer closed before sending ${name}`);
  return act;
}

/** Dials side: we know the peer's node id and speak first. */
export function connectPeer(socket: Duplex, opts: TransportOptions & { remoteNodeId: Uint8Array }): Promise<PeerTransport> {
  return handshake(socket, opts, async (reader) => {
    const { actOne, state } = initiatorActOne({
      localSecret: opts.localSecret,
      remoteStatic: opts.remoteNodeId,
      ephemeralSecret: opts.ephemeralSecret,
    });
    socket.write(actOne);
    const { actThree, keys } = initiatorActThree(state, await readAct(reader, ACT_TWO_SIZE, 'act two'));
    socket.write(actThree);
    return new PeerTransport(socket, reader, new TransportCipher(keys), opts.remoteNodeId.slice());
  });
}

/** Listening side: the peer's node id arrives, encrypted, in Act Three. */
export function acceptPeer(socket: Duplex, opts: TransportOptions): Promise<PeerTransport> {
  return handshake(socket, opts, async (reader) => {
    const { actTwo, state } = responderActTwo(
      { localSecret: opts.localSecret, ephemeralSecret: opts.ephemeralSecret },
      await readAct(reader, ACT_ONE_SIZE, 'act one'),
    );
    socket.write(actTwo);
    const { remoteStatic, keys } = responderComplete(state, await readAct(reader, ACT_THREE_SIZE, 'act three'));
    return new PeerTransport(socket, reader, new TransportCipher(keys), remoteStatic);
  });
}
