import { Injectable } from '@nestjs/common';

import { type LogFigure, LogMetrics } from '@app/core';

import { WebhookMetrics } from './delivery/webhook-metrics.service.js';

/** The seed's `count#app.call_<type>_webhook.count`: webhook calls (attempts that reached the partner) per line. */
const EVENT_TYPES = ['new_mail', 'user_connected', 'user_disconnected'] as const;

@Injectable()
export class WebhookLogMetrics {
  private readonly reported = new Map<string, number>();

  constructor(
    private readonly metrics: WebhookMetrics,
    logMetrics: LogMetrics,
  ) {
    logMetrics.addSource(() => this.figures());
  }

  async figures(): Promise<LogFigure[]> {
    const totals = new Map<string, number>(EVENT_TYPES.map((type) => [type, 0]));
    for (const { labels, value } of (await this.metrics.deliveries.get()).values) {
      const type = String(labels.event);
      if (labels.result !== 'skipped' && totals.has(type)) totals.set(type, (totals.get(type) ?? 0) + value);
    }
    return EVENT_TYPES.map((type) => {
      const total = totals.get(type) ?? 0;
      const delta = total - (this.reported.get(type) ?? 0);
      this.reported.set(type, total);
      return { mode: 'count' as const, name: `app.call_${type}_webhook.count`, value: delta };
    });
  }
}
