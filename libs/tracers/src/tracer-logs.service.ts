import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { UserDirectory } from '@app/users';

import { TracerLog, type TracerStatus } from './tracer-log.entity.js';

export interface TracerLogFilter {
  /** Only these users' tracers (all users when absent). */
  userIds?: string[];
  /** Only tracers written at or after this time. */
  since: Date;
  limit?: number;
}

export interface TracerLogView {
  id: string;
  userId: string;
  userTag: string | null;
  roundId: string | null;
  status: TracerStatus;
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
  detectedAt: Date | null;
  latencySeconds: number | null;
}

/** Counts by status and the latency of the detected ones, over a window. */
export interface TracerSummary {
  since: Date;
  total: number;
  byStatus: Record<TracerStatus, number>;
  p50Seconds: number | null;
  p95Seconds: number | null;
  maxSeconds: number | null;
}

const DEFAULT_LIMIT = 100;

/** Reads tracer logs for people: the API, the CLI. */
@Injectable()
export class TracerLogs {
  constructor(
    @InjectRepository(TracerLog) private readonly logs: Repository<TracerLog>,
    private readonly directory: UserDirectory,
  ) {}

  /** Newest first. */
  async list(filter: TracerLogFilter): Promise<TracerLogView[]> {
    const rows = await this.filtered(filter)
      .orderBy('t.created_at', 'DESC')
      .addOrderBy('t.seq', 'ASC')
      .limit(filter.limit ?? DEFAULT_LIMIT)
      .getMany();
    const tags = await this.directory.tagsOf(rows.map((row) => row.userId));
    return rows.map((row) => ({
      id: row.id,
      userId: row.userId,
      userTag: tags.get(row.userId) ?? null,
      roundId: row.roundId,
      status: row.status,
      error: row.error,
      createdAt: row.createdAt,
      sentAt: row.sentAt,
      detectedAt: row.detectedAt,
      latencySeconds:
        row.detectedAt && row.sentAt ? Math.max(0, (row.detectedAt.getTime() - row.sentAt.getTime()) / 1000) : null,
    }));
  }

  async summary(filter: TracerLogFilter): Promise<TracerSummary> {
    const latency = 'extract(epoch FROM t.detected_at - t.sent_at)';
    const [figures] = await this.filtered(filter)
      .select('count(*)', 'total')
      .addSelect(`percentile_cont(0.5) WITHIN GROUP (ORDER BY ${latency})`, 'p50')
      .addSelect(`percentile_cont(0.95) WITHIN GROUP (ORDER BY ${latency})`, 'p95')
      .addSelect(`max(${latency})`, 'max')
      .getRawMany<{ total: string; p50: number | null; p95: number | null; max: string | null }>();
    const statuses = await this.filtered(filter)
      .select('t.status', 'status')
      .addSelect('count(*)', 'count')
      .groupBy('t.status')
      .getRawMany<{ status: TracerStatus; count: string }>();
    const byStatus: Record<TracerStatus, number> = { pending: 0, sent: 0, failed: 0, detected: 0, missing: 0 };
    for (const row of statuses) byStatus[row.status] = Number(row.count);
    const round = (value: number | string | null) => (value === null ? null : Math.round(Number(value) * 1000) / 1000);
    return {
      since: filter.since,
      total: Number(figures?.total ?? 0),
      byStatus,
      p50Seconds: round(figures?.p50 ?? null),
      p95Seconds: round(figures?.p95 ?? null),
      maxSeconds: round(figures?.max ?? null),
    };
  }

  private filtered(filter: TracerLogFilter) {
    const builder = this.logs.createQueryBuilder('t').where('t.created_at >= :since', { since: filter.since });
    if (filter.userIds) builder.andWhere('t.user_id = ANY(:userIds)', { userIds: filter.userIds });
    return builder;
  }
}
