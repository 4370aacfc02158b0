import { bucketStartSql, lastHours } from './time-buckets.js';

describe('lastHours', () => {
  it('covers the day before now in aligned buckets, the last one holding now', () => {
    const now = new Date('2026-12-01T20:34:10Z');
    const window = lastHours(now, 24, 900);
    expect(window.starts).toHaveLength(96);
    expect(new Date(window.starts.at(-1)! * 1000).toISOString()).toBe('2026-12-01T20:30:00.000Z');
    expect(window.since.toISOString()).toBe('2026-11-30T20:45:00.000Z');
    expect(window.starts.every((start, i) => i === 0 || start - window.starts[i - 1] === 900)).toBe(true);
  });

  it('puts a moment exactly on a boundary into the bucket it starts', () => {
    const window = lastHours(new Date('2026-12-01T21:00:00Z'), 1, 900);
    expect(window.starts.map((start) => new Date(start * 1000).toISOString().slice(11, 16))).toEqual([
      '20:15',
      '20:30',
      '20:45',
      '21:00',
    ]);
  });
});

describe('bucketStartSql', () => {
  it('floors the column to its bucket in epoch seconds', () => {
    expect(bucketStartSql('t.created_at', '$2')).toBe('(floor(extract(epoch FROM t.created_at) / $2) * $2)::bigint');
  });
});
