import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** An operator of the admin pages. */
@Entity('admin_users')
export class AdminUser {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  email!: string;

  /** argon2id hash. */
  @Column('text')
  passwordHash!: string;

  @Column('integer', { default: 0 })
  failedAttempts!: number;

  @Column('timestamptz', { nullable: true })
  lockedUntil!: Date | null;

  @Column('boolean', { default: false })
  mustChangePassword!: boolean;

  @Column('integer', { default: 0 })
  signInCount!: number;

  @Column('timestamptz', { nullable: true })
  currentSignInAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastSignInAt!: Date | null;

  @Column('text', { nullable: true })
  currentSignInIp!: string | null;

  @Column('text', { nullable: true })
  lastSignInIp!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
