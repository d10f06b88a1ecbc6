/** User settings: what the Settings screen edits and the core persists. */
import { z } from 'zod';

export const Theme = z.enum(['system', 'light', 'dark']);
export const Unit = z.enum(['BTC', 'sats']);

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'must start with http:// or https://');

/** socks5h://host:port — the h means DNS is resolved by the proxy (needed for .onion). */
const socksUrl = z
  .string()
  .regex(/^socks5h?:\/\/[^\s/:]+:\d{1,5}$/, 'must look like socks5h://127.0.0.1:9050');

export const ChainBackend = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('playground') }).strict(),
  z
    .object({
      kind: z.literal('bitcoind'),
      url: httpUrl,
      network: z.enum(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest']),
      auth: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('cookie'), cookieFile: z.string().min(1) }).strict(),
        z.object({ kind: z.literal('userpass'), user: z.string().min(1), password: z.string().min(1) }).strict(),
      ]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('esplora'),
      url: httpUrl,
      network: z.enum(['mainnet', 'testnet', 'testnet4', 'signet', 'regtest']),
      proxy: socksUrl.optional(),
    })
    .strict(),
]);
export type ChainBackend = z.infer<typeof ChainBackend>;

export const Settings = z
  .object({
    theme: Theme,
    unit: Unit,
    hideBalances: z.boolean(),
    /** Lock unlocked wallets after this many minutes without activity. */
    autoLockMinutes: z.number().int().min(1).max(1440),
    chain: ChainBackend,
  })
  .strict();
export type Settings = z.infer<typeof Settings>;

export const defaultSettings: Settings = {
  theme: 'system',
  unit: 'BTC',
  hideBalances: false,
  autoLockMinutes: 15,
  chain: { kind: 'playground' },
};
