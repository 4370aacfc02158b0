import type { ImapFlow } from 'imapflow';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import type { MailboxAccount } from '@app/users';

import type { NewMailPipeline } from '../pipeline/new-mail-pipeline.service.js';
import { fetchMetadata, fetchSourceAtMost } from '../session/bounded-fetch.js';
import { type BackfillRange, inRange, Pacer, remainingUids, searchCriteria } from './backfill-plan.js';
import type { BackfillProgress } from './backfill-progress.service.js';
import type { Backfill } from './backfill.entity.js';

/** UIDs per metadata FETCH. */
const FETCH_BATCH = 50;
/** UIDs per INTERNALDATE FETCH while finding what lies in the range. */
const DATE_BATCH = 500;

export interface BackfillRunDeps {
  progress: BackfillProgress;
  pipeline: NewMailPipeline;
  dataSource: DataSource;
  /** Messages per second (BACKFILL_RATE). */
  rate: number;
  logger: Logger;
}

/**
 * One attempt at one backfill, on a connection of its own (the live session keeps its own): find the
 * messages in the range after the last UID finished, then hand them to the new-mail pipeline oldest
 * first, paced, each with its progress in the message's own transaction. Stops when `signal` aborts or
 * the claim is lost.
 */
export class BackfillRun {
  constructor(
    private readonly backfill: Backfill,
    private readonly claim: string,
    private readonly account: MailboxAccount,
    private readonly deps: BackfillRunDeps,
    private readonly signal: AbortSignal,
  ) {}

  async execute(client: ImapFlow, uidValidity: number): Promise<void> {
    const { backfill, claim, deps } = this;
    let afterUid = Number(backfill.lastUid ?? 0);
    if (backfill.uidValidity !== String(uidValidity)) {
      // UIDs of another UIDVALIDITY mean nothing now: walk the mailbox again (mail_logs still dedupes).
      if (backfill.uidValidity !== null) deps.logger.warn({ backfill: backfill.id }, 'UIDVALIDITY changed; restarting');
      await deps.progress.beginUidValidity(backfill.id, claim, uidValidity);
      afterUid = 0;
    }
    const range: BackfillRange = { since: backfill.since, until: backfill.until };
    const candidates = await client.search(searchCriteria(range, afterUid), { uid: true });
    if (!Array.isArray(candidates)) throw new Error('UID SEARCH was refused by the server');
    const uids = await this.inRangeUids(client, range, remainingUids(candidates, afterUid));
    // Found: what was done before this attempt plus what is left.
    const done = afterUid === 0 ? 0 : backfill.delivered + backfill.skipped;
    await deps.progress.setFound(backfill.id, claim, done + uids.length);
    deps.logger.info({ backfill: backfill.id, remaining: uids.length, afterUid }, 'backfill running');

    const pacer = new Pacer(deps.rate);
    for (let start = 0; start < uids.length; start += FETCH_BATCH) {
      this.throwIfAborted();
      const batch = uids.slice(start, start + FETCH_BATCH);
      const recorded = await this.alreadyRecorded(uidValidity, batch);
      for (const message of await fetchMetadata(client, batch)) {
        this.throwIfAborted();
        if (recorded.has(message.uid)) {
          // Delivered before (live, or an earlier backfill): counted, never sent again, and no body fetched.
          await deps.dataSource.transaction((manager) =>
            deps.progress.recordMessage(manager, backfill.id, claim, message.uid, 'skipped'),
          );
          continue;
        }
        await sleep(pacer.delayBeforeNext(), this.signal);
        this.throwIfAborted();
        const readSource = (maxBytes: number) => fetchSourceAtMost(client, message.uid, maxBytes);
        await deps.pipeline.process(this.account, uidValidity, message, readSource, {
          foundByDate: false,
          backfill: {
            recorded: (manager, uid, outcome) => deps.progress.recordMessage(manager, backfill.id, claim, uid, outcome),
          },
        });
      }
    }
    await deps.progress.finish(backfill.id, claim);
  }

  /** The UIDs whose exact INTERNALDATE lies in the range, oldest first. */
  private async inRangeUids(client: ImapFlow, range: BackfillRange, uids: number[]): Promise<number[]> {
    if (!range.since && !range.until) return uids;
    const kept: number[] = [];
    for (let start = 0; start < uids.length; start += DATE_BATCH) {
      this.throwIfAborted();
      const batch = uids.slice(start, start + DATE_BATCH);
      const wanted = new Set(batch);
      for await (const row of client.fetch(batch.join(','), { uid: true, internalDate: true }, { uid: true })) {
        if (wanted.has(row.uid) && row.internalDate && inRange(range, new Date(row.internalDate))) {
          kept.push(row.uid);
          wanted.delete(row.uid);
        }
      }
    }
    return kept.sort((a, b) => a - b);
  }

  private async alreadyRecorded(uidValidity: number, uids: number[]): Promise<Set<number>> {
    const rows: { uid: string }[] = await this.deps.dataSource.query(
      'SELECT uid FROM mail_logs WHERE user_id = $1 AND uid_validity = $2 AND uid = ANY($3::bigint[])',
      [this.account.user.id, uidValidity, uids],
    );
    return new Set(rows.map((row) => Number(row.uid)));
  }

  private throwIfAborted(): void {
    if (this.signal.aborted) throw new Error('backfill run stopped');
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
