import { GroupedLookup } from './grouped-lookup.js';

/** A query that records each group of keys and answers only when the test says so. */
function controlledQuery() {
  const groups: string[][] = [];
  const pending: { answer: (rows: Map<string, string>) => void; fail: (error: Error) => void }[] = [];
  const query = (keys: string[]) =>
    new Promise<Map<string, string>>((answer, fail) => {
      groups.push(keys);
      pending.push({ answer, fail });
    });
  return { groups, pending, query };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const rowsFor = (keys: string[]) => new Map(keys.map((key) => [key, `row ${key}`]));

describe('GroupedLookup', () => {
  it('sends an idle lookup at once, and groups those made while a query is in flight', async () => {
    const { groups, pending, query } = controlledQuery();
    const lookup = new GroupedLookup(query, 100);
    const first = lookup.get('a');
    expect(groups).toEqual([['a']]);
    const later = [lookup.get('b'), lookup.get('c'), lookup.get('a')];
    await settle();
    expect(groups).toHaveLength(1);
    pending[0].answer(rowsFor(['a']));
    expect(await first).toBe('row a');
    await settle();
    // 'a' asked again after its query was sent goes again: a lookup never gets rows older than itself.
    expect(groups[1]).toEqual(['b', 'c', 'a']);
    pending[1].answer(rowsFor(['b', 'a']));
    expect(await Promise.all(later)).toEqual(['row b', undefined, 'row a']);
  });

  it('answers every waiter of one key from one query, and caps the keys per query', async () => {
    const { groups, pending, query } = controlledQuery();
    const lookup = new GroupedLookup(query, 2);
    const first = lookup.get('x');
    const waiting = ['a', 'a', 'b', 'c'].map((key) => lookup.get(key));
    pending[0].answer(rowsFor(['x']));
    await first;
    await settle();
    expect(groups[1]).toEqual(['a', 'b']);
    pending[1].answer(rowsFor(['a', 'b']));
    await settle();
    expect(groups[2]).toEqual(['c']);
    pending[2].answer(rowsFor(['c']));
    expect(await Promise.all(waiting)).toEqual(['row a', 'row a', 'row b', 'row c']);
  });

  it('rejects the lookups of a failed query only, and goes on with the next', async () => {
    const { groups, pending, query } = controlledQuery();
    const lookup = new GroupedLookup(query, 100);
    const failed = lookup.get('a');
    const next = lookup.get('b');
    pending[0].fail(new Error('database down'));
    await expect(failed).rejects.toThrow('database down');
    await settle();
    expect(groups[1]).toEqual(['b']);
    pending[1].answer(rowsFor(['b']));
    expect(await next).toBe('row b');
  });
});
