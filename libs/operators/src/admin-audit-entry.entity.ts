import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Facts about an entry, never secrets. */
export type AuditDetails = Record<string, string | number | boolean | null>;

/** One line of the admin audit log: who did what, when, from where. Never holds a secret. */
@Entity('admin_audit_log')
export class AdminAuditEntry {
  @PrimaryColumn('uuid')
  id!: string;

  /** The signed-in admin, or the matched account of a sign-in attempt; null for unknown addresses. */
  @Column('uuid', { nullable: true })
  adminUserId!: string | null;

  /** The admin's email, or the address typed into the sign-in form. */
  @Column('text', { nullable: true })
  actorEmail!: string | null;

  /** What was done, e.g. `sign_in`, `partner.create`. */
  @Column('text')
  action!: string;

  /** `success`, or why not (`wrong_password`, `locked`, `throttled`, …). */
  @Column('text')
  outcome!: string;

  /** What it was done to, e.g. a partner's id. */
  @Column('text', { nullable: true })
  target!: string | null;

  @Column('text', { nullable: true })
  ip!: string | null;

  @Column('jsonb', { default: {} })
  details!: AuditDetails;

  /** Set from the Clock (not the database), so the throttle and a test's fake clock agree. */
  @Column('timestamptz')
  createdAt!: Date;
}
