// WebhookDelivery and OutboxSweeper: for the integration tests of delivery and the sweep.
export { type DeliveryResult, WebhookDelivery } from './delivery/webhook-delivery.service.js';
export { type TestWebhookResult, WebhookTester } from './delivery/webhook-tester.service.js';
export { type AttemptResults, DeliveryStats, type LatencyFigures } from './delivery-stats.query.js';
export { EventBodySource, type RetainedMessageRef } from './event-body-source.js';
export { EventOutbox, type NewEvent } from './event-outbox.service.js';
export { type EventPage, type EventRow, EventsService } from './events.service.js';
export { OutboxSweeper } from './outbox-sweeper.service.js';
export {
  WEBHOOK_EVENT_STATUSES,
  WEBHOOK_EVENT_TYPES,
  type WebhookEventStatus,
  type WebhookEventType,
} from './webhook-event.entity.js';
export { WebhookErrors } from './webhooks.errors.js';
export { WebhooksModule, WebhooksWorkerModule } from './webhooks.module.js';
