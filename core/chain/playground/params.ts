/**
 * Regtest chain parameters and policy constants of the Playground, as Bitcoin Core 28 sets them
 * for `-regtest` (src/kernel/chainparams.cpp, src/policy/policy.h, src/consensus/consensus.h).
 * Every soft fork is active from height 1 (BIP34/65/66 heights are 1, CSV/segwit/taproot always),
 * so the rules below apply to every block after genesis.
 *
 * Not here: anything mainnet/testnet specific; the Playground only ever runs regtest.
 */
import type { BTC_NETWORK } from '@scure/btc-signer/utils.js';

/** Address prefixes for regtest (bech32 "bcrt", base58 0x6f / 0xc4). */
export const REGTEST: BTC_NETWORK = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };

export const COIN = 100_000_000n;
export const MAX_MONEY = 21_000_000n * COIN;

/** Regtest proof-of-work limit; regtest never retargets (fPowNoRetargeting), so every block has it. */
export const POW_BITS = 0x207fffff;
export const HALVING_INTERVAL = 150;
export const INITIAL_SUBSIDY = 50n * COIN;
export const COINBASE_MATURITY = 100;
/** A block's time may be at most this far ahead of the node's clock (MAX_FUTURE_BLOCK_TIME). */
export const MAX_FUTURE_BLOCK_TIME = 2 * 60 * 60;
/** Blocks used for the median time past (BIP113). */
export const MEDIAN_TIME_SPAN = 11;

export const MAX_BLOCK_WEIGHT = 4_000_000;
export const MAX_BLOCK_SIGOPS_COST = 80_000;
export const WITNESS_SCALE_FACTOR = 4;
/** Lower bound on a transaction's serialized size without witness (CVE-2017-12842). */
export const MIN_STANDARD_TX_NONWITNESS_SIZE = 65;
export const LOCKTIME_THRESHOLD = 500_000_000;

/** The miner leaves room for the coinbase, as Core's DEFAULT_BLOCK_MAX_WEIGHT does. */
export const DEFAULT_BLOCK_MAX_WEIGHT = MAX_BLOCK_WEIGHT - 4_000;
/** Sigop cost the miner reserves for the coinbase (BlockAssembler::resetBlock). */
export const COINBASE_SIGOPS_RESERVE = 400;

// Policy (src/policy/policy.h).
export const MAX_STANDARD_TX_WEIGHT = 400_000;
export const MAX_STANDARD_TX_SIGOPS_COST = MAX_BLOCK_SIGOPS_COST / 5;
export const MAX_P2SH_SIGOPS = 15;
export const MAX_STANDARD_SCRIPTSIG_SIZE = 1650;
export const MAX_STANDARD_P2WSH_STACK_ITEMS = 100;
export const MAX_STANDARD_P2WSH_STACK_ITEM_SIZE = 80;
export const MAX_STANDARD_TAPSCRIPT_STACK_ITEM_SIZE = 80;
export const MAX_STANDARD_P2WSH_SCRIPT_SIZE = 3600;
export const MAX_OP_RETURN_RELAY = 83;
/** Transaction versions 1 and 2 are relayed; version 3 (TRUC) rules are not implemented here. */
export const MAX_STANDARD_TX_VERSION = 2;
export const BYTES_PER_SIGOP = 20;
/** sat/kvB, as Core counts them. */
export const MIN_RELAY_FEERATE = 1_000n;
export const INCREMENTAL_RELAY_FEERATE = 1_000n;
export const DUST_RELAY_FEERATE = 3_000n;
/** BIP125 rule 5 as Core applies it (MAX_REPLACEMENT_CANDIDATES). */
export const MAX_REPLACEMENT_CANDIDATES = 100;
export const ANCESTOR_LIMIT = 25;
export const ANCESTOR_SIZE_LIMIT_VB = 101_000;
export const DESCENDANT_LIMIT = 25;
export const DESCENDANT_SIZE_LIMIT_VB = 101_000;
/** sendrawtransaction's default maxfeerate, sat/kvB (0.10 BTC/kvB). */
export const DEFAULT_MAX_RAW_TX_FEERATE = 10_000_000n;

export const SEQUENCE_FINAL = 0xffffffff;
export const SEQUENCE_LOCKTIME_DISABLE_FLAG = 0x80000000;
export const SEQUENCE_LOCKTIME_TYPE_FLAG = 0x00400000;
export const SEQUENCE_LOCKTIME_MASK = 0x0000ffff;
export const SEQUENCE_LOCKTIME_GRANULARITY = 9;
/** BIP125: a sequence below this signals replaceability (informational under full RBF). */
export const MAX_BIP125_RBF_SEQUENCE = 0xfffffffd;

/** Regtest genesis block (the mainnet genesis transaction, time 1296688602, nonce 2). */
export const GENESIS_BLOCK_HEX =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4adae5494dffff7f20020000000101000000010000000000000000000000000000000000000000000000000000000000000000ffffffff4d04ffff001d0104455468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73ffffffff0100f2052a01000000434104678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5fac00000000';
export const GENESIS_HASH = '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206';

/** Block subsidy at `height`: 50 BTC halved every 150 blocks, zero after 64 halvings. */
export function blockSubsidy(height: number): bigint {
  const halvings = Math.floor(height / HALVING_INTERVAL);
  if (halvings >= 64) return 0n;
  return INITIAL_SUBSIDY >> BigInt(halvings);
}

export function moneyRange(value: bigint): boolean {
  return value >= 0n && value <= MAX_MONEY;
}
