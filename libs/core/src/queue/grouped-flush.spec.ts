import { GroupedFlush } from './grouped-flush.js';

/** A flush that records each group and completes only when the test says so. */
function controlledFlush() {
  const groups: number[][] = [];
  const pending: { resolve: () => void; reject: (error: Error) => void }[] = [];
  const flush = (items: number[]) =>
    new Promise<void>((resolve, reject) => {
      groups.push(items);
      pending.push({ resolve, reject });
    });
  return { groups, pending, flush };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('GroupedFlush', () => {
  it('flushes an idle submission at once, and groups those made while a flush is in flight', async () => {
    const { groups, pending, flush } = controlledFlush();
    const grouped = new GroupedFlush(flush, 100);
    const first = grouped.submit([1]);
    expect(groups).toEqual([[1]]);
    const later = [grouped.submit([2]), grouped.submit([3, 4])];
    await settle();
    expect(groups).toHaveLength(1);
    pending[0].resolve();
    await first;
    await settle();
    expect(groups).toEqual([[1], [2, 3, 4]]);
    pending[1].resolve();
    await Promise.all(later);
  });

  it('caps a group at maxItems without splitting a submission', async () => {
    const { groups, pending, flush } = controlledFlush();
    const grouped = new GroupedFlush(flush, 3);
    const all = [grouped.submit([1]), grouped.submit([2, 3]), grouped.submit([4, 5]), grouped.submit([6, 7, 8, 9])];
    for (let group = 0; group < 4; group++) {
      await settle();
      pending[group]?.resolve();
    }
    await Promise.all(all);
    expect(groups).toEqual([[1], [2, 3], [4, 5], [6, 7, 8, 9]]);
  });

  it('rejects the submissions of a failed flush only, and goes on with the next group', async () => {
    const { groups, pending, flush } = controlledFlush();
    const grouped = new GroupedFlush(flush, 100);
    const first = grouped.submit([1]);
    const second = grouped.submit([2]);
    pending[0].reject(new Error('Redis is down'));
    await expect(first).rejects.toThrow('Redis is down');
    await settle();
    pending[1].resolve();
    await expect(second).resolves.toBeUndefined();
    expect(groups).toEqual([[1], [2]]);
  });
});
