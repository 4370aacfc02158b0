import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Indexes `npm run bench -- --pg-growth` asked for with mail_logs, webhook_events and transmit_logs at 10 M rows
 * (docs/PERFORMANCE.md, "PostgreSQL growth"):
 * - mail_logs.event_id: deleting an event (the retention purge) sets its mail log's event_id to NULL, which
 *   without an index is a scan of all mail logs per deleted event;
 * - a user's latest mail and events (admin user page, the API's user_tag filter) read by (user_id, created_at);
 *   they replace the user-only index of events and the never-read (user_id, message_id) one of mail logs;
 * - the API's status filter for events not delivered (pending, failed, skipped) and the sweep's body expiry
 *   (EVENT_BODY_RETENTION > 0) use small partial indexes, which delivered events leave;
 * - backfills.partner_id, so deleting a partner does not scan backfills.
 * Built CONCURRENTLY (so outside a transaction): on a grown installation the tables keep taking writes.
 * Each index is dropped first, so a run that failed half-way (leaving an invalid index) can be repeated.
 */
export class GrowthIndexes1764440000000 implements MigrationInterface {
  name = 'GrowthIndexes1764440000000';
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    for (const [name, definition] of INDEXES) {
      await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
      await db.query(`CREATE INDEX CONCURRENTLY ${name} ON ${definition}`);
    }
    for (const [name] of REPLACED) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${name}`);
  }

  /** TypeORM reverts inside a transaction whatever `transaction` says, so this builds without CONCURRENTLY. */
  async down(db: QueryRunner): Promise<void> {
    for (const [name, definition] of REPLACED) await db.query(`CREATE INDEX IF NOT EXISTS ${name} ON ${definition}`);
    for (const [name] of [...INDEXES].reverse()) await db.query(`DROP INDEX IF EXISTS ${name}`);
  }
}

const INDEXES: [string, string][] = [
  ['mail_logs_event_idx', 'mail_logs (event_id) WHERE event_id IS NOT NULL'],
  ['mail_logs_user_created_idx', 'mail_logs (user_id, created_at, id)'],
  ['webhook_events_user_created_idx', 'webhook_events (user_id, created_at, id)'],
  [
    'webhook_events_partner_unsettled_idx',
    `webhook_events (partner_id, status, created_at, id) WHERE status <> 'delivered'`,
  ],
  ['webhook_events_body_expiry_idx', `webhook_events (delivered_at) WHERE status = 'delivered' AND body IS NOT NULL`],
  ['backfills_partner_idx', 'backfills (partner_id)'],
];

/** What the new indexes make redundant (up drops them, down puts them back). */
const REPLACED: [string, string][] = [
  ['webhook_events_user_idx', 'webhook_events (user_id)'],
  ['mail_logs_user_message_id_idx', 'mail_logs (user_id, message_id)'],
];
