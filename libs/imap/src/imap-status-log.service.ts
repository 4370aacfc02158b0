import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';

import { ROOT_LOGGER } from '@app/core';

import { ImapMetrics } from './imap-metrics.service.js';
import { SessionManager } from './session/session-manager.service.js';

const INTERVAL_MS = 10_000;

/** Every 10 s: logs the seed's metric lines, for log-based dashboards. */
@Injectable()
export class ImapStatusLog implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private readonly logger: Logger;

  constructor(
    private readonly sessions: SessionManager,
    private readonly metrics: ImapMetrics,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'metrics' });
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.report(), INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  report(): void {
    const states = this.sessions.countByState();
    const figures = {
      'imap_client.user_thread.count': this.sessions.size,
      'imap_client.total_emails_processed': this.metrics.totalProcessed,
      'imap_client.work_queue.length': this.sessions.workQueueLength,
      'work_queue.latency': Number(this.metrics.takeMeanLatency().toFixed(4)),
    };
    const line = Object.entries(figures)
      .map(([name, value]) => `sample#${name}=${value}`)
      .join(' ');
    this.logger.info({ ...figures, mailboxes: states }, line);
  }
}
