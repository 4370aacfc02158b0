import type { Page } from 'playwright-core';

import { AdminHttp } from '../support/admin-http.js';
import { ApiClient, usersPath } from '../support/api-client.js';
import { screenshot, TestBrowser } from '../support/browser.js';
import { TestInstallation } from '../support/test-installation.js';

const NEW_PASSWORD = 'operators choose long passphrases';

/** The admin pages in Debian's Chromium, as an operator uses them. */
describe('admin pages in a browser', () => {
  let installation: TestInstallation;
  let browser: TestBrowser;
  let page: Page;
  const violations: string[] = [];
  let partnerId: string;
  let partnerApiKey: string;

  beforeAll(async () => {
    installation = await new TestInstallation().start();
    browser = await TestBrowser.launch();
    page = await browser.newPage();
    page.on('console', (message) => {
      // bull-board asks for a web font from a CDN; it stays blocked (closed networks) and the UI falls back.
      if (/fonts\.googleapis\.com/.test(message.text())) return;
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await installation?.stop();
  });

  const open = (path: string) => page.goto(new URL(path, installation.api.url).toString());

  it('signs in as the seeded admin, which must change its password first', async () => {
    await open('/admin');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await screenshot(page, 'admin-01-sign-in');

    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toMatch(/email or password is not right/);
    await screenshot(page, 'admin-02-sign-in-refused');

    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/password');
    await screenshot(page, 'admin-03-forced-password-change');

    await page.getByLabel('Current password').fill('password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL((url) => url.pathname === '/admin');
    expect(await page.getByRole('status').textContent()).toContain('Your password has been changed.');
    await screenshot(page, 'admin-04-dashboard');

    const [cookie] = (await browser.context.cookies()).filter((c) => c.name === 'superimap.admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
  });

  it('signs out, and the next page asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/login');
    await open('/admin');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/admin');
  });

  it('creates a partner, shows its API key and webhook secret once, edits its URLs and rotates the secret', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Partners' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/partners');
    await page.getByRole('link', { name: 'New partner' }).click();
    await page.getByLabel('Name').fill('Acme CRM');
    await page.getByLabel('New-mail webhook URL').fill('ftp://example.com/hooks');
    await page.getByRole('button', { name: 'Create partner' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('newMailWebhook must be an http(s) URL');
    expect(await page.getByLabel('Name').inputValue()).toBe('Acme CRM');
    await screenshot(page, 'admin-05-partner-form-error');

    await page.getByLabel('New-mail webhook URL').fill('http://127.0.0.1:9/hooks/new-mail');
    await page.getByLabel('Allowed redirect URLs').fill('https://crm.example.com\nhttps://app.example.com/back');
    await page.getByRole('button', { name: 'Create partner' }).click();
    await page.getByText('they are shown only once').waitFor();
    const shown = await page.locator('.secret code').allTextContents();
    expect(shown).toHaveLength(2);
    const [apiKey, webhookSecret] = shown;
    expect(apiKey).toMatch(/^sk_/);
    expect(webhookSecret).toMatch(/^whsec_/);
    await screenshot(page, 'admin-06-partner-created');

    const [row] = await installation.sql(
      "SELECT id, allowed_redirect_urls, api_key FROM partners WHERE name = 'Acme CRM'",
    );
    expect(row.allowed_redirect_urls).toEqual(['https://crm.example.com', 'https://app.example.com/back']);
    expect(row.api_key).not.toContain(apiKey);
    const api = await fetch(new URL('/api/v1/connections', installation.api.url), { headers: { 'x-api-key': apiKey } });
    expect(api.status).toBe(200);
    partnerId = row.id;
    partnerApiKey = apiKey;

    // Afterwards the secrets are nowhere on the partner's page.
    await open(`/admin/partners/${row.id}`);
    const html = await page.content();
    expect(html).not.toContain(apiKey);
    expect(html).not.toContain(webhookSecret);
    await screenshot(page, 'admin-07-partner');

    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Success URL (after connecting)').fill('https://crm.example.com/connected');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL((url) => url.pathname === `/admin/partners/${row.id}`);
    expect(await page.getByRole('status').first().textContent()).toContain('Partner saved.');
    expect((await installation.sql('SELECT success_url FROM partners WHERE id = $1', [row.id]))[0].success_url).toBe(
      'https://crm.example.com/connected',
    );

    await page.getByRole('link', { name: 'Rotate webhook secret' }).click();
    await screenshot(page, 'admin-08-confirm-rotation');
    await page.getByRole('button', { name: 'Rotate webhook secret' }).click();
    await page.getByText('they are shown only once').waitFor();
    const [rotated] = await page.locator('.secret code').allTextContents();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(webhookSecret);

    await open('/admin/partners?name=acme');
    expect(await page.getByRole('link', { name: 'Acme CRM' }).count()).toBe(1);
    await screenshot(page, 'admin-09-partners');
    await open('/admin/partners?name=nothing-like-it');
    expect(await page.getByText('No partners yet.').count()).toBe(1);
  });

  it('adds connections with a write-only OAuth2 secret, counts their users, and deletes one with them', async () => {
    await open(`/admin/partners/${partnerId}`);
    await page.locator('#content').getByRole('link', { name: 'Connections' }).click();
    await page.waitForURL((url) => url.pathname === `/admin/partners/${partnerId}/connections`);
    await page.getByLabel('Provider').selectOption('GMAIL_OAUTH2');
    await page.getByLabel('OAuth2 client id').fill('client-1');
    await page.getByLabel('OAuth2 client secret').fill('client-secret-canary');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Connection GMAIL_OAUTH2 added.').waitFor();
    expect(await page.content()).not.toContain('client-secret-canary');
    const [stored] = await installation.sql(
      'SELECT oauth2_client_secret FROM partner_connections WHERE partner_id = $1',
      [partnerId],
    );
    expect(stored.oauth2_client_secret).toMatch(/^v1:/);
    expect(stored.oauth2_client_secret).not.toContain('canary');

    await page.getByLabel('Provider').selectOption('FASTMAIL_PASSWORD');
    await page.getByLabel('OAuth2 client id').fill('not-for-passwords');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('password authentication');
    await page.getByLabel('Provider').selectOption('FASTMAIL_PASSWORD');
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText('Connection FASTMAIL_PASSWORD added.').waitFor();

    const partnerApi = new ApiClient(installation.api.url, partnerApiKey);
    expect((await partnerApi.post(usersPath('FASTMAIL_PASSWORD'), { tag: 'fm-1' })).status).toBe(200);
    await open(`/admin/partners/${partnerId}/connections`);
    await screenshot(page, 'admin-11-connections');

    // An empty secret field keeps the stored secret.
    await page.goto(
      new URL(`/admin/partners/${partnerId}/connections/GMAIL_OAUTH2/edit`, installation.api.url).toString(),
    );
    await screenshot(page, 'admin-12-connection-edit');
    await page.getByLabel('OAuth2 client id').fill('client-2');
    await page.getByRole('button', { name: 'Save connection' }).click();
    await page.getByText('Connection GMAIL_OAUTH2 saved.').waitFor();
    const [edited] = await installation.sql(
      `SELECT c.oauth2_client_id, c.oauth2_client_secret FROM partner_connections c
         JOIN imap_providers p ON p.id = c.imap_provider_id WHERE c.partner_id = $1 AND p.code = 'GMAIL_OAUTH2'`,
      [partnerId],
    );
    expect(edited).toEqual({ oauth2_client_id: 'client-2', oauth2_client_secret: stored.oauth2_client_secret });

    await open(`/admin/partners/${partnerId}/connections/FASTMAIL_PASSWORD/delete`);
    expect(await page.locator('main').textContent()).toContain('its 1 active user (and any archived ones)');
    await screenshot(page, 'admin-13-confirm-connection-delete');
    await page.getByRole('button', { name: 'Delete connection and 1 user' }).click();
    await page.getByText('Connection FASTMAIL_PASSWORD deleted.').waitFor();
    expect(await installation.sql("SELECT 1 FROM users WHERE tag = 'fm-1'")).toEqual([]);
  });

  it('finds users across partners, shows their links and state, and archives and restores them', async () => {
    const partnerApi = new ApiClient(installation.api.url, partnerApiKey);
    const created = await partnerApi.post(usersPath('GMAIL_OAUTH2'), { tag: 'gm-1', email: 'gm-1@example.com' });
    expect(created.status).toBe(200);
    await page.getByRole('navigation').getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByLabel('Email contains').fill('gm-1@');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('email') === 'gm-1@');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await screenshot(page, 'admin-14-users');
    await page.getByRole('link', { name: 'gm-1' }).click();
    await page.getByRole('button', { name: 'Issue connect link' }).click();
    const connectUrl = await page.getByLabel('Connect link', { exact: true }).inputValue();
    expect(new URL(connectUrl).pathname).toMatch(/^\/users\/connect\/[0-9a-f-]{36}\./);
    expect(await page.getByText('No events yet.').count()).toBe(1);
    await screenshot(page, 'admin-15-user');

    await page.getByRole('link', { name: 'Archive user' }).click();
    await page.getByRole('button', { name: 'Archive user' }).click();
    await page.getByText('User archived.').waitFor();
    const userId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect((await installation.userRow(userId)).archived_at).not.toBeNull();
    await open('/admin/users?archived=yes&tag=gm-1');
    expect(await page.locator('tbody tr').count()).toBe(1);
    await open('/admin/users?tag=gm-1');
    expect(await page.getByText('No users match.').count()).toBe(1);

    await open(`/admin/users/${userId}/restore`);
    await page.getByRole('button', { name: 'Restore user' }).click();
    await page.getByText('User restored.').waitFor();
    expect((await installation.userRow(userId)).archived_at).toBeNull();
  });

  it('lists events by partner and status, shows their attempts, and redelivers one and every failed one', async () => {
    const [user] = await installation.sql("SELECT id FROM users WHERE tag = 'gm-1'");
    // Two failed deliveries, as the worker leaves them after a receiver kept answering 500.
    const failed = [crypto.randomUUID(), crypto.randomUUID()];
    for (const [i, id] of failed.entries()) {
      await installation.sql(
        `INSERT INTO webhook_events (id, partner_id, user_id, type, status, attempts, last_error, created_at)
         VALUES ($1, $2, $3, 'user_connected', 'failed', 6, 'HTTP 500', now() - make_interval(mins => $4))`,
        [id, partnerId, user.id, 10 - i],
      );
      await installation.sql(
        `INSERT INTO transmit_logs (id, event_id, attempt, response_code, response_body, duration_ms)
         VALUES ($1, $2, 1, 500, 'receiver exploded', 42)`,
        [crypto.randomUUID(), id],
      );
    }
    await page.getByRole('navigation').getByRole('link', { name: 'Events' }).click();
    await page.getByLabel('Partner').selectOption({ label: 'Acme CRM' });
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('status') === 'failed');
    expect(await page.locator('tbody tr').count()).toBe(2);
    await screenshot(page, 'admin-18-events');

    await page.locator('tbody tr').first().getByRole('link').click();
    expect(await page.locator('main').textContent()).toContain('receiver exploded');
    expect(await page.locator('main').textContent()).toContain('42 ms');
    await screenshot(page, 'admin-19-event');
    const shownId = new URL(page.url()).pathname.split('/').at(-1)!;
    await page.getByRole('button', { name: 'Redeliver this event' }).click();
    await page.getByText('Event queued for redelivery.').waitFor();
    expect((await installation.sql('SELECT status FROM webhook_events WHERE id = $1', [shownId]))[0].status).toBe(
      'pending',
    );
    expect(await installation.webhookQueue().getJob(shownId)).toBeDefined();

    await open(`/admin/events?partner=${partnerId}&status=failed`);
    await page.getByRole('link', { name: 'Redeliver failed…' }).click();
    await page.getByRole('button', { name: 'Redeliver failed events' }).click();
    await page.getByText('1 failed event queued for redelivery.').waitFor();
    const statuses = await installation.sql('SELECT status FROM webhook_events WHERE id = ANY($1)', [failed]);
    expect(statuses.map((row) => row.status)).toEqual(['pending', 'pending']);
  });

  it('opens the jobs board (bull-board) behind the admin session', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Jobs' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/admin/jobs'));
    await page.getByText('webhooks', { exact: true }).first().waitFor();
    await screenshot(page, 'admin-20-jobs');
    const queues = await page.evaluate(async () => (await fetch('/admin/jobs/api/queues')).status);
    expect(queues).toBe(200);
    await open('/admin');
  });

  it('creates another admin, unlocks it after its lockout, resets its password and deletes it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Admin users' }).click();
    await page.getByLabel('Email', { exact: true }).fill('second@example.com');
    await page.getByLabel('Temporary password').fill('temporary passphrase');
    await page.getByRole('button', { name: 'Create admin' }).click();
    await page.getByText('Admin second@example.com created.').waitFor();

    const other = new AdminHttp(installation.api.url);
    for (let i = 0; i < 3; i++) expect((await other.signIn('second@example.com', `wrong ${i}`)).status).toBe(401);
    expect((await other.signIn('second@example.com', 'temporary passphrase')).status).toBe(401);
    await open('/admin/admins');
    expect(await page.getByText('locked until').count()).toBe(1);
    await screenshot(page, 'admin-16-admin-users');
    await page.getByRole('link', { name: 'Unlock' }).click();
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.getByText('second@example.com unlocked.').waitFor();
    const signedIn = await other.signIn('second@example.com', 'temporary passphrase');
    expect(signedIn.headers.get('location')).toBe('/admin');
    expect((await other.get('/admin')).headers.get('location')).toBe('/admin/password');

    const row = page.locator('tr', { hasText: 'second@example.com' });
    await row.getByRole('link', { name: 'Reset password' }).click();
    await page.getByLabel('Temporary password').fill('another temporary one');
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByText('The password of second@example.com was reset.').waitFor();

    await page.locator('tr', { hasText: 'second@example.com' }).getByRole('link', { name: 'Delete' }).click();
    await screenshot(page, 'admin-17-confirm-admin-delete');
    await page.getByRole('button', { name: 'Delete admin' }).click();
    await page.getByText('second@example.com deleted.').waitFor();
    // The deleted admin's session is worthless from its next request on.
    expect((await other.get('/admin/password')).headers.get('location')).toBe('/admin/login');
    expect(await page.locator('tr', { hasText: 'second@example.com' }).count()).toBe(0);
  });

  it('shows every sign-in and action in the audit log', async () => {
    await open('/admin/audit');
    await screenshot(page, 'admin-10-audit-log');
    const rows = await installation.sql('SELECT action, outcome FROM admin_audit_log ORDER BY created_at');
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual([
      'sign_in:wrong_password',
      'sign_in:success',
      'password_change:success',
      'sign_out:success',
      'sign_in:success',
      'partner.create:success',
      'partner.update:success',
      'partner.rotate_webhook_secret:success',
      'connection.create:success',
      'connection.create:success',
      'connection.update:success',
      'connection.delete:success',
      'user.issue_connect_link:success',
      'user.archive:success',
      'user.restore:success',
      'event.redeliver:success',
      'events.redeliver_failed:success',
      'admin.create:success',
      'sign_in:wrong_password',
      'sign_in:wrong_password',
      'sign_in:wrong_password',
      'sign_in:locked',
      'admin.unlock:success',
      'sign_in:success',
      'admin.reset_password:success',
      'admin.delete:success',
    ]);
    expect(await page.locator('tbody tr').count()).toBe(rows.length);
    await open('/admin/audit?action=partner.create');
    expect(await page.locator('tbody tr').count()).toBe(1);
  });

  afterAll(() => {
    expect(violations).toEqual([]);
  });
});
