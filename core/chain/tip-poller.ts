/**
 * Tip subscription by polling, shared by the bitcoind and Esplora backends (no ZMQ, no
 * websockets: both work through plain HTTP, proxies and Tor). One timer per source however many
 * listeners; it runs only while someone listens.
 *
 * Semantics of ChainSource.subscribeTip: a listener first hears the tip current when it
 * subscribed (so it can catch up), then every change of the best block hash — a new block, or a
 * reorg to a lower or equal height. Poll failures are reported to `onError` and polling goes on.
 */
import type { ChainTip } from './source.js';

export class TipPoller {
  private readonly listeners = new Set<(tip: ChainTip) => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last: ChainTip | undefined;
  /** Bumped at every start and stop, so a poll from a stopped round cannot reschedule itself. */
  private generation = 0;
  private polling = false;
  private closed = false;

  constructor(
    private readonly fetchTip: () => Promise<ChainTip>,
    private readonly intervalMs: number,
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    if (!(intervalMs > 0)) throw new RangeError(`"pollIntervalMs" expected a positive number, got ${intervalMs}`);
  }

  subscribe(listener: (tip: ChainTip) => void): () => void {
    if (this.closed) throw new Error('TipPoller: subscribe after close');
    this.listeners.add(listener);
    const known = this.last;
    if (known) queueMicrotask(() => this.listeners.has(listener) && listener(known));
    if (!this.polling) {
      this.polling = true;
      void this.poll(++this.generation);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  close(): void {
    this.closed = true;
    this.listeners.clear();
    this.stop();
  }

  private stop(): void {
    this.polling = false;
    this.generation++;
    this.last = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async poll(generation: number): Promise<void> {
    const current = () => this.generation === generation;
    try {
      const tip = await this.fetchTip();
      if (current() && (!this.last || this.last.hash !== tip.hash)) {
        this.last = tip;
        for (const listener of [...this.listeners]) {
          try {
            listener(tip);
          } catch (err) {
            this.onError(err);
          }
        }
      }
    } catch (err) {
      if (current()) this.onError(err);
    }
    if (current()) this.timer = setTimeout(() => void this.poll(generation), this.intervalMs);
  }
}
