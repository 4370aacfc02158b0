import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { type Bucketed, bucketStartSql, type KeysetPage, keysetPage, type TimeWindow } from '@app/core';
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

/** The operator's filter of the tracer log page: one user, or every user of one connection. */
export interface OperatorTracerFilter {
  userId?: string;
  /** A user's tag, case-insensitively, in any connection. */
  tag?: string;
  connectionId?: string;
  status?: TracerStatus;
}

/** A tracer row with its user's tag and connection, for the operator's tracer log page. */
export interface OperatorTracerRow {
  log: TracerLogView;
  connectionId: string;
  providerCode: string;
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
    return rows.map((row) => ({ ...view(row), userTag: tags.get(row.userId) ?? null }));
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

  /** Latency (sent → detected) of the tracers detected in each bucket, and how many were sent. */
  async latencyPerBucket(
    window: TimeWindow,
  ): Promise<Bucketed<{ sent: number; detected: number; p50Seconds: number | null; p95Seconds: number | null }>[]> {
    const latency = 'extract(epoch FROM detected_at - sent_at)';
    const rows = await this.logs.query<
      { start: string; sent: string; detected: string; p50: number | null; p95: number | null }[]
    >(
      `SELECT ${bucketStartSql('created_at', '$2')} AS start,
              count(*) FILTER (WHERE sent_at IS NOT NULL) AS sent,
              count(*) FILTER (WHERE status = 'detected') AS detected,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${latency}) FILTER (WHERE status = 'detected') AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY ${latency}) FILTER (WHERE status = 'detected') AS p95
         FROM tracer_logs WHERE created_at >= $1 GROUP BY 1 ORDER BY 1`,
      [window.since, window.bucketSeconds],
    );
    const round = (value: number | null) => (value === null ? null : Math.round(Number(value) * 1000) / 1000);
    return rows.map((row) => ({
      start: Number(row.start),
      values: {
        sent: Number(row.sent),
        detected: Number(row.detected),
        p50Seconds: round(row.p50),
        p95Seconds: round(row.p95),
      },
    }));
  }

  /** Newest first, one page at a time, across partners (the admin pages). */
  async operatorPage(
    filter: OperatorTracerFilter,
    query: { limit?: number; cursor?: string },
  ): Promise<{ rows: OperatorTracerRow[]; nextCursor: string | null }> {
    const builder = this.logs
      .createQueryBuilder('t')
      .innerJoin('users', 'u', 'u.id = t.user_id')
      .innerJoin('partner_connections', 'c', 'c.id = u.partner_connection_id')
      .innerJoin('imap_providers', 'p', 'p.id = c.imap_provider_id')
      .addSelect('u.tag', 'user_tag')
      .addSelect('c.id', 'connection_id')
      .addSelect('p.code', 'provider_code');
    if (filter.userId) builder.andWhere('t.user_id = :userId', { userId: filter.userId });
    if (filter.connectionId)
      builder.andWhere('u.partner_connection_id = :connectionId', { connectionId: filter.connectionId });
    if (filter.tag) builder.andWhere('lower(u.tag) = lower(:tag)', { tag: filter.tag });
    if (filter.status) builder.andWhere('t.status = :status', { status: filter.status });
    const page: KeysetPage<TracerLog, { user_tag: string; connection_id: string; provider_code: string }> =
      await keysetPage(builder, 't', query, 'DESC');
    return {
      rows: page.rows.map(({ entity, raw }) => ({
        log: { ...view(entity), userTag: raw.user_tag },
        connectionId: raw.connection_id,
        providerCode: raw.provider_code,
      })),
      nextCursor: page.nextCursor,
    };
  }

  private filtered(filter: TracerLogFilter) {
    const builder = this.logs.createQueryBuilder('t').where('t.created_at >= :since', { since: filter.since });
    if (filter.userIds) builder.andWhere('t.user_id = ANY(:userIds)', { userIds: filter.userIds });
    return builder;
  }
}

function view(row: TracerLog): TracerLogView {
  return {
    id: row.id,
    userId: row.userId,
    userTag: null,
    roundId: row.roundId,
    status: row.status,
    error: row.error,
    createdAt: row.createdAt,
    sentAt: row.sentAt,
    detectedAt: row.detectedAt,
    latencySeconds:
      row.detectedAt && row.sentAt ? Math.max(0, (row.detectedAt.getTime() - row.sentAt.getTime()) / 1000) : null,
  };
}
