import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The admin dashboard reads the last 24 hours of mail, deliveries and attempts by time, and the growing
 * sign-in delay looks up an address's last successful sign-in: indexes for those bounds (the retention
 * purge's `created_at <` deletes use them too).
 */
export class DashboardIndexes1764410000000 implements MigrationInterface {
  name = 'DashboardIndexes1764410000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX mail_logs_created_at_idx ON mail_logs (created_at)');
    await db.query('CREATE INDEX webhook_events_created_at_idx ON webhook_events (created_at)');
    await db.query('CREATE INDEX transmit_logs_created_at_idx ON transmit_logs (created_at)');
    await db.query(
      `CREATE INDEX admin_audit_log_sign_in_successes_idx ON admin_audit_log (ip, created_at)
         WHERE action = 'sign_in' AND outcome = 'success'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX admin_audit_log_sign_in_successes_idx');
    await db.query('DROP INDEX transmit_logs_created_at_idx');
    await db.query('DROP INDEX webhook_events_created_at_idx');
    await db.query('DROP INDEX mail_logs_created_at_idx');
  }
}
