import { createHash } from 'node:crypto';

import { buildMail, eightBitMail, largeMail, latin1Mail, malformedMimeMail } from '../harness/mail-factory.js';
import { usersPath } from '../support/api-client.js';
import { ImapTestbed } from '../support/imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { waitFor } from '../support/wait-for.js';

const sha1 = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');

/** Dovecot prepends Return-Path/Delivered-To/Received; the message we sent is the tail of what it stores. */
function endsWith(stored: Buffer, sent: Buffer): boolean {
  return stored.subarray(stored.length - sent.length).equals(sent);
}

describe('imap-client against Dovecot', () => {
  let bed: ImapTestbed;

  let client: RoleProcess;

  beforeAll(async () => {
    bed = await ImapTestbed.create({ users: 12 });
    client = await bed.startRole('imap-client', { MAX_EMAIL_SIZE: '20000' });
  });
  afterAll(() => bed.stop());

  it('turns a new mail into one pending event with the exact bytes, envelope and SHA1, and queues its job', async () => {
    const mailbox = await bed.addMailbox(1);
    await waitFor('the session to log in', async () => (await bed.dovecot.countSessions(mailbox.email)) === 1);
    const sent = buildMail({
      to: mailbox.email,
      from: 'Alice Example <alice@example.test>',
      subject: 'Hello SuperIMAP',
      messageId: 'first-mail@example.test',
    });
    const deliveredAt = Date.now();
    await bed.dovecot.deliver(mailbox.email, sent);
    const [event] = await bed.waitForEvents(mailbox.userId, 1);
    const latencyMs = Date.now() - deliveredAt;
    console.info(`Dovecot delivery -> pending event: ${latencyMs} ms`);

    expect(event).toMatchObject({ type: 'new_mail', status: 'pending', attempts: 0 });
    expect(event.metadata.envelope).toMatchObject({
      subject: 'Hello SuperIMAP',
      message_id: '<first-mail@example.test>',
      from: [{ name: 'Alice Example', route: null, mailbox: 'alice', host: 'example.test' }],
      to: [{ name: null, route: null, mailbox: 'user0001', host: 'example.test' }],
    });
    expect(event.body).toMatch(/^v1:/);

    const [log] = await bed.sql('SELECT * FROM mail_logs WHERE user_id = $1 ORDER BY uid', [mailbox.userId]);
    expect(log.event_id).toBe(event.id);
    expect(event.metadata.sha1).toBe(log.sha1);
    const job = await waitFor('the delivery job', () => bed.webhookQueue().getJob(event.id), { intervalMs: 10 });
    console.info(`Dovecot delivery -> job queued: ${job.timestamp - deliveredAt} ms`);
    expect(job.data).toEqual({ eventId: event.id, partnerId: event.partner_id });
    expect(job.timestamp - deliveredAt).toBeLessThan(5000);

    // The stored body is the message exactly as the server holds it.
    const stored = await decryptBody(event);
    expect(endsWith(stored, sent)).toBe(true);
    expect(sha1(stored)).toBe(event.metadata.sha1);

    // Fetching never marked it \Seen.
    expect(await bed.dovecot.mailboxFlags(mailbox.email, event.metadata.uid)).not.toContain('\\Seen');
    const user = await bed.userRow(mailbox.userId);
    expect(user).toMatchObject({ state: 'watching', last_error: null });
    expect(Number(user.last_uid)).toBe(event.metadata.uid);

    const metrics = await (await fetch(`${client.url}/metrics`)).text();
    expect(metrics).toMatch(/^superimap_emails_processed_total [1-9]/m);
    expect(metrics).toMatch(/^superimap_mailboxes\{state="watching"\} [1-9]/m);
    expect(metrics).toContain('superimap_work_queue_latency_seconds_bucket');
  });

  it('records 8-bit, non-UTF-8 and malformed MIME mail byte for byte', async () => {
    const mailbox = await bed.addMailbox(2);
    await waitFor('the session', async () => (await bed.dovecot.countSessions(mailbox.email)) === 1);
    const mails = [
      eightBitMail({ to: mailbox.email }),
      latin1Mail({ to: mailbox.email }),
      malformedMimeMail({ to: mailbox.email }),
    ];
    for (const mail of mails) await bed.dovecot.deliver(mailbox.email, mail);
    const events = await bed.waitForEvents(mailbox.userId, 3);
    const bodies = await Promise.all(events.map(decryptBody));
    mails.forEach((mail, i) => expect(endsWith(bodies[i], mail)).toBe(true));
  });

  it('delivers an oversized mail as a truncated event without a body', async () => {
    const mailbox = await bed.addMailbox(3);
    await waitFor('the session', async () => (await bed.dovecot.countSessions(mailbox.email)) === 1);
    await bed.dovecot.deliver(mailbox.email, largeMail(50_000, { to: mailbox.email, subject: 'Big one' }));
    const [event] = await bed.waitForEvents(mailbox.userId, 1);
    expect(event.body).toBeNull();
    expect(event.metadata).toMatchObject({ truncated: true, sha1: null });
    expect(event.metadata.size).toBeGreaterThan(50_000);
    expect(event.metadata.envelope.subject).toBe('Big one');
  });

  it('stops watching within 2 s of an archive through the API, and resumes on restore', async () => {
    const mailbox = await bed.addMailbox(4);
    await waitFor('the session', async () => (await bed.dovecot.countSessions(mailbox.email)) === 1);
    const archivedAt = Date.now();
    await bed.partner.delete(usersPath(bed.providerCode, mailbox.tag));
    await waitFor('the session to close', async () => (await bed.dovecot.countSessions(mailbox.email)) === 0, {
      timeoutMs: 2000,
    });
    console.info(`archive -> session closed: ${Date.now() - archivedAt} ms`);
    await bed.partner.put(usersPath(bed.providerCode, mailbox.tag), { archived: false });
    await waitFor('the session to reopen', async () => (await bed.dovecot.countSessions(mailbox.email)) === 1, {
      timeoutMs: 2000,
    });
  });

  it('changes no flag: \\Seen and every other stored flag are the same before and after', async () => {
    const mailbox = await bed.addMailbox(6);
    await waitFor('the session', async () => (await bed.dovecot.countSessions(mailbox.email)) === 1);
    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: 'flags-1@t' }));
    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: 'flags-2@t' }));
    const before = [await bed.dovecot.mailboxFlags(mailbox.email, 1), await bed.dovecot.mailboxFlags(mailbox.email, 2)];
    await bed.waitForEvents(mailbox.userId, 2);
    const after = [await bed.dovecot.mailboxFlags(mailbox.email, 1), await bed.dovecot.mailboxFlags(mailbox.email, 2)];
    expect(before).toEqual([[], []]);
    expect(after).toEqual(before);
  });

  it('a wrong password → auth_error after one attempt, no retry storm, recovery after PUT', async () => {
    const mailbox = await bed.addMailbox(5, { password: 'wrong-password' });
    const user = await waitFor('auth_error', async () => {
      const row = await bed.userRow(mailbox.userId);
      return row.state === 'auth_error' ? row : null;
    });
    expect(user.last_error).toMatch(/auth/i);
    const api = await bed.partner.get(usersPath(bed.providerCode, mailbox.tag));
    expect(api.body).toMatchObject({ state: 'auth_error' });
    await quietPeriod(3000, 'a retried login would happen within seconds');
    expect((await bed.dovecot.countLogins(mailbox.email)).failed).toBe(1);

    await bed.partner.put(usersPath(bed.providerCode, mailbox.tag), { login_password: mailbox.password });
    await waitFor('watching again', async () => (await bed.userRow(mailbox.userId)).state === 'watching');
    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email }));
    await bed.waitForEvents(mailbox.userId, 1);
  });
});

async function decryptBody(event: Record<string, any>): Promise<Buffer> {
  const { parseConfig, SecretBox } = await import('@app/core');
  const { testEnvironment } = await import('../support/test-env.js');
  const box = new SecretBox(parseConfig(testEnvironment()));
  return box.decryptToBuffer(event.body as string, { table: 'webhook_events', column: 'body', id: event.id as string });
}
