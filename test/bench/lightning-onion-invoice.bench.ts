// BOLT 4 onions over 20 hops (create, peel) and BOLT 11 invoice decoding, each against a named
// reference measured in the same run: one ECDH per hop and the raw ChaCha20 keystream for onions,
// a plain bech32 decode of the same string for invoices.
import { chacha20 } from '@noble/ciphers/chacha.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { bech32 } from '@scure/base';
import { _parseInvoice, decodeInvoice } from '../../core/lightning/bolt11/index.js';
import { type OnionPacket, createOnion, peelOnion } from '../../core/lightning/onion/index.js';
import { vectorText } from '../support/vectors.js';
import type { createBench as CreateBench } from './harness.js';

const HOPS = 20;

export default async function (createBench: typeof CreateBench) {
  const b = createBench('Lightning: BOLT 4 onion (20 hops) and BOLT 11 invoice decoding');

  const nodeKeys = Array.from({ length: HOPS }, (_, i) => Uint8Array.from({ length: 32 }, (_, j) => (i * 7 + j + 1) & 0xff));
  const nodeIds = nodeKeys.map((k) => secp256k1.getPublicKey(k, true));
  // amt_to_forward, outgoing_cltv_value, short_channel_id: a typical 19-byte forwarding payload.
  const payload = Uint8Array.from(Buffer.from('02023a98040205dc06080000000000000001', 'hex'));
  const hops = nodeIds.map((publicKey) => ({ publicKey, payload }));
  const sessionKey = new Uint8Array(32).fill(0x41);
  const associatedData = new Uint8Array(32).fill(0x42);
  const { packet } = createOnion(sessionKey, hops, associatedData);
  const layers: OnionPacket[] = [packet];
  for (let i = 0; i < HOPS - 1; i++) layers.push(peelOnion(layers[i]!, nodeKeys[i]!, associatedData).next!);
  b.line(`onion: ${HOPS} hops, ${payload.length}-byte payloads, 1366-byte packet`);

  const ecdh20 = b.measure(`reference: ${HOPS} × ECDH (secp256k1 getSharedSecret)`, () => {
    for (let i = 0; i < HOPS; i++) secp256k1.getSharedSecret(sessionKey, nodeIds[i]!, true);
  });
  // What creating writes: the pad stream, one 1300-byte rho stream per hop, and the filler streams.
  const streamBytes = 1300 + HOPS * 1300 + (HOPS - 1) * (1300 + payload.length + 33);
  const zeros = new Uint8Array(streamBytes);
  const key = new Uint8Array(32).fill(7);
  const nonce = new Uint8Array(12);
  const chacha = b.measure(`reference: ChaCha20 keystream of ${streamBytes} bytes (what one create generates)`, () => chacha20(key, nonce, zeros));
  const create = b.measure(`createOnion, ${HOPS} hops`, () => createOnion(sessionKey, hops, associatedData), { seconds: 2 });
  b.ratio('onion create / 20 ECDH', create, ecdh20);
  b.ratio('onion create / its keystream', create, chacha);

  const ecdh1 = b.measure('reference: 1 × ECDH', () => secp256k1.getSharedSecret(nodeKeys[0]!, packet.publicKey, true));
  let at = 0;
  const peel = b.measure('peelOnion, one hop (cycling through the 20 layers)', () => {
    peelOnion(layers[at]!, nodeKeys[at]!, associatedData);
    at = (at + 1) % HOPS;
  });
  b.ratio('peel / 1 ECDH', peel, ecdh1);
  b.line(`a full ${HOPS}-hop traversal peels at ${(peel.ops / HOPS).toFixed(1)} onions/s`);

  const examples = vectorText('bolt11.md')
    .split('\n')
    .map((l) => l.replace(/^>\s?/, '').trim());
  const invoice = examples.find((l) => l.startsWith('lnbc20m1') && l.includes('fpp3qjmp7lwpagxun9pygexvgpjdc4jdj85f'))!;
  b.line(`invoice: ${invoice.length} characters (spec example with fallback and two route hints)`);
  const plain = b.measure('reference: bech32.decode of the same string', () => bech32.decode(invoice as `${string}1${string}`, false));
  const parse = b.measure('_parseInvoice (every reader rule but the signature)', () => _parseInvoice(invoice));
  const decode = b.measure('decodeInvoice (with public-key recovery)', () => decodeInvoice(invoice));
  b.ratio('invoice decode / bech32 decode', decode, plain);
  b.ratio('invoice parse without signature / bech32 decode', parse, plain);
}
