/** The chain layer's part of the contract: testing a backend, and the Playground's tester controls. */
import { z } from 'zod';
import { ChainBackend } from './settings.js';

const Txid = z.string().regex(/^[0-9a-f]{64}$/);

export const ChainTest = z.object({
  network: z.enum(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest']),
  height: z.number().int(),
  /** BIP158 filters available (Core: -blockfilterindex=1; Esplora: computed here). */
  filters: z.boolean(),
  latencyMs: z.number(),
  /** What to fix, when something is off but the backend answered (e.g. no filters). */
  warning: z.string().nullable(),
});

export const chainMethods = {
  /** Connects to a backend (not necessarily the saved one) and reports what it found. */
  'chain.test': { params: z.object({ backend: ChainBackend }).strict(), result: ChainTest },
  'playground.info': {
    params: z.object({}).strict(),
    result: z.object({ height: z.number().int(), tipHash: z.string(), mempool: z.number().int(), rpcUrl: z.string(), esploraUrl: z.string(), cookieFile: z.string() }),
  },
  /** Mines blocks (to the given address, else to the Playground's faucet). */
  'playground.mine': {
    params: z.object({ blocks: z.number().int().min(1).max(1000).default(1), address: z.string().optional() }).strict(),
    result: z.object({ height: z.number().int(), hashes: z.array(z.string()) }),
  },
  /** Sends test coins (unconfirmed until the next block). */
  'playground.faucet': {
    params: z.object({ address: z.string().min(1), amount: z.number().int().min(546).max(50 * 1e8) }).strict(),
    result: z.object({ txid: Txid }),
  },
  /** Invalidates the last `blocks` blocks; with `replace`, mines one more block than it removed so the chain moves on. */
  'playground.reorg': {
    params: z.object({ blocks: z.number().int().min(1).max(100).default(1), replace: z.boolean().default(true) }).strict(),
    result: z.object({ height: z.number().int(), disconnected: z.array(z.string()) }),
  },
} as const;
