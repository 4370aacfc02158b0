import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';

import { EventOutbox } from './event-outbox.service.js';
import { OutboxSweeper } from './outbox-sweeper.service.js';
import { TransmitLog } from './transmit-log.entity.js';
import { WebhookEvent } from './webhook-event.entity.js';

/** Producing events: the outbox and its queue (imported by imap-client and api). */
@Module({
  imports: [TypeOrmModule.forFeature([WebhookEvent, TransmitLog])],
  providers: [EventOutbox],
  exports: [EventOutbox, TypeOrmModule],
})
export class WebhooksModule {}

/** Consuming events: delivery and the outbox sweeper (imported by the worker role only). */
@Module({ imports: [WebhooksModule], providers: [OutboxSweeper], exports: [OutboxSweeper] })
export class WebhooksWorkerModule {}
