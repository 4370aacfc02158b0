import { buildMail } from '../harness/mail-factory.js';
import { WebhookSink } from '../harness/webhook-sink.js';
import { usersPath } from '../support/api-client.js';
import { FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { waitFor } from '../support/wait-for.js';

/** About two seconds, in the hours the settings take. */
const SHORT = String(2 / 3600);

describe('data retention', () => {
  let sink: WebhookSink;
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    sink = await WebhookSink.start();
    bed = await FakeImapTestbed.create({ partnerArgs: ['--new-mail-webhook', sink.urlFor('/hooks')] });
    await bed.startRole('imap-client');
    await bed.startRole('worker', {
      RETENTION_PURGE_INTERVAL: '1',
      EVENT_RETENTION: SHORT,
      MAIL_LOG_RETENTION: SHORT,
      ARCHIVED_CREDENTIALS_RETENTION: SHORT,
    });
  });
  afterAll(async () => {
    await bed.stop();
    await sink.close();
  });

  it('purges finished events, mail logs and long-archived credentials, and keeps what is still in use', async () => {
    const kept = await bed.addMailbox();
    const archived = await bed.addMailbox();
    await bed.waitForSession(kept);
    bed.server.appendMessage(kept.username, buildMail({ to: kept.username, messageId: 'old@t' }));
    await sink.waitFor(1, 15_000);
    expect((await bed.partner.delete(usersPath(bed.providerCode, archived.tag))).status).toBe(204);

    await waitFor(
      'the purge',
      async () => {
        const [events, logs, row] = await Promise.all([
          bed.events(kept.userId),
          bed.sql('SELECT id FROM mail_logs WHERE user_id = $1', [kept.userId]),
          bed.userRow(archived.userId),
        ]);
        return events.length === 0 && logs.length === 0 && row.login_password === null;
      },
      { timeoutMs: 20_000 },
    );
    const active = await bed.userRow(kept.userId);
    expect(active.login_password).not.toBeNull();
    // The cursor survives the purge: an old message is not delivered again, a new one is.
    bed.server.appendMessage(kept.username, buildMail({ to: kept.username, messageId: 'new@t' }));
    const delivered = await sink.waitFor(2, 15_000);
    expect(delivered.map((r) => (r.json as { envelope: { message_id: string } }).envelope.message_id)).toEqual([
      '<old@t>',
      '<new@t>',
    ]);
  });

  it('erases a user for good on DELETE with erase=true: the row, its mail logs and events', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    expect((await bed.partner.delete(`${usersPath(bed.providerCode, mailbox.tag)}?erase=true`)).status).toBe(204);
    expect(await bed.sql('SELECT id FROM users WHERE id = $1', [mailbox.userId])).toHaveLength(0);
    expect((await bed.partner.get(usersPath(bed.providerCode, mailbox.tag))).status).toBe(404);
    await waitFor('its session closed', () => bed.server.openSessions(mailbox.username) === 0, { timeoutMs: 15_000 });
  });
});
