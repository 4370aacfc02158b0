// For each lost mail: what the database and the fake server know about it and its mailbox, so a
// failed run says where the mail stopped (never fetched, recorded but not queued, not delivered...).

import pg from 'pg';

import { messageIdFor } from '../test/harness/fake-imap/index.js';
import type { FakeServerHandle } from './fake-server/fake-server-handle.js';

/** What is known of a sent mail: its mailbox, when it was stored and (fake server only) its UID. */
export interface SentMail {
  user: string;
  at: number;
  uid?: number;
}

export async function diagnoseLost(
  lostIds: string[],
  sent: { get(testId: string): SentMail | undefined },
  databaseUrl: string,
  fakeServer?: FakeServerHandle,
  limit = 10,
): Promise<string> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const lines: string[] = [];
  const shownTraces = new Set<string>();
  try {
    const activity = await client.query(
      `SELECT pid, state, wait_event_type, wait_event, now() - xact_start AS in_transaction, left(query, 120) AS query
         FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()`,
    );
    lines.push(`database sessions not idle: ${JSON.stringify(activity.rows)}`);
    for (const testId of lostIds.slice(0, limit)) {
      const mail = sent.get(testId);
      if (!mail) continue;
      const [user] = (
        await client.query(
          `SELECT id, state, last_uid, last_uid_validity, last_internal_date, last_error, auth_failed_at
             FROM users WHERE tag = $1`,
          [mail.user],
        )
      ).rows as Record<string, unknown>[];
      const logs = (
        await client.query(
          `SELECT m.uid_validity, m.uid, m.event_id, m.created_at, e.status, e.attempts, e.last_error
             FROM mail_logs m LEFT JOIN webhook_events e ON e.id = m.event_id
            WHERE m.user_id = $1 AND m.message_id = $2`,
          [user?.id, messageIdFor(testId)],
        )
      ).rows;
      const { trace, ...server } = fakeServer
        ? await fakeServer.userInfo(mail.user)
        : { trace: [] as readonly string[], note: 'external server' };
      lines.push(
        `${testId}: ${mail.user} uid ${mail.uid ?? '?'} stored ${new Date(mail.at).toISOString()}`,
        `  user row: ${JSON.stringify(user)}`,
        `  mail_logs: ${logs.length ? JSON.stringify(logs) : 'none (never recorded)'}`,
        `  server: ${JSON.stringify(server)}`,
        ...(shownTraces.has(mail.user)
          ? []
          : [`  server trace of ${mail.user}:`, ...trace.map((line) => `    ${line}`)]),
      );
      shownTraces.add(mail.user);
    }
  } finally {
    await client.end();
  }
  return lines.join('\n');
}
