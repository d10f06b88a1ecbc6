/**
 * Request pacing for public Esplora servers: a token bucket (`ratePerSecond` sustained, `burst`
 * at once), served first come first served, so a wallet sync never hammers blockstream.info or
 * mempool.space into rate-limiting it. Not a concurrency limit (the HTTP pool bounds that).
 */

export interface PacingOptions {
  ratePerSecond: number;
  burst: number;
}

export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: PacingClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class Pacer {
  private tokens: number;
  private updatedAt: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: PacingOptions,
    private readonly clock: PacingClock = realClock,
  ) {
    if (!(options.ratePerSecond > 0)) throw new RangeError(`"ratePerSecond" expected a positive number, got ${options.ratePerSecond}`);
    if (!(options.burst >= 1)) throw new RangeError(`"burst" expected at least 1, got ${options.burst}`);
    this.tokens = options.burst;
    this.updatedAt = clock.now();
  }

  /** Resolves when the caller may send one request. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForToken());
    this.queue = turn;
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.options.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.options.ratePerSecond);
    this.updatedAt = now;
  }

  private async waitForToken(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      await this.clock.sleep(((1 - this.tokens) / this.options.ratePerSecond) * 1000);
      this.refill();
    }
    this.tokens = Math.max(0, this.tokens - 1);
  }
}
