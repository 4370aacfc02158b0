import { buildMail } from '../harness/mail-factory.js';
import { FakeImapTestbed, type FakeMailbox } from '../support/fake-imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import { messageIds } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

// The fake server behaving like Courier-IMAP 5, one quirk at a time.

describe('a server that never sends [UIDNEXT] (Courier)', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create({ omitUidNext: true });
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  /** Watching, after one login and no error: a cursor was stored although the server sent no UIDNEXT. */
  async function expectWatchingAfterOneLogin(mailbox: FakeMailbox): Promise<void> {
    const user = await bed.userRow(mailbox.userId);
    expect(user).toMatchObject({ state: 'watching', last_error: null });
    expect(Number.isInteger(Number(user.last_uid))).toBe(true);
    expect(bed.server.userStats(mailbox.username).logins).toBe(1);
  }

  it('watches an empty mailbox from the first login and delivers its first mail at once', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    await waitFor('the first catch-up to store a cursor', async () => (await bed.userRow(mailbox.userId)).last_uid);
    const deliveredAt = Date.now();
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'first@t' }));
    const events = await bed.waitForEvents(mailbox.userId, 1, 3000);
    console.info(`Courier-like, empty mailbox: first mail after ${Date.now() - deliveredAt} ms`);
    expect(messageIds(events)).toEqual(['<first@t>']);
    await expectWatchingAfterOneLogin(mailbox);
  });

  it('watches a mailbox holding only mail older than the user, and delivers only the new mail', async () => {
    const old = new Date(Date.now() - 3 * 24 * 3600_000);
    const mailbox = await bed.addMailbox({
      prepare: (username) =>
        bed.server.appendMessage(username, buildMail({ to: username, messageId: 'old@t' }), { internalDate: old }),
    });
    await bed.waitForSession(mailbox);
    await waitFor('the first catch-up to store a cursor', async () => (await bed.userRow(mailbox.userId)).last_uid);
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'new@t' }));
    const events = await bed.waitForEvents(mailbox.userId, 1, 3000);
    expect(messageIds(events)).toEqual(['<new@t>']);
    await expectWatchingAfterOneLogin(mailbox);
  });

  it('changes no flag on the server', () => {
    expect(bed.server.flagChanges).toEqual([]);
  });
});

describe('a server that saves UIDs only for read-write sessions (Courier)', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create({ reassignUidsWhenReadOnly: true });
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  it('delivers a slow delivery overtaken by a quick one, each exactly once', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    await waitFor('the first catch-up to store a cursor', async () => (await bed.userRow(mailbox.userId)).last_uid);
    const slowStarted = new Date();
    const quick = buildMail({ to: mailbox.username, messageId: 'quick@t' });
    const slow = buildMail({ to: mailbox.username, messageId: 'slow@t' });
    bed.server.appendMessage(mailbox.username, quick);
    await bed.waitForEvents(mailbox.userId, 1);
    // The slow one began first, so its maildir name sorts before the quick one's.
    bed.server.appendMessage(mailbox.username, slow, { deliveryStartedAt: new Date(slowStarted.getTime() - 2000) });
    await bed.waitForEvents(mailbox.userId, 2);
    await quietPeriod(1000, 'a duplicate event would be written by now');
    expect(messageIds(await bed.events(mailbox.userId)).sort()).toEqual(['<quick@t>', '<slow@t>']);
  });

  it('changes no flag on the server', () => {
    expect(bed.server.flagChanges).toEqual([]);
  });
});
