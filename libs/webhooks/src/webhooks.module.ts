import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { PartnersModule } from '@app/partners';
import { UsersModule } from '@app/users';

import { WebhookDeliveryProcessor } from './delivery/webhook-delivery.processor.js';
import { WebhookDelivery } from './delivery/webhook-delivery.service.js';
import { WebhookMetrics } from './delivery/webhook-metrics.service.js';
import { WebhookTester } from './delivery/webhook-tester.service.js';
import { DeliveryStats } from './delivery-stats.query.js';
import { EventOutbox } from './event-outbox.service.js';
import { EventsService } from './events.service.js';
import { OutboxSweepProcessor } from './outbox-sweep.processor.js';
import { OutboxSweeper } from './outbox-sweeper.service.js';
import { TransmitLog } from './transmit-log.entity.js';
import { WebhookEvent } from './webhook-event.entity.js';
import { WebhookLogMetrics } from './webhook-log-metrics.service.js';

/** Producing events: the outbox and its queue (imported by imap-client and api); operators' test sends. */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEvent, TransmitLog]), UsersModule, PartnersModule],
  providers: [EventOutbox, EventsService, WebhookTester, DeliveryStats],
  exports: [EventOutbox, EventsService, WebhookTester, DeliveryStats],
})
export class WebhooksModule {}

/** Consuming events: delivery and the outbox sweeper (imported by the worker role only). */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEvent, TransmitLog]), WebhooksModule, PartnersModule, UsersModule],
  providers: [
    WebhookDelivery,
    WebhookDeliveryProcessor,
    WebhookMetrics,
    WebhookLogMetrics,
    OutboxSweeper,
    OutboxSweepProcessor,
  ],
  exports: [OutboxSweeper],
})
export class WebhooksWorkerModule {}
