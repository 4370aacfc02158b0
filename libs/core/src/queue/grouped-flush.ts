/**
 * Sends items in groups: the first submission is flushed at once, and those made while a flush is in
 * flight wait for it and go together in the next one. An idle caller waits for nothing extra; under load
 * one round trip serves every caller that queued meanwhile (group commit). A submission is never split.
 */
export class GroupedFlush<T> {
  private waiting: Submission<T>[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<void>,
    /** A group stops growing at this many items (a single larger submission still goes whole). */
    private readonly maxItems: number,
  ) {}

  /** Resolves once `items` were flushed; rejects with the error of the flush that carried them. */
  submit(items: T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ items, resolve, reject });
      if (!this.flushing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const group = this.nextGroup();
      try {
        await this.flush(group.flatMap((submission) => submission.items));
        for (const submission of group) submission.resolve();
      } catch (error) {
        for (const submission of group) submission.reject(error);
      }
    }
    this.flushing = false;
  }

  private nextGroup(): Submission<T>[] {
    let items = 0;
    let taken = 0;
    while (taken < this.waiting.length && (taken === 0 || items + this.waiting[taken].items.length <= this.maxItems)) {
      items += this.waiting[taken].items.length;
      taken++;
    }
    return this.waiting.splice(0, taken);
  }
}

interface Submission<T> {
  items: T[];
  resolve: () => void;
  reject: (error: unknown) => void;
}
