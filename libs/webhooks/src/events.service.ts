import { Injectable, Optional } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { isUuid, keysetPage } from '@app/core';
import { UserDirectory } from '@app/users';

import type { ListEventsQuery } from './dto/list-events.query.js';
import { EventBodySource } from './event-body-source.js';
import { EventOutbox } from './event-outbox.service.js';
import { TransmitLog } from './transmit-log.entity.js';
import { WebhookEvent, type WebhookEventStatus } from './webhook-event.entity.js';
import { WebhookErrors } from './webhooks.errors.js';

export interface EventRow {
  event: WebhookEvent;
  userTag: string | null;
}

export interface EventPage {
  rows: EventRow[];
  nextCursor: string | null;
}

/** Reading the outbox and redelivering from it; partner-scoped like the rest of the API. */
@Injectable()
export class EventsService {
  constructor(
    @InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>,
    @InjectRepository(TransmitLog) private readonly transmitLogs: Repository<TransmitLog>,
    private readonly outbox: EventOutbox,
    private readonly directory: UserDirectory,
    @Optional() private readonly bodySource?: EventBodySource,
  ) {}

  async list(partnerId: string, query: ListEventsQuery): Promise<EventPage> {
    const builder = this.events.createQueryBuilder('event').where('event.partner_id = :partnerId', { partnerId });
    if (query.status) builder.andWhere('event.status = :status', { status: query.status });
    if (query.user_tag) {
      const userIds = await this.directory.idsWithTag(partnerId, query.user_tag);
      if (userIds.length === 0) return { rows: [], nextCursor: null };
      builder.andWhere('event.user_id IN (:...userIds)', { userIds });
    }
    if (query.since) builder.andWhere('event.created_at >= :since', { since: query.since });
    if (query.until) builder.andWhere('event.created_at < :until', { until: query.until });
    const page = await keysetPage(builder, 'event', query);
    const events = page.rows.map((row) => row.entity);
    const tags = await this.directory.tagsOf(events.flatMap((event) => (event.userId ? [event.userId] : [])));
    const rows = events.map((event) => ({ event, userTag: event.userId ? (tags.get(event.userId) ?? null) : null }));
    return { rows, nextCursor: page.nextCursor };
  }

  async get(partnerId: string, id: string): Promise<{ row: EventRow; attempts: TransmitLog[] }> {
    const row = await this.find(partnerId, id);
    const attempts = await this.transmitLogs.find({ where: { eventId: id }, order: { attempt: 'ASC' } });
    return { row, attempts };
  }

  /**
   * Sends an event again, with the same id (so the same webhook-id). A new round: its attempts start over
   * at 0 (the transmit logs keep every earlier attempt). A message whose body is no longer stored is read
   * again from its mailbox by UID, where that is possible (same UIDVALIDITY, same bytes).
   */
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

  /** Deletes delivered and failed events (with their attempts) older than `hours`; returns how many. */
  async purgeFinished(hours: number): Promise<number> {
    const result = await this.events
      .createQueryBuilder()
      .delete()
      .where("status IN ('delivered', 'failed')")
      .andWhere('created_at < now() - make_interval(secs => :seconds)', { seconds: hours * 3600 })
      .execute();
    return result.affected ?? 0;
  }

  private async reopen(event: WebhookEvent, strict = true): Promise<boolean> {
    if (event.status === 'pending') return true;
    if (event.type === 'new_mail' && event.body === null && event.metadata.truncated !== true) {
      if (!strict) return false;
      if (!this.bodySource || !event.userId) throw WebhookErrors.bodyNotRetained();
      const { uid, uid_validity: uidValidity, sha1 } = event.metadata;
      const source = await this.bodySource.refetch({
        eventId: event.id,
        userId: event.userId,
        uid: Number(uid),
        uidValidity: Number(uidValidity),
        sha1: typeof sha1 === 'string' ? sha1 : null,
      });
      await this.outbox.storeBody(event.id, source);
    }
    await this.events.update({ id: event.id }, { status: 'pending', attempts: 0, lastError: null, deliveredAt: null });
    await this.outbox.requeue(event.id, event.partnerId);
    return true;
  }

  private async find(partnerId: string, id: string): Promise<EventRow> {
    const notFound = WebhookErrors.eventNotFound(id);
    if (!isUuid(id)) throw notFound;
    const event = await this.events.findOneBy({ id, partnerId });
    if (!event) throw notFound;
    const tags = await this.directory.tagsOf(event.userId ? [event.userId] : []);
    return { event, userTag: event.userId ? (tags.get(event.userId) ?? null) : null };
  }

  /** How many events a partner has (what deleting it removes, on the admin pages). */
  async countForPartner(partnerId: string): Promise<number> {
    return this.events.countBy({ partnerId });
  }

  /** A user's latest events, newest first (admin pages). */
  async recentForUser(userId: string, limit = 20): Promise<WebhookEvent[]> {
    return this.events.find({ where: { userId }, order: { createdAt: 'DESC', id: 'DESC' }, take: limit });
  }

  /** Operators' list across partners (admin pages): newest first, by partner, status, type and time. */
  async operatorPage(
    filter: { partnerId?: string; status?: WebhookEventStatus; type?: string; since?: Date; until?: Date },
    query: { limit?: number; cursor?: string },
  ): Promise<{ events: WebhookEvent[]; nextCursor: string | null }> {
    const builder = this.events.createQueryBuilder('event');
    if (filter.partnerId) builder.andWhere('event.partner_id = :partnerId', { partnerId: filter.partnerId });
    if (filter.status) builder.andWhere('event.status = :status', { status: filter.status });
    if (filter.type) builder.andWhere('event.type = :type', { type: filter.type });
    if (filter.since) builder.andWhere('event.created_at >= :since', { since: filter.since });
    if (filter.until) builder.andWhere('event.created_at < :until', { until: filter.until });
    const page = await keysetPage(builder, 'event', query, 'DESC');
    return { events: page.rows.map((row) => row.entity), nextCursor: page.nextCursor };
  }

  /** One event of any partner, with its attempts (admin pages). */
  async operatorGet(id: string): Promise<{ row: EventRow; attempts: TransmitLog[] }> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw WebhookErrors.eventNotFound(id);
    const event = await this.events.findOneBy({ id });
    if (!event) throw WebhookErrors.eventNotFound(id);
    return this.get(event.partnerId, id);
  }
}
