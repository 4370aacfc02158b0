/**
 * Looks rows up by key in groups: the first lookup goes at once, and those made while a query is in flight
 * wait for it and go together in the next (group commit, as GroupedFlush does for writes). A lookup never
 * joins a query already sent, so it sees the rows as they were when it was made or later. Thousands of
 * sessions starting at once cost a few queries instead of thousands, each built and sent on its own.
 */
export class GroupedLookup<K, V> {
  private waiting = new Map<K, Waiter<V>[]>();
  private querying = false;

  constructor(
    /** The rows found for `keys`, by key; a key without a row is left out. */
    private readonly query: (keys: K[]) => Promise<Map<K, V>>,
    /** Keys per query at most. */
    private readonly maxKeys: number,
  ) {}

  /** The row for `key`, or undefined if there is none; rejects with the error of the query that carried it. */
  get(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else this.waiting.set(key, [{ resolve, reject }]);
      if (!this.querying) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.querying = true;
    while (this.waiting.size > 0) {
      const group = this.nextGroup();
      try {
        const found = await this.query([...group.keys()]);
        for (const [key, waiters] of group) for (const waiter of waiters) waiter.resolve(found.get(key));
      } catch (error) {
        for (const waiters of group.values()) for (const waiter of waiters) waiter.reject(error);
      }
    }
    this.querying = false;
  }

  private nextGroup(): Map<K, Waiter<V>[]> {
    const group = new Map<K, Waiter<V>[]>();
    for (const [key, waiters] of this.waiting) {
      if (group.size >= this.maxKeys) break;
      group.set(key, waiters);
      this.waiting.delete(key);
    }
    return group;
  }
}

interface Waiter<V> {
  resolve: (value: V | undefined) => void;
  reject: (error: unknown) => void;
}
