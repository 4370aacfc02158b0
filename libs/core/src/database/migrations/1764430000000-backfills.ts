import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Backfill requests: a partner asks for a mailbox's history and the imap-client owning the mailbox works
 * through it. The row is the request's durable state (nothing is lost while no node listens) and its
 * progress (`last_uid`: a node taking over resumes after it). The partial unique index keeps at most one
 * unfinished backfill per mailbox.
 */
export class Backfills1764430000000 implements MigrationInterface {
  name = 'Backfills1764430000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE backfills (
        id uuid PRIMARY KEY,
        partner_id uuid NOT NULL REFERENCES partners (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        since timestamptz,
        until timestamptz,
        status text NOT NULL DEFAULT 'pending',
        found integer NOT NULL DEFAULT 0,
        delivered integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        uid_validity bigint,
        last_uid bigint,
        claim text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT backfills_status_check CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled'))
      )`);
    await db.query(
      `CREATE UNIQUE INDEX backfills_one_unfinished_per_user_idx ON backfills (user_id)
         WHERE status IN ('pending', 'running')`,
    );
    await db.query('CREATE INDEX backfills_user_created_idx ON backfills (user_id, created_at)');
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE backfills');
  }
}
