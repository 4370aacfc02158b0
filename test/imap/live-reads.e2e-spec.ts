import { buildMail } from '../harness/mail-factory.js';
import { FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { ImapTestbed } from '../support/imap-testbed.js';
import { messageIds } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

describe('live mail is read by sequence number, without a UID SEARCH', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  const searches = (username: string) =>
    bed.server.commandCount(username, 'SEARCH') + bed.server.commandCount(username, 'UID SEARCH');

  it('reads each announced message with one FETCH, also several announced at once', async () => {
    const mailbox = await bed.addMailbox();
    // After connecting the session searches twice: by date (a first connect), then from its cursor.
    await waitFor('the catch-up searches', () => searches(mailbox.username) >= 2);
    const searchesAfterConnect = searches(mailbox.username);
    const append = (messageId: string) =>
      bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId }));

    append('one@t');
    await bed.waitForEvents(mailbox.userId, 1);
    append('two@t');
    append('three@t');
    await bed.waitForEvents(mailbox.userId, 3);

    expect(messageIds(await bed.events(mailbox.userId))).toEqual(['<one@t>', '<two@t>', '<three@t>']);
    expect(searches(mailbox.username)).toBe(searchesAfterConnect);
  });
});

describe('after an EXPUNGE, sequence numbers are not trusted (Dovecot)', () => {
  let bed: ImapTestbed;

  beforeAll(async () => {
    bed = await ImapTestbed.create({ users: 1 });
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  it('delivers every mail announced together with an expunge of older mail', async () => {
    const mailbox = await bed.addMailbox(1);
    for (const [count, messageId] of [
      [1, 'old-1@t'],
      [2, 'old-2@t'],
    ] as const) {
      await bed.dovecot.deliver(mailbox.email, buildMail({ to: mailbox.email, messageId }));
      await bed.waitForEvents(mailbox.userId, count);
    }
    // Dovecot holds notifications back 500 ms, so the watching session hears "* 1 EXPUNGE" and "* 3 EXISTS"
    // together: the sequence numbers after the settled two now hold only the second new message.
    await bed.withImap(mailbox, async (other) => {
      await other.mailboxOpen('INBOX');
      await other.messageDelete('1');
      await other.append('INBOX', buildMail({ to: mailbox.email, messageId: 'new-1@t' }));
      await other.append('INBOX', buildMail({ to: mailbox.email, messageId: 'new-2@t' }));
    });
    await bed.waitForEvents(mailbox.userId, 4, 20_000);
    expect(messageIds(await bed.events(mailbox.userId))).toEqual(['<old-1@t>', '<old-2@t>', '<new-1@t>', '<new-2@t>']);
  });
});
