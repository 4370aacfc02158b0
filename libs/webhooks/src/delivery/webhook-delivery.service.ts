import { randomUUID } from 'node:crypto';

import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { Repository } from 'typeorm';

import { AppConfig, ROOT_LOGGER } from '@app/core';
import { type Partner, PartnersService } from '@app/partners';
import { UserDirectory, UsersService } from '@app/users';

import { EventOutbox } from '../event-outbox.service.js';
import { TransmitLog } from '../transmit-log.entity.js';
import { WebhookEvent, type WebhookEventType } from '../webhook-event.entity.js';
import { buildPayload } from './payload-builder.js';
import { standardWebhookSignature } from './signatures.js';
import { WebhookMetrics } from './webhook-metrics.service.js';
import { sendWebhook, type WebhookResponse } from './webhook-sender.js';

/** The attempt failed and should be retried; `notBeforeSeconds` is the receiver's Retry-After, if any. */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly notBeforeSeconds: number | null = null,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

export type DeliveryOutcome = 'delivered' | 'archived' | 'skipped' | 'failed' | 'not_pending';

const USER_AGENT = 'SuperIMAP/0.2 (+webhooks)';

/**
 * Delivers one outbox event: builds the seed payload, signs it both ways, POSTs it, logs the attempt,
 * and settles the event (delivered, archived on 403, skipped without URL, failed after the last attempt).
 */
@Injectable()
export class WebhookDelivery {
  private readonly logger: Logger;

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
  }

  async partnerOf(eventId: string): Promise<string | null> {
    const event = await this.events.findOne({ select: { partnerId: true }, where: { id: eventId } });
    return event?.partnerId ?? null;
  }

  /** Throws RetryableDeliveryError when the attempt failed and `lastAttempt` is false. */
  async deliver(eventId: string, lastAttempt: boolean): Promise<DeliveryOutcome> {
    const event = await this.events.findOneBy({ id: eventId });
    if (!event || event.status !== 'pending') return 'not_pending';
    const partner = await this.partners.get(event.partnerId);
    const url = webhookUrl(partner, event.type);
    const target = event.userId ? await this.directory.deliveryTarget(event.userId) : null;
    if (!url || !target) {
      const reason = !url ? `the partner has no ${event.type} webhook URL` : 'the user no longer exists';
      await this.settle(event, 'skipped', reason);
      this.metrics.deliveries.inc({ event: event.type, result: 'skipped' });
      return 'skipped';
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
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': standardWebhookSignature(keys.webhookSecrets, event.id, timestamp, body),
      },
    });
    const attempt = await this.logAttempt(event, response);
    this.metrics.duration.observe({ event: event.type }, response.durationMs / 1000);
    return this.conclude(event, target.enableTracer, response, attempt, lastAttempt);
  }

  private async conclude(
    event: WebhookEvent,
    tracerUser: boolean,
    response: WebhookResponse,
    attempt: number,
    lastAttempt: boolean,
  ): Promise<DeliveryOutcome> {
    const status = response.status;
    if (status !== null && status >= 200 && status < 300) {
      await this.settle(event, 'delivered', null);
      this.metrics.deliveries.inc({ event: event.type, result: 'delivered' });
      this.observeLatency(event);
      return 'delivered';
    }
    if (status === 403) {
      // The seed's contract: 403 means "stop sending me this user". Tracer mailboxes are ours, so kept.
      if (!tracerUser && event.userId) await this.users.archiveRejected(event.userId);
      await this.settle(
        event,
        'delivered',
        tracerUser ? 'partner answered 403' : 'partner answered 403; user archived',
      );
      this.metrics.deliveries.inc({ event: event.type, result: 'forbidden' });
      return 'archived';
    }
    const reason = status === null ? (response.error ?? 'request failed') : `HTTP ${status}`;
    this.metrics.deliveries.inc({ event: event.type, result: 'error' });
    if (lastAttempt) {
      await this.settle(event, 'failed', reason);
      this.logger.warn({ eventId: event.id, attempt, reason }, 'webhook failed for good');
      return 'failed';
    }
    await this.events.update({ id: event.id }, { lastError: reason });
    const retryAfter = status === 429 || status === 503 ? response.retryAfterSeconds : null;
    throw new RetryableDeliveryError(`attempt ${attempt} failed: ${reason}`, retryAfter);
  }

  private async logAttempt(event: WebhookEvent, response: WebhookResponse): Promise<number> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [[{ attempts }]]: [{ attempts: number }[], number] = await this.events.query(
      'UPDATE webhook_events SET attempts = attempts + 1, updated_at = now() WHERE id = $1 RETURNING attempts',
      [event.id],
    );
    await this.transmitLogs.insert({
      id: randomUUID(),
      eventId: event.id,
      attempt: attempts,
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

function webhookUrl(partner: Partner, type: WebhookEventType): string | null {
  if (type === 'new_mail') return partner.newMailWebhook;
  if (type === 'user_connected') return partner.userConnectedWebhook;
  return partner.userDisconnectedWebhook;
}
