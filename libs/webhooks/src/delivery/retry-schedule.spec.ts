import { retryDelayMs } from './retry-schedule.js';

describe('retryDelayMs', () => {
  it('doubles from the base delay, jittered between half and all of it', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 10, () => 1))).toEqual([10_000, 20_000, 40_000, 80_000, 160_000]);
    expect(retryDelayMs(3, 10, () => 0)).toBe(20_000);
  });
});
