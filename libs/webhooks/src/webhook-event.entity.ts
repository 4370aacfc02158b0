import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const WEBHOOK_EVENT_TYPES = ['new_mail', 'user_connected', 'user_disconnected', 'account_error'] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export const WEBHOOK_EVENT_STATUSES = ['pending', 'delivered', 'failed', 'skipped'] as const;
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number];

/**
 * The outbox: one row per event to deliver. Its id is the Standard Webhooks `webhook-id`, identical on
 * every attempt and redelivery. Written in the same transaction as what caused it, so nothing is lost.
 */
@Entity('webhook_events')
export class WebhookEvent {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  partnerId!: string;

  @Column('uuid', { nullable: true })
  userId!: string | null;

  @Column('text')
  type!: WebhookEventType;

  @Column('text', { default: 'pending' })
  status!: WebhookEventStatus;

  /** Everything but the raw message: envelope, uid, sizes, sha1, timings. */
  @Column('jsonb', { default: {} })
  metadata!: Record<string, unknown>;

  /** SecretBox ciphertext of the raw message (new_mail), dropped after delivery. */
  @Column('text', { nullable: true })
  body!: string | null;

  @Column('integer', { default: 0 })
  attempts!: number;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;

  @Column('timestamptz', { nullable: true })
  deliveredAt!: Date | null;
}
