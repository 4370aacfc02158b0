import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { type Bucketed, bucketStartSql, type TimeWindow } from '@app/core';

import { WebhookEvent } from './webhook-event.entity.js';

/** Delivery attempts by what the partner's endpoint did. */
export interface AttemptResults {
  /** Answered 2xx. */
  accepted: number;
  /** Answered with another status. */
  refused: number;
  /** No answer: connection refused, timeout, TLS, blocked address. */
  unreachable: number;
}

export interface LatencyFigures {
  count: number;
  p50Seconds: number;
  p95Seconds: number;
}

/**
 * Operator figures over the outbox and its attempts, per time bucket: each query is one aggregate bounded by
 * an indexed created_at, so the dashboard stays cheap however large the tables grow.
 */
@Injectable()
export class DeliveryStats {
  constructor(@InjectRepository(WebhookEvent) private readonly events: Repository<WebhookEvent>) {}

  async attemptsByResult(window: TimeWindow): Promise<Bucketed<AttemptResults>[]> {
    const rows = await this.events.query<{ start: string; accepted: string; refused: string; unreachable: string }[]>(
      `SELECT ${bucketStartSql('created_at', '$2')} AS start,
              count(*) FILTER (WHERE response_code BETWEEN 200 AND 299) AS accepted,
              count(*) FILTER (WHERE response_code IS NOT NULL AND response_code NOT BETWEEN 200 AND 299) AS refused,
              count(*) FILTER (WHERE response_code IS NULL) AS unreachable
         FROM transmit_logs WHERE created_at >= $1 GROUP BY 1 ORDER BY 1`,
      [window.since, window.bucketSeconds],
    );
    return rows.map((row) => ({
      start: Number(row.start),
      values: { accepted: Number(row.accepted), refused: Number(row.refused), unreachable: Number(row.unreachable) },
    }));
  }

  /** From the mail being noticed (its event written) to the partner accepting it, by delivery time. */
  async mailLatency(window: TimeWindow): Promise<Bucketed<LatencyFigures>[]> {
    return this.latency(
      `SELECT ${bucketStartSql('delivered_at', '$2')} AS start,
              extract(epoch FROM delivered_at - created_at) AS seconds
         FROM webhook_events
        WHERE created_at >= $1 AND delivered_at >= $1 AND type = 'new_mail' AND status = 'delivered'`,
      window,
    );
  }

  /** From an event being written to its first delivery attempt starting: the time it waited in the queue. */
  async queueLatency(window: TimeWindow): Promise<Bucketed<LatencyFigures>[]> {
    return this.latency(
      `SELECT ${bucketStartSql('t.created_at', '$2')} AS start,
              greatest(0, extract(epoch FROM t.created_at - e.created_at) - t.duration_ms / 1000.0) AS seconds
         FROM transmit_logs t JOIN webhook_events e ON e.id = t.event_id
        WHERE t.created_at >= $1 AND t.attempt = 1`,
      window,
    );
  }

  /** Events not yet delivered, failed or skipped: the outbox's depth now. */
  async pendingEvents(): Promise<number> {
    return this.events.countBy({ status: 'pending' });
  }

  private async latency(samples: string, window: TimeWindow): Promise<Bucketed<LatencyFigures>[]> {
    const rows = await this.events.query<{ start: string; count: string; p50: number; p95: number }[]>(
      `SELECT start, count(*) AS count,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS p50,
              percentile_cont(0.95) WITHIN GROUP (ORDER BY seconds) AS p95
         FROM (${samples}) samples GROUP BY start ORDER BY start`,
      [window.since, window.bucketSeconds],
    );
    return rows.map((row) => ({
      start: Number(row.start),
      values: { count: Number(row.count), p50Seconds: rounded(row.p50), p95Seconds: rounded(row.p95) },
    }));
  }
}

function rounded(seconds: number | string): number {
  return Math.round(Number(seconds) * 1000) / 1000;
}
