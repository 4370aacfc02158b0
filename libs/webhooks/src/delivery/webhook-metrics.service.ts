import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';

import { MetricsService } from '@app/core';

@Injectable()
export class WebhookMetrics {
  readonly deliveries: Counter<'event' | 'result'>;
  readonly duration: Histogram<'event'>;
  readonly mailToWebhook: Histogram<'from'>;
  readonly partnerBusyRequeues: Counter;
  readonly sweepRequeued: Counter;

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
    this.partnerBusyRequeues = new Counter({
      name: 'superimap_webhook_partner_busy_requeues_total',
      help: 'Delivery jobs handed back to the queue because their partner had its share in flight and was slow',
      registers,
    });
    this.sweepRequeued = new Counter({
      name: 'superimap_outbox_sweep_requeued_total',
      help: 'Pending events the outbox sweep found without a live job and queued again (0 in a run without faults)',
      registers,
    });
  }
}
