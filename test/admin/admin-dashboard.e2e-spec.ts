import { randomUUID } from 'node:crypto';

import type { Page } from 'playwright-core';

import { AdminHttp } from '../support/admin-http.js';
import { screenshot, TestBrowser } from '../support/browser.js';
import { type FakeMailbox, FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { waitFor } from '../support/wait-for.js';

const OPERATOR = { email: 'dash@example.com', password: 'a long operator passphrase' };
const BUCKET_SECONDS = 15 * 60;
const STRICT_CSP =
  "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' data:";

/** The start of the dashboard's 15-minute bucket `hoursAgo` hours back, plus a minute (never on an edge). */
function inBucket(hoursAgo: number): Date {
  const at = Date.now() / 1000 - hoursAgo * 3600;
  return new Date((Math.floor(at / BUCKET_SECONDS) * BUCKET_SECONDS + 60) * 1000);
}
/** How the dashboard's tables name a bucket. */
function bucketLabel(start: Date): string {
  const from = Math.floor(start.getTime() / 1000 / BUCKET_SECONDS) * BUCKET_SECONDS * 1000;
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return `${new Date(from).toISOString().slice(0, 10)} ${hhmm(from)}–${hhmm(from + BUCKET_SECONDS * 1000)}`;
}

/**
 * The dashboard, the providers pages and the tracer logs in Debian's Chromium, over an installation with a
 * running imap-client watching two mailboxes on the fake IMAP server, and history written into the tables.
 */
describe('admin dashboard, providers and tracer logs', () => {
  let bed: FakeImapTestbed;
  let browser: TestBrowser;
  let page: Page;
  let mailboxes: FakeMailbox[];
  const violations: string[] = [];
  const twoHoursAgo = inBucket(2);
  const fiveHoursAgo = inBucket(5);
  const roundId = `round-${randomUUID()}`;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    const created = await bed.cli(['admin', 'create', '--email', OPERATOR.email, '--password', OPERATOR.password]);
    expect(created.code).toBe(0);
    mailboxes = [await bed.addMailbox(), await bed.addMailbox()];
    await bed.startRole('imap-client');
    for (const mailbox of mailboxes) await bed.waitForSession(mailbox);
    await seedHistory();

    browser = await TestBrowser.launch();
    page = await browser.newPage();
    page.on('console', (message) => {
      if (/fonts\.googleapis\.com/.test(message.text())) return;
      if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
    });
    page.on('pageerror', (error) => violations.push(`page error: ${error.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await bed?.stop();
  });

  /** Five mails, four delivery attempts and a detected tracer in the past day, at known times. */
  async function seedHistory(): Promise<void> {
    const [first, second] = mailboxes.map((mailbox) => mailbox.userId);
    const mails: [string, Date][] = [
      [first, twoHoursAgo],
      [first, twoHoursAgo],
      [second, twoHoursAgo],
      [first, fiveHoursAgo],
      [second, fiveHoursAgo],
    ];
    let uid = 1000;
    for (const [userId, at] of mails) {
      await bed.sql('INSERT INTO mail_logs (id, user_id, uid_validity, uid, created_at) VALUES ($1, $2, 1, $3, $4)', [
        randomUUID(),
        userId,
        uid++,
        at,
      ]);
    }
    // Delivered 1 s and 3 s after being written; a third one never answered.
    const event = async (status: string, deliveredAfterMs: number | null) => {
      const id = randomUUID();
      await bed.sql(
        `INSERT INTO webhook_events (id, partner_id, user_id, type, status, created_at, delivered_at)
         VALUES ($1, $2, $3, 'new_mail', $4, $5, $6)`,
        [
          id,
          bed.partner.partnerId,
          first,
          status,
          twoHoursAgo,
          deliveredAfterMs === null ? null : new Date(twoHoursAgo.getTime() + deliveredAfterMs),
        ],
      );
      return id;
    };
    const attempt = (eventId: string, n: number, code: number | null, afterMs: number) =>
      bed.sql(
        `INSERT INTO transmit_logs (id, event_id, attempt, response_code, error, duration_ms, created_at)
         VALUES ($1, $2, $3, $4, $5, 100, $6)`,
        [randomUUID(), eventId, n, code, code ? null : 'ECONNREFUSED', new Date(twoHoursAgo.getTime() + afterMs)],
      );
    const quick = await event('delivered', 1000);
    await attempt(quick, 1, 200, 1000);
    const retried = await event('delivered', 3000);
    await attempt(retried, 1, 503, 500);
    await attempt(retried, 2, 200, 3000);
    const lost = await event('failed', null);
    await attempt(lost, 1, null, 700);

    await bed.sql(
      `INSERT INTO tracer_logs (id, user_id, round_id, seq, token, status, created_at, sent_at, detected_at)
       VALUES ($1, $2, $3, 0, $4, 'detected', $5, $5, $6)`,
      [randomUUID(), second, roundId, randomUUID(), fiveHoursAgo, new Date(fiveHoursAgo.getTime() + 4500)],
    );
  }

  const open = (path: string) => page.goto(new URL(path, bed.api.url).toString());

  it('sends the new pages to the sign-in page without a session', async () => {
    const anonymous = new AdminHttp(bed.api.url);
    for (const path of [
      '/admin',
      '/admin/providers',
      '/admin/providers/new',
      '/admin/providers/X/edit',
      '/admin/tracers',
    ]) {
      const response = await anonymous.get(path);
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 303, '/admin/login']);
    }
  });

  it('shows the nodes with their mailboxes, and the last day as charts drawn from the same figures as the tables', async () => {
    await open('/admin/login');
    await page.getByLabel('Email').fill(OPERATOR.email);
    await page.getByLabel('Password').fill(OPERATOR.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((url) => url.pathname === '/admin');

    // The imap-client's heartbeat carries its mailbox count; it reaches 2 within a heartbeat or two.
    const nodes = page.getByRole('region', { name: 'Cluster nodes' });
    await waitFor('the node with its two mailboxes', async () => {
      await open('/admin');
      return (await nodes.locator('tbody tr').allTextContents()).some((row) => /2 of \d+/.test(row));
    });
    const [nodeRow] = await nodes.locator('tbody tr').allTextContents();
    expect(nodeRow).toMatch(/s ago/);
    expect(await nodes.locator('tbody tr').count()).toBe(1);

    // Each chart is drawn (Chart.js knows it, its bars have height) and its table is folded away.
    const drawn = await page.evaluate(() => {
      const browserWindow = globalThis as any;
      const document = browserWindow.document;
      const chart = browserWindow.Chart;
      return Array.from(document.querySelectorAll('canvas[data-chart]') as any[]).map((canvas: any) => {
        const instance = chart.getChart(canvas);
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height)
          .data as Uint8ClampedArray;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return {
          id: canvas.id,
          sums: instance.data.datasets.map((set: any) =>
            set.data.reduce((a: number, b: number | null) => a + (b ?? 0), 0),
          ),
          bars: instance
            .getDatasetMeta(0)
            .data.filter(
              (element: any) =>
                Math.abs((instance.options.indexAxis === 'y' ? element.width : element.height) ?? 0) > 1,
            ).length,
          painted,
          tableOpen: document.getElementById(canvas.dataset.table).open,
        };
      });
    });
    const byId = Object.fromEntries(drawn.map((chart) => [chart.id, chart]));
    expect(Object.keys(byId).sort()).toEqual([
      'chart-deliveries',
      'chart-mail-latency',
      'chart-mails',
      'chart-queue-latency',
      'chart-queues',
      'chart-states',
      'chart-tracer-latency',
    ]);
    expect(byId['chart-mails']).toMatchObject({ sums: [5], bars: 2, tableOpen: false });
    expect(byId['chart-deliveries'].sums).toEqual([2, 1, 1]);
    expect(byId['chart-states'].sums).toEqual([2]);
    for (const chart of drawn) expect([chart.id, chart.painted > 500]).toEqual([chart.id, true]);
    await screenshot(page, 'admin-dashboard');

    // The same figures as tables, bucket by bucket.
    const rowsOf = async (id: string) => {
      await page.locator(`#${id}-table summary`).click();
      return page
        .locator(`#${id}-table tbody tr`)
        .evaluateAll((rows: any[]) =>
          rows.map((row) => Array.from(row.querySelectorAll('td') as any[]).map((cell) => cell.textContent!.trim())),
        );
    };
    expect(await rowsOf('chart-mails')).toEqual([
      [bucketLabel(twoHoursAgo), '3', '0.20'],
      [bucketLabel(fiveHoursAgo), '2', '0.13'],
    ]);
    expect(await rowsOf('chart-deliveries')).toEqual([[bucketLabel(twoHoursAgo), '2', '1', '1']]);
    // Written → delivered after 1 s and 3 s: p50 2 s, p95 2.9 s (interpolated).
    expect(await rowsOf('chart-mail-latency')).toEqual([[bucketLabel(twoHoursAgo), '2', '2.00 s', '2.90 s']]);
    // First attempts started 0.9 s (1 s − 100 ms), 0.4 s and 0.6 s after their events were written.
    expect(await rowsOf('chart-queue-latency')).toEqual([[bucketLabel(twoHoursAgo), '3', '0.60 s', '0.87 s']]);
    expect(await rowsOf('chart-tracer-latency')).toEqual([[bucketLabel(fiveHoursAgo), '1', '4.50 s', '4.50 s']]);
    expect(await rowsOf('chart-states')).toEqual([['watching', '2']]);
    const queues = await rowsOf('chart-queues');
    expect(queues.map((row) => row[0])).toEqual(['webhooks', 'tracers']);
    await screenshot(page, 'admin-dashboard-tables');
    expect(violations).toEqual([]);
  });

  it('reads without JavaScript: the tables are open and hold the numbers', async () => {
    // The page's only scripts are its two files; with them refused, it is what a browser without JavaScript gets.
    const plain = await browser.newPage();
    await plain.route('**/*.js', (route) => route.abort());
    await plain.goto(new URL('/admin', bed.api.url).toString());
    expect(await plain.locator('#chart-mails-table').getAttribute('open')).toBe('');
    expect(await plain.locator('#chart-mails-table tbody tr').first().locator('td').nth(1).textContent()).toBe('3');
    expect(await plain.locator('#chart-deliveries-table').isVisible()).toBe(true);
    await screenshot(plain, 'admin-dashboard-no-javascript');
    await plain.close();
  });

  it('creates a provider through the form, refusing bad input on the form, and edits it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Providers' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/providers');
    expect(await page.getByRole('link', { name: 'FASTMAIL_PASSWORD' }).count()).toBe(1);
    await screenshot(page, 'admin-providers');
    await page.getByRole('link', { name: 'New provider' }).click();
    await page.getByLabel('Code').fill('ACME_MAIL');
    await page.getByLabel('Title').fill('Acme Mail');
    await page.getByLabel('IMAP host').fill('imap.acme.test');
    await page.getByLabel('IMAP port').fill('70000');
    await page.getByLabel('SMTP host').fill('smtp.acme.test');
    await page.getByLabel('Extra authorization parameters').fill('no equals sign');
    const refused = page.waitForResponse((response) => response.request().method() === 'POST');
    await page.getByRole('button', { name: 'Create provider' }).click();
    expect((await refused).status()).toBe(400);
    const alert = await page.getByRole('alert').textContent();
    expect(alert).toContain('imapPort must not be greater than 65535');
    expect(alert).toContain("KEY=VALUE on each line, got 'no equals sign'");
    expect(alert).toContain('smtpPort');
    expect(await page.getByLabel('Title').inputValue()).toBe('Acme Mail');
    await screenshot(page, 'admin-provider-form-error');

    await page.getByLabel('IMAP port').fill('993');
    await page.getByLabel('SMTP port').fill('465');
    await page.getByLabel('SMTP security').selectOption('tls');
    await page.getByLabel('Extra authorization parameters').fill('');
    await page.getByRole('button', { name: 'Create provider' }).click();
    await page.getByText('Provider ACME_MAIL created.').waitFor();
    const [created] = await bed.sql('SELECT * FROM imap_providers WHERE code = $1', ['ACME_MAIL']);
    expect(created).toMatchObject({
      title: 'Acme Mail',
      auth: 'password',
      imap_host: 'imap.acme.test',
      imap_port: 993,
      imap_security: 'tls',
      smtp_host: 'smtp.acme.test',
      smtp_port: 465,
      smtp_security: 'tls',
      tls_insecure: false,
    });

    await page.getByRole('link', { name: 'ACME_MAIL' }).click();
    await screenshot(page, 'admin-provider-edit');
    expect(await page.getByLabel('Code').count()).toBe(0);
    await page.getByLabel('IMAP host').fill('imap2.acme.test');
    await page.getByLabel('IMAP security').selectOption('starttls');
    await page.getByLabel('IMAP port').fill('143');
    await page.getByLabel('SMTP host').fill('');
    await page.getByLabel('SMTP port').fill('');
    await page.getByLabel('SMTP security').selectOption('');
    await page.getByRole('button', { name: 'Save provider' }).click();
    await page.getByText('Provider ACME_MAIL saved.').waitFor();
    const [edited] = await bed.sql('SELECT * FROM imap_providers WHERE code = $1', ['ACME_MAIL']);
    expect(edited).toMatchObject({
      imap_host: 'imap2.acme.test',
      imap_port: 143,
      imap_security: 'starttls',
      smtp_host: null,
      smtp_port: null,
      smtp_security: null,
    });

    const audit = await bed.sql(
      "SELECT action, target, details FROM admin_audit_log WHERE action LIKE 'provider.%' ORDER BY created_at",
    );
    expect(audit).toEqual([
      { action: 'provider.create', target: 'ACME_MAIL', details: { auth: 'password', imap_host: 'imap.acme.test' } },
      {
        action: 'provider.update',
        target: 'ACME_MAIL',
        details: { changed: 'imapHost, imapPort, imapSecurity, smtpHost, smtpPort, smtpSecurity' },
      },
    ]);

    await open('/admin/providers?q=acme');
    expect(await page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody tr').textContent()).toContain('imap2.acme.test:143');
    expect((await new AdminHttp(bed.api.url).get('/admin/providers/NOPE/edit')).status).toBe(303);
  });

  it('answers an unknown provider with a 404 page and a bad edit with 400, never a 500', async () => {
    const client = new AdminHttp(bed.api.url);
    await client.signIn(OPERATOR.email, OPERATOR.password);
    expect((await client.get('/admin/providers/NOPE/edit')).status).toBe(404);
    const bad = await client.submit('/admin/providers/ACME_MAIL/edit', '/admin/providers/ACME_MAIL', {
      title: '',
      imapHost: 'not a host!',
      imapPort: 'x',
      imapSecurity: 'sometimes',
      tlsCa: 'not a certificate',
    });
    expect(bad.status).toBe(400);
    for (const message of [
      'title should not be empty',
      'imapHost must be a host name',
      'imapSecurity must be one of',
      'tlsCa must hold PEM',
    ]) {
      expect(bad.body).toContain(message);
    }
    expect((await bed.sql("SELECT imap_host FROM imap_providers WHERE code = 'ACME_MAIL'"))[0].imap_host).toBe(
      'imap2.acme.test',
    );
  });

  it('lists tracer logs with their latency, filtered by user and connection', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Tracers' }).click();
    await page.waitForURL((url) => url.pathname === '/admin/tracers');
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(1);
    const row = await rows.first().textContent();
    expect(row).toContain(mailboxes[1].tag);
    expect(row).toContain(roundId.slice(0, 12));
    expect(row).toContain('detected');
    expect(row).toContain('4.50 s');
    await screenshot(page, 'admin-tracers');

    await open(`/admin/tracers?user=${mailboxes[0].userId}`);
    expect(await page.getByText('No tracers match.').count()).toBe(1);
    await open(`/admin/tracers?tag=${encodeURIComponent(mailboxes[1].tag.toUpperCase())}`);
    expect(await rows.count()).toBe(1);
    await rows
      .first()
      .getByRole('link', { name: /^[A-Z0-9_]+$/ })
      .click();
    expect(new URL(page.url()).searchParams.get('connection')).toMatch(/^[0-9a-f-]{36}$/);
    expect(await rows.count()).toBe(1);
    await open('/admin/tracers?user=not-an-id&status=missing');
    expect(await page.getByText('No tracers match.').count()).toBe(1);
    expect((await page.goto(new URL('/admin/tracers?cursor=garbage', bed.api.url).toString()))?.status()).toBe(400);
  });

  it('keeps the strict CSP on every admin page and relaxes styles on /admin/jobs only, where bull-board renders', async () => {
    const client = new AdminHttp(bed.api.url);
    await client.signIn(OPERATOR.email, OPERATOR.password);
    for (const path of [
      '/admin',
      '/admin/providers',
      '/admin/providers/new',
      '/admin/tracers',
      '/admin/assets/dashboard.js',
    ]) {
      const response = await client.get(path);
      expect([path, response.status, response.headers.get('content-security-policy')]).toEqual([path, 200, STRICT_CSP]);
    }
    expect((await client.get('/admin')).body).not.toMatch(/<script>|<script(?![^>]*\bsrc=)|style=/);
    const chart = await client.get('/admin/assets/chart.umd.min.js');
    expect([chart.status, chart.headers.get('content-type')]).toEqual([200, 'text/javascript; charset=utf-8']);
    expect(chart.body).toContain('Chart');
    const jobs = await client.get('/admin/jobs');
    expect([jobs.status, jobs.headers.get('content-security-policy')]).toEqual([
      200,
      "default-src 'self'; style-src 'self' 'unsafe-inline'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; img-src 'self' data:",
    ]);

    violations.length = 0;
    await open('/admin');
    await page.getByRole('navigation').getByRole('link', { name: 'Jobs' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/admin/jobs'));
    await page.getByText('webhooks', { exact: true }).first().waitFor();
    // Styled, not bare HTML: bull-board's stylesheet and inline styles applied.
    const header = await page
      .locator('header')
      .first()
      .evaluate((element) => (globalThis as any).getComputedStyle(element).position);
    expect(header).not.toBe('static');
    await screenshot(page, 'admin-jobs');
    expect(violations).toEqual([]);
  });
});
