import type { ImapFlow } from 'imapflow';

import { FaultScript } from './fault-script.js';
import { closed, createClient, sampleMessage, waitFor } from './imapflow-test-client.js';
import { FakeImapServer, THROTTLE, type FakeImapServerOptions } from './index.js';

type ClientOptions = Parameters<typeof createClient>[3];

describe('fault scripting', () => {
  let server: FakeImapServer;
  const clients: ImapFlow[] = [];

  async function start(options: FakeImapServerOptions = {}): Promise<void> {
    server = await FakeImapServer.start(options);
    server.addUser('alice', 'pw-alice');
    server.addUser('bob', 'pw-bob');
    server.appendMessage('alice', sampleMessage({ messageId: '<one@example.test>' }));
  }

  function client(user = 'alice', options: ClientOptions = {}): ImapFlow {
    const created = createClient(server, user, `pw-${user}`, options);
    clients.push(created);
    return created;
  }

  async function openInbox(user = 'alice', options: ClientOptions = {}): Promise<ImapFlow> {
    const opened = client(user, options);
    await opened.connect();
    await opened.mailboxOpen('INBOX', { readOnly: true });
    return opened;
  }

  /** The server still serves a whole normal session afterwards. */
  async function expectHealthy(user = 'alice'): Promise<void> {
    const fresh = await openInbox(user);
    const message = await fresh.fetchOne('1', { source: true });
    expect(message && message.source?.length).toBeGreaterThan(0);
    await fresh.logout();
  }

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await server.close();
  });

  it('NO on LOGIN with a throttling text, once, for one user only', async () => {
    await start();
    const rule = server.script({
      command: 'LOGIN',
      user: 'alice',
      times: 1,
      action: { type: 'no', text: THROTTLE.tooManyConnections },
    });

    await client('bob').connect();
    await expect(client('alice').connect()).rejects.toMatchObject({ serverResponseCode: 'UNAVAILABLE' });
    expect(rule).toMatchObject({ fired: 1, remaining: 0 });
    expect(server.userStats('alice').failedLogins).toBe(1);
    await expectHealthy();
  });

  it('BAD with a backoff text makes imapflow retry the FETCH', async () => {
    await start();
    const c = await openInbox();
    server.script({ command: 'FETCH', times: 1, action: { type: 'bad', text: THROTTLE.backoff(10) } });
    const message = await c.fetchOne('1', { envelope: true });
    expect(message && message.envelope?.messageId).toBe('<one@example.test>');
    expect(server.commandCount('alice', 'FETCH')).toBe(2);
  });

  it('tagged gibberish fails the command; untagged gibberish is shrugged off', async () => {
    await start();
    const c = await openInbox();
    server.script({ command: 'NOOP', times: 1, action: { type: 'gibberish' } });
    await expect(c.noop()).resolves.toBeUndefined(); // imapflow swallows NOOP failures...
    server.script({ command: 'FETCH', times: 1, action: { type: 'gibberish' } });
    await expect(c.fetchOne('1', { uid: true })).rejects.toMatchObject({ code: 'InvalidResponse' }); // ...not FETCH
    server.script({
      command: 'STATUS',
      times: 1,
      action: { type: 'gibberish', untagged: true, line: '* 123 ZZZ (garbage' },
    });
    await expect(c.status('INBOX', { messages: true })).resolves.toMatchObject({ messages: 1 });
    await expectHealthy();
  });

  it('BYE before the reply closes the client; the session is gone on the server', async () => {
    await start();
    const c = await openInbox();
    const gone = closed(c);
    server.script({ command: 'FETCH', times: 1, action: { type: 'bye', text: 'Server shutting down' } });
    await expect(c.fetchOne('1', { source: true })).rejects.toThrow();
    await gone;
    await waitFor(() => server.openSessions('alice') === 0, 2_000, 'server session to end');
    await expectHealthy();
  });

  it('BYE in place of the tagged reply comes after the data (mid-command)', async () => {
    await start();
    const c = await openInbox();
    server.script({ command: 'FETCH', times: 1, at: 'completion', action: { type: 'bye' } });
    const served = server.totals().messagesServed;
    await expect(c.fetchOne('1', { source: true })).rejects.toThrow();
    expect(server.totals().messagesServed).toBe(served + 1);
    await expectHealthy();
  });

  it('destroyed socket (FIN or RST) surfaces as close', async () => {
    await start();
    const first = client();
    server.script({ command: 'SELECT', times: 1, action: { type: 'destroy' } });
    server.script({ command: 'EXAMINE', times: 1, action: { type: 'destroy', reset: true } });
    await first.connect();
    const firstGone = closed(first);
    await expect(first.mailboxOpen('INBOX')).rejects.toThrow();
    await firstGone;
    const second = client();
    await second.connect();
    await expect(second.mailboxOpen('INBOX', { readOnly: true })).rejects.toThrow();
    await expectHealthy();
  });

  it('silence is noticed only through the client socket timeout', async () => {
    await start();
    const c = await openInbox('alice', { socketTimeout: 300 });
    const errors: Array<{ code?: string }> = [];
    c.on('error', (err: { code?: string }) => errors.push(err));
    server.script({ command: 'FETCH', times: 1, action: { type: 'silent' } });
    await expect(c.fetchOne('1', { source: true })).rejects.toThrow();
    expect(errors).toMatchObject([{ code: 'ETIMEOUT' }]);
    await expectHealthy();
  });

  it('delays a reply, at the start or at completion', async () => {
    await start();
    server.script({ command: 'LOGIN', times: 1, at: 'completion', action: { type: 'delay', ms: 200 } });
    const slowLogin = Date.now();
    const c = await openInbox();
    expect(Date.now() - slowLogin).toBeGreaterThanOrEqual(190);

    server.script({ command: 'STATUS', times: 1, action: { type: 'delay', ms: 200 } });
    const slowStatus = Date.now();
    await c.status('INBOX', { messages: true });
    expect(Date.now() - slowStatus).toBeGreaterThanOrEqual(190);
  });

  it('changes UIDVALIDITY as the command runs', async () => {
    await start();
    const before = server.uidValidity('alice');
    server.script({ command: 'EXAMINE', times: 1, action: { type: 'uidvalidity', renumber: 50 } });
    const c = await openInbox();
    expect(c.mailbox && c.mailbox.uidValidity).toBe(BigInt(before + 1));
    expect(await c.search({ all: true }, { uid: true })).toEqual([50]);
  });

  it('mailbox-missing fails SELECT once, or hides INBOX from LIST', async () => {
    await start();
    const c = client();
    await c.connect();
    server.script({ command: 'EXAMINE', times: 1, action: { type: 'mailbox-missing' } });
    await expect(c.mailboxOpen('INBOX', { readOnly: true })).rejects.toMatchObject({
      serverResponseCode: 'NONEXISTENT',
    });
    await expect(c.mailboxOpen('INBOX', { readOnly: true })).resolves.toMatchObject({ exists: 1 });

    server.script({ command: 'LIST', times: 1, action: { type: 'mailbox-missing' } });
    expect((await c.list()).map((folder) => folder.path)).not.toContain('INBOX');
  });

  it('a refused IDLE makes imapflow fall back to NOOP polling', async () => {
    await start();
    server.script({ command: 'IDLE', action: { type: 'bad', text: 'IDLE disabled' } });
    const c = await openInbox('alice', { maxIdleTime: 100 });
    const counts: number[] = [];
    c.on('exists', (event: { count: number }) => counts.push(event.count));
    const idling = c.idle();
    await waitFor(() => server.commandCount('alice', 'IDLE') === 1, 2_000, 'IDLE attempt');
    server.appendMessage('alice', sampleMessage());
    await waitFor(() => counts.includes(2), 2_000, 'EXISTS via NOOP');
    await c.logout();
    await idling;
  });

  it('BYE instead of the greeting fails connect()', async () => {
    await start();
    server.script({ command: 'GREETING', times: 1, action: { type: 'bye', text: THROTTLE.tooManyConnections } });
    await expect(client().connect()).rejects.toThrow();
    await expectHealthy();
  });

  it('cancelled rules stop firing', async () => {
    await start();
    const rule = server.script({ command: '*', user: 'alice', action: { type: 'destroy' } });
    rule.cancel();
    await expectHealthy();
    expect(rule.fired).toBe(0);
  });

  describe('chaos', () => {
    it('repeats the same faults for the same seed', () => {
      const run = (): Array<string | null> => {
        const script = new FaultScript({ probability: 0.3, seed: 42 });
        return Array.from({ length: 200 }, () => script.take('NOOP', 'u')?.action.type ?? null);
      };
      const first = run();
      expect(run()).toEqual(first);
      const struck = first.filter(Boolean).length;
      expect(struck).toBeGreaterThan(30);
      expect(struck).toBeLessThan(90);
    });

    it('survives many chaotic sessions and serves normally once chaos stops', async () => {
      await start({ chaos: { probability: 0.25, seed: 7 } });
      for (let i = 0; i < 20; i++) {
        const c = client('alice', { socketTimeout: 300, greetingTimeout: 300 });
        try {
          await c.connect();
          await c.mailboxOpen('INBOX', { readOnly: true });
          await c.fetchOne('1', { envelope: true, source: true });
          await c.logout();
        } catch {
          c.close();
        }
      }
      const faults = server.totals().faults;
      expect(Object.values(faults).reduce((a, b) => a + b, 0)).toBeGreaterThan(5);

      server.setChaos(null);
      await expectHealthy();
      await waitFor(() => server.totals().openConnections === 0, 2_000, 'chaotic connections to close');
    });
  });
});
