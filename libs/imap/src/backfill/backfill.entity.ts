import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const BACKFILL_STATUSES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export type BackfillStatus = (typeof BACKFILL_STATUSES)[number];

/**
 * A request to deliver what a mailbox already holds, and how far it got. `claim` names the run working on
 * it: every progress write is conditional on it, so a run that lost the mailbox (or was cancelled) stops
 * at its next message instead of writing over its successor.
 */
@Entity('backfills')
export class Backfill {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  partnerId!: string;

  @Column('uuid')
  userId!: string;

  @Column('timestamptz', { nullable: true })
  since!: Date | null;

  @Column('timestamptz', { nullable: true })
  until!: Date | null;

  @Column('text')
  status!: BackfillStatus;

  @Column('int')
  found!: number;

  @Column('int')
  delivered!: number;

  @Column('int')
  skipped!: number;

  /** bigint columns come back as strings. */
  @Column('bigint', { nullable: true })
  uidValidity!: string | null;

  @Column('bigint', { nullable: true })
  lastUid!: string | null;

  @Column('text', { nullable: true })
  claim!: string | null;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  startedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  finishedAt!: Date | null;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
