import { EventEmitter } from 'node:events';

import type { FetchMessageObject, ImapFlow } from 'imapflow';

import {
  FetchFloodError,
  fetchMetadata,
  fetchSourceAtMost,
  fetchWholeAtMost,
  fetchWholeAtSequence,
  SourceTooLargeError,
} from './bounded-fetch.js';

type Row = Partial<FetchMessageObject> & { uid?: number };

/** An ImapFlow whose FETCH answers with `rows` (then fails with `failWith`, if given), recording what was asked. */
function clientAnswering(rows: Iterable<Row>, failWith?: { emitted: Error & { code?: string } }) {
  const client = new EventEmitter() as EventEmitter & { asked: unknown[]; fetch: ImapFlow['fetch'] };
  client.asked = [];
  client.fetch = async function* (...args: unknown[]) {
    client.asked.push(args);
    await Promise.resolve();
    for (const row of rows) yield row as FetchMessageObject;
    if (failWith) {
      client.emit('error', failWith.emitted);
      throw new Error('Connection not available');
    }
  };
  return client as unknown as ImapFlow & { asked: unknown[] };
}

function* flood(firstUid: number): Generator<Row> {
  for (let uid = firstUid; ; uid++) yield { uid, flags: new Set() };
}

describe('fetchMetadata', () => {
  it('keeps one entry per UID asked for, merging an answer split over rows', async () => {
    const date = new Date('2026-11-30T10:00:00Z');
    const client = clientAnswering([
      { uid: 6, internalDate: date, size: 10 },
      { uid: 99, internalDate: date, size: 1, envelope: { subject: 'never asked for' } },
      { uid: 5, internalDate: date, size: 20, envelope: { subject: 'five' } },
      { uid: 6, envelope: { subject: 'six' } },
      { uid: 5, flags: new Set(['\\Seen']) },
    ]);
    expect(await fetchMetadata(client, [5, 6])).toEqual([
      { uid: 5, internalDate: date, size: 20, envelope: { subject: 'five' } },
      { uid: 6, internalDate: date, size: 10, envelope: { subject: 'six' } },
    ]);
  });

  it('ends an endless stream of rows nobody asked for with a flood error', async () => {
    await expect(fetchMetadata(clientAnswering(flood(1_000_000)), [5])).rejects.toThrow(FetchFloodError);
  });
});

describe('fetchSourceAtMost', () => {
  const source = (length: number) => Buffer.alloc(length, 'x');

  it('asks for one byte past the limit and returns a source within it', async () => {
    const client = clientAnswering([{ uid: 5, source: source(100) }]);
    expect(await fetchSourceAtMost(client, 5, 100)).toEqual(source(100));
    expect(client.asked[0]).toEqual(['5', { uid: true, source: { start: 0, maxLength: 101 } }, { uid: true }]);
  });

  it('returns null when more than the limit arrived (a server ignoring the partial)', async () => {
    expect(await fetchSourceAtMost(clientAnswering([{ uid: 5, source: source(101) }]), 5, 100)).toBeNull();
  });

  it('returns null when imapflow refused a literal beyond its limits, and throws on any other failure', async () => {
    const tooLarge = Object.assign(new Error('Literal size 209715200 exceeds maximum'), { code: 'LiteralTooLarge' });
    expect(await fetchSourceAtMost(clientAnswering([], { emitted: tooLarge }), 5, 100)).toBeNull();
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    await expect(fetchSourceAtMost(clientAnswering([], { emitted: reset }), 5, 100)).rejects.toThrow(
      'Connection not available',
    );
  });

  it('throws when the answer has no source for the UID, and floods end with a flood error', async () => {
    await expect(fetchSourceAtMost(clientAnswering([{ uid: 6, source: source(5) }]), 5, 100)).rejects.toThrow(
      'message UID 5 could not be read',
    );
    await expect(fetchSourceAtMost(clientAnswering(flood(7)), 5, 100)).rejects.toThrow(FetchFloodError);
  });
});

describe('fetchWholeAtMost', () => {
  const date = new Date('2026-11-30T10:00:00Z');
  const source = (length: number) => Buffer.alloc(length, 'x');

  it('reads metadata and at most one byte past the limit in one FETCH, merging split rows', async () => {
    const client = clientAnswering([
      { uid: 5, internalDate: date, size: 100, envelope: { subject: 'five' } },
      { uid: 6, source: source(3) },
      { uid: 5, source: source(100) },
      { uid: 5, flags: new Set(['\\Seen']) },
    ]);
    expect(await fetchWholeAtMost(client, 5, 100)).toEqual({
      message: { uid: 5, internalDate: date, size: 100, envelope: { subject: 'five' } },
      source: source(100),
    });
    expect(client.asked).toEqual([
      [
        '5',
        { uid: true, envelope: true, internalDate: true, size: true, source: { start: 0, maxLength: 101 } },
        { uid: true },
      ],
    ]);
  });

  it('gives the metadata without a source when more than the limit arrived', async () => {
    const client = clientAnswering([{ uid: 5, internalDate: date, size: 20, source: source(101) }]);
    expect(await fetchWholeAtMost(client, 5, 100)).toEqual({
      message: { uid: 5, internalDate: date, size: 20, envelope: undefined },
      source: null,
    });
  });

  it('resolves null for a message the server no longer has, and throws for one without a source', async () => {
    expect(await fetchWholeAtMost(clientAnswering([]), 5, 100)).toBeNull();
    await expect(fetchWholeAtMost(clientAnswering([{ uid: 5, internalDate: date, size: 1 }]), 5, 100)).rejects.toThrow(
      'message UID 5 could not be read',
    );
  });

  it("names a literal beyond imapflow's limits, and ends a flood", async () => {
    const tooLarge = Object.assign(new Error('Literal size 209715200 exceeds maximum'), { code: 'LiteralTooLarge' });
    await expect(fetchWholeAtMost(clientAnswering([], { emitted: tooLarge }), 5, 100)).rejects.toThrow(
      SourceTooLargeError,
    );
    await expect(fetchWholeAtMost(clientAnswering(flood(7)), 5, 100)).rejects.toThrow(FetchFloodError);
  });
});

describe('fetchWholeAtSequence', () => {
  const date = new Date('2026-12-02T10:00:00Z');
  const source = Buffer.from('Subject: hi\r\n\r\nhello\r\n');

  it('asks by sequence number and takes the UID from the answer, ignoring rows of other messages', async () => {
    const client = clientAnswering([
      { seq: 2, uid: 11, flags: new Set(['\\Seen']) },
      { seq: 3, uid: 12, internalDate: date, size: source.length, envelope: { subject: 'hi' } },
      { seq: 3, source },
    ]);
    expect(await fetchWholeAtSequence(client, 3, 100)).toEqual({
      message: { uid: 12, internalDate: date, size: source.length, envelope: { subject: 'hi' } },
      source,
    });
    expect(client.asked).toEqual([
      [
        '3',
        { uid: true, envelope: true, internalDate: true, size: true, source: { start: 0, maxLength: 101 } },
        { uid: false },
      ],
    ]);
  });

  it('counts an answer without a usable UID, or one that changes UID midway, as no message', async () => {
    expect(await fetchWholeAtSequence(clientAnswering([{ seq: 3, internalDate: date, source }]), 3, 100)).toBeNull();
    const changing = clientAnswering([
      { seq: 3, uid: 12, internalDate: date, size: 1 },
      { seq: 3, uid: 13, source },
    ]);
    await expect(fetchWholeAtSequence(changing, 3, 100)).rejects.toThrow('message 3 could not be read');
  });
});
