/** Width of a bucket: short against a handshake under load (hundreds of milliseconds), long against a tick. */
export const HANDSHAKE_BUCKET_MS = 100;

/** Buckets kept, the oldest dropped first: about 2.8 hours of a busy server. */
const MAX_BUCKETS = 100_000;

/** One bucket: the most handshakes in progress at once during it, and how many were left at its end. */
export type HandshakeBucket = [bucket: number, most: number, last: number];

/**
 * Handshakes in progress over time, in buckets, so that several servers' counts can be added up at the same
 * moment: the sum of each server's own peak is only an upper bound when the peaks need not coincide.
 */
export class HandshakeTimeline {
  private readonly buckets = new Map<number, { most: number; last: number }>();
  /** The count now: what a new bucket starts from. */
  private current = 0;

  /** The count became `inProgress` at `nowMs`. */
  note(inProgress: number, nowMs = Date.now()): void {
    const bucket = Math.floor(nowMs / HANDSHAKE_BUCKET_MS);
    const entry = this.buckets.get(bucket);
    if (entry) {
      entry.most = Math.max(entry.most, inProgress);
      entry.last = inProgress;
    } else {
      this.buckets.set(bucket, { most: Math.max(this.current, inProgress), last: inProgress });
      if (this.buckets.size > MAX_BUCKETS) this.buckets.delete(this.buckets.keys().next().value!);
    }
    this.current = inProgress;
  }

  clear(): void {
    this.buckets.clear();
  }

  toJSON(): HandshakeBucket[] {
    return [...this.buckets].map(([bucket, { most, last }]) => [bucket, most, last]);
  }
}

/**
 * The most handshakes in progress at once across servers: per bucket, each server's most during it (or,
 * for a bucket it has no entry for, what it was left with at its last one), added up. Still an upper bound
 * within a bucket, exact across buckets.
 */
export function peakAcrossServers(timelines: readonly HandshakeBucket[][]): number {
  const byBucket = timelines.map(
    (timeline) => new Map(timeline.map(([bucket, most, last]) => [bucket, { most, last }])),
  );
  const buckets = [...new Set(timelines.flatMap((timeline) => timeline.map(([bucket]) => bucket)))].sort(
    (a, b) => a - b,
  );
  const carried = timelines.map(() => 0);
  let peak = 0;
  for (const bucket of buckets) {
    let sum = 0;
    byBucket.forEach((server, i) => {
      const entry = server.get(bucket);
      sum += entry ? entry.most : carried[i];
      if (entry) carried[i] = entry.last;
    });
    peak = Math.max(peak, sum);
  }
  return peak;
}
