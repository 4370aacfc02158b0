import { type HandshakeChange, HandshakeTimeline, monotonicMicros, peakAcrossServers } from './handshake-timeline.js';

describe('HandshakeTimeline', () => {
  it('keeps every change with its time, in order', () => {
    const timeline = new HandshakeTimeline();
    timeline.note(1, 1000);
    timeline.note(2, 1020);
    timeline.note(1, 1050);
    expect(timeline.toJSON()).toEqual([
      [1000, 1],
      [1020, 2],
      [1050, 1],
    ]);
    timeline.clear();
    expect(timeline.toJSON()).toEqual([]);
  });

  it('stamps changes with a clock that never goes back', () => {
    const timeline = new HandshakeTimeline();
    for (let n = 0; n < 100; n++) timeline.note(n);
    const times = timeline.toJSON().map(([at]) => at);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[0]).toBeLessThanOrEqual(monotonicMicros());
  });

  it('adds servers up where their peaks coincide, not where they do not', () => {
    // Server A is at 5 from 100 to 200 µs, server B at 5 from 150 to 160 µs and at 2 before: 5 + 5 at 150.
    const a: HandshakeChange[] = [
      [100, 5],
      [200, 1],
    ];
    const b: HandshakeChange[] = [
      [50, 2],
      [150, 5],
      [160, 0],
    ];
    expect(peakAcrossServers([a, b])).toBe(10);
    // B's 5 after A has come down to 1: never more than 7 at once (any per-interval sum would say 10).
    const later: HandshakeChange[] = [
      [50, 2],
      [250, 5],
      [260, 0],
    ];
    expect(peakAcrossServers([a, later])).toBe(7);
  });

  it('counts changes of the same microsecond together: one ending as another starts is no overlap', () => {
    const a: HandshakeChange[] = [
      [100, 3],
      [300, 2],
    ];
    const b: HandshakeChange[] = [
      [200, 1],
      [300, 2],
    ];
    // At 300 µs A goes 3 → 2 and B 1 → 2: the level is 4, never the 5 that taking B's change first would show.
    expect(peakAcrossServers([b, a])).toBe(4);
    expect(peakAcrossServers([])).toBe(0);
  });
});
