import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A partner application; its API key authenticates the API and signs the seed-style webhooks. */
@Entity('partners')
export class Partner {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  /** SecretBox ciphertext; the plaintext key is needed to sign webhooks. */
  @Column('text')
  apiKey!: string;

  /** SHA-256 of the plaintext key, for lookup. */
  @Column('char', { length: 64 })
  apiKeyHash!: string;

  /** SHA-256 of the key replaced by the last rotation, accepted until it expires (the grace period). */
  @Column('char', { length: 64, nullable: true })
  previousApiKeyHash!: string | null;

  @Column('timestamptz', { nullable: true })
  previousApiKeyExpiresAt!: Date | null;

  /** When set, the partner's API key is refused; its mailboxes and events are kept. */
  @Column('timestamptz', { nullable: true })
  disabledAt!: Date | null;

  /** SecretBox ciphertext of the `whsec_…` Standard Webhooks secret. */
  @Column('text')
  webhookSecret!: string;

  /** The secret before the last rotation, still signing until it expires. */
  @Column('text', { nullable: true })
  previousWebhookSecret!: string | null;

  @Column('timestamptz', { nullable: true })
  previousWebhookSecretExpiresAt!: Date | null;

  @Column('text', { nullable: true })
  newMailWebhook!: string | null;

  @Column('text', { nullable: true })
  userConnectedWebhook!: string | null;

  @Column('text', { nullable: true })
  userDisconnectedWebhook!: string | null;

  /** Where account_error events go (a mailbox that cannot be reached); none: they are skipped. */
  @Column('text', { nullable: true })
  accountErrorWebhook!: string | null;

  @Column('text', { nullable: true })
  successUrl!: string | null;

  @Column('text', { nullable: true })
  failureUrl!: string | null;

  @Column('text', { array: true, default: [] })
  allowedRedirectUrls!: string[];

  /** At most this many active (not archived) users; null: no quota. */
  @Column('integer', { nullable: true })
  maxUsers!: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
