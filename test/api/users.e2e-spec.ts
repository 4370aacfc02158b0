import { Redis } from 'ioredis';
import pg from 'pg';

import { redisKey } from '@app/core';

import { ApiClient, type ApiResult, userIdOf, usersPath } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { runCli } from '../support/run-cli.js';
import { REDIS_URL } from '../support/test-env.js';
import { waitFor } from '../support/wait-for.js';

const CODE = 'FASTMAIL_PASSWORD';

async function rawUser(id: string): Promise<Record<string, unknown>> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return (await client.query('SELECT * FROM users WHERE id = $1', [id])).rows[0];
  } finally {
    await client.end();
  }
}

describe('API: users', () => {
  let api: RoleProcess;
  let partner: ApiClient;
  let notifications: { reason: string; userIds: string[] }[];
  let subscriber: Redis;

  beforeAll(async () => {
    await runCli(['seed']);
    api = await RoleProcess.start('api', { PUBLIC_URL: 'https://imap.example.test' });
    await api.waitHealthy();
    partner = await ApiClient.forNewPartner(api.url, 'Users');
    await partner.post('/api/v1/connections', { imap_provider_code: CODE });
    await partner.post('/api/v1/connections', {
      imap_provider_code: 'GMAIL_OAUTH2',
      oauth2_client_id: 'users-client',
      oauth2_client_secret: 'users-secret',
    });
    notifications = [];
    subscriber = new Redis(REDIS_URL);
    await subscriber.subscribe(redisKey(process.env.REDIS_PREFIX!, 'user-changes'));
    subscriber.on('message', (_channel, message: string) => notifications.push(JSON.parse(message)));
  });
  afterAll(async () => {
    await subscriber.quit();
    await api.stop();
  });

  it('creates a password user with credentials: connected, secrets write-only and encrypted', async () => {
    const created = await partner.post(usersPath(CODE), {
      tag: 'alice',
      login_username: 'alice@fastmail.test',
      login_password: 'pa55-word-secret',
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ tag: 'alice', archived: false, state: 'idle', last_error: null });
    // Credentials are not a connection: connected_at waits for the imap-client's first login.
    expect(created.body.connected_at).toBeNull();
    expect(JSON.stringify(created.body)).not.toContain('pa55-word-secret');
    expect(created.body.connect_url).toMatch(
      /^https:\/\/imap\.example\.test\/users\/connect\/[0-9a-f-]{36}\.\d+\.[A-Za-z0-9_-]{43}$/,
    );
    expect(created.body.disconnect_url).toMatch(
      /^https:\/\/imap\.example\.test\/users\/disconnect\/[0-9a-f-]{36}\.\d+\.[A-Za-z0-9_-]{43}$/,
    );

    const row = await rawUser(userIdOf(created.body.connect_url));
    expect(JSON.stringify(row)).not.toContain('pa55-word-secret');
    expect(row.login_password).toMatch(/^v1:test1:/);

    const fetched = await partner.get(usersPath(CODE, 'alice'));
    expect(fetched.body).toMatchObject({ tag: 'alice', email: null });
    expect(JSON.stringify(fetched.body)).not.toContain('pa55');
  });

  it('a user without credentials is not connected; an OAuth2 user takes email + refresh token', async () => {
    const bare = await partner.post(usersPath(CODE), { tag: 'bare' });
    expect(bare.body).toMatchObject({ connected_at: null, state: 'needs_credentials' });
    const oauth = await partner.post(usersPath('GMAIL_OAUTH2'), {
      tag: 'g1',
      email: 'g1@gmail.test',
      oauth2_refresh_token: '1//refresh-token-secret',
    });
    expect(oauth.status).toBe(200);
    expect(oauth.body).toMatchObject({ connected_at: null, state: 'idle' });
    expect(JSON.stringify(oauth.body)).not.toContain('refresh-token-secret');
    const wrongKind = await partner.post(usersPath('GMAIL_OAUTH2'), { tag: 'g2', login_password: 'nope' });
    expect(wrongKind.status).toBe(400);
    expect(wrongKind.body.error.message).toContain('login_password not accepted');
  });

  it('keeps tags unique per connection among active users, case-insensitively', async () => {
    await partner.post(usersPath(CODE), { tag: 'Bob' });
    const clash = await partner.post(usersPath(CODE), { tag: 'bob' });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('TagTaken');
    expect((await partner.get(usersPath(CODE, 'BOB'))).body.tag).toBe('Bob');

    // Archived users free their tag; restoring one whose tag is taken again is refused.
    expect((await partner.delete(usersPath(CODE, 'Bob'))).status).toBe(204);
    expect((await partner.post(usersPath(CODE, undefined), { tag: 'bob' })).status).toBe(200);
    expect((await partner.get(usersPath(CODE, 'bob'))).body.archived).toBe(false);
    // The same tag in another connection is fine.
    expect((await partner.post(usersPath('GMAIL_OAUTH2'), { tag: 'bob' })).status).toBe(200);
  });

  it('archives with DELETE and restores with PUT archived=false', async () => {
    await partner.post(usersPath(CODE), { tag: 'carol' });
    expect((await partner.delete(usersPath(CODE, 'carol'))).status).toBe(204);
    expect((await partner.get(usersPath(CODE, 'carol'))).body.archived).toBe(true);
    const restored = await partner.put(usersPath(CODE, 'carol'), { archived: false });
    expect(restored.status).toBe(200);
    expect(restored.body.archived).toBe(false);
  });

  it('renames a tag, refusing a clash', async () => {
    await partner.post(usersPath(CODE), { tag: 'dave' });
    await partner.post(usersPath(CODE), { tag: 'erin' });
    expect((await partner.put(usersPath(CODE, 'dave'), { tag: 'Erin' })).status).toBe(409);
    const renamed = await partner.put(usersPath(CODE, 'dave'), { tag: 'david' });
    expect(renamed.body.tag).toBe('david');
    expect((await partner.get(usersPath(CODE, 'dave'))).status).toBe(404);
  });

  it.each(['dots.in.tag', 'slash/tag', 'space tag', 'ünïcødé-タグ', 'percent%tag', 'tag.json'])(
    'serves the tag %p when URL-encoded',
    async (tag) => {
      expect((await partner.post(usersPath(CODE), { tag })).status).toBe(200);
      const path = `/api/v1/connections/${CODE}/users/${encodeURIComponent(tag).replace(/\./g, '%2E')}`;
      const fetched = await partner.get(path);
      expect(fetched.status).toBe(200);
      expect(fetched.body.tag).toBe(tag);
    },
  );

  it('a PUT with new credentials clears an authentication error', async () => {
    const created = await partner.post(usersPath(CODE), { tag: 'frank', login_username: 'f', login_password: 'old' });
    const id = userIdOf(created.body.connect_url);
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query(
      `UPDATE users SET state = 'auth_error', last_error = 'AUTHENTICATIONFAILED', auth_failed_at = now() WHERE id = $1`,
      [id],
    );
    await client.end();
    expect((await partner.get(usersPath(CODE, 'frank'))).body).toMatchObject({
      state: 'auth_error',
      last_error: 'AUTHENTICATIONFAILED',
    });
    const updated = await partner.put(usersPath(CODE, 'frank'), { login_password: 'new' });
    expect(updated.body).toMatchObject({ state: 'idle', last_error: null });
    expect((await rawUser(id)).auth_failed_at).toBeNull();
  });

  it('paginates with limit and cursor, and filters by archived and state', async () => {
    await partner.post('/api/v1/connections', { imap_provider_code: 'AOL_PASSWORD' });
    for (let i = 0; i < 5; i++) await partner.post(usersPath('AOL_PASSWORD'), { tag: `p${i}` });
    await partner.delete(usersPath('AOL_PASSWORD', 'p4'));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: ApiResult<{ tag: string }[]> = await partner.get(
        `${usersPath('AOL_PASSWORD')}?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((u: { tag: string }) => u.tag));
      cursor = page.headers.get('x-next-cursor');
    } while (cursor);
    expect(seen).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    const active = await partner.get(`${usersPath('AOL_PASSWORD')}?archived=false`);
    expect(active.body.map((u: { tag: string }) => u.tag)).toEqual(['p0', 'p1', 'p2', 'p3']);
    const archived = await partner.get(`${usersPath('AOL_PASSWORD')}?archived=true`);
    expect(archived.body.map((u: { tag: string }) => u.tag)).toEqual(['p4']);
    expect((await partner.get(`${usersPath('AOL_PASSWORD')}?state=auth_error`)).body).toEqual([]);
    expect((await partner.get(`${usersPath('AOL_PASSWORD')}?state=bogus`)).status).toBe(400);
    expect((await partner.get(`${usersPath('AOL_PASSWORD')}?limit=0`)).status).toBe(400);
    expect((await partner.get(`${usersPath('AOL_PASSWORD')}?cursor=garbage`)).status).toBe(400);
  });

  it('errors: missing tag, wrong types, unknown fields, unknown user', async () => {
    const missing = await partner.post(usersPath(CODE), {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ field: 'tag' })]);
    const wrong = await partner.post(usersPath(CODE), { tag: 5, enable_tracer: 'yes', favourite: 1 });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'enable_tracer',
      'favourite',
      'tag',
    ]);
    const unknown = await partner.get(usersPath(CODE, 'nobody'));
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: { code: 'UserNotFound', message: "User not found for 'nobody'" } });
    expect((await partner.get(usersPath('NOPE', 'x'))).body.error.code).toBe('ImapProviderNotFound');
    expect((await partner.get(usersPath('OUTLOOK_PASSWORD', 'x'))).body.error.code).toBe('ConnectionNotFound');
  });

  it('announces creates, updates, archives and restores on Redis', async () => {
    notifications.length = 0;
    const created = await partner.post(usersPath(CODE), { tag: 'notified' });
    const id = userIdOf(created.body.connect_url);
    await partner.put(usersPath(CODE, 'notified'), { enable_tracer: true });
    await partner.delete(usersPath(CODE, 'notified'));
    await partner.put(usersPath(CODE, 'notified'), { archived: false });
    await waitFor('four notifications', () => notifications.length >= 4);
    expect(notifications).toEqual([
      { reason: 'created', userIds: [id] },
      { reason: 'updated', userIds: [id] },
      { reason: 'archived', userIds: [id] },
      { reason: 'restored', userIds: [id] },
    ]);
  });
});
