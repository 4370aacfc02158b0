import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A tracer email sent to a user's mailbox, and when the imap-client saw it arrive. */
@Entity('tracer_logs')
export class TracerLog {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  userId!: string;

  @Column('text')
  uid!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  detectedAt!: Date | null;
}
