import { randomUUID } from 'node:crypto';

import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { EntityManager, Repository } from 'typeorm';

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
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
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
  async enqueue(eventId: string): Promise<void> {
    await this.queue.add(WEBHOOK_DELIVER_JOB, { eventId }, { jobId: eventId });
  }

  /** Queues an event again, replacing a job that already ended (a redelivery keeps the event id). */
  async requeue(eventId: string): Promise<void> {
    const job = await this.queue.getJob(eventId);
    if (job) {
      const state = await job.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      await job.remove();
    }
    await this.enqueue(eventId);
  }

  /** Stores a message body again (read back from the mailbox for a redelivery), encrypted like the first. */
  async storeBody(eventId: string, body: Buffer): Promise<void> {
    const sealed = this.secretBox.encrypt(body, { table: 'webhook_events', column: 'body', id: eventId });
    await this.events.update({ id: eventId }, { body: sealed });
  }

  readBody(event: WebhookEvent): Buffer | null {
    return event.body
      ? this.secretBox.decryptToBuffer(event.body, { table: 'webhook_events', column: 'body', id: event.id })
      : null;
  }
}
