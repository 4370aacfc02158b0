/**
 * Runs many keys' writes as one statement: the first write goes at once, and those submitted while a statement
 * is in flight go together in the next (group commit, as GroupedLookup does for reads). A key is in a statement
 * once: its later writes wait for a later statement, in the order they were made, so each write gets its own
 * answer and a key's writes apply in order.
 */
export class GroupedWrite<K, In, Out> {
  private waiting: Submission<K, In, Out>[] = [];
  private writing = false;

  constructor(
    /** Applies the writes; answers by key (a key without an answer resolves its write with undefined). */
    private readonly write: (writes: { key: K; input: In }[]) => Promise<Map<K, Out>>,
    /** Keys per statement at most. */
    private readonly maxKeys: number,
  ) {}

  /** Resolves with the write's answer once its statement ran; rejects with that statement's error. */
  run(key: K, input: In): Promise<Out | undefined> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key, input, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length > 0) {
      const group = this.nextGroup();
      try {
        const answers = await this.write(group.map(({ key, input }) => ({ key, input })));
        for (const submission of group) submission.resolve(answers.get(submission.key));
      } catch (error) {
        for (const submission of group) submission.reject(error);
      }
    }
    this.writing = false;
  }

  /** The oldest write of each key, up to maxKeys keys; the rest keep their order. */
  private nextGroup(): Submission<K, In, Out>[] {
    const group: Submission<K, In, Out>[] = [];
    const keys = new Set<K>();
    const later: Submission<K, In, Out>[] = [];
    for (const submission of this.waiting) {
      if (group.length < this.maxKeys && !keys.has(submission.key)) {
        keys.add(submission.key);
        group.push(submission);
      } else {
        later.push(submission);
      }
    }
    this.waiting = later;
    return group;
  }
}

interface Submission<K, In, Out> {
  key: K;
  input: In;
  resolve: (answer: Out | undefined) => void;
  reject: (error: unknown) => void;
}
