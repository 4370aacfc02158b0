import type { ImapFlow } from 'imapflow';

import { FaultScript } from './fault-script.js';
import { createClient, waitFor } from './imapflow-test-client.js';
import { FakeImapServer } from './index.js';
import { MailGenerator, messageIdFor, stressMail, testIdFromMessageId } from './mail-generator.js';

describe('stress extensions of the fake server', () => {
  let server: FakeImapServer;
  const clients: ImapFlow[] = [];

  beforeEach(async () => {
    server = await FakeImapServer.start({ listen: [{ host: '127.0.0.1' }, { host: '127.0.0.2' }] });
    for (const user of ['a', 'b', 'c']) server.addUser(user, 'pw');
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.close());
    await server.close();
  });

  it('a stress mail carries its test id and has about the asked size', () => {
    const raw = stressMail('run1-7', 'a', 10_240);
    expect(raw.toString()).toContain(`Message-ID: ${messageIdFor('run1-7')}\r\n`);
    expect(raw.toString()).toContain('X-Test-Id: run1-7\r\n');
    expect(raw.length).toBeGreaterThan(10_000);
    expect(raw.length).toBeLessThan(10_500);
    expect(testIdFromMessageId(messageIdFor('run1-7'))).toBe('run1-7');
    expect(testIdFromMessageId('<other@example.test>')).toBeNull();
  });

  it('generates mail at the set rate, each with a unique id, into the given mailboxes', async () => {
    const seen: string[] = [];
    const generator = new MailGenerator(server, {
      users: ['a', 'b'],
      ratePerSecond: 200,
      idPrefix: 'g',
      onMail: (mail) => seen.push(mail.testId),
    });
    const startedAt = performance.now();
    generator.start();
    await waitFor(() => generator.count >= 50, 10_000, '50 mails');
    generator.stop();
    const elapsedSeconds = (performance.now() - startedAt) / 1000;
    // Never faster than the set rate (a loaded machine may make it slower, which is no fault of the generator).
    expect(generator.count).toBeLessThanOrEqual(Math.ceil(200 * elapsedSeconds * 1.1) + 2);
    expect(new Set(seen).size).toBe(seen.length);
    expect(server.messages('a').length + server.messages('b').length).toBe(generator.count);
    expect(server.messages('c')).toHaveLength(0);
  });

  it('counts handshakes in progress and their peak, and IDLE-ing sessions', async () => {
    const [, second] = server.addresses;
    const client = createClient(server, 'a', 'pw', { host: second.host, port: second.port });
    clients.push(client);
    await client.connect();
    expect(server.handshakes()).toEqual({ inProgress: 1, peak: 1 });
    await client.mailboxOpen('INBOX', { readOnly: true });
    expect(server.handshakes().inProgress).toBe(0);
    expect(server.handshakeTimeline().map(([, inProgress]) => inProgress)).toEqual([1, 0]);
    void client.idle();
    await waitFor(() => server.idlingSessions() === 1, 2_000, 'IDLE');
    server.resetPeakHandshakes();
    expect(server.handshakes()).toEqual({ inProgress: 0, peak: 0 });
    // From the level held at the reset on.
    expect(server.handshakeTimeline().map(([, inProgress]) => inProgress)).toEqual([0]);
  });

  it('chaos can use a separate fault list per command, or spare a command', () => {
    const faults = new FaultScript({
      probability: 1,
      faults: [{ type: 'bad' }],
      faultsFor: [
        { command: 'LOGIN', faults: [{ type: 'destroy' }] },
        { command: 'IDLE', faults: [] },
      ],
    });
    expect(faults.take('AUTHENTICATE', 'a')?.action.type).toBe('destroy');
    expect(faults.take('IDLE', 'a')).toBeNull();
    expect(faults.take('UID FETCH', 'a')?.action.type).toBe('bad');
  });
});
