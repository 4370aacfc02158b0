import { type FaultAction, THROTTLE } from '../harness/fake-imap/index.js';
import { buildMail } from '../harness/mail-factory.js';
import { FakeImapTestbed } from '../support/fake-imap-testbed.js';
import { quietPeriod } from '../support/quiet-period.js';
import type { RoleProcess } from '../support/role-process.js';
import { messageIds } from '../support/test-installation.js';
import { waitFor } from '../support/wait-for.js';

describe('imap-client recovers from server faults, losing nothing', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    // A 1 s socket timeout: a silent server is probed after 1 s and abandoned after about 2 s.
    await bed.startRole('imap-client', { IMAP_SOCKET_TIMEOUT: '1' });
  });
  afterAll(() => bed.stop());

  const faults: [string, string, FaultAction][] = [
    ['BAD reply to FETCH', 'FETCH', { type: 'bad', text: 'Internal error' }],
    ['NO reply to FETCH', 'FETCH', { type: 'no', text: 'Try again' }],
    ['gibberish instead of the FETCH reply', 'FETCH', { type: 'gibberish' }],
    ['BAD reply to SEARCH', 'SEARCH', { type: 'bad', text: 'Chaos' }],
    ['NO reply to SEARCH', 'SEARCH', { type: 'no', text: 'Chaos' }],
    ['BYE in the middle of SEARCH', 'SEARCH', { type: 'bye', text: 'Server shutting down' }],
    ['a dropped socket on FETCH', 'FETCH', { type: 'destroy' }],
    ['a reset socket on SEARCH', 'SEARCH', { type: 'destroy', reset: true }],
    ['a silent server after SEARCH', 'SEARCH', { type: 'silent' }],
    ['a slow FETCH', 'FETCH', { type: 'delay', ms: 1500 }],
    ['a throttled FETCH', 'FETCH', { type: 'bad', text: THROTTLE.backoff(300) }],
    ['a missing INBOX on reconnect', 'SELECT', { type: 'mailbox-missing' }],
  ];

  it.each(faults)('%s', async (_name, command, action) => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    const started = Date.now();
    const fault = bed.server.script({ user: mailbox.username, command, times: 1, action });
    if (command === 'SELECT' || command === 'SEARCH') {
      // Live mail is read without a SEARCH: a reconnect makes the session select and search again.
      bed.server.script({ user: mailbox.username, command: 'FETCH', times: 1, action: { type: 'destroy' } });
    }
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'during-fault@t' }));
    await bed.waitForEvents(mailbox.userId, 1, 20_000);
    expect(fault.fired).toBe(1);
    console.info(`${_name}: recovered in ${Date.now() - started} ms`);
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'after-fault@t' }));
    await bed.waitForEvents(mailbox.userId, 2, 20_000);
    await quietPeriod(300, 'a replayed message would arrive by now');
    expect(messageIds(await bed.events(mailbox.userId))).toEqual(['<during-fault@t>', '<after-fault@t>']);
    expect(bed.server.anyFlagChanged()).toBe(false);
  });

  it('a UIDVALIDITY change with renumbered UIDs replays nothing', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'v1@t' }));
    await bed.waitForEvents(mailbox.userId, 1);
    bed.server.setUidValidity(mailbox.username, bed.server.uidValidity(mailbox.username) + 10, { renumber: 100 });
    // A real server closes the sessions of a rebuilt mailbox; this one is made to on the next read.
    bed.server.script({ user: mailbox.username, command: 'FETCH', times: 1, action: { type: 'destroy' } });
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'v2@t' }));
    await bed.waitForEvents(mailbox.userId, 2, 20_000);
    await quietPeriod(1000, 'a replay after the UIDVALIDITY change would arrive by now');
    expect(messageIds(await bed.events(mailbox.userId))).toEqual(['<v1@t>', '<v2@t>']);
  });
});

describe('a watching connection that breaks', () => {
  let bed: FakeImapTestbed;
  let imapClient: RoleProcess;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    imapClient = await bed.startRole('imap-client', { IMAP_SOCKET_TIMEOUT: '1', LOG_LEVEL: 'info' });
  });
  afterAll(() => bed.stop());

  /** The reasons the imap-client logged for reconnecting this mailbox. */
  const reconnectReasons = (userId: string): string[] =>
    imapClient.output
      .split('\n')
      .filter((line) => line.includes('"reconnecting"') && line.includes(userId))
      .map((line) => (JSON.parse(line) as { reason: string }).reason);

  const cases: [string, string, FaultAction, RegExp][] = [
    ['a server gone silent', 'FETCH', { type: 'silent' }, /^connection closed: .*timeout/i],
    ['a BYE', 'FETCH', { type: 'bye', text: 'Going down' }, /^closed by the server: Going down/],
  ];

  it.each(cases)('is logged with its cause: %s', async (_name, command, action, reason) => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    bed.server.script({ user: mailbox.username, command, times: 1, action });
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username }));
    await bed.waitForEvents(mailbox.userId, 1, 20_000);
    await waitFor('the reconnect to be logged', () => reconnectReasons(mailbox.userId).length > 0 || null);
    console.info(`${_name}: ${JSON.stringify(reconnectReasons(mailbox.userId))}`);
    expect(reconnectReasons(mailbox.userId)[0]).toMatch(reason);
  });
});

describe('a server without IDLE', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create({ idle: false });
    await bed.startRole('imap-client', { POLL_INTERVAL: '0.5' });
  });
  afterAll(() => bed.stop());

  it('is polled every POLL_INTERVAL', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username, messageId: 'polled@t' }));
    // A poll every 0.5 s finds it within a second; the deadline is for a loaded machine.
    const [event] = await bed.waitForEvents(mailbox.userId, 1, 15_000);
    expect(event.metadata.envelope.message_id).toBe('<polled@t>');
    expect(bed.server.userStats(mailbox.username).commands.IDLE ?? 0).toBe(0);
  });
});

describe('the admission limit', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
  });
  afterAll(() => bed.stop());

  it('caps concurrent connection attempts (IMAP_CONNECT_CONCURRENCY)', async () => {
    const mailboxes = [];
    for (let i = 0; i < 8; i++) mailboxes.push(await bed.addMailbox());
    // Every login takes 600 ms: with 2 handshakes at a time, 8 mailboxes need at least 4 rounds.
    bed.server.script({ command: 'LOGIN', action: { type: 'delay', ms: 600 } });
    const started = Date.now();
    await bed.startRole('imap-client', { IMAP_CONNECT_CONCURRENCY: '2' });
    for (const mailbox of mailboxes) await bed.waitForSession(mailbox);
    const elapsed = Date.now() - started;
    console.info(`8 logins of 600 ms with 2 at a time: all connected after ${elapsed} ms`);
    expect(elapsed).toBeGreaterThanOrEqual(2400);
  });
});

describe('a long IDLE', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create();
    await bed.startRole('imap-client', { IDLE_RESTART_INTERVAL: '1' });
  });
  afterAll(() => bed.stop());

  it('is re-issued every IDLE_RESTART_INTERVAL, and mail still arrives', async () => {
    const mailbox = await bed.addMailbox();
    await bed.waitForSession(mailbox);
    const idles = () => bed.server.userStats(mailbox.username).commands.IDLE ?? 0;
    const before = idles();
    const started = Date.now();
    // Three restarts take ~3 s; the deadline allows for a loaded machine.
    await waitFor('IDLE to be re-issued 3 times', () => idles() - before >= 3, { timeoutMs: 15_000 });
    console.info(`IDLE_RESTART_INTERVAL=1: 3 re-issues after ${Date.now() - started} ms`);
    expect(idles() - before).toBeGreaterThanOrEqual(3);
    bed.server.appendMessage(mailbox.username, buildMail({ to: mailbox.username }));
    await bed.waitForEvents(mailbox.userId, 1);
  });
});

describe('a server that refuses every login', () => {
  let bed: FakeImapTestbed;

  beforeAll(async () => {
    bed = await FakeImapTestbed.create({ authFail: true });
    await bed.startRole('imap-client');
  });
  afterAll(() => bed.stop());

  it('tries once, records auth_error, and does not retry within the hour', async () => {
    const mailbox = await bed.addMailbox();
    await waitFor('one failed login', () => bed.server.userStats(mailbox.username).failedLogins === 1);
    await quietPeriod(3000, 'a retried login would happen within seconds');
    expect(bed.server.userStats(mailbox.username).failedLogins).toBe(1);
    const user = await bed.userRow(mailbox.userId);
    expect(user.state).toBe('auth_error');
  });
});
