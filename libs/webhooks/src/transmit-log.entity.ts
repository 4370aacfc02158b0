import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** One delivery attempt of an event: what the partner answered, or why it failed. */
@Entity('transmit_logs')
export class TransmitLog {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  eventId!: string;

  @Column('integer')
  attempt!: number;

  @Column('integer', { nullable: true })
  responseCode!: number | null;

  /** First 1 KiB of the response body. */
  @Column('text', { nullable: true })
  responseBody!: string | null;

  @Column('text', { nullable: true })
  error!: string | null;

  @Column('integer')
  durationMs!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
