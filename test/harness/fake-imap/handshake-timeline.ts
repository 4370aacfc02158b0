/** Changes kept; when full, the older half is dropped (a cold start of 100,000 mailboxes makes about 250,000). */
const MAX_CHANGES = 2_000_000;

/**
 * One change: when (microseconds on the machine's monotonic clock, which every process on it shares) and the
 * count it left.
 */
export type HandshakeChange = [atMicros: number, inProgress: number];

/** Now on the monotonic clock that process.hrtime reads: the same in every process of this machine. */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Handshakes in progress over time, every change with its time, so that several server processes' counts can
 * be added up at the same moment: the sum of each server's own peak is only an upper bound when the peaks need
 * not coincide, and so is any sum of per-interval peaks.
 */
export class HandshakeTimeline {
  private times: number[] = [];
  private counts: number[] = [];

  /** The count became `inProgress` at `atMicros`. */
  note(inProgress: number, atMicros = monotonicMicros()): void {
    if (this.times.length >= MAX_CHANGES) {
      this.times = this.times.slice(MAX_CHANGES / 2);
      this.counts = this.counts.slice(MAX_CHANGES / 2);
    }
    this.times.push(atMicros);
    this.counts.push(inProgress);
  }

  clear(): void {
    this.times = [];
    this.counts = [];
  }

  toJSON(): HandshakeChange[] {
    return this.times.map((at, i) => [at, this.counts[i]]);
  }
}

/**
 * The most handshakes in progress at once across servers: their changes in time order, each server's count
 * held until its next change, added up after all changes of the same microsecond. A server's count before
 * its first change is taken as 0 (a server notes the level it holds when its timeline is reset).
 */
export function peakAcrossServers(timelines: readonly HandshakeChange[][]): number {
  const changes = timelines.flatMap((timeline, server) => timeline.map(([at, count]) => ({ at, count, server })));
  changes.sort((a, b) => a.at - b.at);
  const current = timelines.map(() => 0);
  let sum = 0;
  let peak = 0;
  changes.forEach(({ at, count, server }, i) => {
    sum += count - current[server];
    current[server] = count;
    if (changes[i + 1]?.at !== at) peak = Math.max(peak, sum);
  });
  return peak;
}
