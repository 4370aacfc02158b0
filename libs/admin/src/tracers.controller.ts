import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';

import { isUuid } from '@app/core';
import { TRACER_STATUSES, TracerLogs, type TracerStatus } from '@app/tracers';

import { queryText } from './pages/forms.js';
import { PAGE_SIZE } from './pages/lists.js';
import { sendPage } from './pages/responses.js';
import { type TracerFilter, tracersPage } from './pages/tracer-pages.js';
import { signedInAdmin } from './session/session-ops.js';

/** Tracer logs across partners, newest first, by user, connection and status, with their latency. */
@ApiExcludeController()
@Controller('admin/tracers')
export class TracersController {
  constructor(private readonly tracers: TracerLogs) {}

  @Get()
  async list(@Query() query: unknown, @Res() response: Response): Promise<void> {
    const filter: TracerFilter = {
      user: queryText(query, 'user'),
      tag: queryText(query, 'tag'),
      connection: queryText(query, 'connection'),
      status: queryText(query, 'status'),
    };
    // A malformed id matches nothing rather than failing: the filter form is free text.
    const none = '00000000-0000-0000-0000-000000000000';
    const id = (text: string) => (text ? (isUuid(text) ? text : none) : undefined);
    const page = await this.tracers.operatorPage(
      {
        userId: id(filter.user),
        connectionId: id(filter.connection),
        tag: filter.tag || undefined,
        status: (TRACER_STATUSES as readonly string[]).includes(filter.status)
          ? (filter.status as TracerStatus)
          : undefined,
      },
      { limit: PAGE_SIZE, cursor: queryText(query, 'cursor') || undefined },
    );
    sendPage(
      response,
      200,
      tracersPage({ admin: signedInAdmin(response), rows: page.rows, filter, nextCursor: page.nextCursor }),
    );
  }
}
