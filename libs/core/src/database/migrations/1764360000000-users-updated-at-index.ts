import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Lets imap-clients pick up changed users incrementally instead of walking the whole table. */
export class UsersUpdatedAtIndex1764360000000 implements MigrationInterface {
  name = 'UsersUpdatedAtIndex1764360000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('CREATE INDEX users_updated_at_idx ON users (updated_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX users_updated_at_idx');
  }
}
