import { DomainError } from '@app/core';

import { inRange, Pacer, parseBackfillRange, remainingUids, searchCriteria } from './backfill-plan.js';

function refusal(input: { since?: unknown; until?: unknown }): { code: string; message: string } {
  try {
    parseBackfillRange(input);
  } catch (error) {
    if (error instanceof DomainError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('backfill plan', () => {
  it('reads since and until: dates, date-times with or without a zone, or nothing', () => {
    expect(parseBackfillRange({})).toEqual({ since: null, until: null });
    expect(parseBackfillRange({ since: '2026-01-31', until: '2026-02-01T10:30:00+02:00' })).toEqual({
      since: new Date('2026-01-31T00:00:00Z'),
      until: new Date('2026-02-01T08:30:00Z'),
    });
    expect(parseBackfillRange({ since: '2026-01-31T12:00:00' }).since).toEqual(new Date('2026-01-31T12:00:00Z'));
  });

  it('refuses non-dates, impossible dates and an until not after since, naming the field', () => {
    expect(refusal({ since: 'yesterday' })).toMatchObject({ code: 'ValidationFailed', message: /^since / });
    expect(refusal({ until: '2026-02-30' })).toMatchObject({ message: /^until / });
    expect(refusal({ since: 12 })).toMatchObject({ message: /^since / });
    expect(refusal({ since: '2026-02-02', until: '2026-02-01' })).toMatchObject({
      message: 'until must be later than since',
    });
    expect(refusal({ since: '2026-02-02', until: '2026-02-02' }).message).toBe('until must be later than since');
  });

  it('searches a day wider than the range (IMAP compares dates in the server zone), then filters exactly', () => {
    const range = parseBackfillRange({ since: '2026-03-10T15:00:00Z', until: '2026-03-12T09:00:00Z' });
    expect(searchCriteria(range, 41)).toEqual({
      uid: '42:*',
      since: new Date('2026-03-09T15:00:00Z'),
      before: new Date('2026-03-13T09:00:00Z'),
    });
    expect(searchCriteria({ since: null, until: null }, 0)).toEqual({ uid: '1:*' });
    expect(inRange(range, new Date('2026-03-10T14:59:59Z'))).toBe(false);
    expect(inRange(range, new Date('2026-03-10T15:00:00Z'))).toBe(true);
    expect(inRange(range, new Date('2026-03-12T08:59:59Z'))).toBe(true);
    expect(inRange(range, new Date('2026-03-12T09:00:00Z'))).toBe(false);
  });

  it('resumes after the last UID finished, oldest first, without the highest UID a `n:*` search adds', () => {
    expect(remainingUids([9, 3, 7, 3, 12], 7)).toEqual([9, 12]);
    expect(remainingUids([5], 7)).toEqual([]);
  });

  it('paces messages at the rate, without bursting after a slow one', () => {
    let now = 1000;
    const pacer = new Pacer(4, () => now);
    expect(pacer.delayBeforeNext()).toBe(0);
    expect(pacer.delayBeforeNext()).toBe(250);
    now += 2000; // a slow message: the next starts now, the one after a full interval later
    expect(pacer.delayBeforeNext()).toBe(0);
    expect(pacer.delayBeforeNext()).toBe(250);
  });
});
