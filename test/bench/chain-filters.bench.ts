// BIP158 filter matching vs a naive block scan, and filter construction cost per block.
// Synthetic but realistic blocks: 1,000 transactions of 2 inputs (64-byte witness each) and 2
// outputs (P2TR, P2WPKH, P2PKH, P2SH, 1% OP_RETURN) — 2,000 outputs and 2,000 spent scripts per
// block. The wallet holds 1,000 P2TR scripts; one block in 100 pays one of them.
import { randomBytes } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { basicFilter, matchAny } from '../../core/chain/bip158.js';
import { blockHashOf, forEachOutputScript } from '../../core/chain/block.js';
import type { createBench as CreateBench } from './harness.js';

const BLOCKS = 10_000;
/** Distinct serialized blocks kept in memory (10,000 × ~150 KB would not fit); each is checked
 * BLOCKS / DISTINCT times under the same hash, which neither method can cache. */
const DISTINCT = 100;
const TXS = 1_000;
const WALLET = 1_000;
/** The naive scan is ~4× slower: it is timed over fewer blocks to stay within the bench budget. */
const NAIVE_BLOCKS = 2_000;

function compact(n: number): number[] {
  return n < 0xfd ? [n] : [0xfd, n & 0xff, n >>> 8];
}

function randomScript(i: number): Uint8Array {
  const kind = i % 100 === 99 ? 'op_return' : ['p2tr', 'p2wpkh', 'p2pkh', 'p2sh'][i % 4];
  switch (kind) {
    case 'p2tr':
      return Uint8Array.from([0x51, 0x20, ...randomBytes(32)]);
    case 'p2wpkh':
      return Uint8Array.from([0x00, 0x14, ...randomBytes(20)]);
    case 'p2pkh':
      return Uint8Array.from([0x76, 0xa9, 0x14, ...randomBytes(20), 0x88, 0xac]);
    case 'p2sh':
      return Uint8Array.from([0xa9, 0x14, ...randomBytes(20), 0x87]);
    default:
      return Uint8Array.from([0x6a, 0x20, ...randomBytes(32)]);
  }
}

/** A segwit block of TXS transactions; `pay` (if given) is the first output of the second tx. */
function syntheticBlock(pay?: Uint8Array): { block: Uint8Array; prevouts: Uint8Array[] } {
  const bytes: number[] = [...randomBytes(80), ...compact(TXS)];
  const prevouts: Uint8Array[] = [];
  for (let t = 0; t < TXS; t++) {
    const coinbase = t === 0;
    bytes.push(2, 0, 0, 0, 0x00, 0x01);
    const inputs = coinbase ? 1 : 2;
    bytes.push(inputs);
    for (let i = 0; i < inputs; i++) {
      bytes.push(...(coinbase ? new Uint8Array(32) : randomBytes(32)), ...(coinbase ? [0xff, 0xff, 0xff, 0xff] : [i, 0, 0, 0]), 0, 0xfd, 0xff, 0xff, 0xff);
      if (!coinbase) prevouts.push(randomScript(t * 2 + i));
    }
    bytes.push(2);
    for (let o = 0; o < 2; o++) {
      const script = t === 1 && o === 0 && pay ? pay : randomScript(t * 2 + o);
      bytes.push(0x10, 0x27, 0, 0, 0, 0, 0, 0, ...compact(script.length), ...script);
    }
    for (let i = 0; i < inputs; i++) bytes.push(1, 64, ...randomBytes(64));
    bytes.push(0, 0, 0, 0);
  }
  return { block: Uint8Array.from(bytes), prevouts };
}

export default async function (createBench: typeof CreateBench): Promise<void> {
  const b = createBench(`Chain filters: BIP158 matching over ${BLOCKS.toLocaleString('en')} blocks (2,000 outputs each), ${WALLET.toLocaleString('en')}-script wallet`);
  const wallet = Array.from({ length: WALLET }, () => Uint8Array.from([0x51, 0x20, ...randomBytes(32)]));
  const walletSet = new Set(wallet.map((s) => bytesToHex(s)));

  const blocks: { hash: string; block: Uint8Array; filter: Uint8Array; prevouts: Uint8Array[] }[] = [];
  let buildMs = 0;
  for (let i = 0; i < DISTINCT; i++) {
    const { block, prevouts } = syntheticBlock(i % 100 === 7 ? wallet[i % WALLET] : undefined);
    const started = performance.now();
    const filter = basicFilter(block, prevouts);
    buildMs += performance.now() - started;
    blocks.push({ hash: blockHashOf(block), block, filter, prevouts });
  }
  const avgBlock = blocks.reduce((s, x) => s + x.block.length, 0) / DISTINCT;
  const avgFilter = blocks.reduce((s, x) => s + x.filter.length, 0) / DISTINCT;
  b.line(`synthetic block ${(avgBlock / 1024).toFixed(0)} KiB, its filter ${(avgFilter / 1024).toFixed(1)} KiB (${(avgBlock / avgFilter).toFixed(0)}× less to download); ${DISTINCT} distinct blocks built in ${buildMs.toFixed(0)} ms`);

  // Both methods must find the paying blocks (the filter may add rare false positives).
  const naiveHit = (x: (typeof blocks)[number]) => {
    let hit = false;
    forEachOutputScript(x.block, (s) => {
      if (!hit && walletSet.has(bytesToHex(s))) hit = true;
    });
    return hit;
  };
  const naiveHits = blocks.filter(naiveHit).length;
  const filterHits = blocks.filter((x) => matchAny(x.filter, x.hash, wallet)).length;
  if (naiveHits !== 1 || filterHits < naiveHits) throw new Error(`methods disagree: naive ${naiveHits}, filter ${filterHits}`);
  b.line(`paying blocks found: naive ${naiveHits}/${DISTINCT}, filter ${filterHits}/${DISTINCT} (extra = false positives, expected rate ${((WALLET / 784931) * 100).toFixed(2)}%)`);

  let cursor = 0;
  const naive = b.measure(
    `naive scan of ${NAIVE_BLOCKS.toLocaleString('en')} blocks: decode, Set-check every output (blocks/s)`,
    () => naiveHit(blocks[cursor++ % DISTINCT] as (typeof blocks)[number]),
    { seconds: 0.001, batch: NAIVE_BLOCKS },
  );
  cursor = 0;
  const filtered = b.measure(
    `matchAny over ${BLOCKS.toLocaleString('en')} blocks: hash+sort wallet, merge-walk the filter (blocks/s)`,
    () => {
      const x = blocks[cursor++ % DISTINCT] as (typeof blocks)[number];
      return matchAny(x.filter, x.hash, wallet);
    },
    { seconds: 0.001, batch: BLOCKS },
  );
  b.ratio('filter matching vs naive scan', filtered, naive);
  b.line(`${BLOCKS.toLocaleString('en')} blocks: filters ${(BLOCKS / filtered.ops).toFixed(2)} s, naive scan ${(BLOCKS / naive.ops).toFixed(2)} s (extrapolated)`);

  const c = createBench('Chain filters: BIP158 filter construction per block (2,000 outputs + 2,000 spent scripts)');
  cursor = 0;
  const hashing = c.measure(`reference: sha256 over the serialized block`, () => sha256(blocks[cursor++ % DISTINCT]?.block as Uint8Array), { seconds: 2, batch: 10 });
  cursor = 0;
  const build = c.measure(
    `basicFilter(block, prevouts)`,
    () => {
      const x = blocks[cursor++ % DISTINCT] as (typeof blocks)[number];
      return basicFilter(x.block, x.prevouts);
    },
    { seconds: 2, batch: 5 },
  );
  c.ratio('filter construction vs sha256 of the block', build, hashing);
  c.line(`construction: ${build.perOpMs.toFixed(2)} ms per block; an Esplora sync of ${BLOCKS.toLocaleString('en')} blocks spends ${((BLOCKS * build.perOpMs) / 1000).toFixed(1)} s building filters`);
}
