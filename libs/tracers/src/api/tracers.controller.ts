import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';

import { CurrentPartner, type Partner } from '@app/partners';
import { PartnerApi } from '@app/partners/http';
import { UsersService } from '@app/users';

import { TracerLogs } from '../tracer-logs.service.js';
import { ListTracersQuery } from './list-tracers.query.js';
import { TracerListResponse } from './tracer.response.js';

@ApiTags('tracers')
@PartnerApi()
@Controller('api/v1/connections/:code/users/:tag/tracers')
export class TracersController {
  constructor(
    private readonly users: UsersService,
    private readonly logs: TracerLogs,
  ) {}

  @Get()
  @ApiOperation({
    summary: "A user's tracer emails, newest first, with p50/p95 latency over the window.",
    description: 'The window is the last `hours` hours (24 by default).',
  })
  @ApiOkResponse({ type: TracerListResponse })
  async list(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Param('tag') tag: string,
    @Query() query: ListTracersQuery,
  ): Promise<TracerListResponse> {
    const user = await this.users.get(partner.id, code, tag);
    const filter = { userIds: [user.id], since: new Date(Date.now() - query.hours * 3600_000), limit: query.limit };
    const [tracers, summary] = await Promise.all([this.logs.list(filter), this.logs.summary(filter)]);
    return {
      summary: {
        since: summary.since.toISOString(),
        total: summary.total,
        by_status: summary.byStatus,
        p50_seconds: summary.p50Seconds,
        p95_seconds: summary.p95Seconds,
        max_seconds: summary.maxSeconds,
      },
      tracers: tracers.map((tracer) => ({
        id: tracer.id,
        status: tracer.status,
        error: tracer.error,
        created_at: tracer.createdAt.toISOString(),
        sent_at: tracer.sentAt?.toISOString() ?? null,
        detected_at: tracer.detectedAt?.toISOString() ?? null,
        latency_seconds: tracer.latencySeconds,
      })),
    };
  }
}
