import { buildMail } from '../harness/mail-factory.js';
import { FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { ImapTestbed } from '../support/imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import { waitFor } from '../support/wait-for.js';

const HIBERNATE_S = 5;
/**
 * Dovecot holds a change notification back 500 ms (NOTIFY_DELAY_MSECS) and drops it when it hibernates the
 * session meanwhile: mail delivered in the half second before the session has been IDLE for
 * imap_hibernate_timeout is reported by nobody. These offsets (after the session went back to IDLE) hit it.
 */
const OFFSETS_MS = [4600, 4750, 4900];
/** Without the hibernation check such a mail waits for the next re-check (IDLE_RESTART_INTERVAL, 300 s). */
const DETECTED_WITHIN_MS = 4500;

describe('imap-client against Dovecot with imap_hibernate_timeout=5s', () => {
  let bed: ImapTestbed;

  beforeAll(async () => {
    bed = await ImapTestbed.create({ users: OFFSETS_MS.length, hibernateTimeout: `${HIBERNATE_S}s` });
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  it('notices a mail that arrives just as Dovecot hibernates the session, within seconds', async () => {
    const mailboxes = await Promise.all(OFFSETS_MS.map((_, index) => bed.addMailbox(index + 1)));
    await waitFor(
      'every session in IDLE, hibernated',
      async () => (await bed.dovecot.countHibernated()) === mailboxes.length,
      { timeoutMs: 30_000 },
    );
    const latencies = await Promise.all(
      mailboxes.map(async (mailbox, index) => {
        // The first mail wakes the session; it syncs and goes back to IDLE as the event is written.
        await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, subject: 'first' }));
        await waitFor('the first mail', async () => (await bed.events(mailbox.userId)).length === 1, {
          timeoutMs: 10_000,
          intervalMs: 5,
        });
        await quietPeriod(OFFSETS_MS[index], 'the second mail must arrive just before the hibernation point');
        const deliveredAt = Date.now();
        await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, subject: 'second' }));
        await bed.waitForEvents(mailbox.userId, 2, 60_000);
        return Date.now() - deliveredAt;
      }),
    );
    console.info(
      `second mail ${OFFSETS_MS.map((offset, i) => `at +${offset} ms: detected after ${latencies[i]} ms`).join('; ')}`,
    );
    for (const latency of latencies) expect(latency).toBeLessThan(DETECTED_WITHIN_MS);
  });
});

describe('the hibernation check (fake IMAP server)', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create({ env: { IDLE_HIBERNATION_CHECK: '1' } });
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  it('is made on a server that names itself Dovecot, and not on one that names itself otherwise', async () => {
    bed.server.behavior.serverName = 'FakeImap';
    const other = await bed.addMailbox();
    await bed.waitForSession(other);
    bed.server.behavior.serverName = 'Dovecot';
    const dovecot = await bed.addMailbox();
    await bed.waitForSession(dovecot);

    // The other server's sync ends first, so its check would be due before the Dovecot one's.
    bed.server.appendMessage(other.username, buildMail({ to: other.username }));
    await bed.waitForEvents(other.userId, 1);
    bed.server.appendMessage(dovecot.username, buildMail({ to: dovecot.username }));
    await bed.waitForEvents(dovecot.userId, 1);
    await waitFor(
      'the NOOP 1 s after the Dovecot session synced',
      () => bed.server.commandCount(dovecot.username, 'NOOP') >= 1,
    );

    expect(bed.server.commandCount(other.username, 'NOOP')).toBe(0);
  });
});
