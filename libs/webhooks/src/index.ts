export * from './delivery/payload-builder.js';
export * from './delivery/signatures.js';
export { type DeliveryResult, WebhookDelivery } from './delivery/webhook-delivery.service.js';
export * from './event-outbox.service.js';
export * from './events.service.js';
export * from './outbox-sweeper.service.js';
export * from './transmit-log.entity.js';
export * from './webhook-event.entity.js';
export * from './webhooks.module.js';
