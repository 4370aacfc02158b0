/** A window of equal time buckets, e.g. the last 24 hours in 15-minute steps, for operator charts. */
export interface TimeWindow {
  /** The start of the first bucket (aligned to `bucketSeconds`). */
  since: Date;
  bucketSeconds: number;
  /** Each bucket's start, in epoch seconds, oldest first. */
  starts: number[];
}

/** A count (or figures) per bucket, keyed by the bucket's start in epoch seconds. */
export interface Bucketed<T> {
  start: number;
  values: T;
}

/** The `hours` before `now` in buckets of `bucketSeconds`, the last one holding `now`. */
export function lastHours(now: Date, hours = 24, bucketSeconds = 900): TimeWindow {
  const current = Math.floor(now.getTime() / 1000 / bucketSeconds) * bucketSeconds;
  const count = Math.ceil((hours * 3600) / bucketSeconds);
  const starts = Array.from({ length: count }, (_, i) => current - (count - 1 - i) * bucketSeconds);
  return { since: new Date(starts[0] * 1000), bucketSeconds, starts };
}

/**
 * SQL for the start (epoch seconds) of the bucket holding `column`; `param` names the bucket length, e.g.
 * `$2` or `:bucketSeconds`. Used in GROUP BY with a `column >= since` bound on an indexed column.
 */
export function bucketStartSql(column: string, param: string): string {
  return `(floor(extract(epoch FROM ${column}) / ${param}) * ${param})::bigint`;
}
