import { FakeImapServer } from '../harness/fake-imap/index.js';
import { buildMail } from '../harness/mail-factory.js';
import type { ApiClient } from '../support/api-client.js';
import { userIdOf, usersPath } from '../support/api-client.js';
import { OAuthTokenServer } from '../support/oauth-token-server.js';
import { quietPeriod } from '../support/quiet-period.js';
import { uniqueName } from '../support/test-env.js';
import { TestInstallation } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

describe('OAuth2 mailboxes (XOAUTH2)', () => {
  let tokens: OAuthTokenServer;
  let imap: FakeImapServer;
  let installation: TestInstallation;
  let partner: ApiClient;
  const code = uniqueName('OAUTH').toUpperCase();

  beforeAll(async () => {
    tokens = await OAuthTokenServer.start();
    imap = await FakeImapServer.start({ xoauth2: (_user, token) => tokens.isValidAccessToken(token) });
    installation = await new TestInstallation().start();
    const created = await installation.cli([
      'provider',
      'create',
      '--code',
      code,
      '--title',
      'OAuth test',
      '--auth',
      'oauth2',
      '--imap-host',
      '127.0.0.1',
      '--imap-port',
      String(imap.port),
      '--imap-security',
      'none',
      '--oauth2-authorize-url',
      'http://127.0.0.1:1/authorize',
      '--oauth2-token-url',
      tokens.url,
    ]);
    expect(created.code).toBe(0);
    partner = await installation.createPartner('OAuth partner');
    await partner.post('/api/v1/connections', {
      imap_provider_code: code,
      oauth2_client_id: 'client-id',
      oauth2_client_secret: 'client-secret',
    });
    await installation.startRole('imap-client');
  });
  afterAll(async () => {
    await installation.stop();
    await imap.close();
    await tokens.close();
  });

  it('logs in with an access token from the refresh token, reuses it, and records mail', async () => {
    imap.addUser('oauth@gmail.test', 'unused-password');
    tokens.validRefreshTokens.add('1//good-refresh');
    const created = await partner.post(usersPath(code), {
      tag: 'oauth-user',
      email: 'oauth@gmail.test',
      oauth2_refresh_token: '1//good-refresh',
    });
    const userId = userIdOf(created.body.connect_url as string);
    await waitFor('an XOAUTH2 session', () => imap.openSessions('oauth@gmail.test') === 1);
    expect(tokens.requests).toHaveLength(1);
    expect(Object.fromEntries(tokens.requests[0])).toEqual({
      grant_type: 'refresh_token',
      refresh_token: '1//good-refresh',
      client_id: 'client-id',
      client_secret: 'client-secret',
    });
    const [row] = await installation.sql('SELECT oauth2_access_token FROM users WHERE id = $1', [userId]);
    expect(row.oauth2_access_token).toMatch(/^v1:/);

    imap.appendMessage('oauth@gmail.test', buildMail({ to: 'oauth@gmail.test' }));
    await installation.waitForEvents(userId, 1);

    // A reconnect reuses the cached, still valid access token.
    const drop = imap.script({ user: 'oauth@gmail.test', command: 'FETCH', times: 1, action: { type: 'destroy' } });
    imap.appendMessage('oauth@gmail.test', buildMail({ to: 'oauth@gmail.test' }));
    await installation.waitForEvents(userId, 2);
    expect(drop.fired).toBe(1);
    expect(tokens.requests).toHaveLength(1);
  });

  it('a revoked refresh token (invalid_grant) → auth_error without retrying, until the token changes', async () => {
    imap.addUser('revoked@gmail.test', 'unused-password');
    const created = await partner.post(usersPath(code), {
      tag: 'revoked-user',
      email: 'revoked@gmail.test',
      oauth2_refresh_token: '1//revoked',
    });
    const userId = userIdOf(created.body.connect_url as string);
    const user = await waitFor('auth_error', async () => {
      const row = await installation.userRow(userId);
      return row.state === 'auth_error' ? row : null;
    });
    expect(user.last_error).toContain('invalid_grant');
    const attempts = tokens.requests.filter((form) => form.get('refresh_token') === '1//revoked').length;
    await quietPeriod(2000, 'a retried token refresh would happen within seconds');
    expect(tokens.requests.filter((form) => form.get('refresh_token') === '1//revoked')).toHaveLength(attempts);

    tokens.validRefreshTokens.add('1//fresh');
    await partner.put(usersPath(code, 'revoked-user'), { oauth2_refresh_token: '1//fresh' });
    await waitFor('an XOAUTH2 session', () => imap.openSessions('revoked@gmail.test') === 1);
    // The server sees the session before the login finished and the state was written: wait for it.
    await waitFor('state watching', async () => (await installation.userRow(userId)).state === 'watching');
  });
});
