import { ImapFlow } from 'imapflow';

import { DovecotTestServer, type TestUser } from './dovecot.js';
import {
  buildMail,
  eightBitMail,
  encodedWordSubjectMail,
  largeMail,
  latin1Mail,
  malformedMimeMail,
} from './mail-factory.js';

type Transport = 'plain' | 'starttls' | 'implicit';

function client(server: DovecotTestServer, user: TestUser, transport: Transport = 'plain'): ImapFlow {
  return new ImapFlow({
    host: server.host,
    port: transport === 'implicit' ? server.imapsPort : server.imapPort,
    secure: transport === 'implicit',
    doSTARTTLS: transport === 'starttls' ? true : transport === 'plain' ? false : undefined,
    tls: { rejectUnauthorized: false },
    auth: { user: user.email, pass: user.password },
    logger: false,
    disableAutoIdle: true,
  });
}

async function withClient<T>(
  server: DovecotTestServer,
  user: TestUser,
  fn: (c: ImapFlow) => Promise<T> | T,
): Promise<T> {
  const c = client(server, user);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.logout();
  }
}

function endsWith(source: Buffer | undefined, raw: Buffer): boolean {
  return source !== undefined && source.subarray(source.length - raw.length).equals(raw);
}

/** Resolves with the first event `name` emitted by `emitter`, or rejects after `ms`. */
function nextEvent<T>(emitter: ImapFlow, name: 'exists' | 'close', ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${name}' event within ${ms} ms`)), ms);
    emitter.once(name, (data: T) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

describe('DovecotTestServer', () => {
  let server: DovecotTestServer;

  beforeAll(async () => {
    server = await DovecotTestServer.start({ users: 5 });
    console.info(
      `dovecot ${server.instanceName} started in ${server.startupMs} ms (imap ${server.imapPort}, imaps ${server.imapsPort}, lmtp ${server.lmtpPort})`,
    );
  });

  afterAll(async () => {
    const t0 = performance.now();
    await server?.stop();
    console.info(`dovecot stopped in ${Math.round(performance.now() - t0)} ms`);
  });

  it.each<[Transport, boolean]>([
    ['plain', false],
    ['starttls', true],
    ['implicit', true],
  ])('logs in with a password over %s', async (transport, encrypted) => {
    const c = client(server, server.user(1), transport);
    await c.connect();
    expect(c.secureConnection).toBe(encrypted);
    expect(c.authenticated).toBeTruthy();
    await c.logout();
  });

  it('delivers over LMTP; the message is fetchable and reading it with PEEK leaves it unseen', async () => {
    const user = server.user(1);
    const raw = buildMail({ to: user.email, subject: 'harness delivery', messageId: 'harness-1@example.test' });
    await server.deliver(user.email, raw);

    await withClient(server, user, async (c) => {
      await c.mailboxOpen('INBOX');
      const msg = await c.fetchOne('*', { uid: true, envelope: true, source: true });
      if (!msg) throw new Error('no message');
      expect(msg.envelope?.subject).toBe('harness delivery');
      expect(msg.envelope?.messageId).toBe('<harness-1@example.test>');
      // Dovecot's LMTP prepends Return-Path, Delivered-To and Received; the rest is byte-identical.
      expect(endsWith(msg.source, raw)).toBe(true);
      expect(msg.source?.toString()).toMatch(
        /^Return-Path: <sender@example.test>\r\nDelivered-To: user0001@example.test\r\n/,
      );
      expect(await server.mailboxFlags(user.email, msg.uid)).not.toContain('\\Seen');

      await c.messageFlagsAdd(String(msg.uid), ['\\Seen'], { uid: true });
      expect(await server.mailboxFlags(user.email, msg.uid)).toContain('\\Seen');
    });
    expect(await server.mailboxStatus(user.email)).toMatchObject({ messages: 1, unseen: 0, uidNext: 2 });
  });

  it('rejects delivery to an unknown user with a clear error', async () => {
    await expect(server.deliver('nobody-here@example.test', buildMail())).rejects.toThrow(
      /deliver to nobody-here@example.test .*failed/,
    );
  });

  it('stores every mail-factory fixture byte for byte', async () => {
    const user = server.user(4);
    const fixtures = [
      eightBitMail(),
      latin1Mail(),
      malformedMimeMail(),
      encodedWordSubjectMail('Grüße ✓'),
      largeMail(1_000_000),
    ];
    for (const raw of fixtures) await server.deliver(user.email, raw);

    await withClient(server, user, async (c) => {
      await c.mailboxOpen('INBOX');
      const stored = [];
      for await (const msg of c.fetch('1:*', { source: true, envelope: true })) stored.push(msg);
      expect(stored.map((m) => endsWith(m.source, fixtures[m.seq - 1]))).toEqual(fixtures.map(() => true));
      expect(stored[3]?.envelope?.subject).toBe('Grüße ✓');
    });
  });

  it('IDLE sees EXISTS after an LMTP delivery', async () => {
    const user = server.user(2);
    const c = client(server, user);
    await c.connect();
    try {
      await c.mailboxOpen('INBOX');
      const exists = nextEvent<{ count: number }>(c, 'exists', 5000);
      void c.idle();
      const t0 = performance.now();
      await server.deliver(user.email, buildMail({ to: user.email, subject: 'wake up' }));
      expect((await exists).count).toBe(1);
      console.info(`delivery -> EXISTS: ${Math.round(performance.now() - t0)} ms`);
    } finally {
      await c.logout();
    }
  });

  it('counts successful and failed logins per user', async () => {
    const user = server.user(3);
    expect(await server.countLogins(user.email)).toEqual({ succeeded: 0, failed: 0, total: 0 });

    const bad = client(server, { email: user.email, password: 'wrong' });
    await expect(bad.connect()).rejects.toThrow();
    await withClient(server, user, () => undefined);

    expect(await server.waitForLogins(user.email, { succeeded: 1, failed: 1 })).toEqual({
      succeeded: 1,
      failed: 1,
      total: 2,
    });
    // Unknown users count as failures too; other users' logins are not mixed in.
    await expect(client(server, { email: 'ghost@example.test', password: 'x' }).connect()).rejects.toThrow();
    expect(await server.waitForLogins('ghost@example.test', { failed: 1 })).toEqual({
      succeeded: 0,
      failed: 1,
      total: 1,
    });
    // LMTP's userdb miss for an unknown recipient is not a login attempt
    await expect(server.deliver('ghost@example.test', buildMail())).rejects.toThrow(/User doesn't exist/);
    expect(await server.countLogins('ghost@example.test')).toEqual({ succeeded: 0, failed: 1, total: 1 });
    expect(await server.countLogins(user.email)).toEqual({ succeeded: 1, failed: 1, total: 2 });
  });

  it('counts open IMAP sessions per user', async () => {
    const user = server.user(5);
    const [a, b] = [client(server, user), client(server, user, 'implicit')];
    await Promise.all([a.connect(), b.connect()]);
    expect(await server.waitForSessions(user.email, 2)).toBe(2);
    await a.logout();
    expect(await server.waitForSessions(user.email, 1)).toBe(1);
    await b.logout();
    expect(await server.waitForSessions(user.email, 0)).toBe(0);
  });

  it('changes UIDVALIDITY; an IDLE session with the mailbox selected gets BYE at its next sync', async () => {
    const user = server.user(1);
    const before = await withClient(server, user, async (c) => (await c.mailboxOpen('INBOX')).uidValidity);

    const watcher = client(server, user);
    await watcher.connect();
    await watcher.mailboxOpen('INBOX');
    const closed = nextEvent<void>(watcher, 'close', 5000);
    void watcher.idle();

    const next = await server.changeUidValidity(user.email);
    expect(BigInt(next)).toBe(before + 1n);
    // The change alone doesn't wake IDLE; a delivery makes Dovecot sync and notice it:
    // "* BYE IMAP session state is inconsistent, please relogin."
    await server.deliver(user.email, buildMail({ to: user.email }));
    await closed;

    const after = await withClient(server, user, async (c) => (await c.mailboxOpen('INBOX')).uidValidity);
    expect(after).toBe(BigInt(next));
  });

  it('addUser and setPassword take effect without a reload', async () => {
    const added = await server.addUser('Added.User@example.test', 'first-pass');
    await withClient(server, added, (c) => expect(c.authenticated).toBeTruthy());

    await server.setPassword(added.email, 'second-pass');
    await expect(client(server, added).connect()).rejects.toThrow();
    await withClient(server, { ...added, password: 'second-pass' }, (c) => expect(c.authenticated).toBeTruthy());
  });

  it('explains which users exist', () => {
    expect(server.user(1)).toEqual({ email: 'user0001@example.test', password: 'pw-user0001' });
    expect(() => server.user(6)).toThrow(/users 1\.\.5/);
  });
});

describe('DovecotTestServer with imap-hibernate', () => {
  it('wakes a hibernated IDLE client on delivery and still counts its session', async () => {
    const server = await DovecotTestServer.start({ users: 1, hibernateTimeout: '1s' });
    const user = server.user(1);
    const c = client(server, user);
    try {
      await c.connect();
      await c.mailboxOpen('INBOX');
      void c.idle();
      // imap-hibernate takes over the connection after 1 s of IDLE; anvil still counts the session
      expect(await server.waitForHibernated(1, 5000)).toBe(1);
      expect(await server.countSessions(user.email)).toBe(1);

      const exists = nextEvent<{ count: number }>(c, 'exists', 3000);
      const t0 = performance.now();
      await server.deliver(user.email, buildMail({ to: user.email }));
      expect((await exists).count).toBe(1);
      console.info(`hibernated delivery -> EXISTS: ${Math.round(performance.now() - t0)} ms`);
    } finally {
      await c.logout();
      await server.stop();
    }
  });
});
