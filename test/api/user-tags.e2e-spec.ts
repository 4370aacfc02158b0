import { randomUUID } from 'node:crypto';

import pg from 'pg';

import { ApiClient, userIdOf, usersPath } from '../support/api-client.js';
import { RoleProcess } from '../support/role-process.js';
import { runCli } from '../support/run-cli.js';

const CODE = 'FASTMAIL_PASSWORD';

async function sql(text: string, values: unknown[]): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('API: user tags and stable user ids', () => {
  let api: RoleProcess;
  let partner: ApiClient;

  beforeAll(async () => {
    await runCli(['seed']);
    api = await RoleProcess.start('api');
    await api.waitHealthy();
    partner = await ApiClient.forNewPartner(api.url, 'Tags');
    await partner.post('/api/v1/connections', { imap_provider_code: CODE });
  });
  afterAll(() => api.stop());

  it.each([
    ['empty', ''],
    ['blank', ' \t '],
    ['a control character', 'bell\u0007'],
    ['a newline', 'two\nlines'],
    ['a zero-width space', 'ali\u200bce'],
    ['a zero-width joiner', 'ali\u200dce'],
    ['a byte-order mark inside', 'ali\ufeffce'],
    ['a right-to-left override', 'alice\u202egpj.exe'],
    ['a bidi isolate', '\u2066alice\u2069'],
    ['a line separator', 'a\u2028b'],
    ['a lone surrogate', 'a\ud800b'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['a dunder name', '__defineGetter__'],
  ])('refuses a tag with %s, on create and on rename', async (_name, tag) => {
    const created = await partner.post(usersPath(CODE), { tag });
    expect(created.status).toBe(400);
    expect(created.body.error.code).toBe('ValidationFailed');
    await partner.post(usersPath(CODE), { tag: 'renamable' });
    expect((await partner.put(usersPath(CODE, 'renamable'), { tag })).status).toBe(400);
  });

  it('trims tags, and still takes Unicode letters and punctuation', async () => {
    const created = await partner.post(usersPath(CODE), { tag: '  padded  ' });
    expect(created.status).toBe(200);
    expect(created.body.tag).toBe('padded');
    expect((await partner.put(usersPath(CODE, 'padded'), { tag: ' trimmed ' })).body.tag).toBe('trimmed');
    for (const tag of ['ünïcødé-タグ', 'proto', '_private', 'a__proto__b', 'dots.in.tag']) {
      expect((await partner.post(usersPath(CODE), { tag })).status).toBe(200);
    }
  });

  it('gives events the stable user_id, which tells a reused tag from the old user', async () => {
    const first = await partner.post(usersPath(CODE), { tag: 'reused' });
    const firstId = userIdOf(first.body.connect_url);
    const eventId = randomUUID();
    await sql(
      `INSERT INTO webhook_events (id, partner_id, user_id, type, status) VALUES ($1, $2, $3, 'new_mail', 'delivered')`,
      [eventId, partner.partnerId, firstId],
    );
    // The old user goes, a new one takes the tag.
    expect((await partner.delete(usersPath(CODE, 'reused'))).status).toBe(204);
    const second = await partner.post(usersPath(CODE), { tag: 'reused' });
    const secondId = userIdOf(second.body.connect_url);
    expect(secondId).not.toBe(firstId);

    const listed = await partner.get(`/api/v1/events?user_tag=reused`);
    const fetched = await partner.get(`/api/v1/events/${eventId}`);
    expect(fetched.body).toMatchObject({ id: eventId, user_id: firstId });
    expect(listed.body.every((event: { user_id: string }) => event.user_id !== secondId)).toBe(true);
  });
});
