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

  afterAll(() => {
    expect(violations).toEqual([]);
  });
});
