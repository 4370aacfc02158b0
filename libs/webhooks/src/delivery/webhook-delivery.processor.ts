import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';

import { AppConfig, WEBHOOKS_QUEUE, type WebhookDeliverJob } from '@app/core';

import { WebhookDelivery } from './webhook-delivery.service.js';

/** How long a job waits before trying again when its partner already has its share of deliveries in flight. */
const PARTNER_BUSY_DELAY_MS = 250;

/**
 * Consumes `webhook.deliver` jobs. Jobs start as soon as they are queued; WEBHOOK_CONCURRENCY run at once,
 * at most WEBHOOK_PARTNER_CONCURRENCY per partner. Failed attempts throw, so BullMQ retries them with
 * exponential backoff and jitter; the last attempt marks the event failed instead.
 */
@Processor(WEBHOOKS_QUEUE, {
  // A killed worker's jobs are taken over after the lock expires; stalls never fail a job for good.
  lockDuration: 60_000,
  stalledInterval: 15_000,
  maxStalledCount: 1000,
})
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly inFlightByPartner = new Map<string, number>();

  constructor(
    private readonly delivery: WebhookDelivery,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WEBHOOK_CONCURRENCY;
  }

  async process(job: Job<WebhookDeliverJob>, token?: string): Promise<string> {
    const { eventId } = job.data;
    const partnerId = await this.delivery.partnerOf(eventId);
    if (!partnerId) return 'not_found';
    const inFlight = this.inFlightByPartner.get(partnerId) ?? 0;
    if (inFlight >= this.config.WEBHOOK_PARTNER_CONCURRENCY) {
      await job.moveToDelayed(Date.now() + PARTNER_BUSY_DELAY_MS + Math.random() * PARTNER_BUSY_DELAY_MS, token);
      throw new DelayedError();
    }
    this.inFlightByPartner.set(partnerId, inFlight + 1);
    try {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      return await this.delivery.deliver(eventId, lastAttempt);
    } finally {
      const left = (this.inFlightByPartner.get(partnerId) ?? 1) - 1;
      if (left > 0) this.inFlightByPartner.set(partnerId, left);
      else this.inFlightByPartner.delete(partnerId);
    }
  }
}
