import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';

import { MetricsService } from '@app/core';

/** Tracer metrics; each process registers them all, and updates those of the work it does. */
@Injectable()
export class TracerMetrics {
  /** Tracers sent since start (the seed's app.schedule_tracer_email.count), for the log line. */
  sentSinceStart = 0;

  readonly latency: Histogram<'provider'>;
  readonly sent: Counter<'provider' | 'result'>;
  readonly missing: Counter<'provider'>;
  readonly rounds: Counter<'result'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.latency = new Histogram({
      name: 'superimap_tracer_latency_seconds',
      help: 'From handing a tracer to SMTP to the imap-client seeing it arrive (imap-client)',
      labelNames: ['provider'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers,
    });
    this.sent = new Counter({
      name: 'superimap_tracers_sent_total',
      help: 'Tracer emails handed to SMTP, by provider and result (sent, failed) (worker)',
      labelNames: ['provider', 'result'],
      registers,
    });
    this.missing = new Counter({
      name: 'superimap_tracers_missing_total',
      help: 'Tracers sent but not seen arriving within TRACER_TIMEOUT (worker)',
      labelNames: ['provider'],
      registers,
    });
    this.rounds = new Counter({
      name: 'superimap_tracer_rounds_total',
      help: 'Tracer rounds, by result: queued, no_user (no tracer-enabled mailbox owned), error (imap-client)',
      labelNames: ['result'],
      registers,
    });
  }

  recordSent(provider: string, result: 'sent' | 'failed'): void {
    this.sent.inc({ provider, result });
    if (result === 'sent') this.sentSinceStart++;
  }
}
