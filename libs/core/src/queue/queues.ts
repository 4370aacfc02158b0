/** Every BullMQ queue, its job names and payloads. Jobs carry ids only; PostgreSQL holds the data. */

export const WEBHOOKS_QUEUE = 'webhooks';
export const TRACERS_QUEUE = 'tracers';
export const OUTBOX_QUEUE = 'outbox';

export const WEBHOOK_DELIVER_JOB = 'webhook.deliver';
/**
 * Delivers one row of the webhook_events outbox; the job id is the event id, so enqueueing twice is a no-op.
 * The retry budget is the row's `attempts`, not the job: a job queued again (sweeper, Redis loss) goes on
 * counting where the last one stopped.
 */
export interface WebhookDeliverJob {
  eventId: string;
  /** The event's partner, for the worker's per-partner share without a database read (absent in older jobs). */
  partnerId?: string;
}

/** The job scheduler (one for the whole cluster) that runs OUTBOX_SWEEP_JOB every OUTBOX_SWEEP_INTERVAL. */
export const OUTBOX_SWEEP_SCHEDULER = 'outbox-sweep';
export const OUTBOX_SWEEP_JOB = 'outbox.sweep';

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

export const ALL_QUEUES = [WEBHOOKS_QUEUE, TRACERS_QUEUE, OUTBOX_QUEUE] as const;
