import pg from 'pg';

import { runCli } from '../support/run-cli.js';
import { ScratchDatabase } from '../support/scratch-database.js';
import { TEST_ENCRYPTION_KEY } from '../support/test-env.js';

async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}
const testDb = () => process.env.DATABASE_URL ?? '';

describe('superimap CLI', () => {
  it('prints usage and fails on an unknown command', async () => {
    expect((await runCli(['help'])).stdout).toContain('usage: superimap');
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frobnicate'");
  });

  it('seeds idempotently: the default admin (must change password) and the built-in providers', async () => {
    const first = await runCli(['seed']);
    expect(first.code).toBe(0);
    const snapshot = async () => ({
      admins: await rows(testDb(), 'SELECT id, email, password_hash, must_change_password FROM admin_users'),
      providers: await rows(testDb(), 'SELECT * FROM imap_providers ORDER BY code'),
    });
    const before = await snapshot();
    const second = await runCli(['seed']);
    expect(second.json).toEqual({ admin_created: false, providers_created: 0 });
    expect(await snapshot()).toEqual(before);
    expect(before.admins).toEqual([
      expect.objectContaining({ email: 'admin@example.com', must_change_password: true }),
    ]);
    expect(before.admins[0].password_hash).toMatch(/^\$argon2id\$/);
    const codes = before.providers.map((p) => p.code);
    expect(codes).toEqual(
      expect.arrayContaining(['GMAIL_OAUTH2', 'OUTLOOK_OAUTH2', 'GMAIL_PASSWORD', 'YAHOO_PASSWORD', 'ICLOUD_PASSWORD']),
    );
    expect(before.providers.find((p) => p.code === 'GMAIL_OAUTH2')).toMatchObject({
      imap_host: 'imap.gmail.com',
      imap_port: 993,
      imap_security: 'tls',
      oauth2_token_url: 'https://oauth2.googleapis.com/token',
    });
  });

  describe('partner', () => {
    it('creates a partner, prints its key and secret once, and stores them encrypted', async () => {
      const created = await runCli([
        'partner',
        'create',
        '--name',
        'Acme',
        '--new-mail-webhook',
        'http://127.0.0.1:9/new-mail',
        '--success-url',
        'https://acme.example/ok',
      ]);
      expect(created.code).toBe(0);
      const partner = created.json as Record<string, string>;
      expect(partner.api_key).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
      expect(partner.webhook_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const [row] = await rows<Record<string, string>>(testDb(), `SELECT * FROM partners WHERE id = '${partner.id}'`);
      expect(JSON.stringify(row)).not.toContain(partner.api_key);
      expect(JSON.stringify(row)).not.toContain(partner.webhook_secret.slice(6));
      expect(row.api_key).toMatch(/^v1:test1:/);

      const listed = await runCli(['partner', 'list']);
      expect(listed.json).toEqual(expect.arrayContaining([expect.objectContaining({ id: partner.id, name: 'Acme' })]));
      expect(listed.stdout).not.toContain(partner.api_key);
    });

    it('rejects bad input with a clear message and writes nothing', async () => {
      // Other test files create partners concurrently, so look for this test's name only.
      const count = async () =>
        (await rows<{ n: string }>(testDb(), `SELECT count(*) AS n FROM partners WHERE name = 'NeverCreated'`))[0].n;
      const badUrl = await runCli(['partner', 'create', '--name', 'NeverCreated', '--new-mail-webhook', 'not a url']);
      expect(badUrl.code).toBe(2);
      expect(badUrl.stderr).toContain('newMailWebhook must be an http(s) URL');
      const unknownFlag = await runCli(['partner', 'create', '--name', 'NeverCreated', '--colour', 'red']);
      expect(unknownFlag.code).toBe(2);
      expect(unknownFlag.stderr).toContain("Unknown option '--colour'");
      const noName = await runCli(['partner', 'create']);
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('name');
      expect(await count()).toBe('0');
    });

    it('in production, refuses webhook URLs on private networks', async () => {
      const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://imap.example.test' };
      const refused = await runCli(
        ['partner', 'create', '--name', 'NeverCreated', '--new-mail-webhook', 'http://127.0.0.1:8080/hook'],
        production,
      );
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        'newMailWebhook: 127.0.0.1 resolves to 127.0.0.1, a private or reserved address',
      );
      const allowed = await runCli(
        ['partner', 'create', '--name', 'Private OK', '--new-mail-webhook', 'http://127.0.0.1:8080/hook'],
        { ...production, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_ALLOW_HTTP: 'true' },
      );
      expect(allowed.code).toBe(0);
    });

    it('in production, refuses plain-http webhook URLs unless WEBHOOK_ALLOW_HTTP', async () => {
      const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://imap.example.test' };
      const args = ['partner', 'create', '--name', 'Plain', '--new-mail-webhook', 'http://93.184.216.34/hook'];
      const refused = await runCli(args, production);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('newMailWebhook: http://93.184.216.34 uses http://');
      expect((await runCli(args, { ...production, WEBHOOK_ALLOW_HTTP: 'true' })).code).toBe(0);
      const secure = ['partner', 'create', '--name', 'Secure', '--new-mail-webhook', 'https://93.184.216.34/hook'];
      expect((await runCli(secure, production)).code).toBe(0);
    });

    it('rotates the webhook secret', async () => {
      const { json } = await runCli(['partner', 'create', '--name', 'Rotating']);
      const { id, webhook_secret } = json as Record<string, string>;
      const rotated = await runCli(['partner', 'rotate-secret', '--id', id]);
      expect(rotated.code).toBe(0);
      const next = (rotated.json as Record<string, string>).webhook_secret;
      expect(next).toMatch(/^whsec_/);
      expect(next).not.toBe(webhook_secret);
    });
  });

  describe('provider', () => {
    const args = [
      'provider',
      'create',
      '--code',
      'TESTMAIL',
      '--title',
      'Test Mail',
      '--imap-host',
      'imap.test.example',
      '--imap-port',
      '993',
      '--imap-security',
      'tls',
      '--auth',
      'password',
    ];

    it('creates and lists a provider; a duplicate code is refused', async () => {
      const created = await runCli(args);
      expect(created.code).toBe(0);
      expect(created.json).toMatchObject({ code: 'TESTMAIL', imap: 'imap.test.example:993 (tls)' });
      const duplicate = await runCli(args);
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toContain("An IMAP provider with code 'TESTMAIL' already exists");
      expect((await runCli(['provider', 'list'])).json).toEqual(
        expect.arrayContaining([expect.objectContaining({ code: 'TESTMAIL' })]),
      );
    });

    it('lists every invalid flag', async () => {
      const bad = await runCli([
        'provider',
        'create',
        '--code',
        'lower',
        '--title',
        'T',
        '--imap-host',
        'h',
        '--imap-port',
        '99999',
        '--imap-security',
        'ssl',
        '--auth',
        'kerberos',
      ]);
      expect(bad.code).toBe(2);
      for (const field of ['code', 'imapPort', 'imapSecurity', 'auth']) expect(bad.stderr).toContain(field);
    });
  });

  describe('admin', () => {
    it('creates an admin and refuses a duplicate or a short password', async () => {
      const created = await runCli(['admin', 'create', '--email', 'ops@example.com', '--password', 'long-enough-1']);
      expect(created.json).toMatchObject({ email: 'ops@example.com' });
      const again = await runCli(['admin', 'create', '--email', 'OPS@example.com', '--password', 'long-enough-1']);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('exists');
      const short = await runCli(['admin', 'create', '--email', 'x@example.com', '--password', 'short']);
      expect(short.code).toBe(2);
      expect(short.stderr).toContain('at least 8 characters');
    });
  });

  describe('keys rotate', () => {
    const db = new ScratchDatabase();
    afterAll(() => db.drop());

    it('re-encrypts every secret with the newest key, which alone then reads them', async () => {
      const env = { DATABASE_URL: db.url };
      await runCli(['migrate'], env);
      const partner = (await runCli(['partner', 'create', '--name', 'Old'], env)).json as Record<string, string>;
      const twoKeys = { ...env, ENCRYPTION_KEY: `test2:second-key-0123456789abcdef,${TEST_ENCRYPTION_KEY}` };
      const rotated = await runCli(['keys', 'rotate'], twoKeys);
      expect(rotated.code).toBe(0);
      expect(rotated.json).toMatchObject({
        key_id: 'test2',
        reencrypted: expect.arrayContaining([{ table: 'partners', column: 'api_key', reencrypted: 1 }]),
      });
      const [row] = await db.query<Record<string, string>>('SELECT api_key, webhook_secret FROM partners');
      expect(row.api_key).toMatch(/^v1:test2:/);
      expect(row.webhook_secret).toMatch(/^v1:test2:/);
      // Rotating again finds nothing left to do.
      const again = (await runCli(['keys', 'rotate'], twoKeys)).json as { reencrypted: { reencrypted: number }[] };
      expect(again.reencrypted.every((r) => r.reencrypted === 0)).toBe(true);
      // Only the new key is needed now: the secret can still be rotated (which decrypts the old one).
      const onlyNew = { ...env, ENCRYPTION_KEY: 'test2:second-key-0123456789abcdef' };
      expect((await runCli(['partner', 'rotate-secret', '--id', partner.id], onlyNew)).code).toBe(0);
    });

    it('matches key ids exactly: a new id with `_` never passes for an old one it would LIKE-match', async () => {
      const other = new ScratchDatabase();
      try {
        const old = { DATABASE_URL: other.url, ENCRYPTION_KEY: 'kx1:old-key-0123456789abcdef' };
        await runCli(['migrate'], old);
        expect((await runCli(['partner', 'create', '--name', 'Wildcard'], old)).code).toBe(0);
        const rotated = await runCli(['keys', 'rotate'], {
          ...old,
          ENCRYPTION_KEY: 'k_1:new-key-0123456789abcdef,kx1:old-key-0123456789abcdef',
        });
        expect(rotated.code).toBe(0);
        const [row] = await other.query<Record<string, string>>('SELECT api_key, webhook_secret FROM partners');
        expect(row.api_key).toMatch(/^v1:k_1:/);
        expect(row.webhook_secret).toMatch(/^v1:k_1:/);
      } finally {
        await other.drop();
      }
    });
  });

  it('refuses to start a command with invalid configuration, naming the variable', async () => {
    const result = await runCli(['partner', 'list'], { DATABASE_URL: 'nonsense' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('DATABASE_URL="nonsense"');
  });
});
