import { readFileSync } from 'node:fs';

import type { FaultRule } from '../harness/fake-imap/index.js';
import { buildMail } from '../harness/mail-factory.js';
import { type FakeMailbox, FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { messageIds } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

const MAX_EMAIL_SIZE = 1_048_576;
/** Generous: an idle imap-client uses about 100 MB; the attacks made it 200 MB to 1.7 GB. */
const RSS_BOUND_BYTES = 300 * 1024 * 1024;

/** Highest resident set size of a process while `during` runs, read from /proc every 50 ms. */
async function peakRss<T>(process: RoleProcess, during: () => Promise<T>): Promise<{ result: T; peak: number }> {
  const read = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${process.child.pid}/status`, 'utf8'))![1]);
  let peak = read();
  const timer = setInterval(() => (peak = Math.max(peak, read())), 50);
  try {
    const result = await during();
    return { result, peak: Math.max(peak, read()) * 1024 };
  } finally {
    clearInterval(timer);
  }
}

describe('a hostile IMAP server cannot exhaust the imap-client', () => {
  let bed: FakeImapTestbed;
  let client: RoleProcess;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    client = await bed.startRole('imap-client', { IMAP_SOCKET_TIMEOUT: '2', MAX_EMAIL_SIZE: String(MAX_EMAIL_SIZE) });
  });
  afterAll(() => bed.stop());

  /** Later mail still arrives, read normally: the mailbox was not left stuck by the attack. */
  async function stillDelivers(mailbox: FakeMailbox, count: number): Promise<Record<string, any>> {
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'after@t' }));
    const events = await bed.waitForEvents(mailbox.userId, count, 30_000);
    const after = events[count - 1];
    expect(after.metadata.envelope.message_id).toBe('<after@t>');
    expect(after.metadata.truncated).toBe(false);
    expect(after.body).not.toBeNull();
    return after;
  }

  it('enforces MAX_EMAIL_SIZE on the bytes received when RFC822.SIZE understates the message', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    const body = 'A line of a message far larger than the server admits.\n'.repeat(60_000); // ~3.3 MB
    bed.server.script({
      user: mailbox.username,
      command: 'FETCH',
      times: 1,
      action: { type: 'lying-size', size: 104 },
    });
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'big@t', body }));
    const [event] = await bed.waitForEvents(mailbox.userId, 1, 20_000);
    expect(event.metadata.envelope.message_id).toBe('<big@t>');
    expect(event.metadata.truncated).toBe(true);
    expect(event.metadata.size).toBeGreaterThan(MAX_EMAIL_SIZE);
    expect(event.metadata.sha1).toBeNull();
    expect(event.body).toBeNull();
    await stillDelivers(mailbox, 2);
  });

  it('a 200 MB literal for a message announced as 104 bytes gives a truncated event, fast, in bounded memory', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    const uid = bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'huge@t' }));
    // Every read of this message's source (by UID, or by its sequence number, 1) announces the literal.
    bed.server.script({
      user: mailbox.username,
      command: 'FETCH',
      matches: new RegExp(`^(UID FETCH ${uid}|FETCH 1) .*BODY`, 'i'),
      action: { type: 'huge-literal', bytes: 200 * 1024 * 1024 },
    });
    const started = Date.now();
    const { result: events, peak } = await peakRss(client, () => bed.waitForEvents(mailbox.userId, 1, 20_000));
    console.info(`huge literal: truncated event after ${Date.now() - started} ms, peak RSS ${peak >> 20} MB`);
    expect(events[0].metadata.envelope.message_id).toBe('<huge@t>');
    expect(events[0].metadata.truncated).toBe(true);
    expect(events[0].body).toBeNull();
    expect(peak).toBeLessThan(RSS_BOUND_BYTES);
    await stillDelivers(mailbox, 2);
  });

  const floods: [string, Partial<FaultRule>][] = [
    ['the metadata FETCH', { matches: /ENVELOPE/i }],
    ['the source FETCH', { matches: /BODY/i }],
  ];

  it.each(floods)('an endless untagged FETCH flood in %s is cut off, in bounded memory', async (_name, rule) => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    bed.server.script({ user: mailbox.username, command: 'FETCH', times: 1, action: { type: 'fetch-flood' }, ...rule });
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'flooded@t' }));
    const { result: events, peak } = await peakRss(client, () => bed.waitForEvents(mailbox.userId, 1, 30_000));
    console.info(`flood in ${_name}: delivered, peak RSS ${peak >> 20} MB`);
    expect(peak).toBeLessThan(RSS_BOUND_BYTES);
    expect(events[0].metadata.truncated).toBe(false);
    await stillDelivers(mailbox, 2);
    // The made-up UIDs of the flood never became events.
    await quietPeriod(500, 'an event for a made-up UID would be written by now');
    expect(messageIds(await bed.events(mailbox.userId))).toEqual(['<flooded@t>', '<after@t>']);
  });

  const poisons: [string, string, string | null][] = [
    ['source', 'BODY', '<poison@t>'],
    ['metadata', 'ENVELOPE', null],
  ];

  it.each(poisons)(
    'a message whose %s breaks every read becomes a failed event, and the mailbox moves on',
    async (stage, item, envelopeMessageId) => {
      const mailbox = await bed.addMailbox();
      await bed.waitForSession(mailbox);
      const raw = buildMail({ to: mailbox.username, messageId: 'poison@t' });
      const uid = bed.server.appendMessage(mailbox.username, raw);
      // Every such read of this message (by UID, or by its sequence number, 1) drops the connection; nothing
      // else is affected.
      bed.server.script({
        user: mailbox.username,
        command: 'FETCH',
        matches: new RegExp(`^(UID FETCH ${uid}|FETCH 1) .*${item}`, 'i'),
        action: { type: 'destroy' },
      });
      const [failed] = await bed.waitForEvents(mailbox.userId, 1, 30_000);
      expect(failed.metadata.uid).toBe(uid);
      expect(failed.metadata.envelope.message_id).toBe(envelopeMessageId);
      expect(failed.metadata.truncated).toBe(true);
      expect(failed.metadata.fetch_error).toMatch(new RegExp(`its ${stage} could not be fetched \\(3 attempts`));
      expect(failed.body).toBeNull();
      await stillDelivers(mailbox, 2);
    },
  );
});

describe('a sender cannot hide mail', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  it('two different messages sharing a Message-ID are two events', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    const mail = (body: string) => buildMail({ to: mailbox.username, messageId: 'reused@t', body });
    bed.server.appendMessage(mailbox.username, mail('The original.\n'));
    await bed.waitForEvents(mailbox.userId, 1);
    bed.server.appendMessage(mailbox.username, mail('A different message reusing its Message-ID.\n'));
    const events = await bed.waitForEvents(mailbox.userId, 2);
    expect(messageIds(events)).toEqual(['<reused@t>', '<reused@t>']);
    expect(events[0].metadata.sha1).not.toBe(events[1].metadata.sha1);
  });

  it('after a UIDVALIDITY change, a new message reusing an old Message-ID is delivered; the old one is not', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    const mail = (body: string) => buildMail({ to: mailbox.username, messageId: 'again@t', body });
    bed.server.appendMessage(mailbox.username, mail('Before the rebuild.\n'));
    await bed.waitForEvents(mailbox.userId, 1);
    bed.server.setUidValidity(mailbox.username, bed.server.uidValidity(mailbox.username) + 10, { renumber: 100 });
    // A real server closes the sessions of a rebuilt mailbox; this one is made to on the next read.
    bed.server.script({ user: mailbox.username, command: 'FETCH', times: 1, action: { type: 'destroy' } });
    bed.server.appendMessage(mailbox.username, mail('After the rebuild, same Message-ID.\n'));
    const events = await bed.waitForEvents(mailbox.userId, 2, 20_000);
    await waitFor('the catch-up by date to finish', async () => (await bed.userRow(mailbox.userId)).last_uid >= 101);
    await quietPeriod(500, 'a replayed message would be written by now');
    expect(await bed.events(mailbox.userId)).toHaveLength(2);
    expect(events[1].metadata.uid).toBe(101);
  });
});
