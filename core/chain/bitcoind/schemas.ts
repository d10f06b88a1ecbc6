/**
 * zod schemas for the Bitcoin Core RPC results this backend reads — only the fields it uses, so
 * newer Core versions adding fields keep working. Shapes as documented in Core's RPC help
 * (https://bitcoincore.org/en/doc/), checked against Core 26–29 output.
 */
import { z } from 'zod';

export const hash64 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected a 64-character hex hash')
  .transform((s) => s.toLowerCase());
export const hexBytes = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/, 'expected hex bytes');
const height = z.number().int().nonnegative();

export const blockchainInfo = z.object({
  chain: z.string(),
  blocks: height,
  bestblockhash: hash64,
  pruned: z.boolean(),
  pruneheight: height.optional(),
  initialblockdownload: z.boolean().optional(),
});

/** `getindexinfo`: one entry per enabled index, e.g. "basic block filter index". */
export const indexInfo = z.record(z.string(), z.object({ synced: z.boolean(), best_block_height: z.number().int() }));

export const blockHeaderVerbose = z.object({
  hash: hash64,
  height,
  time: z.number().int(),
  mediantime: z.number().int(),
  confirmations: z.number().int(),
});

/** 80 header bytes as hex. */
export const blockHeaderHex = z.string().regex(/^[0-9a-fA-F]{160}$/, 'expected 160 hex characters');

export const blockFilter = z.object({ filter: hexBytes, header: hash64 });

export const rawTransactionVerbose = z.object({
  txid: hash64,
  hex: hexBytes,
  blockhash: hash64.optional(),
  confirmations: z.number().int().optional(),
  blocktime: z.number().int().optional(),
  vout: z.array(z.object({ n: z.number().int(), scriptPubKey: z.object({ hex: hexBytes }) })),
});

export const txOut = z.union([z.null(), z.object({ bestblock: hash64, confirmations: z.number().int() })]);

/** `gettxspendingprevout` (Core ≥ 24); `spendingtxid` only when a spender is known. */
export const txSpendingPrevout = z.array(
  z.object({ txid: hash64, vout: z.number().int(), spendingtxid: hash64.optional(), blockhash: hash64.optional() }),
);

export const smartFee = z.object({
  feerate: z.number().positive().optional(),
  errors: z.array(z.string()).optional(),
  blocks: z.number().int(),
});

export const mempoolInfo = z.object({ mempoolminfee: z.number().nonnegative(), minrelaytxfee: z.number().nonnegative() });

export const mempoolEntry = z.object({
  vsize: z.number().int().positive(),
  time: z.number().int(),
  ancestorcount: z.number().int().positive(),
  fees: z.object({ base: z.number().nonnegative() }),
});

export const txids = z.array(hash64);
