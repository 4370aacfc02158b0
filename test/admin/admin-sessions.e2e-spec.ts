import { Redis } from 'ioredis';

import { redisKey } from '@app/core';

import { AdminHttp, csrfToken } from '../support/admin-http.js';
import { REDIS_URL } from '../support/test-env.js';
import { TestInstallation } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

const IDLE_SECONDS = 4;
const MAX_AGE_SECONDS = 9;
const OPERATOR = { email: 'ops@example.com', password: 'a long operator passphrase' };

/** Admin sessions over plain HTTP: sign-in redirects, CSRF, rotation, sign-out and both timeouts. */
describe('admin sessions', () => {
  let installation: TestInstallation;
  let url: string;

  beforeAll(async () => {
    installation = await new TestInstallation({
      ADMIN_SESSION_IDLE_TIMEOUT: String(IDLE_SECONDS),
      ADMIN_SESSION_MAX_AGE: String(MAX_AGE_SECONDS),
    }).start();
    url = installation.api.url;
    const created = await installation.cli([
      'admin',
      'create',
      '--email',
      OPERATOR.email,
      '--password',
      OPERATOR.password,
    ]);
    expect(created.code).toBe(0);
  }, 120_000);

  afterAll(async () => {
    await installation?.stop();
  });

  it('sends every /admin page to the sign-in page without a session, with the strict page headers', async () => {
    const anonymous = new AdminHttp(url);
    for (const path of [
      '/admin',
      '/admin/',
      '/admin/password',
      '/admin/partners',
      '/admin/jobs',
      '/admin/no-such-page',
    ]) {
      const response = await anonymous.get(path);
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 303, '/admin/login']);
    }
    const login = await anonymous.get('/admin/login');
    expect(login.status).toBe(200);
    expect(
      Object.fromEntries(
        [
          'content-security-policy',
          'x-frame-options',
          'x-content-type-options',
          'referrer-policy',
          'cache-control',
        ].map((name) => [name, login.headers.get(name)]),
      ),
    ).toEqual({
      'content-security-policy':
        "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' data:",
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    expect(login.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
    expect(login.body).not.toMatch(/<script|style=/);
  });

  it('refuses every POST without the session’s CSRF token with 403', async () => {
    const client = new AdminHttp(url);
    const noSession = await client.post('/admin/login', { email: OPERATOR.email, password: OPERATOR.password });
    expect(noSession.status).toBe(403);
    expect(noSession.headers.get('content-type')).toMatch(/text\/html/);
    await client.get('/admin/login');
    expect((await client.post('/admin/login', { ...OPERATOR, _csrf: 'forged' })).status).toBe(403);
    expect((await client.post('/admin/login', { ...OPERATOR })).status).toBe(403);

    expect((await client.signIn(OPERATOR.email, OPERATOR.password)).status).toBe(303);
    expect((await client.post('/admin/logout', {})).status).toBe(403);
    // Still signed in: the refused sign-out changed nothing.
    expect((await client.get('/admin')).status).toBe(200);
    const rows = await installation.sql("SELECT outcome FROM admin_audit_log WHERE action = 'sign_in'");
    expect(rows.map((row) => row.outcome)).toEqual(['success']);
  });

  it('gives the same answer for an unknown account and a wrong password', async () => {
    const client = new AdminHttp(url);
    const unknown = await client.signIn('nobody@example.com', 'whatever it is');
    const wrong = await client.signIn(OPERATOR.email, 'whatever it is');
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    const message = (html: string) => /<p class="error"[^>]*>([^<]+)</.exec(html)?.[1];
    expect(message(unknown.body)).toBeDefined();
    expect(message(unknown.body)).toBe(message(wrong.body));
  });

  it('issues a new session id at sign-in, with HttpOnly and SameSite=Lax (no Secure over http)', async () => {
    const client = new AdminHttp(url);
    await client.get('/admin/login');
    const before = client.sessionCookie;
    expect(before).toBeDefined();
    const signedIn = await client.signIn(OPERATOR.email, OPERATOR.password);
    expect([signedIn.status, signedIn.headers.get('location')]).toEqual([303, '/admin']);
    const setCookie = client.lastSetCookies.find((cookie) => cookie.startsWith('superimap.admin='))!;
    expect(setCookie).toMatch(/; Path=\/;/);
    expect(setCookie).toMatch(/; HttpOnly/);
    expect(setCookie).toMatch(/; SameSite=Lax/);
    expect(setCookie).not.toMatch(/Secure/);
    expect(client.sessionCookie).not.toBe(before);

    // The id the browser had before signing in (a planted one, say) opens nothing.
    const planted = new AdminHttp(url);
    planted.cookies.set('superimap.admin', before!);
    expect((await planted.get('/admin')).status).toBe(303);
    expect((await client.get('/admin')).status).toBe(200);
  });

  it('returns to the page asked for after signing in', async () => {
    const client = new AdminHttp(url);
    expect((await client.get('/admin/password')).status).toBe(303);
    const signedIn = await client.signIn(OPERATOR.email, OPERATOR.password);
    expect(signedIn.headers.get('location')).toBe('/admin/password');
  });

  it('makes the seeded admin change its password before any other page, then audits the change', async () => {
    const client = new AdminHttp(url);
    expect((await client.signIn('admin@example.com', 'password')).status).toBe(303);
    for (const path of ['/admin', '/admin/partners']) {
      expect((await client.get(path)).headers.get('location')).toBe('/admin/password');
    }
    const form = await client.get('/admin/password');
    expect(form.status).toBe(200);
    const mismatch = await client.post('/admin/password', {
      _csrf: csrfToken(form.body),
      current: 'password',
      password: 'the new admin passphrase',
      confirm: 'something else entirely',
    });
    expect(mismatch.status).toBe(400);
    const changed = await client.post('/admin/password', {
      _csrf: csrfToken(mismatch.body),
      current: 'password',
      password: 'the new admin passphrase',
      confirm: 'the new admin passphrase',
    });
    expect([changed.status, changed.headers.get('location')]).toEqual([303, '/admin']);
    const home = await client.get('/admin');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Your password has been changed.');

    const rows = await installation.sql(
      `SELECT action, outcome, actor_email, ip, details FROM admin_audit_log
        WHERE actor_email = 'admin@example.com' ORDER BY created_at`,
    );
    expect(rows.map((row) => [row.action, row.outcome])).toEqual([
      ['sign_in', 'success'],
      ['password_change', 'refused'],
      ['password_change', 'success'],
    ]);
    expect(rows.every((row) => /127\.0\.0\.1/.test(row.ip))).toBe(true);
    expect(JSON.stringify(rows)).not.toMatch(/passphrase|password"/);
  });

  it('signs out on the server: the old cookie is worthless afterwards', async () => {
    const client = new AdminHttp(url);
    await client.signIn(OPERATOR.email, OPERATOR.password);
    const cookie = client.sessionCookie!;
    const out = await client.submit('/admin', '/admin/logout', {});
    expect([out.status, out.headers.get('location')]).toEqual([303, '/admin/login']);
    const replay = new AdminHttp(url);
    replay.cookies.set('superimap.admin', cookie);
    expect((await replay.get('/admin')).status).toBe(303);
    const rows = await installation.sql("SELECT 1 FROM admin_audit_log WHERE action = 'sign_out'");
    expect(rows.length).toBe(1);
  });

  it('ends a session left idle longer than the idle timeout', async () => {
    const client = new AdminHttp(url);
    await client.signIn(OPERATOR.email, OPERATOR.password);
    expect((await client.get('/admin')).status).toBe(200);
    // The timeout itself is what is tested: no request may renew the session while it runs out, so the wait
    // watches the session's key in Redis (it lives as long as the idle timeout) instead of asking the app.
    const sessionId = /^s:([^.]+)\./.exec(decodeURIComponent(client.sessionCookie!))![1];
    const key = redisKey(installation.env.REDIS_PREFIX, 'admin-session', sessionId);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.exists(key)).toBe(1);
      await waitFor('the idle session to expire', async () => (await redis.exists(key)) === 0, {
        timeoutMs: (IDLE_SECONDS + 10) * 1000,
        intervalMs: 200,
      });
    } finally {
      await redis.quit();
    }
    expect((await client.get('/admin')).status).toBe(303);
  });

  it('ends a busy session at the absolute timeout', async () => {
    const client = new AdminHttp(url);
    await client.signIn(OPERATOR.email, OPERATOR.password);
    const start = Date.now();
    await waitFor(
      'the session to reach its absolute timeout',
      async () => (await client.get('/admin')).status === 303,
      { timeoutMs: (MAX_AGE_SECONDS + 5) * 1000, intervalMs: 500 },
    );
    expect(Date.now() - start).toBeGreaterThanOrEqual((MAX_AGE_SECONDS - 1) * 1000);
  }, 30_000);
});
