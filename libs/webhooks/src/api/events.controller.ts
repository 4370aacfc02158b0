import { Controller, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';

import { setNextCursorHeader } from '@app/core';
import { ErrorBodySchema } from '@app/core/http';
import { CurrentPartner, type Partner } from '@app/partners';
import { PartnerApi } from '@app/partners/http';

import { EventResponse } from '../dto/event.response.js';
import { ListEventsQuery } from '../dto/list-events.query.js';
import { type EventRow, EventsService } from '../events.service.js';
import type { TransmitLog } from '../transmit-log.entity.js';

@ApiTags('events')
@PartnerApi()
@Controller('api/v1/events')
export class EventsController {
  constructor(private readonly events: EventsService) {}

  @Get()
  @ApiOperation({
    summary: 'List webhook events, oldest first; filter by status, user tag and time.',
    description: 'Paginated: when more events follow, the X-Next-Cursor header holds the `cursor` of the next page.',
  })
  @ApiOkResponse({ type: [EventResponse] })
  async list(
    @CurrentPartner() partner: Partner,
    @Query() query: ListEventsQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventResponse[]> {
    const page = await this.events.list(partner.id, query);
    setNextCursorHeader(response, page.nextCursor);
    return page.rows.map((row) => toResponse(row));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one event with every delivery attempt.' })
  @ApiOkResponse({ type: EventResponse })
  @ApiNotFoundResponse({ type: ErrorBodySchema })
  async get(@CurrentPartner() partner: Partner, @Param('id') id: string): Promise<EventResponse> {
    const { row, attempts } = await this.events.get(partner.id, id);
    return toResponse(row, attempts);
  }

  @Post(':id/redeliver')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send an event again, with the same webhook-id.' })
  @ApiOkResponse({ type: EventResponse })
  @ApiNotFoundResponse({ type: ErrorBodySchema })
  @ApiConflictResponse({ type: ErrorBodySchema, description: 'The message body is no longer retained.' })
  async redeliver(@CurrentPartner() partner: Partner, @Param('id') id: string): Promise<EventResponse> {
    return toResponse(await this.events.redeliver(partner.id, id));
  }
}

function toResponse({ event, userTag }: EventRow, attempts?: TransmitLog[]): EventResponse {
  const { envelope, uid, uid_validity, size, truncated, sha1, internal_date } = event.metadata;
  return {
    id: event.id,
    type: event.type,
    status: event.status,
    attempts: event.attempts,
    user_tag: userTag,
    user_id: event.userId,
    last_error: event.lastError,
    details: { uid, uid_validity, size, truncated, sha1, internal_date, envelope },
    created_at: event.createdAt.toISOString(),
    delivered_at: event.deliveredAt?.toISOString() ?? null,
    ...(attempts
      ? {
          delivery_attempts: attempts.map((log) => ({
            attempt: log.attempt,
            response_code: log.responseCode,
            response_body: log.responseBody,
            error: log.error,
            duration_ms: log.durationMs,
            created_at: log.createdAt.toISOString(),
          })),
        }
      : {}),
  };
}
