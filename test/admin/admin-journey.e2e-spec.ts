import { createHmac } from 'node:crypto';

import type { Page, Response as PageResponse } from 'playwright-core';
import { Webhook } from 'standardwebhooks';

import { DovecotTestServer } from '../harness/dovecot.js';
import { buildMail } from '../harness/mail-factory.js';
import { type RecordedRequest, WebhookSink } from '../harness/webhook-sink.js';
import { screenshot, TestBrowser } from '../support/browser.js';
import { freePort } from '../support/free-port.js';
import { TestInstallation } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

const NEW_PASSWORD = 'a journey needs a long passphrase';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

/**
 * An operator's whole journey through the admin pages in Debian's Chromium, against a real installation
 * (api, imap-client, worker), a private Dovecot and a webhook receiver: from the first sign-in to a mail
 * delivered, a delivery that failed and was redelivered, and the partner deleted.
 */
describe('admin journey: from first sign-in to a redelivered webhook', () => {
  let sink: WebhookSink;
  let installation: TestInstallation;
  let dovecot: DovecotTestServer;
  let providerCode: string;
  let browser: TestBrowser;
  let page: Page;
  const violations: string[] = [];
  let shot = 0;
  // Learnt along the way.
  let partnerId: string;
  let apiKey: string;
  let webhookSecret: string;
  let userId: string;
  let failedEventId: string;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    // Two quick attempts, so a receiver answering 500 makes a failed event within a second or two.
    // PUBLIC_URL is where the api listens, so the connect links it signs open in the browser.
    const port = await freePort();
    installation = await new TestInstallation({
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      WEBHOOK_MAX_ATTEMPTS: '2',
      WEBHOOK_BACKOFF: '0.2',
      WEBHOOK_TIMEOUT: '5',
    }).start({ apiPort: port });
    dovecot = await DovecotTestServer.start({ users: 2 });
    // The providers pages are another change; the CLI adds the provider an operator would add.
    providerCode = await installation.createLocalProvider('Test Dovecot', dovecot.imapPort);
    await installation.startRole('imap-client');
    await installation.startRole('worker');
    browser = await TestBrowser.launch();
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/fonts\.googleapis\.com/.test(message.text())) return;
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await installation?.stop();
    await dovecot?.stop();
    await sink?.close();
  });

  const url = (path: string) => new URL(path, installation.api.url).toString();
  const open = (path: string) => page.goto(url(path));
  const snap = (name: string) => screenshot(page, `journey-${String(++shot).padStart(2, '0')}-${name}`);
  const main = async () => (await page.locator('main').textContent()) ?? '';
  /** Reloads the current page until it shows what the background roles did. */
  const reloadUntil = (what: string, shows: () => Promise<boolean>, timeoutMs = 20_000) =>
    waitFor(
      what,
      async () => {
        await page.reload();
        return shows();
      },
      { timeoutMs, intervalMs: 250 },
    );
  const badge = (text: string) => async () => (await page.locator('.badge', { hasText: text }).count()) > 0;
  const verified = (request: RecordedRequest, key = apiKey) => {
    const text = request.body.toString();
    expect(new Webhook(webhookSecret).verify(text, request.headers as Record<string, string>)).toBeTruthy();
    const json = JSON.parse(text) as Record<string, any>;
    expect(json.signature).toBe(createHmac('sha256', key).update(`${json.timestamp}${json.sha1}`).digest('hex'));
    return json;
  };

  it('signs in as the seeded admin, is made to change the password first, and gets a tight session cookie', async () => {
    const first = await open('/admin/partners');
    expect(new URL(page.url()).pathname).toBe('/admin/login');
    expectPageHeaders(first);
    await snap('sign-in');
    await page.getByLabel('Email').fill('admin@example.com');
    await page.getByLabel('Password').fill('password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((at) => at.pathname === '/admin/password');
    await snap('forced-password-change');
    // Nothing else is reachable before the change.
    await open('/admin/users');
    expect(new URL(page.url()).pathname).toBe('/admin/password');

    await page.getByLabel('Current password').fill('password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.waitForURL((at) => at.pathname !== '/admin/password');
    await snap('after-password-change');

    const [cookie] = (await browser.context.cookies()).filter((c) => c.name === 'superimap.admin');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie.secure).toBe(false); // PUBLIC_URL is http here; https gives Secure and the __Host- prefix.
  });

  it('creates a partner whose API key and webhook secret are shown once', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Partners' }).click();
    await page.getByRole('link', { name: 'New partner' }).click();
    await page.getByLabel('Name').fill('Journey CRM');
    await page.getByLabel('New-mail webhook URL').fill(sink.urlFor('/new-mail'));
    await page.getByRole('button', { name: 'Create partner' }).click();
    await page.getByText('they are shown only once').waitFor();
    [apiKey, webhookSecret] = await page.locator('.secret code').allTextContents();
    expect(apiKey).toMatch(/^sk_/);
    expect(webhookSecret).toMatch(/^whsec_/);
    await snap('partner-created');
    [{ id: partnerId }] = await installation.sql("SELECT id FROM partners WHERE name = 'Journey CRM'");

    expectPageHeaders(await open(`/admin/partners/${partnerId}`));
    const html = await page.content();
    expect(html).not.toContain(apiKey);
    expect(html).not.toContain(webhookSecret);
    await snap('partner');
  });

  it('sends a signed test webhook and shows the receiver’s answer, good or bad', async () => {
    await page.getByRole('link', { name: 'Send test webhook' }).click();
    await snap('test-webhook-form');
    await page.getByRole('button', { name: 'Send test webhook' }).click();
    const result = page.getByRole('status', { name: 'Test result' });
    await result.waitFor();
    expect(await result.textContent()).toContain('HTTP 200');
    await snap('test-webhook-delivered');
    const [test] = sink.requestsFor('/new-mail');
    const payload = verified(test);
    expect(payload).toMatchObject({ event: 'test', test: true, url_for: 'new_mail' });
    expect(await result.textContent()).toContain(test.headers['webhook-id'] as string);

    sink.enqueueFor('/new-mail', { status: 500, body: 'receiver is down for maintenance' });
    await page.getByRole('button', { name: 'Send test webhook' }).click();
    await page.getByText('Not delivered').waitFor();
    expect(await result.textContent()).toContain('HTTP 500');
    expect(await result.textContent()).toContain('receiver is down for maintenance');
    await snap('test-webhook-refused');
    // A test is no event: nothing in the outbox to retry.
    expect(await installation.sql('SELECT 1 FROM webhook_events WHERE partner_id = $1', [partnerId])).toEqual([]);
    sink.reset();
  });

  it('rotates the API key: the new one is shown once, the old one keeps working through its grace period', async () => {
    await open(`/admin/partners/${partnerId}`);
    await page.getByRole('link', { name: 'Rotate API key' }).click();
    await page.getByLabel('The current key').selectOption({ label: 'Keep it working for 1 hour' });
    await snap('confirm-api-key-rotation');
    await page.getByRole('button', { name: 'Rotate API key' }).click();
    await page.getByText('they are shown only once').waitFor();
    const [rotated] = await page.locator('.secret code').allTextContents();
    expect(rotated).toMatch(/^sk_/);
    expect(rotated).not.toBe(apiKey);
    expect(await main()).toContain('the previous key works too until');
    await snap('api-key-rotated');
    for (const key of [apiKey, rotated]) {
      const answer = await fetch(url('/api/v1/connections'), { headers: { 'x-api-key': key } });
      expect(answer.status).toBe(200);
    }
    apiKey = rotated;
    await open(`/admin/partners/${partnerId}`);
    expect(await page.content()).not.toContain(rotated);
  });

  it('adds a connection to the test Dovecot and a user whose wrong password shows as its last error', async () => {
    await page.locator('#content').getByRole('link', { name: 'Connections' }).click();
    await page.getByLabel('Provider').selectOption(providerCode);
    await page.getByRole('button', { name: 'Add connection' }).click();
    await page.getByText(`Connection ${providerCode} added.`).waitFor();
    await snap('connections');

    const mailbox = dovecot.user(1);
    await page.getByRole('link', { name: 'New user' }).click();
    await page.getByLabel('Tag').fill('journey-1');
    await page.getByLabel('Email').fill(mailbox.email);
    await page.getByLabel('Login username').fill(mailbox.email);
    await page.getByLabel('Password').fill('not the password');
    await snap('new-user');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByText('User journey-1 created.').waitFor();
    userId = UUID.exec(new URL(page.url()).pathname)![0];
    expect(await page.content()).not.toContain('not the password');

    await reloadUntil('the refused login on the user page', badge('auth_error'));
    expect(await main()).toMatch(/Last error\s*\S+/);
    expect((await installation.userRow(userId)).last_error).toBeTruthy();
    await snap('user-auth-error');
  });

  it('edits the credentials (write-only): the auth error clears and the mailbox is watched', async () => {
    const mailbox = dovecot.user(1);
    await page.getByRole('link', { name: 'Edit credentials' }).click();
    expect(await page.getByLabel('Login username').inputValue()).toBe(mailbox.email);
    expect(await page.getByLabel('New password').inputValue()).toBe('');
    expect(await main()).toContain('A password is stored; leave this empty to keep it.');
    await snap('edit-credentials');
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('no field was changed');

    await page.getByLabel('New password').fill(mailbox.password);
    await page.getByRole('button', { name: 'Save credentials' }).click();
    await page.getByText('Credentials saved').waitFor();
    expect(await page.content()).not.toContain(mailbox.password);
    await reloadUntil('the mailbox watched', badge('watching'));
    expect((await installation.userRow(userId)).last_error).toBeNull();
    await snap('user-watching');
  });

  it('refuses tracers for a provider without SMTP, with the reason', async () => {
    await page.getByRole('link', { name: 'Enable tracer' }).click();
    expect(await page.getByRole('alert').textContent()).toContain(`${providerCode} has no SMTP settings`);
    expect(await page.getByRole('button', { name: 'Enable tracer' }).count()).toBe(0);
    await snap('tracer-refused');
    // Forcing the form anyway is refused by the users lib, not only hidden by the page.
    const forced = await page.evaluate(
      async ([id, token]) => {
        const body = new URLSearchParams({ _csrf: token, enabled: 'true' });
        const answer = await fetch(`/admin/users/${id}/tracer`, { method: 'POST', body });
        return { url: answer.url, html: await answer.text() };
      },
      [userId, await page.locator('input[name=_csrf]').first().inputValue()],
    );
    expect(new URL(forced.url).pathname).toBe(`/admin/users/${userId}`);
    expect(forced.html).toContain('Tracer not enabled');
    expect((await installation.userRow(userId)).enable_tracer).toBe(false);
    await open(`/admin/users/${userId}`);
  });

  it('issues a connect link on demand, which opens the hosted connect page', async () => {
    expect(await page.getByLabel('Connect link').count()).toBe(0);
    await page.getByRole('button', { name: 'Issue connect link' }).click();
    const link = await page.getByLabel('Connect link').inputValue();
    expect(new URL(link).pathname).toMatch(new RegExp(`^/users/connect/${userId}\\.`));
    await snap('connect-link-issued');
    const other = await browser.newPage();
    await other.goto(link);
    expect(await other.locator('main').textContent()).toContain('Journey CRM');
    await screenshot(other, `journey-${String(++shot).padStart(2, '0')}-connect-page`);
    await other.close();
  });

  it('delivers a mail: the signed webhook arrives and shows on the user’s page and the Events page', async () => {
    const mailbox = dovecot.user(1);
    await dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: '<journey-1@superimap.test>' }));
    const [request] = await sink.waitFor(1, 20_000, '/new-mail');
    const payload = verified(request);
    expect(payload).toMatchObject({ event: 'new_mail', user_tag: 'journey-1', user_id: userId });
    const eventId = request.headers['webhook-id'] as string;

    await open(`/admin/users/${userId}`);
    await reloadUntil('the delivered event on the user page', badge('delivered'));
    expect(await main()).toContain('<journey-1@superimap.test>');
    await snap('user-with-mail');
    await page.getByRole('link', { name: 'All events of this partner' }).click();
    expect(await page.locator(`a[href="/admin/events/${eventId}"]`).count()).toBe(1);
    await snap('events');
  });

  it('marks a delivery failed when the receiver keeps answering 500, and redelivers it from the Events page', async () => {
    const mailbox = dovecot.user(1);
    sink.setDefault({ status: 500, body: 'receiver exploded' }, '/new-mail');
    await dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: '<journey-2@superimap.test>' }));
    await open(`/admin/events?partner=${partnerId}&status=failed`);
    await reloadUntil('the failed event on the Events page', badge('failed'));
    expect(await page.locator('tbody tr').count()).toBe(1);
    await snap('events-failed');
    await page.locator('tbody tr').first().getByRole('link').first().click();
    failedEventId = UUID.exec(new URL(page.url()).pathname)![0];
    expect(await main()).toContain('receiver exploded');
    expect(sink.requestsFor('/new-mail').filter((r) => r.headers['webhook-id'] === failedEventId)).toHaveLength(2);
    await snap('event-failed');

    sink.setDefault({ status: 200 }, '/new-mail');
    await page.getByRole('button', { name: 'Redeliver this event' }).click();
    await page.getByText('Event queued for redelivery.').waitFor();
    await reloadUntil('the redelivered event delivered', badge('delivered'));
    const deliveries = sink.requestsFor('/new-mail').filter((r) => r.headers['webhook-id'] === failedEventId);
    expect(deliveries).toHaveLength(3);
    expect(verified(deliveries[2]).envelope.message_id).toBe('<journey-2@superimap.test>');
    await snap('event-redelivered');
  });

  it('opens the jobs board', async () => {
    const answer = await open('/admin/jobs');
    await page.getByText('webhooks', { exact: true }).first().waitFor();
    expect(answer!.headers()['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(answer!.headers()['cache-control']).toBe('no-store');
    await snap('jobs');
  });

  it('deletes the partner after saying what goes with it', async () => {
    await open(`/admin/partners/${partnerId}`);
    await page.getByRole('link', { name: 'Delete partner' }).click();
    expect(await main()).toContain('1 connection, 1 active user (and any archived ones)');
    // The two mails and the account_error of the refused login (skipped: the partner has no URL for it).
    const events = await installation.sql('SELECT type FROM webhook_events WHERE partner_id = $1 ORDER BY type', [
      partnerId,
    ]);
    expect(events.map((event) => event.type)).toEqual(['account_error', 'new_mail', 'new_mail']);
    expect(await main()).toContain('3 webhook events');
    await snap('confirm-partner-delete');
    expect(await dovecot.countSessions(dovecot.user(1).email)).toBe(1);
    await page.getByRole('button', { name: 'Delete partner' }).click();
    await page.getByText('Partner Journey CRM deleted.').waitFor();
    expect(await installation.sql('SELECT 1 FROM partners WHERE id = $1', [partnerId])).toEqual([]);
    expect(await installation.sql('SELECT 1 FROM users WHERE id = $1', [userId])).toEqual([]);
    const refused = await fetch(url('/api/v1/connections'), { headers: { 'x-api-key': apiKey } });
    expect(refused.status).toBe(401);
    // The imap-client is told at once and closes the deleted user's session.
    expect(await dovecot.waitForSessions(dovecot.user(1).email, 0, 5_000)).toBe(0);
    await snap('partners-after-delete');
  });

  it('audited every action, with no secret in the log', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Audit log' }).click();
    await snap('audit-log');
    const rows = await installation.sql('SELECT action, outcome, details::text AS details FROM admin_audit_log');
    const actions = rows.map((row) => `${row.action}:${row.outcome}`);
    for (const action of [
      'partner.create:success',
      'partner.test_webhook:success',
      'partner.test_webhook:failed',
      'partner.rotate_api_key:success',
      'connection.create:success',
      'user.create:success',
      'user.credentials:success',
      'user.enable_tracer:refused',
      'user.issue_connect_link:success',
      'event.redeliver:success',
      'partner.delete:success',
    ]) {
      expect(actions).toContain(action);
    }
    const everything = JSON.stringify(rows);
    for (const secret of [apiKey, webhookSecret, dovecot.user(1).password, 'not the password']) {
      expect(everything).not.toContain(secret);
    }
  });

  it('sends every admin page, bull-board included, to sign-in without a session', async () => {
    const someone = '00000000-0000-4000-8000-000000000000';
    const paths = [
      '/admin',
      '/admin/partners',
      '/admin/partners/new',
      `/admin/partners/${someone}`,
      `/admin/partners/${someone}/edit`,
      `/admin/partners/${someone}/test-webhook`,
      `/admin/partners/${someone}/rotate-api-key`,
      `/admin/partners/${someone}/rotate-webhook-secret`,
      `/admin/partners/${someone}/delete`,
      `/admin/partners/${someone}/connections`,
      `/admin/partners/${someone}/connections/${providerCode}/users/new`,
      '/admin/users',
      `/admin/users/${someone}`,
      `/admin/users/${someone}/credentials`,
      `/admin/users/${someone}/tracer`,
      '/admin/events',
      `/admin/events/${failedEventId}`,
      '/admin/events/redeliver-failed',
      '/admin/admins',
      '/admin/audit',
      '/admin/password',
      '/admin/jobs',
      '/admin/jobs/api/queues',
      '/admin/no-such-page',
    ];
    for (const path of paths) {
      const answer = await fetch(url(path), { redirect: 'manual' });
      expect({ path, status: answer.status, location: answer.headers.get('location') }).toEqual({
        path,
        status: 303,
        location: '/admin/login',
      });
      expect(answer.headers.get('cache-control')).toBe('no-store');
    }
    // A form posted without a session (so without its CSRF token) is refused outright.
    const posted = await fetch(url(`/admin/users/${someone}/links/connect`), { method: 'POST', redirect: 'manual' });
    expect(posted.status).toBe(403);
  });

  afterAll(() => {
    expect(violations).toEqual([]);
  });
});

function expectPageHeaders(response: PageResponse | null): void {
  const headers = response!.headers();
  expect(headers['content-security-policy']).toContain(
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  );
  expect(headers['x-frame-options']).toBe('DENY');
  expect(headers['cache-control']).toBe('no-store');
}
