import { Processor, WorkerHost } from '@nestjs/bullmq';
import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, type Job } from 'bullmq';

import { AppConfig, WEBHOOKS_QUEUE, type WebhookDeliverJob } from '@app/core';

import { type DeliveryOutcome, WebhookDelivery } from './webhook-delivery.service.js';

/** On shutdown, in-flight deliveries get this long to finish; the rest are retried by another worker. */
const DRAIN_MS = 5000;

/**
 * Consumes `webhook.deliver` jobs, WEBHOOK_CONCURRENCY at once. WebhookDelivery decides everything
 * (partner share, retry budget, schedule); this only parks the job until its next attempt.
 */
@Processor(WEBHOOKS_QUEUE, {
  // A live worker renews its locks every 5 s, however long a request takes; a killed worker's jobs are
  // taken over within ~15 s. Stalls never fail a job for good: the event stays pending until settled.
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 1000,
})
export class WebhookDeliveryProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly delivery: WebhookDelivery,
    private readonly config: AppConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.WEBHOOK_CONCURRENCY;
  }

  /** Stops taking jobs and lets in-flight deliveries finish, but never past the shutdown deadline. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.worker.pause(true);
    const deadline = Date.now() + DRAIN_MS;
    while (this.delivery.inFlight > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // Jobs still running are left to BullMQ's stalled-job check: another worker delivers them.
    await this.worker.close(true);
  }

  async process(job: Job<WebhookDeliverJob>, token?: string): Promise<DeliveryOutcome> {
    const result = await this.delivery.attempt(job.data.eventId, job.data.partnerId);
    if ('done' in result) return result.done;
    await job.moveToDelayed(Date.now() + result.retryInMs, token);
    throw new DelayedError();
  }
}
