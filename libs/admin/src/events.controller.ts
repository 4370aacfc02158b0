import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { AuditLog } from '@app/operators';
import { PartnersService } from '@app/partners';
import { EventsService, WEBHOOK_EVENT_STATUSES, type WebhookEventStatus } from '@app/webhooks';

import { actor } from './admin-actor.js';
import { confirmPage } from './pages/confirm-page.js';
import { type EventFilter, eventPage, eventsPage } from './pages/event-pages.js';
import { queryText } from './pages/forms.js';
import { PAGE_SIZE } from './pages/lists.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The webhook outbox: filter, each event's attempts, redeliver one, redeliver every failed one of a filter. */
@ApiExcludeController()
@Controller('admin/events')
export class EventsController {
  constructor(
    private readonly events: EventsService,
    private readonly partners: PartnersService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Query() query: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const filter = filterOf(query);
    const page = await this.events.operatorPage(
      {
        partnerId: UUID.test(filter.partner) ? filter.partner : undefined,
        status: statusOf(filter.status),
        type: filter.type || undefined,
        since: timeOf(filter.since),
        until: timeOf(filter.until),
      },
      { limit: PAGE_SIZE, cursor: queryText(query, 'cursor') || undefined },
    );
    sendPage(
      response,
      200,
      eventsPage({
        admin: signedInAdmin(response),
        partners: await this.partners.list(),
        events: page.events,
        filter,
        nextCursor: page.nextCursor,
        notice: takeNotice(request),
      }),
    );
  }

  @Get('redeliver-failed')
  confirmRedeliverFailed(@Query() query: unknown, @Res() response: Response): void {
    const filter = filterOf(query);
    const scope = [
      UUID.test(filter.partner) ? 'of the chosen partner' : 'of every partner',
      timeOf(filter.since) ? `created since ${filter.since} UTC` : 'of any time',
    ].join(', ');
    const params = new URLSearchParams();
    if (UUID.test(filter.partner)) params.set('partner', filter.partner);
    if (timeOf(filter.since)) params.set('since', filter.since);
    sendPage(
      response,
      200,
      confirmPage({
        admin: signedInAdmin(response),
        section: '/admin/events',
        title: 'Redeliver every failed event?',
        message: `Every failed event ${scope} is sent again, with its original webhook-id.`,
        action: `/admin/events/redeliver-failed${params.size ? `?${params.toString()}` : ''}`,
        button: 'Redeliver failed events',
        cancel: '/admin/events',
      }),
    );
  }

  @Post('redeliver-failed')
  async redeliverFailed(@Query() query: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const filter = filterOf(query);
    const partnerId = UUID.test(filter.partner) ? filter.partner : undefined;
    const since = timeOf(filter.since);
    const count = await this.events.redeliverWhere({ status: 'failed', partnerId, since });
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'events.redeliver_failed',
      target: partnerId ?? null,
      details: { count, since: since?.toISOString() ?? null },
    });
    request.session.notice = `${count} failed event${count === 1 ? '' : 's'} queued for redelivery.`;
    response.redirect(303, '/admin/events');
  }

  @Get(':id')
  async show(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { row, attempts } = await this.events.operatorGet(id);
    const partner = await this.partners.get(row.event.partnerId);
    sendPage(
      response,
      200,
      eventPage({
        admin: signedInAdmin(response),
        event: row.event,
        partnerName: partner.name,
        userTag: row.userTag,
        attempts,
        notice: takeNotice(request),
      }),
    );
  }

  @Post(':id/redeliver')
  async redeliver(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { row } = await this.events.operatorGet(id);
    await this.events.redeliver(row.event.partnerId, id);
    await this.audit.record({ ...actor(request, signedInAdmin(response)), action: 'event.redeliver', target: id });
    request.session.notice = 'Event queued for redelivery.';
    response.redirect(303, `/admin/events/${id}`);
  }
}

function filterOf(query: unknown): EventFilter {
  return {
    partner: queryText(query, 'partner'),
    status: queryText(query, 'status'),
    type: queryText(query, 'type'),
    since: queryText(query, 'since'),
    until: queryText(query, 'until'),
  };
}

function statusOf(text: string): WebhookEventStatus | undefined {
  return (WEBHOOK_EVENT_STATUSES as readonly string[]).includes(text) ? (text as WebhookEventStatus) : undefined;
}

/** A datetime-local value, read as UTC. */
function timeOf(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text)) return undefined;
  const date = new Date(`${text}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
