import { sampleMessage } from './imapflow-test-client.js';
import { FakeImapServer } from './index.js';
import { RawImapClient } from './raw-imap-client.js';

describe('FakeImapServer on the wire', () => {
  let server: FakeImapServer;
  let raw: RawImapClient;

  beforeEach(async () => {
    server = await FakeImapServer.start();
    server.addUser('bob', 'p w');
    server.appendMessage('bob', sampleMessage({ body: 'Body text\r\n' }));
    raw = await RawImapClient.connect(server.port);
  });

  afterEach(async () => {
    raw.close();
    await server.close();
  });

  it('asks for synchronizing literals and accepts LITERAL+ ones', async () => {
    raw.write('a LOGIN {3}\r\n');
    await raw.waitFor(/^\+ /m);
    raw.write('bob {3+}\r\np w\r\n');
    await raw.waitFor(/^a OK /m);
    expect(server.userStats('bob').logins).toBe(1);
  });

  it('answers pipelined commands in order', async () => {
    raw.write('a LOGIN bob "p w"\r\nb SELECT INBOX\r\nc NOOP\r\n');
    const reply = await raw.waitFor(/^c OK /m);
    expect(reply.indexOf('a OK')).toBeLessThan(reply.indexOf('b OK [READ-WRITE]'));
    expect(reply).toContain('* 1 EXISTS');
  });

  it('marks \\Seen on BODY[] in a read-write mailbox, and records it', async () => {
    await raw.command('a', 'LOGIN bob "p w"');
    await raw.command('b', 'SELECT INBOX');
    const reply = await raw.command('c', 'FETCH 1 (BODY[TEXT])');
    expect(reply).toContain('BODY[TEXT] {11}\r\nBody text\r\n FLAGS (\\Seen))');
    expect(server.flagChanges).toMatchObject([{ user: 'bob', uid: 1, via: 'FETCH BODY[]', after: ['\\Seen'] }]);
  });

  it('never marks \\Seen under EXAMINE', async () => {
    await raw.command('a', 'LOGIN bob "p w"');
    await raw.command('b', 'EXAMINE INBOX');
    const reply = await raw.command('c', 'UID FETCH 1 (RFC822 BODY[]<0.4>)');
    expect(reply).toMatch(/^\* 1 FETCH \(UID 1 RFC822 \{\d+\}\r\n/m);
    expect(reply).toContain('BODY[]<0> {4}\r\nFrom)');
    expect(server.anyFlagChanged()).toBe(false);
    expect(await raw.command('d', 'STORE 1 +FLAGS (\\Seen)')).toMatch(/^d NO \[READ-ONLY\]/m);
  });

  it('rejects malformed, unknown and out-of-state commands but keeps going', async () => {
    expect(await raw.command('a', 'SELECT INBOX')).toMatch(/^a BAD Not authenticated/m);
    expect(await raw.command('b', 'FROBNICATE')).toMatch(/^b BAD Unknown command/m);
    expect(await raw.command('c', 'LOGIN "open')).toMatch(/^c BAD /m);
    await raw.command('d', 'LOGIN bob "p w"');
    await raw.command('e', 'SELECT INBOX');
    expect(await raw.command('f', 'FETCH 1 (BODYSTRUCTURE)')).toMatch(/^f BAD .*BODYSTRUCTURE/m);
    expect(await raw.command('g', 'NOOP')).toMatch(/^g OK/m);
  });

  it('ends IDLE with DONE and reports mail that arrived before IDLE', async () => {
    await raw.command('a', 'LOGIN bob "p w"');
    await raw.command('b', 'SELECT INBOX');
    server.appendMessage('bob', sampleMessage());
    const start = raw.transcript.length;
    raw.write('c IDLE\r\n');
    await raw.waitFor(/^\+ idling\r\n\* 2 EXISTS\r\n/m, start);
    server.appendMessage('bob', sampleMessage());
    await raw.waitFor(/^\* 3 EXISTS\r\n/m, start);
    raw.write('DONE\r\n');
    await raw.waitFor(/^c OK /m, start);
  });

  it('counts pre-login commands apart from any user', async () => {
    await raw.command('a', 'CAPABILITY');
    expect(server.stats.anonymousCommands.get('CAPABILITY')).toBe(1);
    expect(server.userStats('bob').commands).toEqual({});
  });
});
