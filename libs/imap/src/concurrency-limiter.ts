/**
 * Runs at most `limit` tasks at once; the rest wait in FIFO order. Waiters are bounded by the callers
 * (one per mailbox session at most), so the queue cannot grow without bound. The limit may be a function,
 * read at every admission: lowering it lets running tasks finish and starts no more until below it.
 */
export class ConcurrencyLimiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly limit: () => number;

  constructor(limit: number | (() => number)) {
    this.limit = typeof limit === 'number' ? () => limit : limit;
  }

  get running(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.currentLimit() || this.waiting.length > 0) {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        this.admit();
      });
    } else this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.admit();
    }
  }

  /** Starts waiters, oldest first, while there is room under the limit. */
  private admit(): void {
    const limit = this.currentLimit();
    while (this.active < limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }

  /** Never below 1, so that waiters always make progress. */
  private currentLimit(): number {
    return Math.max(1, this.limit());
  }
}
