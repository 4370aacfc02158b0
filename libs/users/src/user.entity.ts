import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';

import { PartnerConnection } from '@app/connections';

/** Why a mailbox is, or is not, being watched. */
export const USER_STATES = ['idle', 'connecting', 'watching', 'auth_error', 'connect_error', 'unwatched'] as const;
export type UserState = (typeof USER_STATES)[number];

/** One end user's mailbox, named by the partner's tag. */
@Entity('users')
export class User {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('uuid')
  partnerConnectionId!: string;

  @ManyToOne(() => PartnerConnection, { nullable: false, onDelete: 'CASCADE' })
  @JoinColumn({ name: 'partner_connection_id' })
  connection?: PartnerConnection;

  @Column('text')
  tag!: string;

  @Column('text', { nullable: true })
  email!: string | null;

  @Column('text', { nullable: true })
  loginUsername!: string | null;

  /** SecretBox ciphertext. */
  @Column('text', { nullable: true })
  loginPassword!: string | null;

  /** SecretBox ciphertext. */
  @Column('text', { nullable: true })
  oauth2RefreshToken!: string | null;

  /** SecretBox ciphertext. */
  @Column('text', { nullable: true })
  oauth2AccessToken!: string | null;

  @Column('timestamptz', { nullable: true })
  oauth2AccessTokenExpiresAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  connectedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  archivedAt!: Date | null;

  @Column('boolean', { default: false })
  enableTracer!: boolean;

  @Column('bigint', { nullable: true, transformer: bigintTransformer() })
  lastUid!: number | null;

  @Column('bigint', { nullable: true, transformer: bigintTransformer() })
  lastUidValidity!: number | null;

  @Column('timestamptz', { nullable: true })
  lastInternalDate!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastEmailAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  lastLoginAt!: Date | null;

  @Column('text', { default: 'idle' })
  state!: UserState;

  @Column('text', { nullable: true })
  lastError!: string | null;

  /** Set on an authentication failure; cleared when credentials change. Limits retries to one per hour. */
  @Column('timestamptz', { nullable: true })
  authFailedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}

// UIDs and UIDVALIDITY are 32-bit unsigned: they fit a JS number exactly.
function bigintTransformer() {
  return {
    to: (value: number | null) => value,
    from: (value: string | null) => (value === null ? null : Number(value)),
  };
}
