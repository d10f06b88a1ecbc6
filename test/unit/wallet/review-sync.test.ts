// Code-review findings on wallet sync and outgoing records, shown with a stub ChainSource (no
// filters needed: the wallet is at the source's tip, so only the mempool step runs). Each test
// states the correct behaviour for a bug the review demonstrated (and failed before its fix).
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { Transaction } from '@scure/btc-signer';
import { describe, expect, it } from 'vitest';
import { readTx } from '../../../core/chain/block.js';
import { ChainError, type ChainSource, type TxLookup, type Outspend } from '../../../core/chain/source.js';
import { recordOutgoing, WalletSync } from '../../../core/wallet/sync.js';
import type { Chain } from '../../../core/wallet/tx-graph.js';
import { WalletData } from '../../../core/wallet/wallet-data.js';

const derive = (chain: Chain, index: number) => new Uint8Array([0x51, 0x20, ...sha256(new TextEncoder().encode(`review/${chain}/${index}`))]);
const FOREIGN = new Uint8Array([0x51, 0x20, ...new Uint8Array(32).fill(0xee)]);
const TIP = { height: 100, hash: 'ab'.repeat(32) };

function rawTx(inputs: { txid: string; vout: number }[], outputs: { script: Uint8Array; amount: bigint }[]): { txid: string; raw: Uint8Array } {
  const tx = new Transaction({ allowUnknownOutputs: true, allowUnknownInputs: true, disableScriptCheck: true });
  for (const i of inputs) tx.addInput({ txid: hexToBytes(i.txid), index: i.vout, sequence: 0xfffffffd });
  for (const o of outputs) tx.addOutput({ script: o.script, amount: o.amount });
  const raw = tx.unsignedTx;
  return { txid: readTx(raw).txid, raw };
}

/** A source at TIP whose mempool and lookups are given; everything else is unused by these cases. */
function stubSource(o: { mempool?: Map<string, Uint8Array>; outspend?: (txid: string, vout: number) => Promise<Outspend>; broadcasts?: Uint8Array[] }): ChainSource {
  const mempool = o.mempool ?? new Map<string, Uint8Array>();
  const unused = () => Promise.reject(new Error('not used by this test'));
  return {
    kind: 'bitcoind',
    info: unused,
    tip: async () => TIP,
    subscribeTip: () => () => {},
    blockHash: async (h: number) => (h === TIP.height ? TIP.hash : '00'.repeat(32)),
    header: unused,
    block: unused,
    blockFilter: unused,
    filterHeader: unused,
    tx: async (txid: string): Promise<TxLookup | null> => (mempool.has(txid) ? { raw: mempool.get(txid)! } : null),
    outspend: o.outspend ?? (async () => ({ spent: false })),
    broadcast: async (raw: Uint8Array) => {
      o.broadcasts?.push(raw);
      return readTx(raw).txid;
    },
    feeEstimates: unused,
    mempoolEntry: unused,
    mempoolTxids: async () => [...mempool.keys()],
    close: async () => {},
  };
}

function walletSync(data: WalletData, source: ChainSource): WalletSync {
  return new WalletSync({ source, data, derive, gapLimit: 3, birthday: 0, revealed: () => 0, apply: (cs) => data.apply(cs), scanMempool: true, now: () => 1_700_000_000 });
}

const ours = { spk: bytesToHex(derive(0, 0)), chain: 0 as const, index: 0 };
const funding = rawTx([{ txid: '11'.repeat(32), vout: 0 }], [{ script: derive(0, 0), amount: 100_000n }]);

describe('review: sync mempool step', () => {
  // sync.ts:317-322 asks outspend() for every input of a pending tx that left the mempool. Core's
  // outspend needs -txindex for a confirmed funding tx (bitcoind/source.ts:360-361 throws NOT_FOUND),
  // so on a default Core node the sync fails at every run and the tx persisted before a crash is
  // never broadcast again.
  it('a pending tx missing from the mempool is rebroadcast even when outspend cannot answer (Core without -txindex)', async () => {
    const pending = rawTx([{ txid: funding.txid, vout: 0 }], [{ script: FOREIGN, amount: 90_000n }]);
    const data = new WalletData({
      scripts: [ours],
      txs: [
        { ...funding, block: { height: 90, hash: 'cd'.repeat(32), time: 1 }, firstSeen: 1, state: 'active' },
        { ...pending, block: null, firstSeen: 2, state: 'active' },
      ],
      blocks: [{ height: TIP.height, hash: TIP.hash }],
      tip: TIP,
    });
    const broadcasts: Uint8Array[] = [];
    const source = stubSource({
      broadcasts,
      outspend: async (txid) => {
        throw new ChainError('NOT_FOUND', `transaction ${txid} is unknown to the node (confirmed transactions need -txindex=1)`);
      },
    });
    await walletSync(data, source).run();
    expect(broadcasts.map((r) => readTx(r).txid)).toEqual([pending.txid]);
  });

  // sync.ts:288-304: relevance is judged against the graph as it was before the chunk, so a mempool
  // tx spending an output that another tx of the same chunk pays us is skipped, marked seen, and
  // never looked at again: the spent coin stays in the balance until the spend confirms.
  it('a mempool spend of an unconfirmed incoming coin is seen in the same sync', async () => {
    const data = new WalletData({ scripts: [ours], txs: [], blocks: [{ height: TIP.height, hash: TIP.hash }], tip: TIP });
    const incoming = rawTx([{ txid: '22'.repeat(32), vout: 0 }], [{ script: derive(0, 0), amount: 50_000n }]);
    const spend = rawTx([{ txid: incoming.txid, vout: 0 }], [{ script: FOREIGN, amount: 49_000n }]);
    const source = stubSource({ mempool: new Map([[incoming.txid, incoming.raw], [spend.txid, spend.raw]]) });
    const sync = walletSync(data, source);
    await sync.run();
    await sync.run();
    expect(data.txs.has(spend.txid)).toBe(true);
    expect(data.graph().unspent()).toEqual([]);
  });
});

describe('review: recordOutgoing', () => {
  // sync.ts:346 records the tx as unconfirmed and wallet-store.ts:192 overwrites the block columns:
  // re-broadcasting a confirmed tx (PSBT tools → Broadcast) turns it back into a pending, bumpable tx.
  it('recording an already confirmed transaction keeps its block', () => {
    const block = { height: 90, hash: 'cd'.repeat(32), time: 1 };
    const data = new WalletData({ scripts: [ours], txs: [{ ...funding, block, firstSeen: 1, state: 'active' }], blocks: [], tip: TIP });
    data.apply(recordOutgoing(data, funding, 2));
    expect(data.txs.get(funding.txid)!.block).toEqual(block);
  });
});
