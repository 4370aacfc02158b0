import { AdminHttp, csrfToken } from '../support/admin-http.js';
import { ApiClient, usersPath } from '../support/api-client.js';
import { TestInstallation } from '../support/test-installation.js';

const OPERATOR = { email: 'ops@example.com', password: 'a long operator passphrase' };
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/**
 * The partner and user actions of the admin pages over plain HTTP: what the browser journey does not walk
 * (OAuth2 credentials, the change limit, partners without URLs, disconnect links, archived users) and bad
 * input, which must get a clear 4xx page, never a 500 or a secret.
 */
describe('admin partner and user actions: edges and bad input', () => {
  let installation: TestInstallation;
  let admin: AdminHttp;
  let partner: ApiClient;
  let token: string;
  let oauthUserId: string;
  let passwordUserId: string;

  beforeAll(async () => {
    installation = await new TestInstallation().start();
    const created = await installation.cli([
      'admin',
      'create',
      '--email',
      OPERATOR.email,
      '--password',
      OPERATOR.password,
    ]);
    expect(created.code).toBe(0);
    admin = new AdminHttp(installation.api.url);
    expect((await admin.signIn(OPERATOR.email, OPERATOR.password)).status).toBe(303);
    token = csrfToken((await admin.get('/admin/partners')).body);

    partner = await installation.createPartner('Edge partner');
    await partner.post('/api/v1/connections', {
      imap_provider_code: 'GMAIL_OAUTH2',
      oauth2_client_id: 'client-1',
      oauth2_client_secret: 'client-secret',
    });
    await partner.post('/api/v1/connections', { imap_provider_code: 'FASTMAIL_PASSWORD' });
    const oauth = await partner.post(usersPath('GMAIL_OAUTH2'), { tag: 'oauth-1', email: 'oauth-1@example.com' });
    const password = await partner.post(usersPath('FASTMAIL_PASSWORD'), { tag: 'pw-1' });
    [{ id: oauthUserId }] = await installation.sql("SELECT id FROM users WHERE tag = 'oauth-1'");
    [{ id: passwordUserId }] = await installation.sql("SELECT id FROM users WHERE tag = 'pw-1'");
    expect([oauth.status, password.status]).toEqual([200, 200]);
  }, 120_000);

  afterAll(async () => {
    await installation?.stop();
  });

  const post = (path: string, fields: Record<string, string> = {}) => admin.post(path, { _csrf: token, ...fields });

  it('answers bad input with a 4xx page, never a 500', async () => {
    const id = partner.partnerId;
    const cases: [string, () => Promise<{ status: number; body: string }>, number][] = [
      ['unknown partner', () => admin.get(`/admin/partners/${UNKNOWN}/test-webhook`), 404],
      ['not a uuid', () => admin.get('/admin/partners/not-a-uuid/rotate-api-key'), 400],
      ['made-up grace period', () => post(`/admin/partners/${id}/rotate-api-key`, { grace: '31536000' }), 400],
      ['made-up event type', () => post(`/admin/partners/${id}/test-webhook`, { type: 'everything' }), 400],
      ['unknown user', () => admin.get(`/admin/users/${UNKNOWN}/credentials`), 404],
      ['unknown link kind', () => post(`/admin/users/${passwordUserId}/links/forever`), 404],
      ['tracer neither on nor off', () => post(`/admin/users/${passwordUserId}/tracer`, { enabled: 'maybe' }), 400],
      ['bad tag', () => post(`/admin/partners/${id}/connections/FASTMAIL_PASSWORD/users`, { tag: '__proto__' }), 400],
      ['taken tag', () => post(`/admin/partners/${id}/connections/FASTMAIL_PASSWORD/users`, { tag: 'PW-1' }), 409],
      ['unknown connection', () => admin.get(`/admin/partners/${id}/connections/NO_SUCH/users/new`), 404],
      ['no CSRF token', () => admin.post(`/admin/partners/${id}/delete`, {}), 403],
    ];
    for (const [what, answer, status] of cases) {
      const { status: got, body } = await answer();
      expect({ what, status: got }).toEqual({ what, status });
      expect(body).toContain('<!doctype html>');
    }
    // Nothing happened: the partner is still there, with the API key it had.
    expect((await partner.get('/api/v1/connections')).status).toBe(200);
  });

  /** The ids of the users a search of the users page lists. */
  const found = async (query: string) => {
    const page = await admin.get(`/admin/users?${query}`);
    expect(page.status).toBe(200);
    return [...page.body.matchAll(/<a href="\/admin\/users\/([0-9a-f-]{36})">/g)].map((match) => match[1]).sort();
  };

  it('searches users by state, where a user without a login needs credentials', async () => {
    expect(await found('state=needs_credentials')).toEqual([oauthUserId, passwordUserId].sort());
    expect(await found('state=idle')).toEqual([]);
    expect(await found('state=needs_credentials&tag=pw-1')).toEqual([passwordUserId]);
    expect(await found('state=needs_credentials&email=oauth-1%40')).toEqual([oauthUserId]);
    expect(await found('state=no-such-state')).toEqual([oauthUserId, passwordUserId].sort());
    expect((await admin.get(`/admin/users/${oauthUserId}`)).body).toContain(
      '<span class="badge ">needs_credentials</span>',
    );
  });

  it('says when a partner has no webhook URL to test, instead of sending anything', async () => {
    const form = await admin.get(`/admin/partners/${partner.partnerId}/test-webhook`);
    expect(form.body).toContain('This partner has no webhook URL yet.');
    const sent = await post(`/admin/partners/${partner.partnerId}/test-webhook`, { type: 'new_mail' });
    expect(sent.status).toBe(400);
    expect(sent.body).toContain('The partner has no new_mail webhook URL to send a test to');
  });

  it('revokes the old API key at once when no grace period is chosen', async () => {
    const rotated = await post(`/admin/partners/${partner.partnerId}/rotate-api-key`, { grace: '0' });
    expect(rotated.status).toBe(200);
    const newKey = /<code>(sk_[^<]+)<\/code>/.exec(rotated.body)![1];
    expect((await partner.get('/api/v1/connections')).status).toBe(401);
    partner = new ApiClient(installation.api.url, newKey, partner.partnerId);
    expect((await partner.get('/api/v1/connections')).status).toBe(200);
    expect((await admin.get(`/admin/partners/${partner.partnerId}`)).body).not.toContain(newKey);
  });

  it('takes an OAuth2 refresh token write-only and never shows it back', async () => {
    const form = await admin.get(`/admin/users/${oauthUserId}/credentials`);
    expect(form.body).toContain('No refresh token is stored yet.');
    expect(form.body).not.toContain('name="login_password"');
    const saved = await post(`/admin/users/${oauthUserId}/credentials`, {
      email: 'oauth-1@example.com',
      oauth2_refresh_token: 'refresh-token-canary',
    });
    expect(saved.status).toBe(303);
    const [row] = await installation.sql('SELECT oauth2_refresh_token FROM users WHERE id = $1', [oauthUserId]);
    expect(row.oauth2_refresh_token).toMatch(/^v1:/);
    expect(row.oauth2_refresh_token).not.toContain('canary');
    const again = await admin.get(`/admin/users/${oauthUserId}/credentials`);
    expect(again.body).toContain('A refresh token is stored; leave this empty to keep it.');
    expect(again.body).not.toContain('refresh-token-canary');
    expect((await admin.get(`/admin/users/${oauthUserId}`)).body).not.toContain('refresh-token-canary');
    // With a login it is searched by its session state again.
    expect(await found('state=needs_credentials')).toEqual([passwordUserId]);
    expect(await found('state=idle')).toEqual([oauthUserId]);
    // A password field does not belong to an OAuth2 user: it is ignored, so nothing changes.
    const misplaced = await post(`/admin/users/${oauthUserId}/credentials`, { login_password: 'nope' });
    expect(misplaced.status).toBe(400);
    expect(misplaced.body).toContain('no field was changed');
  });

  it('limits credential changes per mailbox on the pages as in the API, with a clear message', async () => {
    const statuses: number[] = [];
    let refused = '';
    for (let i = 0; i < 6; i++) {
      const answer = await post(`/admin/users/${passwordUserId}/credentials`, {
        login_username: 'pw-1@fastmail.example',
        login_password: `guess-${i}`,
      });
      statuses.push(answer.status);
      if (answer.status === 429) refused = answer.body;
    }
    expect(statuses).toEqual([303, 303, 303, 303, 303, 429]);
    expect(refused).toContain('changed too often');
    expect(refused).not.toContain('guess-5');
    const audit = await installation.sql(
      "SELECT outcome, details::text AS details FROM admin_audit_log WHERE action = 'user.credentials' AND target = $1",
      [passwordUserId],
    );
    expect(audit.map((row) => row.outcome).sort()).toEqual([
      'refused',
      'success',
      'success',
      'success',
      'success',
      'success',
    ]);
    expect(JSON.stringify(audit)).not.toContain('guess-');
  });

  it('issues disconnect links, and none for an archived user', async () => {
    const issued = await post(`/admin/users/${oauthUserId}/links/disconnect`);
    expect(issued.status).toBe(200);
    const link = /id="issued-link" readonly value="([^"]+)"/.exec(issued.body)![1];
    expect(new URL(link).pathname).toMatch(new RegExp(`^/users/disconnect/${oauthUserId}\\.`));
    const opened = await fetch(link.replace(/^http:\/\/localhost:3000/, installation.api.url));
    expect(opened.status).toBe(200);
    // Shown once: the user's page itself carries no link.
    expect((await admin.get(`/admin/users/${oauthUserId}`)).body).not.toContain('/users/disconnect/');

    await post(`/admin/users/${passwordUserId}/archive`);
    const archived = await admin.get(`/admin/users/${passwordUserId}`);
    expect(archived.body).toContain('Restore the user to issue connect or disconnect links.');
    const refused = await post(`/admin/users/${passwordUserId}/links/connect`);
    expect([refused.status, refused.headers.get('location')]).toEqual([303, `/admin/users/${passwordUserId}`]);
    expect((await admin.get(`/admin/users/${passwordUserId}`)).body).toContain(
      'No link issued: This mailbox is no longer active in the application.',
    );
  });

  it('turns the tracer on and off for a provider with SMTP', async () => {
    const confirm = await admin.get(`/admin/users/${oauthUserId}/tracer`);
    expect(confirm.body).toContain('Enable tracer emails for oauth-1?');
    expect((await post(`/admin/users/${oauthUserId}/tracer`, { enabled: 'true' })).status).toBe(303);
    expect((await installation.userRow(oauthUserId)).enable_tracer).toBe(true);
    expect((await admin.get(`/admin/users/${oauthUserId}`)).body).toContain('Tracer enabled.');
    expect((await post(`/admin/users/${oauthUserId}/tracer`, { enabled: 'false' })).status).toBe(303);
    expect((await installation.userRow(oauthUserId)).enable_tracer).toBe(false);
  });
});
