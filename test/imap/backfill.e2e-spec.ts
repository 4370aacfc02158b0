import { createHmac } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { buildMail } from '../harness/mail-factory.js';
import { type RecordedRequest, WebhookSink } from '../harness/webhook-sink.js';
import { usersPath } from '../support/api-client.js';
import { screenshot, TestBrowser } from '../support/browser.js';
import { ImapTestbed, type Mailbox } from '../support/imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { waitFor } from '../support/wait-for.js';

/**
 * Slow enough that 300 messages take ~10 s, so mail arriving meanwhile really competes with the backfill;
 * fast enough for the suite.
 */
const BACKFILL_RATE = '30';
const HISTORY_START = Date.parse('2025-01-01T00:00:00Z');
const MINUTE = 60_000;

interface Payload {
  event: string;
  id: string;
  uid: number;
  uid_validity: number;
  sha1: string;
  rfc822: string;
  signature: string;
  timestamp: number;
  backfill?: boolean;
  user_tag: string;
  envelope: { message_id: string };
}

describe('backfill against Dovecot', () => {
  let sink: WebhookSink;
  let bed: ImapTestbed;
  let webhookSecret: string;
  let imapClient: RoleProcess;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    bed = await ImapTestbed.create({ users: 10, partnerArgs: ['--new-mail-webhook', sink.urlFor('/new-mail')] });
    const rotated = await bed.cli(['partner', 'rotate-secret', '--id', bed.partner.partnerId]);
    webhookSecret = (rotated.json as { webhook_secret: string }).webhook_secret;
    imapClient = await bed.startRole('imap-client', { BACKFILL_RATE });
    await bed.startRole('worker');
  });
  afterAll(async () => {
    await bed.stop();
    await sink.close();
  });

  /** Puts mail in the mailbox directly with IMAP APPEND and the INTERNALDATE given (LMTP would stamp "now"). */
  async function appendHistory(
    mailbox: Mailbox,
    count: number,
    dateOf: (i: number) => Date = (i) => new Date(HISTORY_START + i * MINUTE),
  ): Promise<void> {
    await bed.withImap(mailbox, async (client) => {
      for (let i = 0; i < count; i++) {
        const date = dateOf(i);
        const raw = buildMail({ to: mailbox.email, messageId: `${mailbox.tag}-history-${i}@t`, date });
        await client.append('INBOX', raw, [], date);
      }
    });
  }

  /** A mailbox with history in it, then watched by SuperIMAP (so the history predates the user). */
  async function watchedWithHistory(n: number, count: number, dateOf?: (i: number) => Date): Promise<Mailbox> {
    const { email, password } = bed.dovecot.user(n);
    await appendHistory({ email, password, tag: `user-${n}`, userId: '' }, count, dateOf);
    const mailbox = await bed.addMailbox(n);
    await waitFor('the mailbox to be reached', async () => (await bed.userRow(mailbox.userId)).connected_at, {
      timeoutMs: 15_000,
    });
    return mailbox;
  }

  const backfillPath = (mailbox: Mailbox, id?: string) =>
    `${usersPath(bed.providerCode, mailbox.tag)}/${id === undefined ? 'backfill' : `backfills/${id}`}`;

  async function requestBackfill(mailbox: Mailbox, body: Record<string, string> = {}): Promise<string> {
    const response = await bed.partner.post(backfillPath(mailbox), body);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ status: 'pending', found: 0, delivered: 0, skipped: 0 });
    return response.body.id as string;
  }

  async function waitForStatus(mailbox: Mailbox, id: string, status: string, timeoutMs = 30_000) {
    return waitFor(
      `backfill ${id} to be ${status}`,
      async () => {
        const response = await bed.partner.get(backfillPath(mailbox, id));
        if (response.body.status === 'failed' && status !== 'failed') {
          throw new Error(`backfill failed: ${response.body.last_error}`);
        }
        return response.body.status === status ? (response.body as Record<string, any>) : null;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }

  const hooksFor = (mailbox: Mailbox): RecordedRequest[] =>
    sink.requestsFor('/new-mail').filter((request) => (request.json as Payload).user_tag === mailbox.tag);

  function verified(request: RecordedRequest): Payload {
    const text = request.body.toString();
    const json = JSON.parse(text) as Payload;
    const seed = createHmac('sha256', bed.partner.apiKey).update(`${json.timestamp}${json.sha1}`).digest('hex');
    expect(json.signature).toBe(seed);
    expect(new Webhook(webhookSecret).verify(text, request.headers as Record<string, string>)).toBeTruthy();
    expect(request.headers['webhook-id']).toBe(json.id);
    return json;
  }

  let history: Mailbox;

  it('300 messages already there → 300 webhooks oldest first, signed, marked backfill; live mail is not held up', async () => {
    history = await watchedWithHistory(1, 300);
    const id = await requestBackfill(history);

    await waitFor('the backfill to be under way', () => hooksFor(history).length >= 20, { timeoutMs: 20_000 });
    // The backfill has its own connection beside the live session's, and no more.
    expect(await bed.dovecot.countSessions(history.email)).toBe(2);
    // The live cursor is the session's: a backfill never records a "last email" for the mailbox.
    expect((await bed.userRow(history.userId)).last_email_at).toBeNull();
    const liveSentAt = Date.now();
    await bed.dovecot.deliver(history.email, buildMail({ to: history.email, messageId: 'live-during-backfill@t' }));
    const live = await waitFor(
      'the live mail',
      () => hooksFor(history).find((r) => (r.json as Payload).envelope.message_id === '<live-during-backfill@t>'),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    const liveLatencyMs = live.receivedAt - liveSentAt;
    const backfilledBeforeLive = hooksFor(history).filter((r) => (r.json as Payload).backfill).length;
    console.info(`live mail during a backfill: delivered in ${liveLatencyMs} ms (${backfilledBeforeLive}/300 sent)`);
    expect(verified(live).backfill).toBeUndefined();
    expect(liveLatencyMs).toBeLessThan(3000);

    const done = await waitForStatus(history, id, 'done');
    expect(done).toMatchObject({ found: 300, delivered: 300, skipped: 0, last_error: null });
    await waitFor(
      'the backfill connection to close',
      async () => (await bed.dovecot.countSessions(history.email)) === 1,
    );
    expect(backfilledBeforeLive).toBeLessThan(300);
    await waitFor('300 backfill webhooks', () => hooksFor(history).length >= 301, { timeoutMs: 30_000 });
    await quietPeriod(1000, 'a duplicate webhook would arrive by now');
    const backfilled = hooksFor(history).filter((r) => r !== live);
    expect(backfilled).toHaveLength(300);
    const history300 = Array.from({ length: 300 }, (_, i) => `<user-1-history-${i}@t>`);
    // Sent oldest first: each event is recorded only after the one before it (the worker then delivers
    // several at once, so two neighbours may arrive swapped).
    const recorded = await bed.sql(
      "SELECT metadata->'envelope'->>'message_id' AS id FROM webhook_events WHERE user_id = $1 AND metadata->>'backfill' = 'true' ORDER BY created_at, (metadata->>'uid')::int",
      [history.userId],
    );
    expect(recorded.map((row) => row.id)).toEqual(history300);
    const payloads = backfilled.map(verified);
    expect(payloads.every((payload) => payload.backfill === true && payload.event === 'new_mail')).toBe(true);
    expect(payloads.map((payload) => payload.envelope.message_id).sort()).toEqual([...history300].sort());
    expect(new Set(backfilled.map((r) => r.headers['webhook-id'])).size).toBe(300);
  });

  it('a second backfill over the same range sends nothing new and counts what it skipped', async () => {
    const before = hooksFor(history).length;
    const id = await requestBackfill(history);
    const done = await waitForStatus(history, id, 'done');
    // The live mail is in the mailbox too: it was delivered live, so it is skipped like the rest.
    expect(done).toMatchObject({ found: 301, delivered: 0, skipped: 301 });
    await quietPeriod(1000, 'a webhook sent by mistake would arrive by now');
    expect(hooksFor(history)).toHaveLength(before);
  });

  it('honours since and until by the exact INTERNALDATE', async () => {
    const day = (i: number) => new Date(Date.parse('2025-03-01T12:00:00Z') + i * 24 * 3600_000);
    // 0..9: one a day at noon; 10: a second before noon on day 2 (same date as since, but before it).
    const mailbox = await watchedWithHistory(2, 11, (i) => (i < 10 ? day(i) : new Date(day(2).getTime() - 1000)));
    const id = await requestBackfill(mailbox, { since: day(2).toISOString(), until: day(5).toISOString() });
    const done = await waitForStatus(mailbox, id, 'done');
    expect(done).toMatchObject({ found: 3, delivered: 3, skipped: 0 });
    expect(done.since).toBe(day(2).toISOString());
    expect(done.until).toBe(day(5).toISOString());
    await waitFor('3 webhooks', () => hooksFor(mailbox).length === 3);
    expect(
      hooksFor(mailbox)
        .map((r) => verified(r).envelope.message_id)
        .sort(),
    ).toEqual(['<user-2-history-2@t>', '<user-2-history-3@t>', '<user-2-history-4@t>']);
  });

  it('cancel stops it: nothing more is sent, and one unfinished backfill per mailbox at a time', async () => {
    const mailbox = await watchedWithHistory(3, 200);
    const id = await requestBackfill(mailbox);
    const second = await bed.partner.post(backfillPath(mailbox), {});
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ error: { code: 'BackfillInProgress' } });

    await waitFor(
      'a few messages sent',
      async () => (await bed.partner.get(backfillPath(mailbox, id))).body.delivered >= 5,
    );
    const cancelled = await bed.partner.delete(backfillPath(mailbox, id));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe('cancelled');
    await quietPeriod(1500, 'a run that missed the cancel would send several more messages by now');
    const row = (await bed.partner.get(backfillPath(mailbox, id))).body;
    const events = await bed.events(mailbox.userId);
    expect(row.status).toBe('cancelled');
    expect(row.delivered).toBeLessThan(200);
    expect(events).toHaveLength(row.delivered);
    await waitFor('their webhooks', () => hooksFor(mailbox).length === row.delivered);
    // Cancelling a finished backfill changes nothing.
    expect((await bed.partner.delete(backfillPath(mailbox, id))).body.status).toBe('cancelled');
    // A new backfill picks up what the cancelled one did not send.
    const rest = await requestBackfill(mailbox);
    expect(await waitForStatus(mailbox, rest, 'done')).toMatchObject({
      found: 200,
      delivered: 200 - row.delivered,
      skipped: row.delivered,
    });
  });

  it('redelivering an event whose body was dropped reads the message again by UID: the same bytes', async () => {
    const mailbox = await watchedWithHistory(4, 0);
    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: 'kept-by-uid@t' }));
    const [first] = await sink
      .waitFor(1, 15_000, '/new-mail')
      .then(() => waitFor('its webhook', () => (hooksFor(mailbox).length === 1 ? hooksFor(mailbox) : null)));
    const payload = verified(first);
    const [event] = await waitFor('the body to be dropped on delivery', async () => {
      const events = await bed.events(mailbox.userId);
      return events[0]?.status === 'delivered' && events[0].body === null ? events : null;
    });

    const redelivered = await bed.partner.post(`/api/v1/events/${event.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    const again = await waitFor('the redelivery', () => hooksFor(mailbox)[1]);
    const payloadAgain = verified(again);
    expect(again.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(payloadAgain.rfc822).toBe(payload.rfc822);
    expect(payloadAgain.sha1).toBe(payload.sha1);

    // Once the message is gone from the mailbox, the UID names nothing: refused with the reason.
    await waitFor('the body to be dropped again', async () => (await bed.events(mailbox.userId))[0].body === null);
    await bed.dovecot.doveadm(['expunge', '-u', mailbox.email, 'mailbox', 'INBOX', 'uid', String(payload.uid)]);
    const refused = await bed.partner.post(`/api/v1/events/${event.id}/redeliver`);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'MessageNoLongerInMailbox' });
    expect(refused.body.error.message).toContain(`no message with UID ${payload.uid}`);
  });

  it('refuses bad requests with the reason, and keeps backfills to their partner', async () => {
    const mailbox = history;
    const bad = async (body: unknown) => {
      const response = await bed.partner.post(backfillPath(mailbox), body);
      expect(response.status).toBe(400);
      return response.body.error as { code: string; message: string };
    };
    expect((await bad({ since: 'last tuesday' })).message).toMatch(/since/);
    expect((await bad({ until: '2025-02-30' })).message).toMatch(/until/);
    expect((await bad({ since: '2025-03-02', until: '2025-03-01' })).message).toBe('until must be later than since');
    expect((await bad({ since: 20250301 })).message).toMatch(/since/);

    const noCredentials = await bed.partner.post(usersPath(bed.providerCode), { tag: 'no-credentials' });
    expect(noCredentials.status).toBe(200);
    const refused = await bed.partner.post(`${usersPath(bed.providerCode, 'no-credentials')}/backfill`, {});
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'UserNotConnected' });
    expect(refused.body.error.message).toContain('no credentials');
    const wrongPassword = await bed.addMailbox(5, { password: 'not-the-password' });
    const unreached = await bed.partner.post(backfillPath(wrongPassword), {});
    expect(unreached.status).toBe(400);
    expect(unreached.body.error.message).toContain('not been reached');
    expect((await bed.partner.post(`${usersPath(bed.providerCode, 'nobody')}/backfill`, {})).status).toBe(404);

    const [mine] = await bed.sql<{ id: string }>('SELECT id FROM backfills WHERE user_id = $1', [mailbox.userId]);
    expect((await bed.partner.get(backfillPath(mailbox, '00000000-0000-4000-8000-000000000000'))).status).toBe(404);
    const notAnId = await bed.partner.get(backfillPath(mailbox, 'not-an-id'));
    expect(notAnId.status).toBe(404);
    expect(notAnId.body.error).toMatchObject({ code: 'BackfillNotFound' });

    // Another partner, with a user of the same tag on the same provider, sees none of it.
    const other = await bed.createPartner('Other partner');
    await other.post('/api/v1/connections', { imap_provider_code: bed.providerCode });
    const { email, password } = bed.dovecot.user(6);
    await other.post(usersPath(bed.providerCode), {
      tag: mailbox.tag,
      login_username: email,
      login_password: password,
    });
    const foreign = `${usersPath(bed.providerCode, mailbox.tag)}/backfills/${mine.id}`;
    expect((await other.get(foreign)).status).toBe(404);
    expect((await other.delete(foreign)).status).toBe(404);
    expect((await bed.partner.get(backfillPath(mailbox, mine.id))).status).toBe(200);
  });

  it('the CLI asks for, shows and cancels a backfill', async () => {
    const mailbox = await watchedWithHistory(7, 5);
    const target = ['--partner', bed.partner.partnerId, '--connection', bed.providerCode, '--tag', mailbox.tag];
    const started = await bed.cli(['users', 'backfill', ...target, '--since', '2025-01-01T00:02:00Z']);
    if (started.code !== 0) throw new Error(`users backfill failed: ${started.stderr}`);
    const { id } = started.json as { id: string };
    await waitForStatus(mailbox, id, 'done');
    const shown = await bed.cli(['users', 'backfill', ...target, '--show', id]);
    expect(shown.json).toMatchObject({ id, status: 'done', found: 3, delivered: 3, skipped: 0 });
    const cancelled = await bed.cli(['users', 'backfill', ...target, '--cancel', id]);
    expect(cancelled.json).toMatchObject({ id, status: 'done' });
    const badDate = await bed.cli(['users', 'backfill', ...target, '--until', 'soon']);
    expect(badDate.code).toBe(1);
    expect(badDate.stderr).toContain('until');
  });

  it('an operator starts one from the user page in the admin, and sees its progress there', async () => {
    const mailbox = await watchedWithHistory(9, 4);
    const browser = await TestBrowser.launch();
    try {
      const page = await browser.newPage();
      const open = (path: string) => page.goto(new URL(path, bed.api.url).toString());
      await open('/admin/login');
      await page.getByLabel('Email').fill('admin@example.com');
      await page.getByLabel('Password').fill('password');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL((url) => url.pathname === '/admin/password');
      const passphrase = 'operators choose long passphrases';
      await page.getByLabel('Current password').fill('password');
      await page.getByLabel('New password', { exact: true }).fill(passphrase);
      await page.getByLabel('New password again').fill(passphrase);
      await page.getByRole('button', { name: 'Change password' }).click();
      await page.waitForURL((url) => url.pathname === '/admin');

      await open(`/admin/users/${mailbox.userId}`);
      // Until must be later than since: refused, and the page says why.
      await page.getByLabel('Since').fill('2025-01-01T00:03');
      await page.getByLabel('Until').fill('2025-01-01T00:01');
      await page.getByRole('button', { name: 'Start backfill' }).click();
      await page.waitForURL((url) => url.pathname === `/admin/users/${mailbox.userId}`);
      expect(await page.getByRole('status').textContent()).toContain('No backfill: until must be later than since');

      await page.getByLabel('Since').fill('2025-01-01T00:01');
      await page.getByRole('button', { name: 'Start backfill' }).click();
      await page.waitForURL((url) => url.pathname === `/admin/users/${mailbox.userId}`);
      expect(await page.getByRole('status').textContent()).toContain('Backfill requested');
      await waitFor('3 webhooks', () => hooksFor(mailbox).length === 3, { timeoutMs: 15_000 });
      await waitFor('the panel to show it done', async () => {
        await page.reload();
        return (await page.locator('section', { hasText: 'Backfill' }).textContent())?.includes('done');
      });
      expect(await page.locator('section', { hasText: 'Backfill' }).textContent()).toContain(
        '3 sent, 0 already delivered, of 3',
      );
      await screenshot(page, 'backfill-admin-user-page');
    } finally {
      await browser.close();
    }
    const [entry] = await bed.sql(
      "SELECT outcome FROM admin_audit_log WHERE action = 'user.backfill' ORDER BY created_at DESC LIMIT 1",
    );
    expect(entry.outcome).toBe('success');
  });

  it('imap-client SIGKILLed mid-backfill: the next owner resumes after the last UID, every message once', async () => {
    const mailbox = await watchedWithHistory(8, 150);
    const id = await requestBackfill(mailbox);
    await waitFor(
      'the backfill under way',
      async () => (await bed.partner.get(backfillPath(mailbox, id))).body.delivered >= 20,
      {
        timeoutMs: 20_000,
      },
    );
    await imapClient.stop('SIGKILL');
    const atKill = (await bed.partner.get(backfillPath(mailbox, id))).body as { delivered: number; status: string };
    expect(atKill.status).toBe('running');
    expect(atKill.delivered).toBeLessThan(150);

    await bed.startRole('imap-client', { BACKFILL_RATE });
    const done = await waitForStatus(mailbox, id, 'done', 60_000);
    expect(done).toMatchObject({ found: 150, delivered: 150 });
    await waitFor('150 webhooks', () => hooksFor(mailbox).length >= 150, { timeoutMs: 20_000 });
    await quietPeriod(1000, 'a duplicate webhook would arrive by now');
    const hooks = hooksFor(mailbox);
    expect(hooks).toHaveLength(150);
    expect(new Set(hooks.map((r) => r.headers['webhook-id'])).size).toBe(150);
    expect(new Set(hooks.map((r) => (r.json as Payload).envelope.message_id)).size).toBe(150);
    console.info(`SIGKILL during a backfill: ${atKill.delivered}/150 sent before, the rest by the next owner`);
  });
});
