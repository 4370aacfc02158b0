import type { ImapFlow } from 'imapflow';

import { closed, connectClient, createClient, sampleMessage, waitFor } from './imapflow-test-client.js';
import { FakeImapServer, GMAIL_ALL_MAIL } from './index.js';

describe('FakeImapServer with imapflow', () => {
  let server: FakeImapServer;
  const clients: ImapFlow[] = [];

  async function connect(user = 'alice', pass = 'pw-alice', options = {}): Promise<ImapFlow> {
    const client = await connectClient(server, user, pass, options);
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    server = await FakeImapServer.start();
    server.addUser('alice', 'pw-alice');
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await server.close();
  });

  describe('login', () => {
    it('counts a successful login and the open session until logout', async () => {
      const client = await connect();
      expect(server.userStats('alice')).toMatchObject({ logins: 1, failedLogins: 0, openSessions: 1 });
      expect(server.commandCount('alice', 'AUTHENTICATE')).toBe(1);

      await client.logout();
      await waitFor(() => server.openSessions('alice') === 0, 2_000, 'session to end');
    });

    it('counts a wrong password as a failed login and rejects the client', async () => {
      const client = createClient(server, 'alice', 'wrong');
      await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
      expect(server.userStats('alice')).toMatchObject({ logins: 0, failedLogins: 1, openSessions: 0 });
    });

    it('uses LOGIN when AUTH=PLAIN is not offered', async () => {
      await server.close();
      server = await FakeImapServer.start({ authPlain: false });
      server.addUser('alice', 'pw-alice');
      await connect();
      expect(server.userStats('alice').commands).toMatchObject({ LOGIN: 1 });
    });

    it('fails every login with authFail', async () => {
      await server.close();
      server = await FakeImapServer.start({ authFail: true });
      server.addUser('alice', 'pw-alice');
      const client = createClient(server, 'alice', 'pw-alice');
      await expect(client.connect()).rejects.toMatchObject({ serverResponseCode: 'AUTHENTICATIONFAILED' });
      expect(server.userStats('alice').failedLogins).toBe(1);
    });

    it('checks XOAUTH2 tokens with the callback', async () => {
      await server.close();
      server = await FakeImapServer.start({ xoauth2: (_user, token) => Promise.resolve(token === 'good-token') });
      server.addUser('alice', 'unused');

      const good = createClient(server, 'alice', '', { auth: { user: 'alice', accessToken: 'good-token' } });
      await good.connect();
      clients.push(good);
      const bad = createClient(server, 'alice', '', { auth: { user: 'alice', accessToken: 'stale' } });
      await expect(bad.connect()).rejects.toMatchObject({ authenticationFailed: true });

      expect(server.userStats('alice')).toMatchObject({ logins: 1, failedLogins: 1 });
    });
  });

  describe('mailbox and messages', () => {
    it('opens INBOX read-only with EXAMINE', async () => {
      server.appendMessage('alice', sampleMessage());
      const client = await connect();
      const mailbox = await client.mailboxOpen('INBOX', { readOnly: true });
      expect(mailbox).toMatchObject({ path: 'INBOX', readOnly: true, exists: 1, uidNext: 2 });
      expect(mailbox.uidValidity).toBe(BigInt(server.uidValidity('alice')));
      expect(server.commandCount('alice', 'EXAMINE')).toBe(1);
      await expect(client.messageFlagsAdd('1', ['\\Seen'])).resolves.toBe(false);
      expect(server.anyFlagChanged()).toBe(false);
    });

    it('serves envelope and byte-exact source without touching flags', async () => {
      const eightBit = Buffer.concat([
        Buffer.from('From: =?UTF-8?Q?J=C3=BCrgen?= <j@example.test>\r\nSubject: Gr'),
        Buffer.from('üße', 'utf8'),
        Buffer.from('\r\nMessage-ID: <8bit@example.test>\r\n\r\nbinary \x00\xff body\r\n', 'latin1'),
      ]);
      const lfOnly = Buffer.from('From: x@example.test\nSubject: bare LF\n\nline1\nline2\n');
      const uids = [
        server.appendMessage('alice', sampleMessage({ messageId: '<first@example.test>' }), {
          internalDate: new Date('2024-03-04T05:06:07Z'),
        }),
        server.appendMessage('alice', eightBit),
        server.appendMessage('alice', lfOnly),
      ];
      const client = await connect();
      await client.mailboxOpen('INBOX', { readOnly: true });

      const fetched = [];
      for await (const message of client.fetch(
        '1:*',
        { uid: true, envelope: true, source: true, internalDate: true, size: true },
        { uid: true },
      )) {
        fetched.push(message);
      }

      expect(fetched.map((m) => m.uid)).toEqual(uids);
      expect(fetched[0].envelope).toMatchObject({
        subject: 'Hello',
        messageId: '<first@example.test>',
        from: [{ name: 'Alice Example', address: 'alice@example.test' }],
        to: [
          { name: '', address: 'bob@example.test' },
          { name: 'Carol, C.', address: 'carol@example.test' },
        ],
        date: new Date('2024-01-01T10:00:00Z'),
      });
      expect(fetched[0].internalDate).toEqual(new Date('2024-03-04T05:06:07Z'));
      expect(fetched[1].envelope?.from).toEqual([{ name: 'Jürgen', address: 'j@example.test' }]);
      expect(fetched[1].envelope?.subject).toBe('Grüße');
      expect(fetched[1].source?.equals(eightBit)).toBe(true);
      expect(fetched[2].source?.equals(lfOnly)).toBe(true);
      expect(fetched[2].size).toBe(lfOnly.length);
      expect(server.totals().messagesServed).toBe(3);
      expect(server.anyFlagChanged()).toBe(false);
    });

    it('answers BODY.PEEK[HEADER.FIELDS (...)]', async () => {
      server.appendMessage('alice', sampleMessage({ messageId: '<h@example.test>' }));
      const client = await connect();
      await client.mailboxOpen('INBOX');
      const message = await client.fetchOne('*', { headers: ['message-id'] });
      expect(message && message.headers?.toString()).toBe('Message-ID: <h@example.test>\r\n\r\n');
    });

    it('records flag changes made with STORE', async () => {
      const uid = server.appendMessage('alice', sampleMessage());
      const client = await connect();
      await client.mailboxOpen('INBOX');
      await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
      expect(server.flagChanges).toEqual([
        { user: 'alice', mailbox: 'INBOX', uid, via: 'UID STORE', before: [], after: ['\\Seen'] },
      ]);
      expect(server.messages('alice')[0].flags).toEqual(['\\Seen']);
    });

    it('searches by UID range, date and Message-ID', async () => {
      server.appendMessage('alice', sampleMessage({ messageId: '<a@example.test>' }), {
        internalDate: new Date('2024-01-01T12:00:00Z'),
      });
      server.appendMessage('alice', sampleMessage({ messageId: '<b@example.test>' }), {
        internalDate: new Date('2024-01-05T12:00:00Z'),
      });
      server.appendMessage('alice', sampleMessage({ messageId: '<c@example.test>' }), {
        internalDate: new Date('2024-01-09T12:00:00Z'),
      });
      const client = await connect();
      await client.mailboxOpen('INBOX', { readOnly: true });

      expect(await client.search({ uid: '2:*' }, { uid: true })).toEqual([2, 3]);
      expect(await client.search({ since: new Date('2024-01-05T00:00:00Z') }, { uid: true })).toEqual([2, 3]);
      expect(await client.search({ header: { 'message-id': '<a@example.test>' } }, { uid: true })).toEqual([1]);
      expect(await client.search({ all: true })).toEqual([1, 2, 3]);
    });
  });

  describe('new mail', () => {
    it('pushes EXISTS to an IDLE-ing client as soon as mail is appended', async () => {
      const client = await connect();
      await client.mailboxOpen('INBOX', { readOnly: true });
      const counts: number[] = [];
      client.on('exists', (event: { count: number }) => counts.push(event.count));
      const idling = client.idle();
      await waitFor(() => server.commandCount('alice', 'IDLE') === 1, 2_000, 'IDLE');

      const appendedAt = Date.now();
      server.appendMessage('alice', sampleMessage());
      await waitFor(() => counts.includes(1), 1_000, 'EXISTS');
      expect(Date.now() - appendedAt).toBeLessThan(500);

      await client.logout();
      await idling;
    });

    it('lets imapflow poll with NOOP when IDLE is disabled', async () => {
      await server.close();
      server = await FakeImapServer.start({ idle: false });
      server.addUser('alice', 'pw-alice');
      // imapflow polls every min(2 min, maxIdleTime)
      const client = await connect('alice', 'pw-alice', { maxIdleTime: 100 });
      expect(client.capabilities.has('IDLE')).toBe(false);
      await client.mailboxOpen('INBOX', { readOnly: true });
      const counts: number[] = [];
      client.on('exists', (event: { count: number }) => counts.push(event.count));
      const polling = client.idle();

      server.appendMessage('alice', sampleMessage());
      await waitFor(() => counts.includes(1), 2_000, 'EXISTS via NOOP');
      expect(server.commandCount('alice', 'NOOP')).toBeGreaterThan(0);
      expect(server.commandCount('alice', 'IDLE')).toBe(0);

      await client.logout();
      await polling;
    });
  });

  describe('what imapflow sends', () => {
    it('connect → mailboxOpen(readOnly) → fetch → idle → logout, in order', async () => {
      await server.close();
      server = await FakeImapServer.start({ logCommands: true });
      server.addUser('alice', 'pw-alice');
      server.appendMessage('alice', sampleMessage());

      const client = await connect();
      await client.mailboxOpen('INBOX', { readOnly: true });
      await client.fetchOne('1', { uid: true, envelope: true, source: true }, { uid: true });
      const idling = client.idle();
      await waitFor(() => server.commandCount('alice', 'IDLE') === 1, 2_000, 'IDLE');
      await client.logout();
      await idling;

      // CAPABILITY is skipped (greeting and login reply carry it); COMPRESS and ENABLE are
      // skipped because nothing they could negotiate is advertised
      expect(server.commandLog.map(({ command }) => command)).toEqual([
        'ID',
        'AUTHENTICATE',
        'NAMESPACE',
        'LIST',
        'LSUB',
        'EXAMINE',
        'UID FETCH',
        'IDLE',
        'LOGOUT',
      ]);
    });
  });

  describe('UIDVALIDITY', () => {
    it('shows a changed UIDVALIDITY and renumbered UIDs on the next select', async () => {
      server.appendMessage('alice', sampleMessage());
      server.appendMessage('alice', sampleMessage());
      const client = await connect();
      const before = await client.mailboxOpen('INBOX', { readOnly: true });
      expect(before.uidValidity).toBe(1n);

      server.setUidValidity('alice', 4242, { renumber: 1000 });
      await client.mailboxClose();
      const after = await client.mailboxOpen('INBOX', { readOnly: true });
      expect(after).toMatchObject({ uidValidity: 4242n, uidNext: 1002 });
      expect(await client.search({ all: true }, { uid: true })).toEqual([1000, 1001]);
      expect(server.uidValidity('alice')).toBe(4242);
    });

    it('keeps UIDs when not renumbering', async () => {
      server.appendMessage('alice', sampleMessage());
      server.setUidValidity('alice', 7);
      const client = await connect();
      expect(await client.mailboxOpen('INBOX')).toMatchObject({ uidValidity: 7n, uidNext: 2 });
    });
  });

  describe('Courier-like behaviours', () => {
    it('omitUidNext leaves [UIDNEXT] out of SELECT and EXAMINE but STATUS still answers it', async () => {
      await server.close();
      server = await FakeImapServer.start({ omitUidNext: true });
      server.addUser('alice', 'pw-alice');
      server.appendMessage('alice', sampleMessage());
      const client = await connect();
      expect((await client.mailboxOpen('INBOX', { readOnly: true })).uidNext).toBeUndefined();
      expect((await client.mailboxOpen('INBOX')).uidNext).toBeUndefined();
      expect(await client.status('INBOX', { uidNext: true })).toMatchObject({ uidNext: 2 });
    });

    it('reassignUidsWhenReadOnly renumbers unsaved mail by delivery start under EXAMINE', async () => {
      await server.close();
      server = await FakeImapServer.start({ reassignUidsWhenReadOnly: true });
      server.addUser('alice', 'pw-alice');
      const client = await connect();
      await client.mailboxOpen('INBOX', { readOnly: true });
      const slowStarted = new Date(Date.now() - 5000);
      server.appendMessage('alice', sampleMessage({ messageId: '<quick@t>' }));
      expect(await uidsByMessageId(client)).toEqual({ '<quick@t>': 1 });
      server.appendMessage('alice', sampleMessage({ messageId: '<slow@t>' }), { deliveryStartedAt: slowStarted });
      // Same UIDVALIDITY, but the quick mail moved from UID 1 to UID 2.
      expect(await uidsByMessageId(client)).toEqual({ '<slow@t>': 1, '<quick@t>': 2 });
      expect(server.uidValidity('alice')).toBe(1);
    });

    it('reassignUidsWhenReadOnly keeps UIDs stable while a SELECT session is open', async () => {
      await server.close();
      server = await FakeImapServer.start({ reassignUidsWhenReadOnly: true });
      server.addUser('alice', 'pw-alice');
      server.appendMessage('alice', sampleMessage({ messageId: '<before@t>' }));
      const client = await connect();
      await client.mailboxOpen('INBOX');
      const slowStarted = new Date(Date.now() - 5000);
      server.appendMessage('alice', sampleMessage({ messageId: '<quick@t>' }));
      server.appendMessage('alice', sampleMessage({ messageId: '<slow@t>' }), { deliveryStartedAt: slowStarted });
      expect(await uidsByMessageId(client)).toEqual({ '<before@t>': 1, '<quick@t>': 2, '<slow@t>': 3 });
      // Saved for good: a later read-only session sees the same numbers.
      await client.mailboxOpen('INBOX', { readOnly: true });
      expect(await uidsByMessageId(client)).toEqual({ '<before@t>': 1, '<quick@t>': 2, '<slow@t>': 3 });
    });
  });

  describe('special-use', () => {
    async function allMailEntry(
      options: ConstructorParameters<typeof FakeImapServer>[0],
    ): Promise<Record<string, unknown> | undefined> {
      await server.close();
      server = await FakeImapServer.start(options);
      server.addUser('gina', 'pw-gina', { gmailAllMail: true });
      const client = await connect('gina', 'pw-gina');
      const folders = await client.list();
      return folders.find((folder) => folder.path === GMAIL_ALL_MAIL) as Record<string, unknown> | undefined;
    }

    it('lists [Gmail]/All Mail with \\All via SPECIAL-USE', async () => {
      expect(await allMailEntry({})).toMatchObject({ specialUse: '\\All', specialUseSource: 'extension' });
    });

    it('lists [Gmail]/All Mail with \\All via XLIST', async () => {
      expect(await allMailEntry({ specialUse: 'XLIST' })).toMatchObject({
        specialUse: '\\All',
        specialUseSource: 'extension',
      });
      expect(server.commandCount('gina', 'XLIST')).toBeGreaterThan(0);
    });

    it('files INBOX mail into All Mail too', async () => {
      server.addUser('gina', 'pw-gina', { gmailAllMail: true });
      server.appendMessage('gina', sampleMessage({ messageId: '<in@x>' }));
      server.appendMessage('gina', sampleMessage({ messageId: '<sent@x>' }), { mailbox: GMAIL_ALL_MAIL });
      const client = await connect('gina', 'pw-gina');
      expect((await client.mailboxOpen(GMAIL_ALL_MAIL, { readOnly: true })).exists).toBe(2);
      expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 1 });
    });
  });

  describe('listeners and shutdown', () => {
    it('serves several ports from one store', async () => {
      await server.close();
      server = await FakeImapServer.start({ listen: [{ port: 0 }, { host: '127.0.0.1', port: 0 }] });
      server.addUser('alice', 'pw-alice');
      const [first, second] = server.addresses;
      expect(first.port).not.toBe(second.port);
      const a = await connect('alice', 'pw-alice', { port: first.port });
      const b = await connect('alice', 'pw-alice', { port: second.port });
      expect(a.usable && b.usable).toBe(true);
      expect(server.openSessions('alice')).toBe(2);
    });

    it('close() drops open connections', async () => {
      const client = await connect();
      const gone = closed(client);
      await server.close();
      await gone;
      expect(client.usable).toBe(false);
    });
  });
});

async function uidsByMessageId(client: ImapFlow): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  await client.noop(); // hear the EXISTS first: imapflow fetches nothing from a mailbox it thinks empty
  for await (const message of client.fetch('1:*', { uid: true, envelope: true })) {
    found[message.envelope?.messageId ?? '?'] = message.uid;
  }
  return found;
}
