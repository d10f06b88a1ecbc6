// Fuzz: the origin's failure unwrapping (BOLT 4 "Returning Errors") returns an attribution or throws
// DecodeError, nothing else — on random packets, and on packets a hop of the route created from
// random failure messages, then mutated.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FAILURES, createFailurePacket, unwrapFailurePacket, wrapFailurePacket } from '../../../core/lightning/onion/index.js';
import { fuzzRuns, fuzzTimeout, mutatedBytes, valueOrDecodeError } from '../../support/fuzz.js';

const CODES = Object.values(FAILURES).map((f) => f.code);
const SECRETS = [new Uint8Array(32).fill(0x51), new Uint8Array(32).fill(0x52), new Uint8Array(32).fill(0x53)];

/**
 * Packets as they reach the origin of a `hops`-hop route, failures created by any hop from random
 * messages. Built once (creating costs as much as unwrapping); the properties mutate them or not.
 */
function created(hops: number): Uint8Array[] {
  return fc
    .sample(fc.tuple(fc.nat({ max: hops - 1 }), fc.oneof(fc.constantFrom(...CODES), fc.nat({ max: 0xffff })), fc.uint8Array({ maxLength: 24 })), {
      numRuns: 256,
      seed: hops,
    })
    .map(([failing, code, data]) => {
      let packet = createFailurePacket(SECRETS[failing]!, Uint8Array.of(code >> 8, code & 0xff, ...data));
      for (let j = failing - 1; j >= 0; j--) packet = wrapFailurePacket(SECRETS[j]!, packet);
      return packet;
    });
}

/** Created packets, one in six intact (so attribution succeeds), the rest mutated; or random bytes. */
const packets = (pool: Uint8Array[]) =>
  fc.oneof(fc.oneof({ arbitrary: fc.constantFrom(...pool), weight: 1 }, { arbitrary: mutatedBytes(pool), weight: 5 }), fc.uint8Array({ maxLength: 120 }));

describe('BOLT 4 failure onion fuzz', () => {
  // Unwrapping costs one ChaCha20 stream and three HMACs per hop (~30 µs with @noble): the 100k-run
  // property uses a one-hop route; attribution further down a route gets a smaller run.
  it(
    'unwrapping at the origin of a one-hop route: value or DecodeError',
    () => {
      const route = SECRETS.slice(0, 1);
      fc.assert(fc.property(packets(created(1)), (packet) => void valueOrDecodeError(() => unwrapFailurePacket(route, packet))), { numRuns: fuzzRuns });
    },
    fuzzTimeout,
  );

  it(
    'unwrapping at the origin of a three-hop route: value or DecodeError, intact packets attributed',
    () => {
      const pool = created(3);
      expect(pool.every((p) => unwrapFailurePacket(SECRETS, p).hopIndex >= 0)).toBe(true);
      fc.assert(fc.property(packets(pool), (packet) => void valueOrDecodeError(() => unwrapFailurePacket(SECRETS, packet))), {
        numRuns: Math.max(2000, Math.floor(fuzzRuns / 20)),
      });
    },
    fuzzTimeout,
  );
});
