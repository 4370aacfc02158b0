import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tracer logs become what the worker writes before sending: a round and a place in it (so a round runs once),
 * an unguessable token (what detection matches, unique), a status and the SMTP error, and the send time.
 */
export class TracerRounds1764370000000 implements MigrationInterface {
  name = 'TracerRounds1764370000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX tracer_logs_user_uid_idx');
    await db.query('ALTER TABLE tracer_logs RENAME COLUMN uid TO token');
    await db.query(`
      ALTER TABLE tracer_logs
        ADD COLUMN round_id text,
        ADD COLUMN seq integer,
        ADD COLUMN status text NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'sent', 'failed', 'detected', 'missing')),
        ADD COLUMN error text,
        ADD COLUMN sent_at timestamptz`);
    // Rows from before (none are sent today): closed or lost, timed from their creation.
    await db.query(`
      UPDATE tracer_logs SET sent_at = created_at,
        status = CASE WHEN detected_at IS NULL THEN 'missing' ELSE 'detected' END`);
    await db.query('CREATE UNIQUE INDEX tracer_logs_token_idx ON tracer_logs (token)');
    await db.query('CREATE UNIQUE INDEX tracer_logs_round_seq_idx ON tracer_logs (round_id, seq)');
    await db.query('CREATE INDEX tracer_logs_user_created_idx ON tracer_logs (user_id, created_at)');
    await db.query('CREATE INDEX tracer_logs_created_idx ON tracer_logs (created_at)');
    await db.query(`CREATE INDEX tracer_logs_open_idx ON tracer_logs (sent_at) WHERE status IN ('pending', 'sent')`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const index of ['open', 'created', 'user_created', 'round_seq', 'token']) {
      await db.query(`DROP INDEX tracer_logs_${index}_idx`);
    }
    await db.query(
      'ALTER TABLE tracer_logs DROP COLUMN round_id, DROP COLUMN seq, DROP COLUMN status, DROP COLUMN error, DROP COLUMN sent_at',
    );
    await db.query('ALTER TABLE tracer_logs RENAME COLUMN token TO uid');
    await db.query('CREATE INDEX tracer_logs_user_uid_idx ON tracer_logs (user_id, uid)');
  }
}
