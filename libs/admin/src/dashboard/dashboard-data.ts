import { InjectQueue } from '@nestjs/bullmq';
import { Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';

import { type NodeInfo, NodeRegistry } from '@app/cluster';
import { type Bucketed, lastHours, type TimeWindow, TRACERS_QUEUE, WEBHOOKS_QUEUE } from '@app/core';
import { MailActivity } from '@app/imap';
import { Clock } from '@app/operators';
import { TracerLogs } from '@app/tracers';
import { type ApiUserState, OperatorUsersQuery } from '@app/users';
import { type AttemptResults, DeliveryStats, type LatencyFigures } from '@app/webhooks';

export const DASHBOARD_HOURS = 24;
export const DASHBOARD_BUCKET_SECONDS = 15 * 60;

export interface QueueDepth {
  name: string;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
}

/** Everything the dashboard shows; series hold one entry per bucket of `window`, in order. */
export interface DashboardView {
  generatedAt: Date;
  window: TimeWindow;
  mails: (number | null)[];
  attempts: { [K in keyof AttemptResults]: (number | null)[] };
  mailLatency: LatencySeries;
  queueLatency: LatencySeries;
  tracerLatency: LatencySeries;
  queues: QueueDepth[];
  pendingEvents: number;
  states: { state: ApiUserState; count: number }[];
  nodes: NodeInfo[];
}

export interface LatencySeries {
  count: (number | null)[];
  p50: (number | null)[];
  p95: (number | null)[];
}

/** Gathers the dashboard's figures from the libs that own them, all at once. */
@Injectable()
export class DashboardData {
  constructor(
    private readonly clock: Clock,
    private readonly mail: MailActivity,
    private readonly deliveries: DeliveryStats,
    private readonly tracers: TracerLogs,
    private readonly users: OperatorUsersQuery,
    private readonly nodes: NodeRegistry,
    @InjectQueue(WEBHOOKS_QUEUE) private readonly webhooksQueue: Queue,
    @InjectQueue(TRACERS_QUEUE) private readonly tracersQueue: Queue,
  ) {}

  async gather(): Promise<DashboardView> {
    const generatedAt = this.clock.now();
    const window = lastHours(generatedAt, DASHBOARD_HOURS, DASHBOARD_BUCKET_SECONDS);
    const [mails, attempts, mailLatency, queueLatency, tracerLatency, queues, pendingEvents, states, nodes] =
      await Promise.all([
        this.mail.perBucket(window),
        this.deliveries.attemptsByResult(window),
        this.deliveries.mailLatency(window),
        this.deliveries.queueLatency(window),
        this.tracers.latencyPerBucket(window),
        Promise.all([this.depth('webhooks', this.webhooksQueue), this.depth('tracers', this.tracersQueue)]),
        this.deliveries.pendingEvents(),
        this.users.stateCounts(),
        this.nodes.liveNodes(),
      ]);
    const at = <T>(rows: Bucketed<T>[]) => {
      const byStart = new Map(rows.map((row) => [row.start, row.values]));
      return window.starts.map((start) => byStart.get(start) ?? null);
    };
    const series = <T, K extends keyof T>(rows: Bucketed<T>[], key: K, empty: T[K] | null) =>
      at(rows).map((values) => (values ? values[key] : empty));
    const latency = (rows: Bucketed<LatencyFigures>[]): LatencySeries => ({
      count: series(rows, 'count', 0),
      p50: series(rows, 'p50Seconds', null),
      p95: series(rows, 'p95Seconds', null),
    });
    return {
      generatedAt,
      window,
      mails: series(mails, 'mails', 0),
      attempts: {
        accepted: series(attempts, 'accepted', 0),
        refused: series(attempts, 'refused', 0),
        unreachable: series(attempts, 'unreachable', 0),
      },
      mailLatency: latency(mailLatency),
      queueLatency: latency(queueLatency),
      tracerLatency: {
        count: series(tracerLatency, 'detected', 0),
        p50: series(tracerLatency, 'p50Seconds', null),
        p95: series(tracerLatency, 'p95Seconds', null),
      },
      queues,
      pendingEvents,
      states: Object.entries(states)
        .map(([state, count]) => ({ state: state as ApiUserState, count }))
        .sort((a, b) => b.count - a.count),
      nodes: nodes.sort((a, b) => a.id.localeCompare(b.id)),
    };
  }

  private async depth(name: string, queue: Queue): Promise<QueueDepth> {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    return {
      name,
      waiting: counts.waiting ?? 0,
      active: counts.active ?? 0,
      delayed: counts.delayed ?? 0,
      failed: counts.failed ?? 0,
    };
  }
}
