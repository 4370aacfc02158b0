import { Processor, WorkerHost } from '@nestjs/bullmq';
import { type BeforeApplicationShutdown, Inject, type OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';
import type { Logger } from 'pino';

import { AppConfig, ROOT_LOGGER, WEBHOOKS_QUEUE, type WebhookDeliverJob } from '@app/core';

import { retryDelayMs } from './retry-schedule.js';
import { RetryableDeliveryError, WebhookDelivery } from './webhook-delivery.service.js';

/** How long a job waits before trying again when its partner already has its share of deliveries in flight. */
const PARTNER_BUSY_DELAY_MS = 250;
/** A receiver's Retry-After is honoured up to this long. */
const MAX_RETRY_AFTER_MS = 3600_000;
/** On shutdown, in-flight deliveries get this long to finish; the rest are retried by another worker. */
const DRAIN_MS = 5000;

/**
 * Consumes `webhook.deliver` jobs. Jobs start as soon as they are queued; WEBHOOK_CONCURRENCY run at once,
 * at most WEBHOOK_PARTNER_CONCURRENCY per partner. A failed attempt puts the job back, delayed by the
 * retry schedule, until WEBHOOK_MAX_ATTEMPTS; the last attempt marks the event failed instead.
 */
@Processor(WEBHOOKS_QUEUE, {
  // A live worker renews its locks every 5 s, however long a request takes; a killed worker's jobs are
  // taken over within ~15 s. Stalls never fail a job for good: the event stays pending until settled.
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 1000,
})
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly inFlightByPartner = new Map<string, number>();
  private readonly logger: Logger;

  constructor(
    private readonly delivery: WebhookDelivery,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    super();
    this.logger = logger.child({ component: 'delivery' });
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WEBHOOK_CONCURRENCY;
  }

  /** Stops taking jobs and lets in-flight deliveries finish, but never past the shutdown deadline. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.pause(true);
    const deadline = Date.now() + DRAIN_MS;
    while (this.inFlightByPartner.size > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Jobs still running are left to BullMQ's stalled-job check: another worker delivers them.
    await this.worker.close(true);
  }

  async process(job: Job<WebhookDeliverJob>, token?: string): Promise<string> {
    const { eventId } = job.data;
    const attempt = job.data.attempt ?? 1;
    const partnerId = await this.delivery.partnerOf(eventId);
    if (!partnerId) return 'not_found';
    const inFlight = this.inFlightByPartner.get(partnerId) ?? 0;
    if (inFlight >= this.config.WEBHOOK_PARTNER_CONCURRENCY) {
      await this.retryLater(job, token, PARTNER_BUSY_DELAY_MS * (1 + Math.random()));
    }
    this.inFlightByPartner.set(partnerId, inFlight + 1);
    try {
      return await this.delivery.deliver(eventId, attempt >= this.config.WEBHOOK_MAX_ATTEMPTS);
    } catch (error) {
      if (!(error instanceof RetryableDeliveryError)) throw error;
      await job.updateData({ eventId, attempt: attempt + 1 });
      const scheduled = retryDelayMs(attempt, this.config.WEBHOOK_BACKOFF);
      const requested = Math.min((error.notBeforeSeconds ?? 0) * 1000, MAX_RETRY_AFTER_MS);
      const delayMs = Math.max(scheduled, requested);
      this.logger.info(
        { eventId, attempt, nextRetryAt: new Date(Date.now() + delayMs).toISOString() },
        'webhook retry',
      );
      return this.retryLater(job, token, delayMs);
    } finally {
      const left = (this.inFlightByPartner.get(partnerId) ?? 1) - 1;
      if (left > 0) this.inFlightByPartner.set(partnerId, left);
      else this.inFlightByPartner.delete(partnerId);
    }
  }

  private async retryLater(job: Job<WebhookDeliverJob>, token: string | undefined, delayMs: number): Promise<never> {
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }
}
