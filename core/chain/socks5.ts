/**
 * A small SOCKS5 CONNECT client (RFC 1928) with username/password authentication (RFC 1929),
 * returning a connected `net.Socket` for HTTP clients to run over (Esplora through Tor).
 * https://www.rfc-editor.org/rfc/rfc1928  https://www.rfc-editor.org/rfc/rfc1929
 * Tor's extended reply codes: https://spec.torproject.org/socks-extensions.html
 *
 * Host names are sent to the proxy unresolved (address type 0x03) so no DNS query leaks outside
 * Tor and `.onion` names work. With credentials, only the username/password method is offered:
 * Tor uses the pair to isolate streams onto separate circuits, so falling back to "no auth" would
 * silently lose that isolation. Not here: BIND, UDP ASSOCIATE, GSSAPI.
 */
import net from 'node:net';
import { ChainError } from './source.js';

export interface Socks5Proxy {
  host: string;
  port: number;
  /** Username/password (1–255 bytes each); with Tor, distinct pairs get distinct circuits. */
  username?: string;
  password?: string;
}

export interface Socks5Target {
  host: string;
  port: number;
}

const REPLY_MEANINGS: Record<number, string> = {
  0x01: 'general SOCKS server failure',
  0x02: 'connection not allowed by ruleset',
  0x03: 'network unreachable',
  0x04: 'host unreachable',
  0x05: 'connection refused',
  0x06: 'TTL expired',
  0x07: 'command not supported',
  0x08: 'address type not supported',
  0xf0: 'onion service descriptor can not be found',
  0xf1: 'onion service descriptor is invalid',
  0xf2: 'onion service introduction failed',
  0xf3: 'onion service rendezvous failed',
  0xf4: 'onion service missing client authorization',
  0xf5: 'onion service wrong client authorization',
  0xf6: 'onion service invalid address',
  0xf7: 'onion service introduction timed out',
};

function credential(value: string, field: string): Buffer {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length < 1 || bytes.length > 255) throw new RangeError(`"${field}" expected 1 to 255 bytes, got ${bytes.length}`);
  return bytes;
}

function addressBytes(target: Socks5Target): Buffer {
  if (!Number.isInteger(target.port) || target.port < 1 || target.port > 65535) {
    throw new RangeError(`"port" expected an integer in 1..65535, got ${target.port}`);
  }
  const port = Buffer.of(target.port >>> 8, target.port & 0xff);
  const host = target.host.startsWith('[') && target.host.endsWith(']') ? target.host.slice(1, -1) : target.host;
  if (net.isIPv4(host)) return Buffer.concat([Buffer.of(0x01), Buffer.from(host.split('.').map(Number)), port]);
  if (net.isIPv6(host)) return Buffer.concat([Buffer.of(0x04), ipv6Bytes(host), port]);
  const name = Buffer.from(host, 'utf8');
  if (name.length < 1 || name.length > 255) throw new RangeError(`"host" expected 1 to 255 bytes, got ${name.length}`);
  return Buffer.concat([Buffer.of(0x03, name.length), name, port]);
}

/** The 16 bytes of an IPv6 literal (already validated by net.isIPv6), `::` and dotted tails included. */
function ipv6Bytes(address: string): Buffer {
  const out = Buffer.alloc(16);
  let text = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    Buffer.from(dotted[1].split('.').map(Number)).copy(out, 12);
    text = text.slice(0, -dotted[1].length) + '0:0';
  }
  const [head = '', tail] = text.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)));
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = [...front, ...Array<number>(8 - front.length - back.length).fill(0), ...back];
  all.forEach((g, i) => {
    if (!(dotted && i >= 6)) out.writeUInt16BE(g, i * 2);
  });
  return out;
}

/**
 * Opens a TCP connection to `target` through the SOCKS5 `proxy`. Failures are ChainErrors:
 * UNREACHABLE when the proxy is down, refuses our credentials or cannot reach the target (the
 * message says which), TIMEOUT when the handshake does not finish in `timeoutMs`.
 */
export function socks5Connect(proxy: Socks5Proxy, target: Socks5Target, timeoutMs = 30_000): Promise<net.Socket> {
  const auth =
    proxy.username !== undefined || proxy.password !== undefined
      ? { user: credential(proxy.username ?? '', 'username'), pass: credential(proxy.password ?? '', 'password') }
      : null;
  const request = Buffer.concat([Buffer.of(0x05, 0x01, 0x00), addressBytes(target)]);
  const where = `SOCKS5 proxy ${proxy.host}:${proxy.port}`;
  const to = `${target.host}:${target.port}`;

  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    // Replies are read with read(n) in paused mode, exactly as long as they are, so bytes the
    // target sends right after the CONNECT reply stay in the socket for the caller.
    let stage: 'method' | 'auth' | 'reply' | 'domain' | 'address' | 'done' = 'method';
    let addressLength = 0;
    let connected = false;

    const fail = (err: ChainError) => {
      if (stage === 'done') return;
      stage = 'done';
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(new ChainError('TIMEOUT', `${where} did not complete the handshake for ${to} within ${timeoutMs} ms`)),
      timeoutMs,
    );

    socket.on('connect', () => {
      connected = true;
      socket.write(Buffer.of(0x05, 0x01, auth ? 0x02 : 0x00));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      fail(
        new ChainError(
          'UNREACHABLE',
          connected
            ? `${where} connection failed: ${err.message}`
            : `${where} is not reachable (${err.code ?? err.message}): check that Tor or the proxy is running and the proxy address is right`,
        ),
      );
    });
    socket.on('close', () => fail(new ChainError('UNREACHABLE', `${where} closed the connection during the handshake for ${to}`)));

    const read = (n: number): Buffer | null => {
      const chunk = socket.read(n) as Buffer | null;
      return chunk && chunk.length === n ? chunk : null;
    };

    const onReadable = () => {
      for (;;) {
        if (stage === 'method') {
          const reply = read(2);
          if (!reply) return;
          if (reply[0] !== 0x05) return fail(new ChainError('UNREACHABLE', `${where} is not a SOCKS5 server (version byte ${reply[0]})`));
          if (reply[1] !== (auth ? 0x02 : 0x00)) {
            return fail(
              new ChainError(
                'UNREACHABLE',
                auth
                  ? `${where} does not accept username/password authentication: use a proxy that does (Tor's SocksPort does) or remove the credentials`
                  : `${where} requires authentication: configure the proxy username and password`,
              ),
            );
          }
          if (auth) {
            socket.write(Buffer.concat([Buffer.of(0x01, auth.user.length), auth.user, Buffer.of(auth.pass.length), auth.pass]));
            stage = 'auth';
          } else {
            socket.write(request);
            stage = 'reply';
          }
        } else if (stage === 'auth') {
          const reply = read(2);
          if (!reply) return;
          if (reply[1] !== 0x00) return fail(new ChainError('UNREACHABLE', `${where} rejected the username/password: check the proxy credentials`));
          socket.write(request);
          stage = 'reply';
        } else if (stage === 'reply') {
          const head = read(4);
          if (!head) return;
          const rep = head[1] as number;
          if (head[0] !== 0x05) return fail(new ChainError('UNREACHABLE', `${where} sent a malformed CONNECT reply`));
          if (rep !== 0x00) {
            const meaning = REPLY_MEANINGS[rep] ?? 'unknown error';
            return fail(new ChainError('UNREACHABLE', `${where} could not connect to ${to}: ${meaning} (reply 0x${rep.toString(16).padStart(2, '0')})`));
          }
          const atyp = head[3];
          if (atyp === 0x03) stage = 'domain';
          else if (atyp === 0x01 || atyp === 0x04) {
            addressLength = (atyp === 0x01 ? 4 : 16) + 2;
            stage = 'address';
          } else return fail(new ChainError('UNREACHABLE', `${where} sent an unknown address type ${atyp} in its reply`));
        } else if (stage === 'domain') {
          const length = read(1);
          if (!length) return;
          addressLength = (length[0] as number) + 2;
          stage = 'address';
        } else if (stage === 'address') {
          if (!read(addressLength)) return;
          stage = 'done';
          clearTimeout(timer);
          socket.removeListener('readable', onReadable);
          socket.removeAllListeners('error');
          socket.removeAllListeners('close');
          resolve(socket);
          return;
        } else {
          return;
        }
      }
    };
    socket.on('readable', onReadable);
  });
}
