import { createHash } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import type { MessageEnvelopeObject } from 'imapflow';
import type { Logger } from 'pino';
import { DataSource, type EntityManager } from 'typeorm';

import { AppConfig, HotQueries, ROOT_LOGGER, timeOrderedId } from '@app/core';
import { TracersService } from '@app/tracers';
import { type MailboxAccount, MailboxStates } from '@app/users';
import { EventOutbox, type NewEvent } from '@app/webhooks';

import { ImapMetrics } from '../imap-metrics.service.js';
import { toSeedEnvelope } from './seed-envelope.js';

/** What the first FETCH returns for a new UID (UID, INTERNALDATE, RFC822.SIZE, ENVELOPE). */
export interface FetchedMessage {
  uid: number;
  internalDate: Date;
  size: number;
  envelope?: MessageEnvelopeObject;
}

/**
 * Reads the message source, but never more than one byte past `maxBytes`: resolves null when the message
 * turned out larger (whatever RFC822.SIZE said), and throws when it could not be read.
 */
export type SourceReader = (maxBytes: number) => Promise<Buffer | null>;

export interface ProcessOptions {
  /**
   * Found by date after the UID cursor became unusable (a UIDVALIDITY change): the same bytes already
   * seen under another UIDVALIDITY are provably this message, renumbered, and are not delivered again.
   */
  foundByDate: boolean;
  /**
   * Collects the delivery jobs of committed events instead of queueing each at once: a sync that brings
   * many messages queues them in one round trip (NewMailPipeline.enqueueAll) after its batch, or once its
   * first job has waited `maxWaitMs`, whichever comes first.
   */
  jobs?: PendingJobs;
  /** Set when a backfill sends this message: then neither the user's creation date nor the cursor applies. */
  backfill?: BackfillStep;
}

/**
 * Longest a committed event's job waits for the rest of its batch. Under load each message of a batch can
 * wait seconds for a work slot; its job must not wait with it, or the outbox sweeper takes the event for
 * one whose job was lost.
 */
const MAX_JOB_WAIT_MS = 1000;

/** Delivery jobs of committed events, to queue together. */
export class PendingJobs {
  readonly events: { eventId: string; partnerId: string }[] = [];
  /** Queues what has been collected so far, if the batch has not by then. */
  flushTimer?: NodeJS.Timeout;

  constructor(readonly maxWaitMs = MAX_JOB_WAIT_MS) {}
}

/** How a backfill run keeps its progress in the same transaction as each message it sends or skips. */
export interface BackfillStep {
  /** Throws to roll the message back, when the run no longer holds its backfill (cancelled, taken over). */
  recorded(manager: EntityManager, uid: number, outcome: 'delivered' | 'skipped'): Promise<void>;
}

export type PipelineOutcome = 'event' | 'tracer' | 'older_than_user' | 'duplicate' | 'already_recorded';

/** Mail dated this much before the user's creation still counts: INTERNALDATE has whole seconds and clocks drift. */
const CREATION_GRACE_MS = 60_000;

/**
 * Turns one new message into a durable event: skip what predates the user, close tracers, fetch the
 * source (at most MAX_EMAIL_SIZE bytes), dedupe only what is provably the same message, then atomically
 * write the mail log, the outbox row and the cursor (one statement; one transaction for tracers and mail
 * found by date); only after the commit is the delivery job queued (the sweeper covers a crash in between).
 */
@Injectable()
export class NewMailPipeline {
  private readonly logger: Logger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly hot: HotQueries,
    private readonly states: MailboxStates,
    private readonly outbox: EventOutbox,
    private readonly tracers: TracersService,
    private readonly metrics: ImapMetrics,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'pipeline' });
  }

  async process(
    account: MailboxAccount,
    uidValidity: number,
    message: FetchedMessage,
    readSource: SourceReader,
    options: ProcessOptions = { foundByDate: false },
  ): Promise<PipelineOutcome> {
    const outcome = await this.decide(account, uidValidity, message, readSource, options);
    if (outcome === 'event') this.metrics.recordProcessed();
    else this.metrics.recordSkipped(outcome);
    if (outcome === 'event') {
      this.logger.info(
        {
          partner: account.partnerId,
          connection: account.provider.code,
          tag: account.user.tag,
          uid: message.uid,
          size: message.size,
          ...(options.backfill ? { backfill: true } : {}),
        },
        'new mail detected',
      );
    }
    return outcome;
  }

  private async decide(
    account: MailboxAccount,
    uidValidity: number,
    message: FetchedMessage,
    readSource: SourceReader,
    options: ProcessOptions,
  ): Promise<PipelineOutcome> {
    const { user } = account;
    const cursor = { uid: message.uid, uidValidity, internalDate: message.internalDate };
    if (!options.backfill && message.internalDate.getTime() < user.createdAt.getTime() - CREATION_GRACE_MS) {
      await this.states.moveCursor(user.id, cursor);
      return 'older_than_user';
    }

    const messageId = message.envelope?.messageId ?? null;
    // A tracer only if this user has tracers on and the mail carries one of its outstanding tokens.
    const tracer = await this.tracers.outstandingTracer(user.id, message.envelope?.subject);
    if (tracer) {
      const detection: { at: Date | null } = { at: null };
      const closeTracer = async (manager: EntityManager): Promise<PipelineOutcome> => {
        detection.at = await this.tracers.close(manager, tracer);
        return 'tracer';
      };
      const outcome = await this.record(account, uidValidity, message, { messageId, sha1: null }, closeTracer, options);
      if (outcome === 'tracer' && detection.at)
        this.tracers.observeLatency(tracer, detection.at, account.provider.code);
      return outcome;
    }

    // RFC822.SIZE is the server's word: it may skip a download, but only the bytes received prove a size.
    const maxBytes = this.config.MAX_EMAIL_SIZE;
    const source = message.size > maxBytes ? null : await readSource(maxBytes);
    const truncated = source === null;
    const sha1 = source ? createHash('sha1').update(source).digest('hex') : null;
    // An understated size is corrected to what is known: more than MAX_EMAIL_SIZE.
    const size = source ? source.length : Math.max(message.size, maxBytes + 1);
    const detectedAt = new Date();

    const event: NewEvent = {
      partnerId: account.partnerId,
      userId: user.id,
      type: 'new_mail',
      metadata: {
        uid: message.uid,
        uid_validity: uidValidity,
        internal_date: message.internalDate.toISOString(),
        detected_at: detectedAt.toISOString(),
        size,
        truncated,
        sha1,
        envelope: toSeedEnvelope(message.envelope),
        ...(options.backfill ? { backfill: true } : {}),
      },
      body: source,
    };
    // The one-statement path; a backfill keeps its progress in the same transaction, so it takes the other.
    if (!options.foundByDate && !options.backfill) {
      return this.recordEvent(account, uidValidity, message, { messageId, sha1 }, event, options.jobs);
    }
    return this.record(
      account,
      uidValidity,
      message,
      { messageId, sha1 },
      async (manager, mailLogId) => {
        if (options.foundByDate && (await this.seenUnderOtherUidValidity(manager, user.id, uidValidity, sha1))) {
          return 'duplicate';
        }
        const eventId = await this.outbox.record(manager, event);
        await manager.query('UPDATE mail_logs SET event_id = $1 WHERE id = $2', [eventId, mailLogId]);
        return { eventId };
      },
      options,
    );
  }

  /**
   * The common case in ONE statement (one round trip, atomic without a transaction): the mail log (a no-op
   * if any process already recorded this UID), the outbox row only if the log was new, and the cursor.
   * The delivery job is queued after it.
   */
  private async recordEvent(
    account: MailboxAccount,
    uidValidity: number,
    message: { uid: number; internalDate?: Date },
    identity: { messageId: string | null; sha1: string | null },
    event: NewEvent,
    jobs?: PendingJobs,
  ): Promise<PipelineOutcome> {
    const insert = this.outbox.insertStatement(event, 9, 'FROM logged');
    const cursor = this.states.advanceCursorStatement(
      account.user.id,
      { uid: message.uid, uidValidity, internalDate: message.internalDate },
      9 + insert.params.length,
      '(SELECT now() FROM logged)',
    );
    // A prepared statement: the text is the same for every mail, only the parameters change.
    const rows = await this.hot.rows<{ id: string }>(
      `WITH logged AS (
         INSERT INTO mail_logs (id, user_id, uid_validity, uid, message_id, sha1, internal_date, event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (user_id, uid_validity, uid) DO NOTHING RETURNING id
       ), event AS (${insert.sql} RETURNING id),
       cursor AS (${cursor.sql})
       SELECT id FROM event`,
      [
        timeOrderedId(),
        account.user.id,
        uidValidity,
        message.uid,
        identity.messageId,
        identity.sha1,
        message.internalDate ?? null,
        insert.id,
        ...insert.params,
        ...cursor.params,
      ],
    );
    if (rows.length === 0) return 'already_recorded';
    if (jobs) this.collect(jobs, { eventId: insert.id, partnerId: account.partnerId });
    else await this.enqueueAfterCommit(insert.id, account.partnerId);
    return 'event';
  }

  /**
   * Records a message that could not be read after repeated attempts as an event without a body
   * (`truncated: true`, `fetch_error`), so the partner learns of it and the mailbox moves on.
   */
  async recordUnreadable(
    account: MailboxAccount,
    uidValidity: number,
    message: Pick<FetchedMessage, 'uid'> & Partial<FetchedMessage>,
    reason: string,
  ): Promise<void> {
    const messageId = message.envelope?.messageId ?? null;
    const detectedAt = new Date();
    await this.recordEvent(
      account,
      uidValidity,
      message,
      { messageId, sha1: null },
      {
        partnerId: account.partnerId,
        userId: account.user.id,
        type: 'new_mail',
        metadata: {
          uid: message.uid,
          uid_validity: uidValidity,
          internal_date: message.internalDate?.toISOString() ?? null,
          detected_at: detectedAt.toISOString(),
          size: message.size ?? null,
          truncated: true,
          sha1: null,
          envelope: toSeedEnvelope(message.envelope),
          fetch_error: reason,
        },
        body: null,
      },
    );
    this.metrics.recordSkipped('unreadable');
    this.logger.warn({ userId: account.user.id, uid: message.uid, reason }, 'message unreadable; recorded as failed');
  }

  /**
   * Inserts the mail log (a no-op if any process already recorded this UID), runs `work` and advances the
   * cursor, all in one transaction; queues the event, if any, after the commit. A backfill records its
   * progress instead of moving the cursor: the live session's place in the mailbox is its own.
   */
  private async record(
    account: MailboxAccount,
    uidValidity: number,
    message: { uid: number; internalDate?: Date },
    identity: { messageId: string | null; sha1: string | null },
    work: (manager: EntityManager, mailLogId: string) => Promise<PipelineOutcome | { eventId: string }>,
    options: ProcessOptions = { foundByDate: false },
  ): Promise<PipelineOutcome> {
    const result = await this.dataSource.transaction(async (manager) => {
      const mailLogId = timeOrderedId();
      const inserted: unknown[] = await manager.query(
        `INSERT INTO mail_logs (id, user_id, uid_validity, uid, message_id, sha1, internal_date)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (user_id, uid_validity, uid) DO NOTHING RETURNING id`,
        [
          mailLogId,
          account.user.id,
          uidValidity,
          message.uid,
          identity.messageId,
          identity.sha1,
          message.internalDate ?? null,
        ],
      );
      const outcome = inserted.length === 0 ? 'already_recorded' : await work(manager, mailLogId);
      if (options.backfill) {
        await options.backfill.recorded(manager, message.uid, typeof outcome === 'object' ? 'delivered' : 'skipped');
        return outcome;
      }
      await this.states.advanceCursor(manager, account.user.id, {
        uid: message.uid,
        uidValidity,
        internalDate: message.internalDate,
        emailAt: typeof outcome === 'object' ? new Date() : undefined,
      });
      return outcome;
    });
    if (typeof result !== 'object') return result;
    await this.enqueueAfterCommit(result.eventId, account.partnerId);
    return 'event';
  }

  private collect(jobs: PendingJobs, job: { eventId: string; partnerId: string }): void {
    jobs.events.push(job);
    jobs.flushTimer ??= setTimeout(() => void this.enqueueAll(jobs), jobs.maxWaitMs);
  }

  /** Queues the collected jobs in one round trip; a failure leaves them to the outbox sweeper. */
  async enqueueAll(jobs: PendingJobs): Promise<void> {
    clearTimeout(jobs.flushTimer);
    jobs.flushTimer = undefined;
    const events = jobs.events.splice(0);
    if (events.length === 0) return;
    try {
      await this.outbox.enqueueMany(events);
    } catch (error) {
      this.logger.warn({ err: error, events: events.length }, 'could not queue committed events; the sweeper will');
    }
  }

  private async enqueueAfterCommit(eventId: string, partnerId: string): Promise<void> {
    try {
      await this.outbox.enqueue(eventId, partnerId);
    } catch (error) {
      // The event is committed; the outbox sweeper will queue it once Redis is back.
      this.logger.warn({ err: error, eventId }, 'could not queue a committed event; the sweeper will');
    }
  }

  /**
   * Only the same bytes are the same message: a Message-ID is the sender's to choose, so two messages
   * sharing one are two events. Within one UIDVALIDITY the mail_logs unique index already dedupes.
   */
  private async seenUnderOtherUidValidity(
    manager: EntityManager,
    userId: string,
    uidValidity: number,
    sha1: string | null,
  ): Promise<boolean> {
    if (!sha1) return false;
    const rows: unknown[] = await manager.query(
      'SELECT 1 FROM mail_logs WHERE user_id = $1 AND uid_validity <> $2 AND sha1 = $3 LIMIT 1',
      [userId, uidValidity, sha1],
    );
    return rows.length > 0;
  }
}
