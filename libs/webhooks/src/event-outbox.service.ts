import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Queue } from 'bullmq';
import type { EntityManager, Repository } from 'typeorm';

import {
  GroupedFlush,
  SecretBox,
  timeOrderedId,
  WEBHOOK_DELIVER_JOB,
  type WebhookDeliverJob,
  WEBHOOKS_QUEUE,
} from '@app/core';

import { WebhookEvent, type WebhookEventType } from './webhook-event.entity.js';

/** Jobs queued in one Redis round trip at most (one MULTI of BullMQ's add script per job). */
const JOBS_PER_ROUND_TRIP = 200;

interface QueuedEvent {
  eventId: string;
  partnerId?: string;
}

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
  /** Every session of an imap-client queues through this: under a burst, many syncs share a round trip. */
  private readonly bulkAdds = new GroupedFlush<QueuedEvent>((events) => this.addBulk(events), JOBS_PER_ROUND_TRIP);

  constructor(
    private readonly secretBox: SecretBox,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly queue: Queue<WebhookDeliverJob>,
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
  ) {}

  /** Inserts a pending event with the caller's transaction; enqueue it after the commit. */
  async record(manager: EntityManager, event: NewEvent): Promise<string> {
    const statement = this.insertStatement(event, 1, '');
    await manager.query(statement.sql, statement.params);
    return statement.id;
  }

  /**
   * The event's INSERT, for a caller that runs it inside one larger statement (the mail pipeline's single
   * round trip): `INSERT … SELECT <values> <fromSql>`, placeholders from `$first` on. A new id is drawn.
   */
  insertStatement(event: NewEvent, first: number, fromSql: string): { id: string; sql: string; params: unknown[] } {
    const id = timeOrderedId();
    const body = event.body
      ? this.secretBox.encrypt(event.body, { table: 'webhook_events', column: 'body', id })
      : null;
    const params = [id, event.partnerId, event.userId, event.type, JSON.stringify(event.metadata), body];
    const [p1, p2, p3, p4, p5, p6] = params.map((_, offset) => `$${first + offset}`);
    return {
      id,
      sql: `INSERT INTO webhook_events (id, partner_id, user_id, type, status, metadata, body, attempts)
            SELECT ${p1}::uuid, ${p2}::uuid, ${p3}::uuid, ${p4}::text, 'pending', ${p5}::jsonb, ${p6}::text, 0 ${fromSql}`,
      params,
    };
  }

  /**
   * Queues delivery; the job id is the event id, so queueing an event twice is harmless. The worker owns
   * the retry schedule, so producers need not share its settings.
   */
  async enqueue(eventId: string, partnerId?: string): Promise<void> {
    await this.queue.add(WEBHOOK_DELIVER_JOB, jobData(eventId, partnerId), { jobId: eventId });
  }

  /**
   * Queues events together: those of one sync, and those other callers queue while a round trip is in
   * flight, go in one Redis round trip.
   */
  async enqueueMany(events: QueuedEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.bulkAdds.submit(events);
  }

  private async addBulk(events: QueuedEvent[]): Promise<void> {
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

  /** Stores a message body again (read back from the mailbox for a redelivery), encrypted like the first. */
  async storeBody(eventId: string, body: Buffer): Promise<void> {
    const sealed = this.secretBox.encrypt(body, { table: 'webhook_events', column: 'body', id: eventId });
    await this.events.update({ id: eventId }, { body: sealed });
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
