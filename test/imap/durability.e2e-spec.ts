import { buildMail } from '../harness/mail-factory.js';
import { ImapTestbed, type Mailbox } from '../support/imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { messageIds } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

describe('imap-client durability against Dovecot', () => {
  let bed: ImapTestbed;

  beforeAll(async () => {
    bed = await ImapTestbed.create({ users: 12 });
  });
  afterAll(() => bed.stop());
  // Each test starts its own processes; none may outlive it, even when it fails.
  afterEach(async () => {
    await Promise.all(bed.processes.map((process) => process.stop('SIGKILL')));
  });

  const sessionOpen = (mailbox: Mailbox) =>
    waitFor(`a session for ${mailbox.email}`, async () => (await bed.dovecot.countSessions(mailbox.email)) === 1);

  it('catches up on mail delivered while imap-client was stopped', async () => {
    const mailbox = await bed.addMailbox(1);
    const client = await bed.startRole('imap-client');
    await sessionOpen(mailbox);
    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: 'before-stop@t' }));
    await bed.waitForEvents(mailbox.userId, 1);
    expect(await client.stop('SIGTERM')).toEqual({ code: 0, signal: null });

    for (let i = 0; i < 3; i++) {
      await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: `while-stopped-${i}@t` }));
    }
    const restarted = await bed.startRole('imap-client');
    const events = await bed.waitForEvents(mailbox.userId, 4);
    await quietPeriod(500, 'a duplicate event would be written by now');
    expect(messageIds(await bed.events(mailbox.userId))).toEqual([
      '<before-stop@t>',
      '<while-stopped-0@t>',
      '<while-stopped-1@t>',
      '<while-stopped-2@t>',
    ]);
    expect(events).toHaveLength(4);
    await restarted.stop();
  });

  it('after a UIDVALIDITY change, replays nothing and still delivers later mail', async () => {
    const mailbox = await bed.addMailbox(2);
    const client = await bed.startRole('imap-client');
    await sessionOpen(mailbox);
    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: 'old-validity@t' }));
    const [first] = await bed.waitForEvents(mailbox.userId, 1);
    const newValidity = await bed.dovecot.changeUidValidity(mailbox.email);
    expect(newValidity).not.toBe(first.metadata.uid_validity);

    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: 'new-validity@t' }));
    await bed.waitForEvents(mailbox.userId, 2, 20_000);
    await waitFor('the cursor to move to the new UIDVALIDITY', async () => {
      const user = await bed.userRow(mailbox.userId);
      return Number(user.last_uid_validity) === newValidity;
    });
    await quietPeriod(1000, 'a replay after the UIDVALIDITY change would arrive by now');
    const events = await bed.events(mailbox.userId);
    expect(messageIds(events)).toEqual(['<old-validity@t>', '<new-validity@t>']);
    expect(events[1].metadata.uid_validity).toBe(newValidity);
    await client.stop();
  });

  it('records 200 mails exactly once while imap-client is SIGKILLed at random moments', async () => {
    const mailboxes = await Promise.all([3, 4, 5, 6].map((n) => bed.addMailbox(n)));
    const worker = await bed.startRole('worker');
    let client: RoleProcess = await bed.startRole('imap-client');
    await Promise.all(mailboxes.map(sessionOpen));

    let delivering = true;
    let kills = 0;
    // Keeps killing until the mail is all out and at least 5 kills happened, however slow restarts are.
    const chaos = (async () => {
      while (delivering || kills < 5) {
        await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 600));
        await client.stop('SIGKILL');
        kills++;
        client = await bed.startRole('imap-client');
      }
    })();
    const total = 200;
    for (let i = 0; i < total; i++) {
      const mailbox = mailboxes[i % mailboxes.length];
      await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId: `chaos-${i}@t` }));
      // Spread the mail over ~8 s so the kills land before, during and after processing.
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
    delivering = false;
    await chaos;

    const ids = mailboxes.map((m) => m.userId);
    const events = await waitFor(
      `${total} events`,
      async () => {
        const rows = await bed.sql('SELECT * FROM webhook_events WHERE user_id = ANY($1)', [ids]);
        return rows.length >= total ? rows : null;
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    await quietPeriod(1000, 'a duplicate event would be written by now');
    const final = await bed.sql('SELECT * FROM webhook_events WHERE user_id = ANY($1)', [ids]);
    const unique = new Set(messageIds(final));
    console.info(`200 mails, ${kills} SIGKILLs: ${final.length} events, ${unique.size} distinct`);
    expect(kills).toBeGreaterThanOrEqual(5);
    expect(final).toHaveLength(total);
    expect(unique.size).toBe(total);
    expect(events.length).toBe(total);

    // Every committed event has a delivery job, including those whose writer died before queueing.
    await waitFor(
      'a job for every event',
      async () => {
        const jobs = await Promise.all(final.map((event) => bed.webhookQueue().getJob(event.id as string)));
        return jobs.every(Boolean);
      },
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    await client.stop();
    await worker.stop();
  });

  it('re-queues pending events when Redis loses its jobs', async () => {
    const mailbox = await bed.addMailbox(7);
    const client = await bed.startRole('imap-client');
    await sessionOpen(mailbox);
    await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email }));
    const [event] = await bed.waitForEvents(mailbox.userId, 1);
    await waitFor('the job', () => bed.webhookQueue().getJob(event.id as string));

    await bed.webhookQueue().obliterate({ force: true });
    expect(await bed.webhookQueue().getJob(event.id as string)).toBeUndefined();

    const worker = await bed.startRole('worker');
    await waitFor('the sweeper to re-queue the event', () => bed.webhookQueue().getJob(event.id as string), {
      timeoutMs: 15_000,
    });
    await worker.stop();
    await client.stop();
  });
});
