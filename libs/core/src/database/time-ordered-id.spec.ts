import { isUuid } from '../validation/input-formats.js';
import { timeOrderedId } from './time-ordered-id.js';

describe('timeOrderedId', () => {
  it('is a version 7 UUID that starts with its time in milliseconds', () => {
    const at = Date.UTC(2026, 11, 3, 13, 30);
    const id = timeOrderedId(at);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
  });

  it('sorts by time across milliseconds, and differs within one', () => {
    const ids = [1, 2, 3, 1000, 2 ** 40].map((ms) => timeOrderedId(1_764_000_000_000 + ms));
    expect([...ids].sort()).toEqual(ids);
    const sameMs = new Set(Array.from({ length: 1000 }, () => timeOrderedId(1_764_000_000_000)));
    expect(sameMs.size).toBe(1000);
  });
});
