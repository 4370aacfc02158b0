import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { decodeCursor, DomainError, encodeCursor, isUuid } from '@app/core';

import type { ListEventsQuery } from './dto/list-events.query.js';
import { EventOutbox } from './event-outbox.service.js';
import { TransmitLog } from './transmit-log.entity.js';
import { WebhookEvent, type WebhookEventStatus } from './webhook-event.entity.js';

export interface EventRow {
  event: WebhookEvent;
  userTag: string | null;
}

export interface EventPage {
  rows: EventRow[];
  nextCursor: string | null;
}

const DEFAULT_PAGE_SIZE = 100;

/** Reading the outbox and redelivering from it; partner-scoped like the rest of the API. */
@Injectable()
export class EventsService {
  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @InjectRepository(TransmitLog) private readonly transmitLogs: Repository<TransmitLog>,
    private readonly outbox: EventOutbox,
  ) {}

  async list(partnerId: string, query: ListEventsQuery): Promise<EventPage> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    // Keyset on (created_at, id) at microsecond precision; the cursor carries the exact text.
    const builder = this.events
      .createQueryBuilder('event')
      .leftJoin('users', 'owner', 'owner.id = event.user_id')
      .addSelect('owner.tag', 'user_tag')
      .addSelect('event.created_at::text', 'created_text')
      .where('event.partner_id = :partnerId', { partnerId })
      .orderBy('event.created_at', 'ASC')
      .addOrderBy('event.id', 'ASC')
      .limit(limit + 1);
    if (query.status) builder.andWhere('event.status = :status', { status: query.status });
    if (query.user_tag) builder.andWhere('lower(owner.tag) = lower(:tag)', { tag: query.user_tag });
    if (query.since) builder.andWhere('event.created_at >= :since', { since: query.since });
    if (query.until) builder.andWhere('event.created_at < :until', { until: query.until });
    if (query.cursor) {
      builder.andWhere(
        '(event.created_at, event.id) > (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))',
        decodeCursor(query.cursor),
      );
    }
    const { entities, raw } = await builder.getRawAndEntities<{ user_tag: string | null; created_text: string }>();
    const rows = entities.slice(0, limit).map((event, i) => ({ event, userTag: raw[i].user_tag }));
    const last = rows.length > 0 ? raw[rows.length - 1] : undefined;
    const nextCursor =
      entities.length > limit && last
        ? encodeCursor({ createdAt: last.created_text, id: rows[rows.length - 1].event.id })
        : null;
    return { rows, nextCursor };
  }

  async get(partnerId: string, id: string): Promise<{ row: EventRow; attempts: TransmitLog[] }> {
    const row = await this.find(partnerId, id);
    const attempts = await this.transmitLogs.find({ where: { eventId: id }, order: { attempt: 'ASC' } });
    return { row, attempts };
  }

  /** Sends an event again, with the same id (so the same webhook-id); its attempts start over. */
  async redeliver(partnerId: string, id: string): Promise<EventRow> {
    const row = await this.find(partnerId, id);
    await this.reopen(row.event);
    return this.find(partnerId, id);
  }

  /** Redelivers every event matching the filter; returns how many (the CLI's bulk redelivery). */
  async redeliverWhere(filter: { status: WebhookEventStatus; since?: Date; partnerId?: string }): Promise<number> {
    const builder = this.events.createQueryBuilder('event').where('event.status = :status', { status: filter.status });
    if (filter.since) builder.andWhere('event.created_at >= :since', { since: filter.since });
    if (filter.partnerId) builder.andWhere('event.partner_id = :partnerId', { partnerId: filter.partnerId });
    let count = 0;
    for (const event of await builder.getMany()) {
      if (await this.reopen(event, false)) count++;
    }
    return count;
  }

  private async reopen(event: WebhookEvent, strict = true): Promise<boolean> {
    if (event.status === 'pending') return true;
    if (event.type === 'new_mail' && event.body === null && event.metadata.truncated !== true) {
      if (!strict) return false;
      throw new DomainError('Conflict', 'The message body of this event is no longer retained; it cannot be resent');
    }
    await this.events.update({ id: event.id }, { status: 'pending', lastError: null, deliveredAt: null });
    await this.outbox.requeue(event.id);
    return true;
  }

  private async find(partnerId: string, id: string): Promise<EventRow> {
    const notFound = new DomainError('EventNotFound', `Event not found: ${id}`);
    if (!isUuid(id)) throw notFound;
    const { entities, raw } = await this.events
      .createQueryBuilder('event')
      .leftJoin('users', 'owner', 'owner.id = event.user_id')
      .addSelect('owner.tag', 'user_tag')
      .where('event.id = :id AND event.partner_id = :partnerId', { id, partnerId })
      .getRawAndEntities<{ user_tag: string | null }>();
    if (entities.length === 0) throw notFound;
    return { event: entities[0], userTag: raw[0].user_tag };
  }
}
