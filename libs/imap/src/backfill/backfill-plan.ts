import type { SearchObject } from 'imapflow';

import { isValidTimestamp } from '@app/core';

import { ImapErrors } from '../imap.errors.js';

/** The part of a mailbox's history a backfill covers: INTERNALDATE at or after `since`, before `until`. */
export interface BackfillRange {
  since: Date | null;
  until: Date | null;
}

const DAY_MS = 24 * 3600_000;

/**
 * Reads the request's `since` and `until` (ISO 8601, each optional). A date-time without a zone is UTC,
 * as a bare date is; the reason for a refusal names the field.
 */
export function parseBackfillRange(input: { since?: unknown; until?: unknown }): BackfillRange {
  const since = parseInstant('since', input.since);
  const until = parseInstant('until', input.until);
  if (since && until && until.getTime() <= since.getTime()) {
    throw ImapErrors.invalidBackfillRange('until', 'must be later than since');
  }
  return { since, until };
}

function parseInstant(field: 'since' | 'until', value: unknown): Date | null {
  if (value === undefined || value === null || value === '') return null;
  if (!isValidTimestamp(value)) {
    throw ImapErrors.invalidBackfillRange(field, 'must be an ISO 8601 date or date-time (e.g. 2026-01-31T12:00:00Z)');
  }
  const text = (value as string).replace(' ', 'T');
  const hasZone = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i.test(text) && text.includes('T');
  const date = new Date(text.includes('T') && !hasZone ? `${text}Z` : text);
  if (Number.isNaN(date.getTime())) throw ImapErrors.invalidBackfillRange(field, 'is not a date');
  return date;
}

/**
 * The UID SEARCH for what is left: UIDs after `afterUid`, with SINCE/BEFORE widened by a day each way,
 * because IMAP compares dates only, in the server's time zone. {@link inRange} then decides by the exact
 * INTERNALDATE.
 */
export function searchCriteria(range: BackfillRange, afterUid: number): SearchObject {
  const criteria: SearchObject = { uid: `${afterUid + 1}:*` };
  if (range.since) criteria.since = new Date(range.since.getTime() - DAY_MS);
  if (range.until) criteria.before = new Date(range.until.getTime() + DAY_MS);
  return criteria;
}

export function inRange(range: BackfillRange, internalDate: Date): boolean {
  const time = internalDate.getTime();
  if (range.since && time < range.since.getTime()) return false;
  if (range.until && time >= range.until.getTime()) return false;
  return true;
}

/**
 * The UIDs still to do, oldest first. `n:*` matches the highest UID even when it is below n (RFC 3501),
 * so what the search returns at or below `afterUid` is dropped.
 */
export function remainingUids(found: readonly number[], afterUid: number): number[] {
  return [...new Set(found)].filter((uid) => uid > afterUid).sort((a, b) => a - b);
}

/**
 * Spaces messages `1 / ratePerSecond` apart. A backlog never bursts: a slow message does not earn the
 * next ones an early start beyond one interval.
 */
export class Pacer {
  private nextAt = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds to wait before sending the next message (and books its slot). */
  delayBeforeNext(): number {
    const now = this.now();
    const startAt = Math.max(now, this.nextAt);
    this.nextAt = startAt + 1000 / this.ratePerSecond;
    return startAt - now;
  }
}
