import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every admin sign-in attempt and admin action. No foreign key to admin_users: the trail outlives a deleted
 * account. The partial index serves the per-address sign-in throttle, which counts recent failures.
 */
export class AdminAuditLog1764400000000 implements MigrationInterface {
  name = 'AdminAuditLog1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE admin_audit_log (
        id uuid PRIMARY KEY,
        admin_user_id uuid,
        actor_email text,
        action text NOT NULL,
        outcome text NOT NULL,
        target text,
        ip text,
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query('CREATE INDEX admin_audit_log_created_at_idx ON admin_audit_log (created_at, id)');
    await db.query(
      `CREATE INDEX admin_audit_log_failed_sign_ins_idx ON admin_audit_log (ip, created_at)
         WHERE action = 'sign_in' AND outcome <> 'success'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE admin_audit_log');
  }
}
