import { runCli } from '../support/run-cli.js';
import { ScratchDatabase } from '../support/scratch-database.js';

const TABLES = [
  'admin_audit_log',
  'admin_users',
  'backfills',
  'imap_providers',
  'mail_logs',
  'partner_connections',
  'partners',
  'tracer_logs',
  'transmit_logs',
  'users',
  'webhook_events',
];

describe('migrations', () => {
  const db = new ScratchDatabase();
  afterAll(() => db.drop());

  const tables = async () =>
    (
      await db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_name <> 'migrations' ORDER BY table_name`,
      )
    ).map((row) => row.table_name);

  it('creates the database, migrates up from empty, down, and up again', async () => {
    const up = await runCli(['migrate'], { DATABASE_URL: db.url });
    expect(up.stderr).toBe('');
    expect(up.json).toEqual({
      database_created: true,
      applied: [
        'InitialSchema1764350000000',
        'UsersUpdatedAtIndex1764360000000',
        'UnwatchedStateAndUserQuota1764365000000',
        'TracerRounds1764370000000',
        'DayTwoOperations1764380000000',
        'PartnerKeyLifecycle1764390000000',
        'AdminAuditLog1764400000000',
        'DashboardIndexes1764410000000',
        'Backfills1764430000000',
        'GrowthIndexes1764440000000',
      ],
    });
    expect(await tables()).toEqual(TABLES);

    const again = await runCli(['migrate'], { DATABASE_URL: db.url });
    expect(again.json).toEqual({ database_created: false, applied: [] });

    const migrations = (up.json as { applied: string[] }).applied.length;
    for (let i = 0; i < migrations; i++) {
      expect((await runCli(['migrate', '--down'], { DATABASE_URL: db.url })).code).toBe(0);
    }
    expect(await tables()).toEqual([]);

    expect((await runCli(['migrate'], { DATABASE_URL: db.url })).code).toBe(0);
    expect(await tables()).toEqual(TABLES);
  });

  it('indexes every column a cascading or nulling foreign key looks rows up by', async () => {
    // Without one, deleting a referenced row (a partner, a purged event) scans the referencing table per row.
    const unindexed = await db.query<{ table_name: string; column_name: string }>(
      `SELECT c.conrelid::regclass::text AS table_name, a.attname AS column_name
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.contype = 'f' AND c.confdeltype IN ('c', 'n')
          AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])
        ORDER BY 1, 2`,
    );
    expect(unindexed).toEqual([]);
  });

  describe('constraints', () => {
    const ids = { partner: crypto.randomUUID(), provider: crypto.randomUUID(), connection: crypto.randomUUID() };

    beforeAll(async () => {
      await db.query(
        `INSERT INTO partners (id, name, api_key, api_key_hash, webhook_secret) VALUES ($1, 'P', 'x', $2, 'x')`,
        [ids.partner, 'a'.repeat(64)],
      );
      await db.query(
        `INSERT INTO imap_providers (id, code, title, auth, imap_host, imap_port, imap_security)
         VALUES ($1, 'PLAIN', 'Plain', 'password', 'localhost', 143, 'none')`,
        [ids.provider],
      );
      await db.query(`INSERT INTO partner_connections (id, partner_id, imap_provider_id) VALUES ($1, $2, $3)`, [
        ids.connection,
        ids.partner,
        ids.provider,
      ]);
    });

    const insertUser = (tag: string, archived = false) =>
      db.query(`INSERT INTO users (id, partner_connection_id, tag, archived_at) VALUES ($1, $2, $3, $4)`, [
        crypto.randomUUID(),
        ids.connection,
        tag,
        archived ? new Date() : null,
      ]);

    it('keeps tags unique per connection among active users, case-insensitively', async () => {
      await insertUser('Alice');
      await expect(insertUser('alice')).rejects.toThrow(/users_connection_tag_active_key/);
      await insertUser('ALICE', true);
      await insertUser('alice', true);
    });

    it('keeps provider codes, connections per partner and api key hashes unique', async () => {
      await expect(
        db.query(
          `INSERT INTO imap_providers (id, code, title, auth, imap_host, imap_port, imap_security)
           VALUES ($1, 'PLAIN', 'Again', 'password', 'localhost', 143, 'none')`,
          [crypto.randomUUID()],
        ),
      ).rejects.toThrow(/imap_providers_code_key/);
      await expect(
        db.query(`INSERT INTO partner_connections (id, partner_id, imap_provider_id) VALUES ($1, $2, $3)`, [
          crypto.randomUUID(),
          ids.partner,
          ids.provider,
        ]),
      ).rejects.toThrow(/partner_connections_partner_provider_key/);
      await expect(
        db.query(
          `INSERT INTO partners (id, name, api_key, api_key_hash, webhook_secret) VALUES ($1, 'Q', 'x', $2, 'x')`,
          [crypto.randomUUID(), 'a'.repeat(64)],
        ),
      ).rejects.toThrow(/partners_api_key_hash_key/);
    });

    it('records a mail once per user, UIDVALIDITY and UID', async () => {
      const [user] = await db.query<{ id: string }>(`SELECT id FROM users WHERE tag = 'Alice'`);
      const insert = () =>
        db.query(`INSERT INTO mail_logs (id, user_id, uid_validity, uid) VALUES ($1, $2, 7, 42)`, [
          crypto.randomUUID(),
          user.id,
        ]);
      await insert();
      await expect(insert()).rejects.toThrow(/mail_logs_user_uid_key/);
    });
  });
});
