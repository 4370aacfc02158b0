/** Every BullMQ queue, its job names and payloads. Jobs carry ids only; PostgreSQL holds the data. */

export const WEBHOOKS_QUEUE = 'webhooks';
export const TRACERS_QUEUE = 'tracers';

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';
/** Delivers one row of the webhook_events outbox; the job id is the event id, so enqueueing twice is a no-op. */
export interface WebhookDeliverJob {
  eventId: string;
  /** Which attempt of this delivery round the next run is (1 when absent); the worker counts retries here. */
  attempt?: number;
}

export const TRACER_SEND_JOB = 'tracer.send';
/**
 * Sends `count` tracer emails to a tracer-enabled user over the provider's SMTP. The job id is the round id,
 * and the tracer logs are keyed by (round, sequence), so a round runs at most once however often it is queued.
 */
export interface TracerSendJob {
  roundId: string;
  userId: string;
  count: number;
}

export const ALL_QUEUES = [WEBHOOKS_QUEUE, TRACERS_QUEUE] as const;
