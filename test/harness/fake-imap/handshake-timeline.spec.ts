import { HANDSHAKE_BUCKET_MS, HandshakeTimeline, peakAcrossServers } from './handshake-timeline.js';

const at = (bucket: number, offsetMs = 0): number => bucket * HANDSHAKE_BUCKET_MS + offsetMs;

describe('HandshakeTimeline', () => {
  it('keeps, per bucket, the most in progress and what was left at its end', () => {
    const timeline = new HandshakeTimeline();
    timeline.note(1, at(10));
    timeline.note(2, at(10, 20));
    timeline.note(1, at(10, 50));
    timeline.note(0, at(12));
    expect(timeline.toJSON()).toEqual([
      [10, 2, 1],
      [12, 1, 0],
    ]);
  });

  it('adds servers up where their peaks coincide, not where they do not', () => {
    // Server A peaks at 5 in bucket 1, server B at 5 in bucket 3: never more than 5 + what the other held.
    const a = new HandshakeTimeline();
    const b = new HandshakeTimeline();
    a.note(5, at(1));
    a.note(1, at(2));
    b.note(2, at(1));
    b.note(5, at(3));
    b.note(0, at(4));
    // Bucket 1: 5 + 2; bucket 3: A still holds 1, B 5.
    expect(peakAcrossServers([a.toJSON(), b.toJSON()])).toBe(7);
    // The sum of each server's own peak would have said 10.
  });

  it('carries a level held through buckets with no change', () => {
    const a = new HandshakeTimeline();
    const b = new HandshakeTimeline();
    a.note(4, at(1));
    b.note(3, at(50));
    expect(peakAcrossServers([a.toJSON(), b.toJSON()])).toBe(7);
    expect(peakAcrossServers([])).toBe(0);
  });
});
