import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';

import { MetricsService } from '@app/core';

/** Prometheus metrics of the imap-client role, plus the running figures the seed-style log lines print. */
@Injectable()
export class ImapMetrics {
  /** Emails turned into events since start (the seed's imap_client.total_emails_processed). */
  totalProcessed = 0;
  private latencySum = 0;
  private latencyCount = 0;
  private sessionStates: () => Record<string, number> = () => ({});

  readonly mailboxes: Gauge<'state'>;
  readonly emailsProcessed: Counter;
  readonly emailsSkipped: Counter<'reason'>;
  readonly workQueueLength: Gauge;
  readonly workLatency: Histogram;
  readonly reconnects: Counter<'reason'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    const states = () => this.sessionStates();
    this.mailboxes = new Gauge({
      name: 'superimap_mailboxes',
      help: 'Mailbox sessions held by this process, by state',
      labelNames: ['state'],
      registers,
      // Read when scraped, so the figure is never stale.
      collect() {
        for (const [state, count] of Object.entries(states())) this.set({ state }, count);
      },
    });
    this.emailsProcessed = new Counter({
      name: 'superimap_emails_processed_total',
      help: 'New emails turned into webhook events',
      registers,
    });
    this.emailsSkipped = new Counter({
      name: 'superimap_emails_skipped_total',
      help: 'New emails that produced no event, by reason',
      labelNames: ['reason'],
      registers,
    });
    this.workQueueLength = new Gauge({
      name: 'superimap_work_queue_length',
      help: 'Mailboxes waiting for a fetch-and-store slot (NUM_WORKER_THREADS)',
      registers,
    });
    this.workLatency = new Histogram({
      name: 'superimap_work_queue_latency_seconds',
      help: 'Time from a mailbox reporting new mail to its processing starting',
      buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.reconnects = new Counter({
      name: 'superimap_imap_reconnects_total',
      help: 'IMAP reconnections, by failure kind',
      labelNames: ['reason'],
      registers,
    });
  }

  /** Where the mailbox gauge reads session states from (the session manager). */
  observeSessions(source: () => Record<string, number>): void {
    this.sessionStates = source;
  }

  recordProcessed(): void {
    this.totalProcessed++;
    this.emailsProcessed.inc();
  }

  recordSkipped(reason: string): void {
    this.emailsSkipped.inc({ reason });
  }

  recordWorkLatency(seconds: number): void {
    this.workLatency.observe(seconds);
    this.latencySum += seconds;
    this.latencyCount++;
  }

  /** Mean work-queue latency since the last call (seconds), for the periodic log line. */
  takeMeanLatency(): number {
    const mean = this.latencyCount === 0 ? 0 : this.latencySum / this.latencyCount;
    this.latencySum = 0;
    this.latencyCount = 0;
    return mean;
  }
}
