// BOLT 8 transport: message throughput (encrypt + decrypt, MB/s) against raw ChaCha20-Poly1305 on
// the same data — the floor, since every frame is two AEAD operations (length, then body) — and
// complete Noise_XK handshakes per second against the six ECDHs a handshake cannot avoid.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import {
  TransportCipher,
  initiatorActOne,
  initiatorActThree,
  responderActTwo,
  responderComplete,
} from '../../core/lightning/noise.js';
import type { createBench as CreateBench } from './harness.js';

const key = (fill: number) => new Uint8Array(32).fill(fill);

export default async function (createBench: typeof CreateBench): Promise<void> {
  const b = createBench('Lightning BOLT 8 transport (core/lightning/noise.ts)');

  for (const size of [1024, 16 * 1024]) {
    const message = new Uint8Array(size).map((_, i) => i);
    const mb = (ops: number) => ((ops * size) / 1e6).toFixed(1);

    const nonce = new Uint8Array(12);
    const raw = b.measure(`raw chacha20poly1305 encrypt+decrypt ${size / 1024} KiB`, () => {
      const c = chacha20poly1305(key(1), nonce).encrypt(message);
      chacha20poly1305(key(1), nonce).decrypt(c);
    }, { seconds: 3, batch: 10 });

    // Sender and receiver share keys crosswise; nonces advance and keys rotate every 500 messages.
    const sender = new TransportCipher({ sk: key(1), rk: key(2), ck: key(3) });
    const receiver = new TransportCipher({ sk: key(2), rk: key(1), ck: key(3) });
    const transport = b.measure(`TransportCipher encrypt+decrypt ${size / 1024} KiB`, () => {
      const frame = sender.encrypt(message);
      receiver.decryptLength(frame.subarray(0, 18));
      receiver.decryptMessage(frame.subarray(18));
    }, { seconds: 3, batch: 10 });

    b.line(`${size / 1024} KiB: transport ${mb(transport.ops)} MB/s, raw AEAD ${mb(raw.ops)} MB/s`);
    b.ratio(`transport vs raw AEAD, ${size / 1024} KiB (goal >= 0.8)`, transport, raw);
  }

  const responderSecret = key(0x21);
  const responderId = secp256k1.getPublicKey(responderSecret, true);
  const initiatorSecret = key(0x11);
  const peer = secp256k1.getPublicKey(key(0x31), true);
  const ecdh6 = b.measure('6 x secp256k1 ECDH (noble getSharedSecret)', () => {
    for (let i = 0; i < 6; i++) secp256k1.getSharedSecret(initiatorSecret, peer, true);
  }, { seconds: 3 });
  const handshake = b.measure('Noise_XK handshake, both sides (acts 1-3, random ephemerals)', () => {
    const one = initiatorActOne({ localSecret: initiatorSecret, remoteStatic: responderId });
    const two = responderActTwo({ localSecret: responderSecret }, one.actOne);
    const three = initiatorActThree(one.state, two.actTwo);
    responderComplete(two.state, three.actThree);
  }, { seconds: 3 });
  b.line(`handshakes: ${handshake.ops.toFixed(1)}/s (${handshake.perOpMs.toFixed(2)} ms for both sides)`);
  b.ratio('handshake vs its 6 ECDHs', handshake, ecdh6);
}
