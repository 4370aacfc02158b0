import type { Page } from 'playwright-core';

import { screenshot, TestBrowser } from '../support/browser.js';
import { TestInstallation } from '../support/test-installation.js';

const NEW_PASSWORD = 'operators choose long passphrases';

/** The admin pages in Debian's Chromium, as an operator uses them. */
describe('admin pages in a browser', () => {
  let installation: TestInstallation;
  let browser: TestBrowser;
  let page: Page;
  const violations: string[] = [];

  beforeAll(async () => {
    installation = await new TestInstallation().start();
    browser = await TestBrowser.launch();
    page = await browser.newPage();
    page.on('console', (message) => {
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
    ]);
    expect(await page.locator('tbody tr').count()).toBe(rows.length);
    await open('/admin/audit?action=partner.create');
    expect(await page.locator('tbody tr').count()).toBe(1);
  });

  afterAll(() => {
    expect(violations).toEqual([]);
  });
});
