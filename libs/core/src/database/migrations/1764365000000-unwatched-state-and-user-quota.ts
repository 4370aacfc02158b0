import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A mailbox no imap-client can take (capacity exhausted) says so; a partner may be capped at N users. */
export class UnwatchedStateAndUserQuota1764365000000 implements MigrationInterface {
  name = 'UnwatchedStateAndUserQuota1764365000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE users DROP CONSTRAINT IF EXISTS users_state_check');
    await db.query(
      `ALTER TABLE users ADD CONSTRAINT users_state_check
         CHECK (state IN ('idle', 'connecting', 'watching', 'auth_error', 'connect_error', 'unwatched'))`,
    );
    await db.query('ALTER TABLE partners ADD COLUMN max_users integer CHECK (max_users > 0)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE partners DROP COLUMN max_users');
    await db.query(`UPDATE users SET state = 'idle' WHERE state = 'unwatched'`);
    await db.query('ALTER TABLE users DROP CONSTRAINT IF EXISTS users_state_check');
    await db.query(
      `ALTER TABLE users ADD CONSTRAINT users_state_check
         CHECK (state IN ('idle', 'connecting', 'watching', 'auth_error', 'connect_error'))`,
    );
  }
}
