import { parseConfig } from '@app/core';
import { SignedUserUrls } from '@app/users';

import { DovecotTestServer } from '../harness/dovecot.js';
import { buildMail } from '../harness/mail-factory.js';
import { WebhookSink } from '../harness/webhook-sink.js';
import { type ApiClient, usersPath } from '../support/api-client.js';
import { screenshot, TestBrowser } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { OAuth2AuthorizationServer } from '../support/oauth2-authorization-server.js';
import { TEST_ENCRYPTION_KEY, TEST_SECRET_KEY_BASE, uniqueName } from '../support/test-env.js';
import { TestInstallation } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

interface CreatedUser {
  userId: string;
  connectUrl: string;
  disconnectUrl: string;
}

const CALLBACKS = { success: '/app/connect_callback', failure: '/app/connect_failed' };

describe('connect and disconnect pages', () => {
  let oauth: OAuth2AuthorizationServer;
  let dovecot: DovecotTestServer;
  let sink: WebhookSink;
  let installation: TestInstallation;
  let partner: ApiClient;
  let browser: TestBrowser;
  let publicUrl: string;
  const oauthCode = uniqueName('LOCAL_OAUTH').toUpperCase();
  let passwordCode: string;

  beforeAll(async () => {
    oauth = await OAuth2AuthorizationServer.start();
    oauth.clients.set('client-1', 'secret-1');
    dovecot = await DovecotTestServer.start({ users: 6, oauth2TokeninfoUrl: oauth.url('/tokeninfo?access_token=') });
    sink = await WebhookSink.start();
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    installation = await new TestInstallation({ PUBLIC_URL: publicUrl }).start({ apiPort: port });
    const created = await installation.cli([
      ...['provider', 'create', '--code', oauthCode, '--title', 'Local OAuth Mail', '--auth', 'oauth2'],
      ...['--imap-host', '127.0.0.1', '--imap-port', String(dovecot.imapPort), '--imap-security', 'none'],
      ...['--oauth2-authorize-url', oauth.url('/authorize'), '--oauth2-token-url', oauth.url('/token')],
      ...['--oauth2-userinfo-url', oauth.url('/userinfo'), '--oauth2-revoke-url', oauth.url('/revoke')],
      ...['--oauth2-scope', 'email imap', '--oauth2-param', 'access_type=offline', '--oauth2-param', 'prompt=consent'],
    ]);
    expect(created.code).toBe(0);
    passwordCode = await installation.createLocalProvider('Local Password Mail', dovecot.imapPort);
    partner = await installation.createPartner('Acme CRM', [
      ...['--new-mail-webhook', sink.urlFor('/hooks/new-mail')],
      ...['--user-connected-webhook', sink.urlFor('/hooks/connected')],
      ...['--user-disconnected-webhook', sink.urlFor('/hooks/disconnected')],
      ...['--success-url', sink.urlFor(CALLBACKS.success), '--failure-url', sink.urlFor(CALLBACKS.failure)],
      ...['--allowed-redirect-url', sink.urlFor('/app/disconnected')],
    ]);
    expect(
      (
        await partner.post('/api/v1/connections', {
          imap_provider_code: oauthCode,
          oauth2_client_id: 'client-1',
          oauth2_client_secret: 'secret-1',
        })
      ).status,
    ).toBe(200);
    expect((await partner.post('/api/v1/connections', { imap_provider_code: passwordCode })).status).toBe(200);
    await installation.startRole('worker');
    await installation.startRole('imap-client');
    browser = await TestBrowser.launch();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await installation?.stop();
    await sink?.close();
    await dovecot?.stop();
    await oauth?.close();
  });

  async function createUser(code: string, tag: string): Promise<CreatedUser> {
    const result = await partner.post(usersPath(code), { tag });
    expect(result.status).toBe(200);
    const connectUrl = result.body.connect_url as string;
    return {
      userId: new URL(connectUrl).pathname.split('/').at(-1)!.split('.')[0],
      connectUrl,
      disconnectUrl: result.body.disconnect_url as string,
    };
  }

  /** The seed's partner code: `redirect_to connect_url + "?" + {success:, failure:}.to_query`. */
  function withCallbacks(
    url: string,
    success = `${CALLBACKS.success}?success=1`,
    failure = `${CALLBACKS.failure}?failure=1`,
  ) {
    return `${url}?${new URLSearchParams({ success: sink.urlFor(success), failure: sink.urlFor(failure) }).toString()}`;
  }

  const userRow = (id: string) => installation.userRow(id);

  it('OAuth2: consent with state and PKCE, token stored encrypted, user_connected, then new mail over XOAUTH2', async () => {
    const user = await createUser(oauthCode, 'oauth-alice');
    oauth.email = dovecot.user(1).email;
    const page = await browser.newPage();
    await page.goto(withCallbacks(user.connectUrl));
    await page.waitForURL((url) => url.pathname === CALLBACKS.success);
    expect(new URL(page.url()).searchParams.get('success')).toBe('1');

    const authorize = oauth.authorizeRequests.at(-1)!.query;
    expect(Object.fromEntries(authorize)).toMatchObject({
      response_type: 'code',
      client_id: 'client-1',
      redirect_uri: `${publicUrl}/users/connect/callback`,
      scope: 'email imap',
      access_type: 'offline',
      prompt: 'consent',
      code_challenge_method: 'S256',
    });
    expect(authorize.get('state')).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(authorize.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(oauth.tokenRequests.at(-1)!.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,128}$/);

    const row = await userRow(user.userId);
    expect(row.email).toBe(dovecot.user(1).email);
    expect(row.connected_at).not.toBeNull();
    expect(row.oauth2_refresh_token).toMatch(/^v1:test1:/);
    expect(JSON.stringify(row)).not.toMatch(/rt-[0-9a-f]{24}/);

    const [connected] = await sink.waitFor(1, 15_000, '/hooks/connected');
    expect(connected.json).toMatchObject({ user_tag: 'oauth-alice', email: dovecot.user(1).email });

    await waitFor('the mailbox watched over XOAUTH2', async () => (await userRow(user.userId)).state === 'watching', {
      timeoutMs: 20_000,
    });
    await dovecot.deliver(
      dovecot.user(1).email,
      buildMail({ to: dovecot.user(1).email, messageId: 'after-oauth@test' }),
    );
    const [mail] = await sink.waitFor(1, 20_000, '/hooks/new-mail');
    expect(mail.json).toMatchObject({ user_tag: 'oauth-alice', envelope: { message_id: '<after-oauth@test>' } });

    // The link completed a connect: it cannot be used again.
    const replay = await page.goto(user.connectUrl);
    expect(replay?.status()).toBe(409);
    expect(await page.content()).toContain('already been used');
    await screenshot(page, 'connect-link-used');
    await page.close();
  }, 90_000);

  it('OAuth2: denied consent, a failed code exchange and a forged state store nothing', async () => {
    const user = await createUser(oauthCode, 'oauth-denied');
    const page = await browser.newPage();
    oauth.denyWith = 'access_denied';
    await page.goto(withCallbacks(user.connectUrl));
    await page.waitForURL((url) => url.pathname === CALLBACKS.failure);

    oauth.failTokenExchange = true;
    await page.goto(withCallbacks(user.connectUrl));
    await page.waitForURL((url) => url.pathname === CALLBACKS.failure);
    oauth.failTokenExchange = false;
    const row = await userRow(user.userId);
    expect(row.oauth2_refresh_token).toBeNull();
    expect(row.connected_at).toBeNull();

    const forged = await page.goto(`${publicUrl}/users/connect/callback?state=${'A'.repeat(32)}&code=stolen`);
    expect(forged?.status()).toBe(400);
    expect(await page.content()).toContain('could not be verified');
    await screenshot(page, 'connect-invalid-state');

    // A state is bound to the browser that started the flow: replayed from another browser, it fails.
    oauth.email = dovecot.user(2).email;
    const other = await TestBrowser.launch();
    try {
      const start = await fetch(user.connectUrl, { redirect: 'manual' });
      const location = new URL(start.headers.get('location')!);
      const back = await fetch(location, { redirect: 'manual' });
      const otherPage = await other.newPage();
      await otherPage.goto(back.headers.get('location')!);
      await otherPage.waitForURL((url) => url.pathname === CALLBACKS.failure);
    } finally {
      await other.close();
    }
    expect((await userRow(user.userId)).oauth2_refresh_token).toBeNull();
    await page.close();
  }, 60_000);

  it('password form: wrong password re-shown with a message, right one stored encrypted, user_connected', async () => {
    const user = await createUser(passwordCode, 'pw-bob');
    const { email, password } = dovecot.user(3);
    const page = await browser.newPage();
    await page.goto(withCallbacks(user.connectUrl));
    expect(await page.textContent('h1')).toBe('Connect your mailbox');
    expect(await page.content()).toContain('Acme CRM');
    await screenshot(page, 'connect-password-form');

    await page.fill('#email', email);
    await page.fill('#password', 'wrong-password');
    await page.click('button[type=submit]');
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toContain('did not accept');
    expect(await page.inputValue('#email')).toBe(email);
    await screenshot(page, 'connect-password-wrong');
    expect((await userRow(user.userId)).login_password).toBeNull();

    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.pathname === CALLBACKS.success);

    const row = await userRow(user.userId);
    expect(row.login_username).toBe(email);
    expect(row.login_password).toMatch(/^v1:test1:/);
    expect(JSON.stringify(row)).not.toContain(password);
    const connected = await sink.waitFor(2, 15_000, '/hooks/connected');
    expect(connected.at(-1)!.json).toMatchObject({ user_tag: 'pw-bob', email });
    await page.close();
  }, 60_000);

  it('disconnect: a confirmation page (GET changes nothing), then credentials NULL, user_disconnected, no session', async () => {
    const user = await createUser(passwordCode, 'pw-carol');
    const { email, password } = dovecot.user(4);
    const page = await browser.newPage();
    await page.goto(user.connectUrl);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.pathname === CALLBACKS.success);
    await dovecot.waitForSessions(email, 1, 15_000);

    await page.goto(withCallbacks(user.disconnectUrl, '/app/disconnected?success=1'));
    expect(await page.textContent('h1')).toBe('Disconnect your mailbox');
    await screenshot(page, 'disconnect-confirm');
    expect((await userRow(user.userId)).login_password).not.toBeNull();

    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.pathname === '/app/disconnected');
    const row = await userRow(user.userId);
    expect(row).toMatchObject({
      login_password: null,
      oauth2_refresh_token: null,
      oauth2_access_token: null,
      connected_at: null,
    });
    expect(row.archived_at).toBeNull();
    const [disconnected] = await sink.waitFor(1, 15_000, '/hooks/disconnected');
    expect(disconnected.json).toMatchObject({ user_tag: 'pw-carol' });
    await dovecot.waitForSessions(email, 0, 15_000);
    await page.close();
  }, 60_000);

  it('shows its own page when the partner registered no URL to return to', async () => {
    const plain = await installation.createPartner('Plain partner');
    expect((await plain.post('/api/v1/connections', { imap_provider_code: passwordCode })).status).toBe(200);
    const created = await plain.post(usersPath(passwordCode), { tag: 'plain-user' });
    const { email, password } = dovecot.user(6);
    const page = await browser.newPage();
    await page.goto(created.body.connect_url as string);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('h1:has-text("Mailbox connected")');
    await screenshot(page, 'connect-done');
    await page.close();
  });

  it('disconnect of an OAuth2 user revokes its grant at the provider', async () => {
    const user = await createUser(oauthCode, 'oauth-dave');
    oauth.email = dovecot.user(5).email;
    const page = await browser.newPage();
    await page.goto(user.connectUrl);
    await page.waitForURL((url) => url.pathname === CALLBACKS.success);
    const issued = oauth.tokenRequests.length;
    expect(issued).toBeGreaterThan(0);
    await page.goto(user.disconnectUrl);
    await page.click('button[type=submit]');
    await page.waitForURL((url) => url.pathname === CALLBACKS.success);
    expect(oauth.revoked.at(-1)).toMatch(/^rt-/);
    expect((await userRow(user.userId)).oauth2_refresh_token).toBeNull();
    await page.close();
  }, 60_000);

  it.each([
    ['another host', 'https://evil.example/'],
    ['a protocol-relative URL', '//evil.example/'],
    ['javascript:', 'javascript:alert(1)'],
    ['a backslash trick', 'http:\\\\evil.example'],
    ['an encoded user-info trick', `${'http://127.0.0.1'}%2F@evil.example/`],
    ['a look-alike host', 'http://127.0.0.1.evil.example/'],
  ])('refuses a callback to %s with a 400 page, never a redirect', async (_name, target) => {
    const user = await createUser(passwordCode, uniqueName('redir'));
    for (const kind of ['success', 'failure']) {
      const response = await fetch(`${user.connectUrl}?${new URLSearchParams({ [kind]: target }).toString()}`, {
        redirect: 'manual',
      });
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('not one the application registered');
    }
  });

  it('refuses expired, tampered and non-canonical links, and forms without their CSRF token', async () => {
    const user = await createUser(passwordCode, 'pw-erin');
    const urls = new SignedUserUrls(
      parseConfig({
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        SECRET_KEY_BASE: TEST_SECRET_KEY_BASE,
        PUBLIC_URL: publicUrl,
      }),
    );
    const expired = urls.url('connect', user.userId, new Date(Date.now() - 31 * 60_000));
    const token = user.connectUrl.split('/').at(-1)!;
    for (const url of [
      expired,
      `${publicUrl}/users/connect/${token.toUpperCase()}`,
      `${publicUrl}/users/connect/${token}=`,
      user.disconnectUrl.replace('/disconnect/', '/connect/'),
    ]) {
      const response = await fetch(url, { redirect: 'manual' });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('invalid or has expired');
    }
    const page = await browser.newPage();
    const expiredPage = await page.goto(expired);
    expect(expiredPage?.status()).toBe(404);
    await screenshot(page, 'connect-link-expired');
    await page.close();

    const noToken = await fetch(user.connectUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'x@example.test', password: 'x' }),
      redirect: 'manual',
    });
    expect(noToken.status).toBe(403);
    expect(await noToken.text()).toContain('form expired');
  });

  it('pages carry a strict CSP and no external assets', async () => {
    const user = await createUser(passwordCode, 'pw-frank');
    const response = await fetch(user.connectUrl);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).not.toMatch(/<script|style=|https?:\/\/(?!127\.0\.0\.1)/);
  });

  it("accepts the seed's form-encoded API calls: booleans as text and the api_key as a field", async () => {
    await createUser(passwordCode, 'pw-form');
    const response = await fetch(`${installation.api.url}${usersPath(passwordCode)}/pw-form`, {
      method: 'PUT',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: partner.apiKey, archived: 'true', enable_tracer: 'false' }),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ archived: true, enable_tracer: false });
    const restored = await fetch(`${installation.api.url}${usersPath(passwordCode)}/pw-form`, {
      method: 'PUT',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: partner.apiKey, archived: 'false' }),
    });
    expect(await restored.json()).toMatchObject({ archived: false });
  });
});
