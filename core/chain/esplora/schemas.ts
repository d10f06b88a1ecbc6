/**
 * zod schemas for the Esplora REST answers this backend reads (blockstream/esplora and
 * mempool.space share them): https://github.com/Blockstream/esplora/blob/master/API.md
 * Only the fields used are declared; extra fields pass.
 */
import { z } from 'zod';

export const hash64 = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected a 64-character hex hash')
  .transform((s) => s.toLowerCase());
const hex = z.string().regex(/^(?:[0-9a-fA-F]{2})*$/, 'expected hex bytes');
const height = z.number().int().nonnegative();

export const blockInfo = z.object({
  id: hash64,
  height,
  timestamp: z.number().int(),
  tx_count: z.number().int().positive(),
  mediantime: z.number().int().optional(),
});

export const txStatus = z.object({
  confirmed: z.boolean(),
  block_height: height.optional(),
  block_hash: hash64.optional(),
  block_time: z.number().int().optional(),
});

export const tx = z.object({
  txid: hash64,
  vin: z.array(
    z.object({
      txid: hash64,
      vout: z.number().int(),
      is_coinbase: z.boolean(),
      prevout: z.union([z.null(), z.object({ scriptpubkey: hex })]).optional(),
    }),
  ),
  vout: z.array(z.object({ scriptpubkey: hex, value: z.number().int().nonnegative() })),
  weight: z.number().int().positive(),
  fee: z.number().int().nonnegative().optional(),
  status: txStatus,
});
export type EsploraTx = z.infer<typeof tx>;

export const blockTxsPage = z.array(tx);

export const outspend = z.object({
  spent: z.boolean(),
  txid: hash64.optional(),
  vin: z.number().int().nonnegative().optional(),
  status: txStatus.optional(),
});

export const feeEstimates = z.record(z.string().regex(/^\d+$/, 'expected a block target'), z.number().nonnegative());

export const txids = z.array(hash64);

/** Core's error object inside Esplora's "sendrawtransaction RPC error: {...}" body. */
export const rpcErrorBody = z.object({ code: z.number(), message: z.string() });
