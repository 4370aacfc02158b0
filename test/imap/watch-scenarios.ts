// The watch scenarios every real IMAP server must pass (not a spec itself): each mail reaches the
// webhook exactly once, and no flag changes on the server.
import { buildMail, largeMail } from '../harness/mail-factory.js';
import { type MailServerUnderTest, MailServerTestbed, type WatchedMailbox } from '../support/mail-server-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { waitFor } from '../support/wait-for.js';

const CLIENT_ENV = { MAX_EMAIL_SIZE: '20000' };
/** Long enough for a duplicate, were there one, to reach the database. */
const DUPLICATE_WINDOW_MS = 1500;

export const messageIds = (events: Record<string, any>[]): string[] =>
  events.map((event) => event.metadata.envelope.message_id as string).sort();

const withoutRecent = (messages: Array<{ flags: string[] }>): string[][] =>
  messages.map((message) => message.flags.filter((flag) => flag !== '\\Recent'));

export interface WatchSuite<Server extends MailServerUnderTest> {
  bed: () => MailServerTestbed<Server>;
  /** A mailbox for server user n, watched once this resolves. */
  watched: (n: number) => Promise<WatchedMailbox>;
  /** Waits for exactly these Message-IDs (sorted), and no more within the duplicate window. */
  expectExactly: (mailbox: WatchedMailbox, ids: string[]) => Promise<void>;
}

export function describeWatchScenarios<Server extends MailServerUnderTest>(
  name: string,
  startServer: () => Promise<Server>,
  extra?: (suite: WatchSuite<Server>) => void,
): void {
  describe(`imap-client against ${name}`, () => {
    let bed: MailServerTestbed<Server>;
    let client: RoleProcess;

    beforeAll(async () => {
      bed = await MailServerTestbed.create(name, startServer);
      client = await bed.startRole('imap-client', CLIENT_ENV);
    });
    afterAll(() => bed?.stop());

    async function restartClient(whileDown: () => Promise<void>): Promise<void> {
      await client.stop('SIGTERM');
      bed.processes.splice(bed.processes.indexOf(client), 1);
      await whileDown();
      client = await bed.startRole('imap-client', CLIENT_ENV);
    }

    async function watched(n: number): Promise<WatchedMailbox> {
      const mailbox = await bed.addMailbox(n);
      await waitFor(`${name} user ${n} to be watched with a cursor`, async () => {
        const row = await bed.userRow(mailbox.userId);
        return row.state === 'watching' && row.last_uid !== null;
      });
      return mailbox;
    }

    async function expectExactly(mailbox: WatchedMailbox, ids: string[]): Promise<void> {
      await bed.waitForEvents(mailbox.userId, ids.length, 15_000);
      await quietPeriod(DUPLICATE_WINDOW_MS, 'a duplicate event would be written by now');
      expect(messageIds(await bed.events(mailbox.userId))).toEqual([...ids].sort());
      expect(await bed.userRow(mailbox.userId)).toMatchObject({ state: 'watching', last_error: null });
    }

    it('delivers new mail through IDLE within seconds, exactly once', async () => {
      const mailbox = await watched(1);
      const deliveredAt = Date.now();
      await bed.server.deliver(1, buildMail({ to: mailbox.address, messageId: 'idle@t' }));
      await bed.waitForEvents(mailbox.userId, 1, 5000);
      console.info(`${name}: delivery -> event ${Date.now() - deliveredAt} ms`);
      await expectExactly(mailbox, ['<idle@t>']);
    });

    it('catches up on mail delivered while imap-client was down, exactly once, changing no flag', async () => {
      const mailbox = await watched(2);
      await bed.server.deliver(2, buildMail({ to: mailbox.address, messageId: 'before-restart@t' }));
      await bed.waitForEvents(mailbox.userId, 1);
      let before: Array<{ flags: string[] }> = [];
      await restartClient(async () => {
        await bed.server.deliver(2, buildMail({ to: mailbox.address, messageId: 'while-down-1@t' }));
        await bed.server.deliver(2, buildMail({ to: mailbox.address, messageId: 'while-down-2@t' }));
        before = await bed.server.flags(2);
      });
      await expectExactly(mailbox, ['<before-restart@t>', '<while-down-1@t>', '<while-down-2@t>']);
      const after = await bed.server.flags(2);
      console.info(`${name}: flags before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`);
      expect(after).toHaveLength(3);
      expect(withoutRecent(after)).toEqual(withoutRecent(before));
      expect(after.flat().flatMap((message) => message.flags)).not.toContain('\\Seen');
    });

    it('replays nothing and loses nothing across a UIDVALIDITY change', async () => {
      const mailbox = await watched(3);
      await bed.server.deliver(3, buildMail({ to: mailbox.address, messageId: 'v1@t' }));
      await bed.waitForEvents(mailbox.userId, 1);
      await restartClient(() => bed.server.changeUidValidity(3));
      await bed.server.deliver(3, buildMail({ to: mailbox.address, messageId: 'v2@t' }));
      await expectExactly(mailbox, ['<v1@t>', '<v2@t>']);
    });

    it('delivers an oversized mail as a truncated event without a body', async () => {
      const mailbox = await watched(4);
      await bed.server.deliver(4, largeMail(50_000, { to: mailbox.address, subject: 'Big one', messageId: 'big@t' }));
      const [event] = await bed.waitForEvents(mailbox.userId, 1);
      expect(event.body).toBeNull();
      expect(event.metadata).toMatchObject({ truncated: true, sha1: null });
      expect(event.metadata.size).toBeGreaterThan(50_000);
      await expectExactly(mailbox, ['<big@t>']);
    });

    extra?.({ bed: () => bed, watched, expectExactly });
  });
}
