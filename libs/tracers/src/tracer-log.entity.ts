import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * `pending`: written, not yet handed to SMTP (or the send is under way); `sent`: SMTP accepted it;
 * `failed`: SMTP refused it (see `error`); `detected`: seen arriving; `missing`: not seen within TRACER_TIMEOUT.
 */
export const TRACER_STATUSES = ['pending', 'sent', 'failed', 'detected', 'missing'] as const;
export type TracerStatus = (typeof TRACER_STATUSES)[number];

/** One tracer email: written before it is sent, closed when the imap-client sees it arrive. */
@Entity('tracer_logs')
export class TracerLog {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  /** The round (the tracer job's id) and this tracer's place in it: unique together. */
  @Column('text', { nullable: true })
  roundId!: string | null;

  @Column('integer', { nullable: true })
  seq!: number | null;

  /** Unguessable; the subject carries it, and only a message carrying it is taken for this tracer. */
  @Column('text')
  token!: string;

  @Column('text')
  status!: TracerStatus;

  /** Why SMTP refused the tracer, or why it was never sent. */
  @Column('text', { nullable: true })
  error!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  /** When it was handed to SMTP: latency runs from here. */
  @Column('timestamptz', { nullable: true })
  sentAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  detectedAt!: Date | null;
}
