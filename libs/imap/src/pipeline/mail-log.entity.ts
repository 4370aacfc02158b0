import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per message seen in a watched mailbox. The unique (user, UIDVALIDITY, UID) index makes a
 * second processing of the same message, by any process, a no-op.
 */
@Entity('mail_logs')
export class MailLog {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('bigint')
  uidValidity!: string;

  @Column('bigint')
  uid!: string;

  @Column('text', { nullable: true })
  messageId!: string | null;

  @Column('char', { length: 40, nullable: true })
  sha1!: string | null;

  @Column('timestamptz', { nullable: true })
  internalDate!: Date | null;

  /** The webhook event it produced; null for tracers and duplicates. */
  @Column('uuid', { nullable: true })
  eventId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
