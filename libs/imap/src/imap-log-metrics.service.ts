import { Injectable } from '@nestjs/common';

import { type LogFigure, LogMetrics } from '@app/core';

import { ImapMetrics } from './imap-metrics.service.js';
import { SessionManager } from './session/session-manager.service.js';

/**
 * The seed's imap_client lines, with its modes and names: user threads (mailbox sessions), the work queue
 * (mailboxes waiting for a fetch-and-store slot), its mean latency over the interval, and emails processed.
 */
@Injectable()
export class ImapLogMetrics {
  constructor(
    private readonly sessions: SessionManager,
    private readonly metrics: ImapMetrics,
    logMetrics: LogMetrics,
  ) {
    logMetrics.addSource(() => this.figures());
  }

  figures(): LogFigure[] {
    return [
      { mode: 'measure', name: 'imap_client.user_thread.count', value: this.sessions.size },
      { mode: 'measure', name: 'imap_client.work_queue.length', value: this.sessions.workQueueLength },
      { mode: 'measure', name: 'work_queue.latency', value: this.metrics.takeMeanLatency(), unit: 's' },
      { mode: 'sample', name: 'imap_client.total_emails_processed', value: this.metrics.totalProcessed },
    ];
  }
}
