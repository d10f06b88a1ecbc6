// BOLT 3 Appendix D: per-commitment secret generation and compact storage, every case verbatim
// from bolt03.md (5 generation, 9 storage sequences including the 8 failing ones), plus the
// storage's ordering rules and its byte encoding.
import { hex } from '@scure/base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError } from '../../../core/bitcoin/errors.js';
import {
  SHACHAIN_MAX_INDEX,
  ShachainError,
  decodeShachain,
  deriveOldSecret,
  emptyShachain,
  encodeShachain,
  insertSecret,
  nextShachainIndex,
  perCommitmentSecret,
  shachainIndex,
  type Shachain,
} from '../../../core/lightning/shachain.js';
import { vectorText } from '../../support/vectors.js';

const appendixD = (() => {
  const text = vectorText('bolt03.md');
  const start = text.indexOf('# Appendix D');
  return text.slice(start, text.indexOf('# Appendix E', start));
})();

// Each case is a "name:" line followed by "key: value" lines up to the next name.
function cases(section: string): { name: string; fields: [string, string][] }[] {
  const out: { name: string; fields: [string, string][] }[] = [];
  for (const raw of section.split('\n')) {
    const m = /^\s+(name|seed|I|output|secret):\s*(.+?)\s*$/.exec(raw);
    if (!m) continue;
    if (m[1] === 'name') out.push({ name: m[2]!, fields: [] });
    else out.at(-1)!.fields.push([m[1]!, m[2]!]);
  }
  return out;
}

const bytes = (v: string) => hex.decode(v.replace(/^0x/, ''));
const index = (v: string) => Number(v); // decimal or 0x-prefixed, always < 2^48

const generation = cases(appendixD.slice(0, appendixD.indexOf('## Storage Tests')));
const storage = cases(appendixD.slice(appendixD.indexOf('## Storage Tests')));

describe('BOLT 3 Appendix D generation tests', () => {
  it('has the 5 generation vectors', () => expect(generation).toHaveLength(5));
  generation.forEach(({ name, fields }, i) => {
    it(`BOLT3 generation vector ${i + 1}: ${name}`, () => {
      const f = Object.fromEntries(fields);
      expect(hex.encode(perCommitmentSecret(bytes(f.seed!), index(f.I!)))).toBe(f.output!.replace(/^0x/, ''));
    });
  });
});

describe('BOLT 3 Appendix D storage tests', () => {
  it('has the 9 storage vectors', () => expect(storage).toHaveLength(9));
  storage.forEach(({ name, fields }, i) => {
    it(`BOLT3 storage vector ${i + 1}: ${name}`, () => {
      let chain = emptyShachain();
      const received: [number, string][] = [];
      for (let at = 0; at < fields.length; at += 3) {
        const [[, I], [, secret], [, output]] = [fields[at]!, fields[at + 1]!, fields[at + 2]!];
        const step = () => insertSecret(chain, index(I), bytes(secret));
        if (output === 'ERROR') {
          expect(step).toThrow(ShachainError);
          try {
            step();
          } catch (err) {
            expect((err as ShachainError).code).toBe('mismatch');
          }
          // A rejected secret leaves the stored chain untouched.
          expect(nextShachainIndex(chain)).toBe(index(I));
          expect(at + 3).toBe(fields.length);
          return;
        }
        expect(output).toBe('OK');
        chain = step();
        received.push([index(I), secret.replace(/^0x/, '')]);
        // Intermediate: every secret received so far is still derivable from the compact storage.
        for (const [old, value] of received) expect(hex.encode(deriveOldSecret(chain, old))).toBe(value);
      }
      // Only the all-OK sequence may end without an ERROR.
      expect(name).toBe('insert_secret correct sequence');
    });
  });
});

describe('shachain ordering and lookup', () => {
  const seed = new Uint8Array(32).fill(0xff);
  const fill = (n: number): Shachain => {
    let chain = emptyShachain();
    for (let k = 0; k < n; k++) chain = insertSecret(chain, SHACHAIN_MAX_INDEX - k, perCommitmentSecret(seed, SHACHAIN_MAX_INDEX - k));
    return chain;
  };

  it('maps commitment number n to index 2^48-1-n', () => {
    expect(shachainIndex(0)).toBe(SHACHAIN_MAX_INDEX);
    expect(shachainIndex(42)).toBe(281474976710613);
    expect(() => shachainIndex(-1)).toThrow(RangeError);
    expect(() => shachainIndex(2 ** 48)).toThrow(RangeError);
  });

  it('rejects a first secret that is not index 2^48-1, and a skipped or repeated index', () => {
    const first = perCommitmentSecret(seed, SHACHAIN_MAX_INDEX - 1);
    expect(() => insertSecret(emptyShachain(), SHACHAIN_MAX_INDEX - 1, first)).toThrow(expect.objectContaining({ code: 'out-of-order' }));
    const chain = fill(3);
    expect(nextShachainIndex(chain)).toBe(SHACHAIN_MAX_INDEX - 3);
    const skip = perCommitmentSecret(seed, SHACHAIN_MAX_INDEX - 4);
    expect(() => insertSecret(chain, SHACHAIN_MAX_INDEX - 4, skip)).toThrow(expect.objectContaining({ code: 'out-of-order' }));
    const again = perCommitmentSecret(seed, SHACHAIN_MAX_INDEX - 2);
    expect(() => insertSecret(chain, SHACHAIN_MAX_INDEX - 2, again)).toThrow(expect.objectContaining({ code: 'out-of-order' }));
  });

  it('reports an index not yet received as unknown-index', () => {
    const chain = fill(5);
    expect(() => deriveOldSecret(chain, SHACHAIN_MAX_INDEX - 5)).toThrow(expect.objectContaining({ code: 'unknown-index' }));
    expect(() => deriveOldSecret(emptyShachain(), SHACHAIN_MAX_INDEX)).toThrow(ShachainError);
  });

  it('validates argument types with titled errors', () => {
    expect(() => perCommitmentSecret(new Uint8Array(31), 0)).toThrow(/"seed" expected 32-byte/);
    expect(() => perCommitmentSecret(seed, 1.5)).toThrow(/"index" expected integer/);
    expect(() => insertSecret(emptyShachain(), SHACHAIN_MAX_INDEX, new Uint8Array(33))).toThrow(TypeError);
  });

  it('keeps at most one bucket per trailing-zero count after 1000 secrets, all derivable', () => {
    const chain = fill(1000);
    // Indices 2^48-1 down to 2^48-1000 reach trailing-zero counts 0..9 (2^48-512 is the deepest).
    expect(chain.known).toHaveLength(10);
    for (const k of [0, 1, 2, 255, 511, 512, 998, 999]) {
      const i = SHACHAIN_MAX_INDEX - k;
      expect(deriveOldSecret(chain, i)).toEqual(perCommitmentSecret(seed, i));
    }
  });

  it('property: for any seed and count, every received secret is derivable and the storage round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 1, max: 70 }), fc.nat(), (s, n, pick) => {
        let chain = emptyShachain();
        for (let k = 0; k < n; k++) chain = insertSecret(chain, SHACHAIN_MAX_INDEX - k, perCommitmentSecret(s, SHACHAIN_MAX_INDEX - k));
        const i = SHACHAIN_MAX_INDEX - (pick % n);
        expect(deriveOldSecret(chain, i)).toEqual(perCommitmentSecret(s, i));
        expect(decodeShachain(encodeShachain(chain))).toEqual(chain);
      }),
      { numRuns: 200 },
    );
  });
});

describe('shachain storage encoding', () => {
  const seed = new Uint8Array(32).fill(0x01);
  let chain = emptyShachain();
  for (let k = 0; k < 6; k++) chain = insertSecret(chain, SHACHAIN_MAX_INDEX - k, perCommitmentSecret(seed, SHACHAIN_MAX_INDEX - k));

  it('encodes count then index (u48 BE) || secret per bucket', () => {
    const bytes = encodeShachain(chain);
    // After indices ...ff down to ...fa the buckets hold ...fb (b0), ...fa (b1), ...fc (b2).
    expect(bytes.length).toBe(1 + 3 * 38);
    expect(hex.encode(bytes.subarray(0, 7))).toBe('03fffffffffffb');
    expect(hex.encode(bytes.subarray(39, 45))).toBe('fffffffffffa');
    expect(hex.encode(bytes.subarray(77, 83))).toBe('fffffffffffc');
    expect(decodeShachain(bytes)).toEqual(chain);
    expect(decodeShachain(encodeShachain(emptyShachain()))).toEqual(emptyShachain());
  });

  const bad: [string, string, Uint8Array][] = [
    ['empty input', 'shachain-length', new Uint8Array(0)],
    ['count above 49', 'shachain-count', Uint8Array.of(50)],
    ['truncated entry', 'shachain-length', encodeShachain(chain).subarray(0, 100)],
    ['trailing byte', 'shachain-length', Uint8Array.from([...encodeShachain(chain), 0])],
    ['bucket index with the wrong trailing-zero count', 'shachain-index', (() => {
      const b = encodeShachain(chain);
      b[6] = 0xf8; // bucket 0 now holds ...f8 (3 trailing zeros)
      return b;
    })()],
    ['bucket that sequential insertion cannot produce', 'shachain-index', (() => {
      const b = encodeShachain(chain);
      b[6] = 0xfd; // bucket 0 claims ...fd, but ...fa in bucket 1 means ...fb was received after it
      return b;
    })()],
    ['missing top bucket', 'shachain-index', Uint8Array.from([2, ...encodeShachain(chain).subarray(1, 77)])],
  ];
  for (const [what, code, input] of bad) {
    it(`rejects ${what} with DecodeError ${code}`, () => {
      expect(() => decodeShachain(input)).toThrow(DecodeError);
      expect(() => decodeShachain(input)).toThrow(expect.objectContaining({ code }));
    });
  }
});
