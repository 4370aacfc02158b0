import { sampleMessage } from './imapflow-test-client.js';
import { FakeImapServer } from './index.js';
import { RawImapClient } from './raw-imap-client.js';

describe('hostile-server faults on the wire', () => {
  let server: FakeImapServer;
  let raw: RawImapClient;

  beforeEach(async () => {
    server = await FakeImapServer.start();
    server.addUser('bob', 'p w');
    server.appendMessage('bob', sampleMessage({ body: 'Body text\r\n' }));
    raw = await RawImapClient.connect(server.port);
    await raw.command('a', 'LOGIN bob "p w"');
    await raw.command('b', 'EXAMINE INBOX');
  });

  afterEach(async () => {
    raw.close();
    await server.close();
  });

  it('lying-size: RFC822.SIZE says what the fault says, once', async () => {
    server.script({ command: 'FETCH', times: 1, action: { type: 'lying-size', size: 104 } });
    expect(await raw.command('c', 'UID FETCH 1 (RFC822.SIZE)')).toContain('RFC822.SIZE 104');
    expect(await raw.command('d', 'UID FETCH 1 (RFC822.SIZE)')).not.toContain('RFC822.SIZE 104');
  });

  it('huge-literal: the body section is a literal of the given size, ignoring the partial, then OK', async () => {
    server.script({ command: 'FETCH', action: { type: 'huge-literal', bytes: 300_000 } });
    const reply = await raw.command('c', 'UID FETCH 1 (BODY.PEEK[]<0.100>)');
    const head = '* 1 FETCH (UID 1 BODY[]<0> {300000}\r\n';
    expect(reply.startsWith(head)).toBe(true);
    expect(reply.slice(head.length, head.length + 300_000)).toMatch(/^x{300000}$/);
    expect(reply.slice(head.length + 300_000)).toMatch(/^\)\r\nc OK /);
    // A FETCH without a body section is answered normally.
    expect(await raw.command('d', 'UID FETCH 1 (RFC822.SIZE)')).toMatch(/^\* 1 FETCH \(UID 1 RFC822\.SIZE \d+\)/);
  });

  it('fetch-flood: rows for UIDs never asked for keep coming, without a tagged reply', async () => {
    server.script({ command: 'FETCH', times: 1, action: { type: 'fetch-flood' } });
    const start = raw.transcript.length;
    raw.write('c UID FETCH 1 (UID FLAGS)\r\n');
    // A generous deadline: a loaded machine can stall this process for seconds.
    const flood = await raw.waitFor(/UID 1005000 /, start, 10_000);
    expect(flood.startsWith('* 1 FETCH (UID 1 FLAGS ())\r\n* 1 FETCH (UID 1000002 FLAGS ())')).toBe(true);
    expect(flood).not.toMatch(/^c /m);
  });

  it('a rule with `matches` strikes only commands whose text matches', async () => {
    server.script({ command: 'FETCH', matches: /BODY/i, action: { type: 'no', text: 'Poisoned' } });
    expect(await raw.command('c', 'UID FETCH 1 (UID FLAGS)')).toMatch(/^c OK /m);
    expect(await raw.command('d', 'UID FETCH 1 (BODY.PEEK[])')).toMatch(/^d NO Poisoned/m);
  });
});
