import type { ImapFlow } from 'imapflow';

import { SourceTooLargeError } from './bounded-fetch.js';
import { ReadFailures } from './read-failures.js';

const connection = (usable: boolean) => ({ usable }) as ImapFlow;
const failing = () => Promise.reject(new Error('connection dropped'));

describe('ReadFailures', () => {
  it('counts failed reads of one message in a row, per stage, and keeps the last error', async () => {
    const failures = new ReadFailures();
    for (let i = 0; i < 2; i++) {
      await expect(failures.track(connection(true), 7, [42], 'source', failing)).rejects.toThrow('connection dropped');
    }
    expect(failures.count(7, 42, 'source')).toBe(2);
    expect(failures.count(7, 42, 'metadata')).toBe(0);
    expect(failures.count(8, 42, 'source')).toBe(0);
    expect(failures.lastError).toBe('connection dropped');
  });

  it('starts over when another message fails', async () => {
    const failures = new ReadFailures();
    await failures.track(connection(true), 7, [42], 'source', failing).catch(() => undefined);
    await failures.track(connection(true), 7, [43], 'source', failing).catch(() => undefined);
    expect(failures.count(7, 42, 'source')).toBe(0);
    expect(failures.count(7, 43, 'source')).toBe(1);
  });

  it('does not blame a message for a connection that was already dead', async () => {
    const failures = new ReadFailures();
    await failures.track(connection(false), 7, [42], 'source', failing).catch(() => undefined);
    await failures.track(connection(false), 7, [40, 41, 42], 'metadata', failing).catch(() => undefined);
    expect(failures.count(7, 42, 'source')).toBe(0);
    expect(failures.readAlone(7, 41)).toBe(false);
  });

  it('after a failed batch, reads its messages one at a time instead of blaming the first', async () => {
    const failures = new ReadFailures();
    await failures.track(connection(true), 7, [40, 41, 42], 'metadata', failing).catch(() => undefined);
    expect(failures.count(7, 40, 'metadata')).toBe(0);
    expect([40, 42, 43].map((uid) => failures.readAlone(7, uid))).toEqual([true, true, false]);
    expect(failures.readAlone(8, 40)).toBe(false);
  });

  it('passes a successful read through', async () => {
    const failures = new ReadFailures();
    await expect(failures.track(connection(true), 7, [42], 'source', () => Promise.resolve('bytes'))).resolves.toBe(
      'bytes',
    );
  });

  it('after a failed one-FETCH read, reads that message in two steps without counting the failure', async () => {
    const failures = new ReadFailures();
    await failures.trackWhole(7, 42, failing).catch(() => undefined);
    expect([41, 42, 43].map((uid) => failures.readAlone(7, uid))).toEqual([true, true, false]);
    expect(failures.count(7, 42, 'source')).toBe(0);
    expect(failures.count(7, 42, 'metadata')).toBe(0);
    expect(failures.oversized(7, 42)).toBe(false);
  });

  it('remembers a source beyond the parser limits, so it is not downloaded again', async () => {
    const failures = new ReadFailures();
    await failures
      .trackWhole(7, 42, () => Promise.reject(new SourceTooLargeError('message UID 42')))
      .catch(() => undefined);
    expect(failures.oversized(7, 42)).toBe(true);
    expect(failures.oversized(7, 43)).toBe(false);
    expect(failures.oversized(8, 42)).toBe(false);
  });
});
