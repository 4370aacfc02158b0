import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * account_error webhooks (a partner URL, a once-per-outage mark on users, the event type); connected_at now
 * means "really reached", so users that never logged in lose the creation-time value they were given;
 * providers may trust a private CA (PEM bundle) or, outside production, skip certificate checks.
 */
export class DayTwoOperations1764380000000 implements MigrationInterface {
  name = 'DayTwoOperations1764380000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE partners ADD COLUMN account_error_webhook text');
    await db.query('ALTER TABLE users ADD COLUMN account_error_at timestamptz');
    await db.query('ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_type_check');
    await db.query(
      `ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_type_check
         CHECK (type IN ('new_mail', 'user_connected', 'user_disconnected', 'account_error'))`,
    );
    await db.query('UPDATE users SET connected_at = NULL WHERE last_login_at IS NULL');
    await db.query('ALTER TABLE imap_providers ADD COLUMN tls_ca text');
    await db.query('ALTER TABLE imap_providers ADD COLUMN tls_insecure boolean NOT NULL DEFAULT false');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE imap_providers DROP COLUMN tls_insecure');
    await db.query('ALTER TABLE imap_providers DROP COLUMN tls_ca');
    await db.query(`DELETE FROM webhook_events WHERE type = 'account_error'`);
    await db.query('ALTER TABLE webhook_events DROP CONSTRAINT webhook_events_type_check');
    await db.query(
      `ALTER TABLE webhook_events ADD CONSTRAINT webhook_events_type_check
         CHECK (type IN ('new_mail', 'user_connected', 'user_disconnected'))`,
    );
    await db.query('ALTER TABLE users DROP COLUMN account_error_at');
    await db.query('ALTER TABLE partners DROP COLUMN account_error_webhook');
  }
}
