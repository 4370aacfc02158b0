import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { Repository } from 'typeorm';

import { AppConfig, HotQueries, ROOT_LOGGER, timeOrderedId } from '@app/core';
import { type PartnerDeliveryProfile, PartnerDeliveryProfiles, type PartnerProfileColumns } from '@app/partners';
import { type DeliveryTarget, type DeliveryTargetColumns, UserDirectory, UsersService } from '@app/users';

import { EventOutbox } from '../event-outbox.service.js';
import { WebhookEvent, type WebhookEventType } from '../webhook-event.entity.js';
import { PartnerSlots } from './partner-slots.js';
import { buildPayload } from './payload-builder.js';
import { retryDelayMs } from './retry-schedule.js';
import { signedHeaders, webhookUrl } from './signed-request.js';
import { WebhookMetrics } from './webhook-metrics.service.js';
import { sendWebhook, type WebhookResponse } from './webhook-sender.js';

export type DeliveryOutcome = 'delivered' | 'archived' | 'skipped' | 'failed' | 'not_pending';

/** What the queue should do with a delivery job: it is done, or it runs again after `retryInMs`. */
export type DeliveryResult = { done: DeliveryOutcome } | { retryInMs: number };

/** How long a job of a slow partner waits in the queue when that partner already has its share in flight. */
const PARTNER_BUSY_DELAY_MS = 250;
/** A receiver's Retry-After is honoured up to this long. */
const MAX_RETRY_AFTER_MS = 3600_000;

/**
 * Delivers one outbox event: builds the seed payload, signs it both ways, POSTs it, logs the attempt,
 * and settles the event (delivered, archived on 403, skipped without URL, failed after the last attempt).
 *
 * The retry budget lives in PostgreSQL only: `webhook_events.attempts` counts this delivery round's
 * attempts (a redelivery starts a new round at 0), so however often the event's job is lost and queued
 * again, it is never sent more than WEBHOOK_MAX_ATTEMPTS times per round. Transmit logs number every
 * attempt of every round.
 */
@Injectable()
export class WebhookDelivery {
  private readonly logger: Logger;
  private readonly slots: PartnerSlots;
  /** The text of `load`'s statement (constant: it is prepared once per connection). */
  private readonly loadSql: string;

  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    private readonly hot: HotQueries,
    private readonly partners: PartnerDeliveryProfiles,
    private readonly directory: UserDirectory,
    private readonly users: UsersService,
    private readonly outbox: EventOutbox,
    private readonly metrics: WebhookMetrics,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'delivery' });
    this.slots = new PartnerSlots(config.WEBHOOK_PARTNER_CONCURRENCY);
    this.loadSql = `SELECT e.id, e.partner_id, e.user_id, e.type, e.status, e.metadata, e.body, e.attempts,
       e.last_error, partner.*, target.*
  FROM webhook_events e
  LEFT JOIN LATERAL (${partners.profileSql('e.partner_id')}) partner ON true
  LEFT JOIN LATERAL (${directory.deliveryTargetSql('e.user_id')}) target ON true
 WHERE e.id = $1`;
  }

  /** Deliveries running in this process now. */
  get inFlight(): number {
    return this.slots.inFlight;
  }

  /**
   * One run of an event's delivery job, within its partner's share of this worker's concurrency. The
   * partner comes with the job (older jobs without it: read from the row); a job over the share waits
   * for a slot while the partner is flowing, and is handed back to the queue only when it is slow.
   */
  async attempt(eventId: string, partnerId?: string): Promise<DeliveryResult> {
    const partner = partnerId ?? (await this.partnerOf(eventId));
    if (!partner) return { done: 'not_pending' };
    if (!(await this.slots.take(partner))) {
      this.metrics.partnerBusyRequeues.inc();
      return { retryInMs: Math.round(PARTNER_BUSY_DELAY_MS * (1 + Math.random())) };
    }
    try {
      return await this.deliver(eventId);
    } finally {
      this.slots.release(partner);
    }
  }

  private async partnerOf(eventId: string): Promise<string | null> {
    const [row] = await this.hot.rows<{ partner_id: string }>(PARTNER_OF_EVENT_SQL, [eventId]);
    return row?.partner_id ?? null;
  }

  /**
   * The event's row, its partner's profile and its user's delivery target, as delivery needs them: one
   * prepared SELECT (the partner and user parts are their libs' subqueries), no entity hydration.
   */
  private async load(eventId: string): Promise<LoadedEvent | null> {
    const [row] = await this.hot.rows<PendingEventRow>(this.loadSql, [eventId]);
    if (!row) return null;
    return {
      event: {
        id: row.id,
        partnerId: row.partner_id,
        userId: row.user_id,
        type: row.type,
        status: row.status,
        metadata: row.metadata,
        body: row.body,
        attempts: row.attempts,
        lastError: row.last_error,
      },
      partner: this.partners.profileFrom(row.partner_id, row),
      target: row.user_id ? this.directory.deliveryTargetFrom(row) : null,
    };
  }

  /** Sends the event once, unless it is settled or its budget is spent; says when to try again, if at all. */
  async deliver(eventId: string): Promise<DeliveryResult> {
    const loaded = await this.load(eventId);
    if (!loaded || loaded.event.status !== 'pending') return { done: 'not_pending' };
    const { event, partner, target } = loaded;
    if (event.attempts >= this.config.WEBHOOK_MAX_ATTEMPTS) {
      // The job of an event whose last attempt was made (then the worker died) was queued again.
      await this.settle(event, 'failed', event.lastError ?? 'no attempts left');
      return { done: 'failed' };
    }
    const url = partner && webhookUrl(partner, event.type);
    if (!partner || !url || !target) {
      const reason = !partner
        ? 'the partner no longer exists'
        : !url
          ? `the partner has no ${event.type} webhook URL`
          : 'the user no longer exists';
      await this.settle(event, 'skipped', reason);
      this.metrics.deliveries.inc({ event: event.type, result: 'skipped' });
      return { done: 'skipped' };
    }

    const { keys } = partner;
    const timestamp = Math.floor(Date.now() / 1000);
    const body = JSON.stringify(
      buildPayload({
        eventId: event.id,
        type: event.type,
        imapProviderCode: target.providerCode,
        userId: event.userId,
        userTag: target.tag,
        userEmail: target.email,
        metadata: event.metadata,
        rfc822: this.outbox.readBody(event),
        apiKey: keys.apiKey,
        timestamp,
      }),
    );
    const response = await sendWebhook({
      url,
      body,
      timeoutMs: this.config.WEBHOOK_TIMEOUT * 1000,
      allowPrivate: this.config.allowPrivateWebhookTargets,
      allowHttp: this.config.allowHttpWebhookTargets,
      headers: signedHeaders(keys, event.id, timestamp, body),
    });
    this.metrics.duration.observe({ event: event.type }, response.durationMs / 1000);
    const { attempt, status } = await this.conclude(event, target.enableTracer, response);
    this.logger.info(
      {
        eventId: event.id,
        event: event.type,
        partner: partner.id,
        tag: target.tag,
        status: response.status,
        error: response.error ?? undefined,
        durationMs: response.durationMs,
        attempt,
        maxAttempts: this.config.WEBHOOK_MAX_ATTEMPTS,
      },
      `webhook attempt ${attempt} of ${this.config.WEBHOOK_MAX_ATTEMPTS}: ${response.status ?? response.error ?? 'no response'}`,
    );
    return this.outcome(event, response, attempt, status);
  }

  /**
   * Counts the attempt against this round's budget, logs it and settles the event in ONE statement
   * (a 403 archives the user first). Returns the attempt's number within the round and the new status.
   */
  private async conclude(
    event: PendingEvent,
    tracerUser: boolean,
    response: WebhookResponse,
  ): Promise<{ attempt: number; status: WebhookEvent['status'] }> {
    const status = response.status;
    let settlement: { delivered: boolean; lastError: string | null };
    if (status !== null && status >= 200 && status < 300) {
      settlement = { delivered: true, lastError: null };
    } else if (status === 403) {
      // The seed's contract: 403 means "stop sending me this user". Tracer mailboxes are ours, so kept.
      if (!tracerUser && event.userId) {
        await this.users.archiveRejected(event.userId);
        this.logger.info(
          { eventId: event.id, partner: event.partnerId, user: event.userId },
          'partner answered 403: user archived',
        );
      }
      settlement = {
        delivered: true,
        lastError: tracerUser ? 'partner answered 403' : 'partner answered 403; user archived',
      };
    } else {
      settlement = {
        delivered: false,
        lastError: status === null ? (response.error ?? 'request failed') : `HTTP ${status}`,
      };
    }
    const rows = await this.hot.rows<{ attempts: number; status: WebhookEvent['status'] }>(CONCLUDE_SQL, [
      event.id,
      settlement.lastError,
      settlement.delivered,
      this.config.WEBHOOK_MAX_ATTEMPTS,
      this.config.EVENT_BODY_RETENTION === 0,
      timeOrderedId(),
      response.status,
      response.body,
      response.error,
      response.durationMs,
    ]);
    // No row: it was deleted meanwhile (with its partner); nothing is left to deliver.
    const row = rows[0];
    return row ? { attempt: row.attempts, status: row.status } : { attempt: event.attempts + 1, status: 'skipped' };
  }

  private outcome(
    event: PendingEvent,
    response: WebhookResponse,
    attempt: number,
    status: WebhookEvent['status'],
  ): DeliveryResult {
    const code = response.status;
    if (status === 'delivered') {
      const forbidden = code === 403;
      this.metrics.deliveries.inc({ event: event.type, result: forbidden ? 'forbidden' : 'delivered' });
      if (forbidden) return { done: 'archived' };
      this.observeLatency(event);
      return { done: 'delivered' };
    }
    this.metrics.deliveries.inc({ event: event.type, result: 'error' });
    if (status !== 'pending') {
      if (status === 'failed') this.logger.warn({ eventId: event.id, attempt }, 'webhook failed for good');
      return { done: status === 'failed' ? 'failed' : 'not_pending' };
    }
    const scheduled = retryDelayMs(attempt, this.config.WEBHOOK_BACKOFF);
    const retryAfter = code === 429 || code === 503 ? (response.retryAfterSeconds ?? 0) : 0;
    const retryInMs = Math.max(scheduled, Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS));
    this.logger.info(
      { eventId: event.id, attempt, nextRetryAt: new Date(Date.now() + retryInMs).toISOString() },
      'webhook retry scheduled',
    );
    return { retryInMs };
  }

  private async settle(
    event: PendingEvent,
    status: 'delivered' | 'skipped' | 'failed',
    lastError: string | null,
  ): Promise<void> {
    const changes: Pick<Partial<WebhookEvent>, 'status' | 'lastError' | 'deliveredAt' | 'body'> = { status, lastError };
    if (status === 'delivered') {
      changes.deliveredAt = new Date();
      if (this.config.EVENT_BODY_RETENTION === 0) changes.body = null;
    }
    await this.events.update({ id: event.id }, changes);
  }

  private observeLatency(event: PendingEvent): void {
    const now = Date.now();
    for (const from of ['internal_date', 'detected_at'] as const) {
      const value = event.metadata[from];
      const at = typeof value === 'string' ? Date.parse(value) : NaN;
      if (!Number.isNaN(at)) this.metrics.mailToWebhook.observe({ from }, Math.max(0, now - at) / 1000);
    }
  }
}

const PARTNER_OF_EVENT_SQL = 'SELECT partner_id FROM webhook_events WHERE id = $1';

/**
 * Counts the attempt, logs it and settles the event in one statement. Transmit logs are numbered over the
 * event's whole history: a redelivered event's go on from the last round's.
 */
const CONCLUDE_SQL = `WITH attempted AS (
   UPDATE webhook_events SET
     attempts = attempts + 1,
     updated_at = now(),
     last_error = $2,
     status = CASE WHEN $3 THEN 'delivered' WHEN attempts + 1 >= $4 THEN 'failed' ELSE status END,
     delivered_at = CASE WHEN $3 THEN now() ELSE delivered_at END,
     body = CASE WHEN $3 AND $5 THEN NULL ELSE body END
   WHERE id = $1
   RETURNING attempts, status
 ), logged AS (
   INSERT INTO transmit_logs (id, event_id, attempt, response_code, response_body, error, duration_ms)
   SELECT $6, $1, COALESCE((SELECT max(attempt) FROM transmit_logs WHERE event_id = $1), 0) + 1, $7, $8, $9, $10
    WHERE EXISTS (SELECT 1 FROM attempted)
 )
 SELECT attempts, status FROM attempted`;

/** The columns of webhook_events that delivery reads. */
type PendingEvent = Pick<
  WebhookEvent,
  'id' | 'partnerId' | 'userId' | 'type' | 'status' | 'metadata' | 'body' | 'attempts' | 'lastError'
>;

interface LoadedEvent {
  event: PendingEvent;
  partner: PartnerDeliveryProfile | null;
  target: DeliveryTarget | null;
}

interface PendingEventRow extends PartnerProfileColumns, DeliveryTargetColumns {
  id: string;
  partner_id: string;
  user_id: string | null;
  type: WebhookEventType;
  status: WebhookEvent['status'];
  metadata: Record<string, unknown>;
  body: string | null;
  attempts: number;
  last_error: string | null;
}
