/**
 * ChainSource: what the wallet needs from a blockchain, and nothing more. Backend-neutral and
 * wallet-agnostic: sources take a request and return plain data; they keep no wallet state.
 * Backends: `bitcoind/` (Core JSON-RPC), `esplora/` (REST, optional SOCKS5), and the Playground
 * (which answers Core RPC, so it is reached through the bitcoind backend).
 *
 * Hashes and txids are hex in RPC byte order (as Bitcoin Core prints them); raw data is bytes.
 */

export type Network = 'mainnet' | 'testnet' | 'testnet4' | 'signet' | 'regtest';

export interface ChainTip {
  height: number;
  hash: string;
}

export interface BlockHeader {
  hash: string;
  height: number;
  /** The 80 serialized header bytes. */
  raw: Uint8Array;
  prevHash: string;
  merkleRoot: string;
  time: number;
  /** Median time past of this block (BIP113), where the backend knows it. */
  medianTime?: number;
}

export interface BlockFilter {
  /** BIP158 basic filter bytes (N as CompactSize, then the Golomb-coded set). */
  filter: Uint8Array;
  /** BIP157 filter header, hex — when the source has it at no extra cost (see `filterHeader`). */
  header?: string;
}

export interface TxLookup {
  raw: Uint8Array;
  /** Present once the transaction is in a block of the active chain. */
  block?: { hash: string; height: number; time: number };
}

export type Outspend =
  | { spent: false }
  | { spent: true; txid: string; vin: number; block?: { hash: string; height: number } };

export interface MempoolEntry {
  txid: string;
  vsize: number;
  /** Fee in satoshis. */
  fee: bigint;
  /** Seconds since epoch when it entered the mempool. */
  time: number;
  /** Unconfirmed ancestors, this transaction included. */
  ancestorCount: number;
}

/** Fee rate in sat/vB for a confirmation target in blocks. */
export type FeeEstimates = Record<number, number>;

export interface ChainInfo {
  network: Network;
  tip: ChainTip;
  /** Whether BIP158 basic filters can be served (Core: -blockfilterindex). */
  filters: boolean;
  /** Lowest height whose block can be served (pruned nodes), 0 for full history. */
  pruneHeight: number;
}

export interface ChainSource {
  readonly kind: 'bitcoind' | 'esplora';
  info(): Promise<ChainInfo>;
  tip(): Promise<ChainTip>;
  /** Calls `listener` for every new tip (including reorgs to a lower or equal height). */
  subscribeTip(listener: (tip: ChainTip) => void): () => void;
  blockHash(height: number): Promise<string>;
  header(hashOrHeight: string | number): Promise<BlockHeader>;
  /** Serialized block (with witnesses). */
  block(hash: string): Promise<Uint8Array>;
  /** The BIP158 filter: what the wallet matches against. Cheap; the header only if already known. */
  blockFilter(hash: string): Promise<BlockFilter>;
  /**
   * The BIP157 filter header, for checking filters against another source. May be expensive where
   * headers must be chained client-side (Esplora: back to a checkpoint or genesis).
   */
  filterHeader(hash: string): Promise<string>;
  /** null when the transaction is unknown to the source. */
  tx(txid: string): Promise<TxLookup | null>;
  outspend(txid: string, vout: number): Promise<Outspend>;
  /** Returns the txid; a rejection is a ChainError with code REJECTED and the node's reason. */
  broadcast(rawTx: Uint8Array): Promise<string>;
  feeEstimates(): Promise<FeeEstimates>;
  mempoolEntry(txid: string): Promise<MempoolEntry | null>;
  mempoolTxids(): Promise<string[]>;
  close(): Promise<void>;
}

export type ChainErrorCode =
  | 'UNREACHABLE' // connection refused, DNS, proxy down
  | 'UNAUTHORIZED' // wrong cookie / user+password
  | 'TIMEOUT'
  | 'WRONG_NETWORK'
  | 'NO_FILTERS' // Core without -blockfilterindex
  | 'PRUNED' // block below the prune height
  | 'NOT_FOUND'
  | 'REJECTED' // broadcast refused; message carries the node's reason
  | 'BAD_RESPONSE'; // malformed JSON, wrong shape, unexpected status

export class ChainError extends Error {
  override readonly name = 'ChainError';
  constructor(
    readonly code: ChainErrorCode,
    message: string,
    /** For REJECTED: the node's reject reason, e.g. "bad-txns-inputs-missingorspent". */
    readonly reason?: string,
  ) {
    super(message);
  }
}
