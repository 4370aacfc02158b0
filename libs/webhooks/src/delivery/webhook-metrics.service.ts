import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';

import { MetricsService } from '@app/core';

@Injectable()
export class WebhookMetrics {
  readonly deliveries: Counter<'event' | 'result'>;
  readonly duration: Histogram<'event'>;
  readonly mailToWebhook: Histogram<'from'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.deliveries = new Counter({
      name: 'superimap_webhook_deliveries_total',
      help: 'Webhook delivery attempts, by event type and result',
      labelNames: ['event', 'result'],
      registers,
    });
    this.duration = new Histogram({
      name: 'superimap_webhook_delivery_duration_seconds',
      help: 'Time for the partner to answer a webhook',
      labelNames: ['event'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.mailToWebhook = new Histogram({
      name: 'superimap_mail_to_webhook_latency_seconds',
      help: "From a mail's arrival (INTERNALDATE) or detection to the partner's 2xx",
      labelNames: ['from'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
      registers,
    });
  }
}
