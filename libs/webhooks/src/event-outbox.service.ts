import { randomUUID } from 'node:crypto';

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type { EntityManager } from 'typeorm';

import { SecretBox, WEBHOOK_DELIVER_JOB, type WebhookDeliverJob, WEBHOOKS_QUEUE } from '@app/core';

import { WebhookEvent, type WebhookEventType } from './webhook-event.entity.js';

export interface NewEvent {
  partnerId: string;
  userId: string | null;
  type: WebhookEventType;
  metadata: Record<string, unknown>;
  /** The raw message for new_mail; stored encrypted. */
  body?: Buffer | null;
}

/** Writes events into the outbox (inside the caller's transaction) and queues their delivery. */
@Injectable()
export class EventOutbox {
  constructor(
    private readonly secretBox: SecretBox,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<WebhookDeliverJob>,
  ) {}

  /** Inserts a pending event with the caller's transaction; enqueue it after the commit. */
  async record(manager: EntityManager, event: NewEvent): Promise<string> {
    const id = randomUUID();
    const body = event.body
      ? this.secretBox.encrypt(event.body, { table: 'webhook_events', column: 'body', id })
      : null;
    const row: Partial<WebhookEvent> = {
      id,
      partnerId: event.partnerId,
      userId: event.userId,
      type: event.type,
      status: 'pending',
      metadata: event.metadata,
      body,
      attempts: 0,
      lastError: null,
      deliveredAt: null,
    };
    await manager
      .createQueryBuilder()
      .insert()
      .into(WebhookEvent)
      .values(row as object)
      .execute();
    return id;
  }

  /**
   * Queues delivery; the job id is the event id, so queueing an event twice is harmless. The worker owns
   * the retry schedule, so producers need not share its settings.
   */
  async enqueue(eventId: string, partnerId?: string): Promise<void> {
    await this.queue.add(WEBHOOK_DELIVER_JOB, jobData(eventId, partnerId), { jobId: eventId });
  }

  /** Queues many events in one Redis round trip (a sync that brought many messages). */
  async enqueueMany(events: { eventId: string; partnerId?: string }[]): Promise<void> {
    if (events.length === 0) return;
    await this.queue.addBulk(
      events.map(({ eventId, partnerId }) => ({
        name: WEBHOOK_DELIVER_JOB,
        data: jobData(eventId, partnerId),
        opts: { jobId: eventId },
      })),
    );
  }

  /**
   * Queues an event again, replacing a job that already ended (a redelivery keeps the event id).
   * Returns false when the event still had a live job (nothing was queued).
   */
  async requeue(eventId: string, partnerId?: string): Promise<boolean> {
    const job = await this.queue.getJob(eventId);
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return false;
      await job.remove();
    }
    await this.enqueue(eventId, partnerId);
    return true;
  }

  readBody(event: Pick<WebhookEvent, 'id' | 'body'>): Buffer | null {
    return event.body
      ? this.secretBox.decryptToBuffer(event.body, { table: 'webhook_events', column: 'body', id: event.id })
      : null;
  }
}

function jobData(eventId: string, partnerId: string | undefined): WebhookDeliverJob {
  return partnerId ? { eventId, partnerId } : { eventId };
}
