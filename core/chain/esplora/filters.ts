/**
 * BIP158 filters and the BIP157 filter-header chain for a server that has no filters (Esplora):
 * each filter is built here from the raw block and the scripts its inputs spend, and each header
 * chained from the previous block's, so the result equals what Bitcoin Core's
 * `getblockfilter` serves and can be checked against it.
 * https://github.com/bitcoin/bips/blob/master/bip-0157.mediawiki#filter-headers
 *
 * A header needs every earlier one back to genesis or to a trusted checkpoint (a header taken
 * from a Core node or a BIP157 peer). Computed headers are remembered per block hash (so reorgs
 * are safe); walking back from an unknown block costs one filter build per missing block, which
 * is cheap on a devnet and on mainnet calls for a checkpoint near the wallet's birthday — so only
 * `filterHeader` walks; `blockFilter` (what wallet sync uses) never does.
 */
import { filterHeader, GENESIS_PREV_FILTER_HEADER } from '../bip158.js';
import type { BlockFilter } from '../source.js';

/** A block's filter and its parent, as built by the backend. */
export interface BuiltFilter {
  filter: Uint8Array;
  prevHash: string;
}

const NO_PARENT = '00'.repeat(32);

export class FilterHeaderChain {
  private readonly headers = new Map<string, string>();
  private readonly inflight = new Map<string, Promise<string>>();

  /**
   * @param build builds the filter of a block (hash in RPC order) and names its parent
   * @param checkpoints trusted filter headers by block hash
   */
  constructor(
    private readonly build: (hash: string) => Promise<BuiltFilter>,
    checkpoints: Record<string, string> = {},
  ) {
    for (const [hash, header] of Object.entries(checkpoints)) {
      if (!/^[0-9a-fA-F]{64}$/.test(hash) || !/^[0-9a-fA-F]{64}$/.test(header)) {
        throw new RangeError(`"filterCheckpoints" expected 64-hex block hash → 64-hex filter header, got ${hash} → ${header}`);
      }
      this.headers.set(hash.toLowerCase(), header.toLowerCase());
    }
  }

  /** The filter; its header too when the parent's is already known (sequential scans chain for free). */
  async blockFilter(hash: string): Promise<BlockFilter> {
    const built = await this.build(hash);
    const parent = built.prevHash === NO_PARENT ? GENESIS_PREV_FILTER_HEADER : this.headers.get(built.prevHash);
    if (parent === undefined) return { filter: built.filter };
    const header = filterHeader(built.filter, parent);
    this.headers.set(hash, header);
    return { filter: built.filter, header };
  }

  /** The header of `hash`, walking back to a known header (checkpoint or genesis) when needed. */
  async filterHeader(hash: string): Promise<string> {
    const known = this.headers.get(hash);
    if (known) return known;
    const built = await this.build(hash);
    const header = filterHeader(built.filter, await this.headerOf(built.prevHash));
    this.headers.set(hash, header);
    return header;
  }

  /** The filter header of `hash`, walking back to a known header and forward again. */
  private headerOf(hash: string): Promise<string> {
    if (hash === NO_PARENT) return Promise.resolve(GENESIS_PREV_FILTER_HEADER);
    const known = this.headers.get(hash);
    if (known) return Promise.resolve(known);
    let pending = this.inflight.get(hash);
    if (!pending) {
      pending = this.walk(hash).finally(() => this.inflight.delete(hash));
      this.inflight.set(hash, pending);
    }
    return pending;
  }

  private async walk(hash: string): Promise<string> {
    const path: { hash: string; filter: Uint8Array }[] = [];
    let cursor = hash;
    let base: string | Promise<string>;
    for (;;) {
      const known = cursor === NO_PARENT ? GENESIS_PREV_FILTER_HEADER : this.headers.get(cursor);
      const running = cursor === hash ? undefined : this.inflight.get(cursor);
      if (known !== undefined || running) {
        base = known ?? (running as Promise<string>);
        break;
      }
      const built = await this.build(cursor);
      path.push({ hash: cursor, filter: built.filter });
      cursor = built.prevHash;
    }
    let prev = await base;
    for (const step of path.reverse()) {
      prev = filterHeader(step.filter, prev);
      this.headers.set(step.hash, prev);
    }
    return prev;
  }
}
