import { createHmac } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { buildMail, latin1Mail } from '../harness/mail-factory.js';
import { WebhookSink } from '../harness/webhook-sink.js';
import { usersPath } from '../support/api-client.js';
import { type FakeMailbox, FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { waitFor } from '../support/wait-for.js';

/** The seed README's Ruby verification snippet, reimplemented. */
function seedSignatureValid(rawPost: string, apiKey: string): boolean {
  const json = JSON.parse(rawPost) as { sha1: string; timestamp: number; signature: string };
  return createHmac('sha256', apiKey).update(`${json.timestamp}${json.sha1}`).digest('hex') === json.signature;
}

const FAST_DELIVERY = { WEBHOOK_BACKOFF: '0.2', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_TIMEOUT: '1' };

describe('webhook delivery', () => {
  let sink: WebhookSink;
  let bed: FakeImapTestbed;
  let worker: RoleProcess;
  let apiKey: string;
  let webhookSecret: string;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    bed = await FakeImapTestbed.create({ partnerArgs: ['--new-mail-webhook', sink.urlFor('/new-mail')] });
    apiKey = bed.partner.apiKey;
    const listed = await bed.cli(['partner', 'rotate-secret', '--id', bed.partner.partnerId]);
    webhookSecret = (listed.json as { webhook_secret: string }).webhook_secret;
    await bed.startRole('imap-client');
    worker = await bed.startRole('worker', FAST_DELIVERY);
  });
  afterAll(async () => {
    await bed.stop();
    await sink.close();
  });
  beforeEach(() => sink.reset());

  async function mailTo(mailbox: FakeMailbox, raw = buildMail({ to: mailbox.username })): Promise<Record<string, any>> {
    bed.server.appendMessage(mailbox.username, raw);
    const [event] = await bed.waitForEvents(mailbox.userId, 1);
    return event;
  }

  async function newMailbox(): Promise<FakeMailbox> {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    return mailbox;
  }

  const settled = (eventId: string, status: string, timeoutMs = 15_000) =>
    waitFor(
      `event ${eventId} to be ${status}`,
      async () => {
        const [row] = await bed.sql('SELECT * FROM webhook_events WHERE id = $1', [eventId]);
        return row?.status === status ? row : null;
      },
      { timeoutMs, intervalMs: 50 },
    );

  it('posts the seed payload, signed the seed way and the Standard Webhooks way, with the exact message', async () => {
    const mailbox = await newMailbox();
    const raw = buildMail({ to: mailbox.username, subject: 'Grüße ✓', from: 'Zoë <zoe@example.test>' });
    const event = await mailTo(mailbox, raw);
    const [request] = await sink.waitFor(1, 10_000);
    const body = request.body.toString();
    const payload = JSON.parse(body);

    expect(request.headers['content-type']).toBe('application/json');
    expect(seedSignatureValid(body, apiKey)).toBe(true);
    expect(new Webhook(webhookSecret).verify(body, request.headers as Record<string, string>)).toBeTruthy();
    expect(request.headers['webhook-id']).toBe(event.id);
    expect(payload).toMatchObject({
      imap_provider_code: bed.providerCode,
      user_tag: mailbox.tag,
      envelope: {
        subject: 'Grüße ✓',
        from: [{ name: 'Zoë', route: null, mailbox: 'zoe', host: 'example.test' }],
      },
      rfc822: raw.toString('utf8'),
      truncated: false,
    });
    expect(payload).not.toHaveProperty('rfc822_base64');
    expect(Math.abs(payload.timestamp - Date.now() / 1000)).toBeLessThan(30);
    for (const field of ['date', 'sender', 'reply_to', 'to', 'cc', 'bcc', 'in_reply_to', 'message_id']) {
      expect(payload.envelope).toHaveProperty(field);
    }

    const delivered = await settled(event.id, 'delivered');
    expect(delivered.body).toBeNull(); // the raw message is not kept after delivery
    expect(delivered.metadata.envelope.subject).toBe('Grüße ✓'); // metadata is
  });

  it('sends non-UTF-8 mail with its exact bytes in rfc822_base64', async () => {
    const mailbox = await newMailbox();
    const raw = latin1Mail({ to: mailbox.username });
    await mailTo(mailbox, raw);
    const [request] = await sink.waitFor(1, 10_000);
    const payload = JSON.parse(request.body.toString());
    expect(Buffer.from(payload.rfc822_base64 as string, 'base64').equals(raw)).toBe(true);
    expect(payload.rfc822).toContain('\ufffd');
    expect(seedSignatureValid(request.body.toString(), apiKey)).toBe(true);
  });

  it('500, 500, 200 → three attempts with one webhook-id, each logged', async () => {
    const mailbox = await newMailbox();
    sink.enqueue({ status: 500, body: 'oops' }, { status: 500 }, { status: 200 });
    const event = await mailTo(mailbox);
    const requests = await sink.waitFor(3, 15_000);
    expect(new Set(requests.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    await settled(event.id, 'delivered');
    const logs = await bed.sql('SELECT * FROM transmit_logs WHERE event_id = $1 ORDER BY attempt', [event.id]);
    expect(logs.map((l) => [l.attempt, l.response_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 200],
    ]);
    expect(logs[0].response_body).toBe('oops');
  });

  it('403 → the user is archived, no more attempts, its session closes', async () => {
    const mailbox = await newMailbox();
    sink.enqueue({ status: 403 });
    const event = await mailTo(mailbox);
    await settled(event.id, 'delivered');
    const user = await waitFor('the user to be archived', async () => {
      const row = await bed.userRow(mailbox.userId);
      return row.archived_at ? row : null;
    });
    expect(user.archived_at).not.toBeNull();
    await waitFor('the session to close', () => bed.server.openSessions(mailbox.username) === 0);
    await quietPeriod(1000, 'a retry after the 403 would be sent by now');
    expect(sink.requests).toHaveLength(1);
  });

  it('honours Retry-After on 429', async () => {
    const mailbox = await newMailbox();
    sink.enqueue({ status: 429, headers: { 'retry-after': '2' } }, { status: 200 });
    const event = await mailTo(mailbox);
    const [first, second] = await sink.waitFor(2, 15_000);
    const waitedMs = second.receivedAt - first.receivedAt;
    console.info(`Retry-After: 2 → retried after ${waitedMs} ms (schedule alone: 100-200 ms)`);
    expect(waitedMs).toBeGreaterThanOrEqual(1900);
    await settled(event.id, 'delivered');
  });

  it('a timeout and a redirect count as failures: retried, the redirect never followed', async () => {
    const mailbox = await newMailbox();
    sink.enqueue(
      { delayMs: 2500, status: 200 },
      { status: 302, redirectTo: sink.urlFor('/elsewhere') },
      { status: 204 },
    );
    const event = await mailTo(mailbox);
    await settled(event.id, 'delivered', 20_000);
    expect(sink.requestsFor('/elsewhere')).toHaveLength(0);
    const logs = await bed.sql('SELECT * FROM transmit_logs WHERE event_id = $1 ORDER BY attempt', [event.id]);
    expect(logs.map((l) => l.response_code)).toEqual([null, 302, 204]);
    expect(logs[0].error).toMatch(/timed out|no complete answer/);
  });

  it('after the last attempt the event is failed, kept, and redeliverable by API and CLI with the same id', async () => {
    const mailbox = await newMailbox();
    sink.setDefault({ status: 503 });
    const event = await mailTo(mailbox);
    const failed = await settled(event.id, 'failed', 20_000);
    expect(failed).toMatchObject({ attempts: 3, last_error: 'HTTP 503' });
    expect(failed.body).not.toBeNull();

    const listed = await bed.partner.get('/api/v1/events?status=failed');
    expect(listed.body.map((e: { id: string }) => e.id)).toContain(event.id);
    const detail = await bed.partner.get(`/api/v1/events/${event.id}`);
    expect(detail.body.delivery_attempts).toHaveLength(3);

    sink.setDefault({ status: 200 });
    const redelivered = await bed.partner.post(`/api/v1/events/${event.id}/redeliver`);
    expect(redelivered.status).toBe(202);
    await settled(event.id, 'delivered');
    expect(sink.requests.at(-1)?.headers['webhook-id']).toBe(event.id);

    // Fail it again, then redeliver from the CLI.
    sink.setDefault({ status: 500 });
    const second = await mailTo(await newMailbox());
    await settled(second.id, 'failed', 20_000);
    sink.setDefault({ status: 200 });
    const cli = await bed.cli(['events', 'redeliver', '--status', 'failed', '--partner', bed.partner.partnerId]);
    expect(cli.json).toEqual({ redelivered: 1 });
    await settled(second.id, 'delivered');
    expect(sink.requests.at(-1)?.headers['webhook-id']).toBe(second.id);
  });

  it('lists events page by page, by status and by user tag', async () => {
    const all = await bed.sql('SELECT id FROM webhook_events WHERE partner_id = $1', [bed.partner.partnerId]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { id: string }[]; headers: Headers } = await bed.partner.get(
        `/api/v1/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.body.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.map((event) => event.id));
      cursor = page.headers.get('x-next-cursor');
    } while (cursor);
    expect(seen.sort()).toEqual(all.map((row) => row.id as string).sort());

    const [one] = await bed.sql(
      'SELECT e.id, u.tag FROM webhook_events e JOIN users u ON u.id = e.user_id WHERE e.partner_id = $1 LIMIT 1',
      [bed.partner.partnerId],
    );
    const byTag = await bed.partner.get(`/api/v1/events?user_tag=${encodeURIComponent(one.tag as string)}`);
    expect(byTag.body.map((event: { user_tag: string }) => event.user_tag)).toEqual(expect.arrayContaining([one.tag]));
    expect(byTag.body.every((event: { user_tag: string }) => event.user_tag === one.tag)).toBe(true);
    expect((await bed.partner.get('/api/v1/events?status=lost')).status).toBe(400);
    expect((await bed.partner.get('/api/v1/events?since=yesterday')).status).toBe(400);
    expect((await bed.partner.get('/api/v1/events/not-an-id')).status).toBe(404);
  });

  it("another partner cannot read or redeliver this partner's events", async () => {
    const other = await bed.createPartner('Other');
    const [event] = await bed.sql('SELECT id FROM webhook_events LIMIT 1');
    expect((await other.get(`/api/v1/events/${event.id}`)).status).toBe(404);
    expect((await other.post(`/api/v1/events/${event.id}/redeliver`)).status).toBe(404);
    expect((await other.get('/api/v1/events')).body).toEqual([]);
  });

  it('a worker killed mid-delivery: the event is delivered later, with the same webhook-id', async () => {
    const mailbox = await newMailbox();
    sink.enqueue({ hang: true });
    const event = await mailTo(mailbox);
    await sink.waitFor(1, 10_000);
    await worker.stop('SIGKILL');
    worker = await bed.startRole('worker', FAST_DELIVERY);
    const delivered = await settled(event.id, 'delivered', 40_000);
    expect(delivered.status).toBe('delivered');
    expect(sink.requests.map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
  });

  it('SIGTERM during a hanging delivery exits 0 in time; another worker delivers the event', async () => {
    await worker.stop('SIGTERM');
    worker = await bed.startRole('worker', { ...FAST_DELIVERY, WEBHOOK_TIMEOUT: '30' });
    const mailbox = await newMailbox();
    sink.enqueue({ hang: true });
    const event = await mailTo(mailbox);
    await sink.waitFor(1, 10_000);
    const stoppedAt = Date.now();
    expect(await worker.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    const stopMs = Date.now() - stoppedAt;
    console.info(`SIGTERM with a delivery hanging: worker exited 0 after ${stopMs} ms`);
    expect(stopMs).toBeLessThan(10_000);
    worker = await bed.startRole('worker', FAST_DELIVERY);
    await settled(event.id, 'delivered', 40_000);
    expect(sink.requests.map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
  });

  it('Redis emptied: pending events are still delivered', async () => {
    await worker.stop('SIGKILL');
    const mailbox = await newMailbox();
    const event = await mailTo(mailbox);
    await bed.webhookQueue().obliterate({ force: true });
    worker = await bed.startRole('worker', FAST_DELIVERY);
    await settled(event.id, 'delivered', 20_000);
    expect(sink.requests.map((r) => r.headers['webhook-id'])).toEqual([event.id]);
  });

  it('a user archived through the API keeps its events; deleting is by connection only', async () => {
    const mailbox = await newMailbox();
    await mailTo(mailbox);
    await bed.partner.delete(usersPath(bed.providerCode, mailbox.tag));
    expect(await bed.events(mailbox.userId)).toHaveLength(1);
  });
});

describe('webhook targets in production', () => {
  let sink: WebhookSink;
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    bed = await FakeImapTestbed.create({ partnerArgs: ['--new-mail-webhook', sink.urlFor('/hook')] });
    await bed.startRole('imap-client');
    await bed.startRole('worker', {
      ...FAST_DELIVERY,
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://imap.example.test',
    });
  });
  afterAll(async () => {
    await bed.stop();
    await sink.close();
  });

  it('refuses a loopback target and records why', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username }));
    const [event] = await bed.waitForEvents(mailbox.userId, 1);
    const failed = await waitFor(
      'the event to fail',
      async () => {
        const [row] = await bed.sql("SELECT * FROM webhook_events WHERE id = $1 AND status = 'failed'", [event.id]);
        return row;
      },
      { timeoutMs: 20_000 },
    );
    expect(failed.last_error).toMatch(/private or reserved/);
    expect(sink.requests).toHaveLength(0);
  });
});

describe('a partner without a new_mail URL', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    await bed.startRole('imap-client');
    await bed.startRole('worker', FAST_DELIVERY);
  });
  afterAll(() => bed.stop());

  it('gets its events marked skipped, not retried forever', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username }));
    const [event] = await bed.waitForEvents(mailbox.userId, 1);
    const skipped = await waitFor('skipped', async () => {
      const [row] = await bed.sql("SELECT * FROM webhook_events WHERE id = $1 AND status = 'skipped'", [event.id]);
      return row;
    });
    expect(skipped.attempts).toBe(0);
    expect(skipped.last_error).toContain('no new_mail webhook URL');
  });
});
