import { createHmac, randomUUID } from 'node:crypto';

import { Webhook } from 'standardwebhooks';

import { buildMail } from '../harness/mail-factory.js';
import { WebhookSink } from '../harness/webhook-sink.js';
import { ImapTestbed } from '../support/imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import { waitFor } from '../support/wait-for.js';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

describe('end to end: Dovecot → imap-client → worker → partner', () => {
  let sink: WebhookSink;
  let bed: ImapTestbed;
  let webhookSecret: string;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    bed = await ImapTestbed.create({
      users: 10,
      hibernateTimeout: '1s',
      partnerArgs: [
        '--new-mail-webhook',
        sink.urlFor('/new-mail'),
        '--user-connected-webhook',
        sink.urlFor('/connected'),
        '--user-disconnected-webhook',
        sink.urlFor('/disconnected'),
      ],
    });
    const rotated = await bed.cli(['partner', 'rotate-secret', '--id', bed.partner.partnerId]);
    webhookSecret = (rotated.json as { webhook_secret: string }).webhook_secret;
    await bed.startRole('imap-client');
    await bed.startRole('worker');
  });
  afterAll(async () => {
    await bed.stop();
    await sink.close();
  });

  const verify = (body: Buffer, headers: Record<string, unknown>) => {
    const text = body.toString();
    const json = JSON.parse(text);
    const seed = createHmac('sha256', bed.partner.apiKey).update(`${json.timestamp}${json.sha1}`).digest('hex');
    expect(json.signature).toBe(seed);
    expect(new Webhook(webhookSecret).verify(text, headers as Record<string, string>)).toBeTruthy();
    return json;
  };

  it('100 mails → 100 webhooks, each signed both ways, typically well under a second', async () => {
    const mailboxes = await Promise.all([1, 2, 3, 4, 5].map((n) => bed.addMailbox(n)));
    for (const mailbox of mailboxes) {
      await waitFor('a session', async () => (await bed.dovecot.countSessions(mailbox.email)) === 1);
    }
    const sentAt = new Map<string, number>();
    for (let i = 0; i < 100; i++) {
      const mailbox = mailboxes[i % mailboxes.length];
      const messageId = `<e2e-${i}@superimap.test>`;
      sentAt.set(messageId, Date.now());
      await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId }));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const requests = await sink.waitFor(100, 60_000, '/new-mail');
    await quietPeriod(500, 'a duplicate webhook would arrive by now');
    expect(sink.requestsFor('/new-mail')).toHaveLength(100);

    const latencies: number[] = [];
    const seen = new Set<string>();
    for (const request of requests) {
      const payload = verify(request.body, request.headers);
      const messageId = payload.envelope.message_id as string;
      seen.add(messageId);
      latencies.push(request.receivedAt - (sentAt.get(messageId) ?? NaN));
    }
    expect(seen.size).toBe(100);
    latencies.sort((a, b) => a - b);
    console.info(
      `delivery → webhook over 100 mails (Dovecot hibernation on): p50 ${percentile(latencies, 50)} ms, ` +
        `p99 ${percentile(latencies, 99)} ms, max ${latencies.at(-1)} ms`,
    );
    expect(latencies.every((ms) => Number.isFinite(ms))).toBe(true);
  });

  it('delivers user_connected and user_disconnected events with the seed fields', async () => {
    const mailbox = await bed.addMailbox(6);
    await bed.sql('UPDATE users SET email = $2 WHERE id = $1', [mailbox.userId, 'user0006@example.test']);
    for (const type of ['user_connected', 'user_disconnected']) {
      const id = randomUUID();
      await bed.sql(
        `INSERT INTO webhook_events (id, partner_id, user_id, type, status) VALUES ($1, $2, $3, $4, 'pending')`,
        [id, bed.partner.partnerId, mailbox.userId, type],
      );
      await bed.webhookQueue().add('webhook.deliver', { eventId: id }, { jobId: id });
    }
    const [connected] = await sink.waitFor(1, 10_000, '/connected');
    const [disconnected] = await sink.waitFor(1, 10_000, '/disconnected');
    const sha1OfTag = (await import('node:crypto')).createHash('sha1').update(mailbox.tag).digest('hex');
    expect(verify(connected.body, connected.headers)).toMatchObject({
      user_tag: mailbox.tag,
      email: 'user0006@example.test',
      sha1: sha1OfTag,
      imap_provider_code: bed.providerCode,
    });
    const gone = verify(disconnected.body, disconnected.headers);
    expect(gone).toMatchObject({ user_tag: mailbox.tag, sha1: sha1OfTag });
    expect(gone).not.toHaveProperty('email');
  });
});
