import { GroupedWrite } from './grouped-write.js';

/** A write that records each group and answers only when the test says so. */
function controlledWrite() {
  const groups: { key: string; input: number }[][] = [];
  const pending: { answer: (answers: Map<string, string>) => void; fail: (error: Error) => void }[] = [];
  const write = (writes: { key: string; input: number }[]) =>
    new Promise<Map<string, string>>((answer, fail) => {
      groups.push(writes);
      pending.push({ answer, fail });
    });
  return { groups, pending, write };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const answersFor = (writes: { key: string; input: number }[]) =>
  new Map(writes.map(({ key, input }) => [key, `${key}=${input}`]));

describe('GroupedWrite', () => {
  it('sends an idle write at once, and groups those made while a statement is in flight', async () => {
    const { groups, pending, write } = controlledWrite();
    const writes = new GroupedWrite(write, 100);
    const first = writes.run('a', 1);
    expect(groups).toEqual([[{ key: 'a', input: 1 }]]);
    const later = [writes.run('b', 2), writes.run('c', 3)];
    await settle();
    expect(groups).toHaveLength(1);
    pending[0].answer(answersFor(groups[0]));
    expect(await first).toBe('a=1');
    await settle();
    expect(groups[1]).toEqual([
      { key: 'b', input: 2 },
      { key: 'c', input: 3 },
    ]);
    // 'c' got no answer: its write resolves with undefined.
    pending[1].answer(answersFor([groups[1][0]]));
    expect(await Promise.all(later)).toEqual(['b=2', undefined]);
  });

  it("puts a key in a statement once, so a key's writes run one after the other, in order", async () => {
    const { groups, pending, write } = controlledWrite();
    const writes = new GroupedWrite(write, 100);
    const busy = writes.run('x', 0);
    const waiting = [writes.run('a', 1), writes.run('b', 1), writes.run('a', 2), writes.run('a', 3)];
    pending[0].answer(answersFor(groups[0]));
    await busy;
    for (let statement = 1; statement <= 3; statement++) {
      await settle();
      pending[statement].answer(answersFor(groups[statement]));
    }
    expect(groups.slice(1).map((group) => group.map(({ key, input }) => `${key}${input}`))).toEqual([
      ['a1', 'b1'],
      ['a2'],
      ['a3'],
    ]);
    expect(await Promise.all(waiting)).toEqual(['a=1', 'b=1', 'a=2', 'a=3']);
  });

  it('caps the keys per statement', async () => {
    const { groups, pending, write } = controlledWrite();
    const writes = new GroupedWrite(write, 2);
    const busy = writes.run('x', 0);
    const waiting = ['a', 'b', 'c'].map((key) => writes.run(key, 1));
    pending[0].answer(answersFor(groups[0]));
    await busy;
    await settle();
    expect(groups[1].map(({ key }) => key)).toEqual(['a', 'b']);
    pending[1].answer(answersFor(groups[1]));
    await settle();
    expect(groups[2].map(({ key }) => key)).toEqual(['c']);
    pending[2].answer(answersFor(groups[2]));
    expect(await Promise.all(waiting)).toEqual(['a=1', 'b=1', 'c=1']);
  });

  it('rejects the writes of a failed statement only, and goes on with the next', async () => {
    const { groups, pending, write } = controlledWrite();
    const writes = new GroupedWrite(write, 100);
    const failed = writes.run('a', 1);
    const next = writes.run('b', 1);
    pending[0].fail(new Error('database down'));
    await expect(failed).rejects.toThrow('database down');
    await settle();
    expect(groups[1]).toEqual([{ key: 'b', input: 1 }]);
    pending[1].answer(answersFor(groups[1]));
    expect(await next).toBe('b=1');
  });
});
