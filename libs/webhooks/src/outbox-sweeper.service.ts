import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { Repository } from 'typeorm';

import {
  AppConfig,
  OUTBOX_QUEUE,
  OUTBOX_SWEEP_JOB,
  OUTBOX_SWEEP_SCHEDULER,
  ROOT_LOGGER,
  WEBHOOKS_QUEUE,
  type WebhookDeliverJob,
} from '@app/core';

import { WebhookMetrics } from './delivery/webhook-metrics.service.js';
import { EventOutbox } from './event-outbox.service.js';
import { WebhookEvent } from './webhook-event.entity.js';

const BATCH = 500;
/** Events younger than this are presumably being enqueued by their writer right now. */
const GRACE_MS = 5000;
/** Job lookups sent to Redis at once (ioredis pipelines them on one connection). */
const JOB_CHECKS_AT_ONCE = 50;

/**
 * Re-queues pending events that have no live job: the writer died between commit and enqueue,
 * or Redis lost its data. PostgreSQL is the record; the queue can always be rebuilt from it.
 * `sweep()` runs as a BullMQ job (OutboxSweepProcessor) from one job scheduler shared by the cluster,
 * so the sweep runs once per OUTBOX_SWEEP_INTERVAL however many workers there are.
 */
@Injectable()
export class OutboxSweeper implements OnApplicationBootstrap {
  private readonly logger: Logger;

  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<WebhookDeliverJob>,
    @InjectQueue(OUTBOX_QUEUE) private readonly outboxQueue: Queue,
    private readonly outbox: EventOutbox,
    private readonly metrics: WebhookMetrics,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'outbox-sweeper' });
  }

  /** Not awaited: with Redis down at boot the worker must still start and answer /health (503). */
  onApplicationBootstrap(): void {
    const scheduleSafely = () =>
      void this.schedule().catch((error: unknown) => this.logger.error({ err: error }, 'could not schedule the sweep'));
    scheduleSafely();
    // A Redis that restarted empty lost the scheduler too: every (re)connection puts it back.
    void this.outboxQueue
      .getBackend()
      .client.then((client) => client.on('ready', scheduleSafely))
      .catch((error: unknown) => this.logger.error({ err: error }, 'could not watch the outbox queue connection'));
  }

  /**
   * Creates the cluster's sweep scheduler, or leaves it as it is: every worker calls this with the same
   * settings, and an unchanged scheduler keeps its next run (a new one runs at once).
   */
  async schedule(): Promise<void> {
    await this.outboxQueue.upsertJobScheduler(
      OUTBOX_SWEEP_SCHEDULER,
      { every: this.config.OUTBOX_SWEEP_INTERVAL * 1000 },
      { name: OUTBOX_SWEEP_JOB, opts: { removeOnComplete: true, removeOnFail: 100 } },
    );
  }

  /** One pass over the pending events; returns how many were re-queued. */
  async sweep(): Promise<number> {
    let requeued = 0;
    const cutoff = new Date(Date.now() - GRACE_MS);
    let after = { createdAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
    for (;;) {
      // created_at travels as text: a JS Date would drop the microseconds the keyset needs.
      const pending: { id: string; created_at: string }[] = await this.events.query(
        `SELECT id, created_at::text AS created_at FROM webhook_events
          WHERE status = 'pending' AND created_at < $1 AND (created_at, id) > ($2::timestamptz, $3::uuid)
          ORDER BY created_at, id LIMIT ${BATCH}`,
        [cutoff, after.createdAt, after.id],
      );
      requeued += await this.requeueOrphans(pending.map((event) => event.id));
      if (pending.length < BATCH) break;
      const last = pending[pending.length - 1];
      after = { createdAt: last.created_at, id: last.id };
    }
    if (requeued > 0) {
      this.metrics.sweepRequeued.inc(requeued);
      this.logger.warn({ requeued }, 're-queued pending events that had no job');
    }
    await this.dropExpiredBodies();
    return requeued;
  }

  /**
   * Re-queues those of `eventIds` that have no live job. The rows were read pending BEFORE their jobs were
   * looked at, and a job completes only after its row is settled: a job found ended (or removed) may belong
   * to an event delivered since the read. So the rows of the candidates are read again after the job check:
   * only one still pending with no live job is an orphan (the worker died mid-update, Redis lost it).
   */
  private async requeueOrphans(eventIds: string[]): Promise<number> {
    const candidates: string[] = [];
    for (let start = 0; start < eventIds.length; start += JOB_CHECKS_AT_ONCE) {
      const chunk = eventIds.slice(start, start + JOB_CHECKS_AT_ONCE);
      const live = await Promise.all(chunk.map((eventId) => this.hasLiveJob(eventId)));
      chunk.forEach((eventId, index) => {
        if (!live[index]) candidates.push(eventId);
      });
    }
    if (candidates.length === 0) return 0;
    const orphans: { id: string; partner_id: string }[] = await this.events.query(
      `SELECT id, partner_id FROM webhook_events WHERE id = ANY($1::uuid[]) AND status = 'pending'`,
      [candidates],
    );
    let requeued = 0;
    // Its retry budget is the row's, so the new job goes on counting where the old one stopped.
    for (const orphan of orphans) if (await this.outbox.requeue(orphan.id, orphan.partner_id)) requeued++;
    return requeued;
  }

  private async hasLiveJob(eventId: string): Promise<boolean> {
    const job = await this.queue.getJob(eventId);
    if (!job) return false;
    const state = await job.getState();
    return state !== 'completed' && state !== 'failed' && state !== 'unknown';
  }

  /** With EVENT_BODY_RETENTION set, raw bodies of delivered events are dropped once they are old enough. */
  private async dropExpiredBodies(): Promise<void> {
    const hours = this.config.EVENT_BODY_RETENTION;
    if (hours <= 0) return;
    await this.events.query(
      `UPDATE webhook_events SET body = NULL
        WHERE status = 'delivered' AND body IS NOT NULL AND delivered_at < now() - make_interval(secs => $1)`,
      [hours * 3600],
    );
  }
}
