import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { Repository } from 'typeorm';

import { AppConfig, ROOT_LOGGER } from '@app/core';
import { PartnersService } from '@app/partners';
import { UserDirectory, UsersService } from '@app/users';

import { EventOutbox } from '../event-outbox.service.js';
import { TransmitLog } from '../transmit-log.entity.js';
import { WebhookEvent } from '../webhook-event.entity.js';
import { PartnerSlots } from './partner-slots.js';
import { buildPayload } from './payload-builder.js';
import { retryDelayMs } from './retry-schedule.js';
import { signedHeaders, webhookUrl } from './signed-request.js';
import { WebhookMetrics } from './webhook-metrics.service.js';
import { sendWebhook, type WebhookResponse } from './webhook-sender.js';

export type DeliveryOutcome = 'delivered' | 'archived' | 'skipped' | 'failed' | 'not_pending';

/** What the queue should do with a delivery job: it is done, or it runs again after `retryInMs`. */
export type DeliveryResult = { done: DeliveryOutcome } | { retryInMs: number };

/** How long a job waits before trying again when its partner already has its share of deliveries in flight. */
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

  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @InjectRepository(TransmitLog) private readonly transmitLogs: Repository<TransmitLog>,
    private readonly partners: PartnersService,
    private readonly directory: UserDirectory,
    private readonly users: UsersService,
    private readonly outbox: EventOutbox,
    private readonly metrics: WebhookMetrics,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'delivery' });
    this.slots = new PartnerSlots(config.WEBHOOK_PARTNER_CONCURRENCY);
  }

  /** Deliveries running in this process now. */
  get inFlight(): number {
    return this.slots.inFlight;
  }

  /** One run of an event's delivery job, within its partner's share of this worker's concurrency. */
  async attempt(eventId: string): Promise<DeliveryResult> {
    const partnerId = await this.partnerOf(eventId);
    if (!partnerId) return { done: 'not_pending' };
    if (!this.slots.tryTake(partnerId)) return { retryInMs: Math.round(PARTNER_BUSY_DELAY_MS * (1 + Math.random())) };
    try {
      return await this.deliver(eventId);
    } finally {
      this.slots.release(partnerId);
    }
  }

  private async partnerOf(eventId: string): Promise<string | null> {
    const event = await this.events.findOne({ select: { partnerId: true }, where: { id: eventId } });
    return event?.partnerId ?? null;
  }

  /** Sends the event once, unless it is settled or its budget is spent; says when to try again, if at all. */
  async deliver(eventId: string): Promise<DeliveryResult> {
    const event = await this.events.findOneBy({ id: eventId });
    if (!event || event.status !== 'pending') return { done: 'not_pending' };
    if (event.attempts >= this.config.WEBHOOK_MAX_ATTEMPTS) {
      // The job of an event whose last attempt was made (then the worker died) was queued again.
      await this.settle(event, 'failed', event.lastError ?? 'no attempts left');
      return { done: 'failed' };
    }
    const partner = await this.partners.get(event.partnerId);
    const url = webhookUrl(partner, event.type);
    const target = event.userId ? await this.directory.deliveryTarget(event.userId) : null;
    if (!url || !target) {
      const reason = !url ? `the partner has no ${event.type} webhook URL` : 'the user no longer exists';
      await this.settle(event, 'skipped', reason);
      this.metrics.deliveries.inc({ event: event.type, result: 'skipped' });
      return { done: 'skipped' };
    }

    const keys = this.partners.signingKeys(partner);
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
    const attempt = await this.logAttempt(event, response);
    this.metrics.duration.observe({ event: event.type }, response.durationMs / 1000);
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
    return this.conclude(event, target.enableTracer, response, attempt);
  }

  private async conclude(
    event: WebhookEvent,
    tracerUser: boolean,
    response: WebhookResponse,
    attempt: number,
  ): Promise<DeliveryResult> {
    const status = response.status;
    if (status !== null && status >= 200 && status < 300) {
      await this.settle(event, 'delivered', null);
      this.metrics.deliveries.inc({ event: event.type, result: 'delivered' });
      this.observeLatency(event);
      return { done: 'delivered' };
    }
    if (status === 403) {
      // The seed's contract: 403 means "stop sending me this user". Tracer mailboxes are ours, so kept.
      if (!tracerUser && event.userId) {
        await this.users.archiveRejected(event.userId);
        this.logger.info(
          { eventId: event.id, partner: event.partnerId, user: event.userId },
          'partner answered 403: user archived',
        );
      }
      await this.settle(
        event,
        'delivered',
        tracerUser ? 'partner answered 403' : 'partner answered 403; user archived',
      );
      this.metrics.deliveries.inc({ event: event.type, result: 'forbidden' });
      return { done: 'archived' };
    }
    const reason = status === null ? (response.error ?? 'request failed') : `HTTP ${status}`;
    this.metrics.deliveries.inc({ event: event.type, result: 'error' });
    if (attempt >= this.config.WEBHOOK_MAX_ATTEMPTS) {
      await this.settle(event, 'failed', reason);
      this.logger.warn({ eventId: event.id, attempt, reason }, 'webhook failed for good');
      return { done: 'failed' };
    }
    await this.events.update({ id: event.id }, { lastError: reason });
    const scheduled = retryDelayMs(attempt, this.config.WEBHOOK_BACKOFF);
    const retryAfter = status === 429 || status === 503 ? (response.retryAfterSeconds ?? 0) : 0;
    const retryInMs = Math.max(scheduled, Math.min(retryAfter * 1000, MAX_RETRY_AFTER_MS));
    this.logger.info(
      { eventId: event.id, attempt, nextRetryAt: new Date(Date.now() + retryInMs).toISOString() },
      'webhook retry scheduled',
    );
    return { retryInMs };
  }

  /** Counts the attempt against this round's budget; returns its number within the round. */
  private async logAttempt(event: WebhookEvent, response: WebhookResponse): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [[{ attempts }]]: [{ attempts: number }[], number] = await this.events.query(
      'UPDATE webhook_events SET attempts = attempts + 1, updated_at = now() WHERE id = $1 RETURNING attempts',
      [event.id],
    );
    // Numbered over the event's whole history: a redelivered event's logs go on from the last round's.
    const earlier = await this.transmitLogs.countBy({ eventId: event.id });
    await this.transmitLogs.insert({
      id: randomUUID(),
      eventId: event.id,
      attempt: earlier + 1,
      responseCode: response.status,
      responseBody: response.body,
      error: response.error,
      durationMs: response.durationMs,
    });
    return attempts;
  }

  private async settle(
    event: WebhookEvent,
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

  private observeLatency(event: WebhookEvent): void {
    const now = Date.now();
    for (const from of ['internal_date', 'detected_at'] as const) {
      const value = event.metadata[from];
      const at = typeof value === 'string' ? Date.parse(value) : NaN;
      if (!Number.isNaN(at)) this.metrics.mailToWebhook.observe({ from }, Math.max(0, now - at) / 1000);
    }
  }
}
