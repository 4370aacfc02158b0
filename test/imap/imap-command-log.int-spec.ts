import { Writable } from 'node:stream';

import { ImapFlow } from 'imapflow';
import { pino } from 'pino';

import type { AppConfig } from '@app/core';
import { imapFlowOptions } from '@app/imap';
import type { MailboxLogin, MailboxServer } from '@app/users';

import { FakeImapServer } from '../harness/fake-imap/index.js';

const PASSWORD = 'hunter2-imap-password';
const TOKEN = 'ya29.secret-access-token';
const config = { IDLE_RESTART_INTERVAL: 300, IMAP_SOCKET_TIMEOUT: 45 } as AppConfig;

/** Logs in through imapFlowOptions with a logger at `level` and returns everything that was logged. */
async function logOfLogin(server: FakeImapServer, login: MailboxLogin, level: 'debug' | 'info'): Promise<string> {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  const provider: MailboxServer = {
    code: 'FAKE',
    auth: 'accessToken' in login ? 'oauth2' : 'password',
    imapHost: '127.0.0.1',
    imapPort: server.port,
    imapSecurity: 'none',
    smtpHost: null,
    smtpPort: null,
    smtpSecurity: null,
  };
  const client = new ImapFlow(imapFlowOptions(provider, login, config, pino({ level }, stream)));
  client.on('error', () => undefined);
  await client.connect();
  await client.mailboxOpen('INBOX', { readOnly: true });
  await client.logout();
  return output;
}

describe('IMAP commands in the log', () => {
  let server: FakeImapServer;
  beforeAll(async () => {
    server = await FakeImapServer.start({ xoauth2: (_user, token) => token === TOKEN });
    server.addUser('pat@fake.test', PASSWORD);
  });
  afterAll(() => server.close());

  it('at debug shows the session commands, never the password', async () => {
    const log = await logOfLogin(server, { user: 'pat@fake.test', pass: PASSWORD }, 'debug');
    expect(log).toContain('EXAMINE INBOX');
    expect(log).toContain('"component":"imapflow"');
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(Buffer.from(PASSWORD).toString('base64'));
    expect(log).not.toContain(Buffer.from(`\x00pat@fake.test\x00${PASSWORD}`).toString('base64'));
  });

  it('at debug never shows an XOAUTH2 token, plain or base64', async () => {
    const log = await logOfLogin(server, { user: 'pat@fake.test', accessToken: TOKEN }, 'debug');
    expect(log).toContain('AUTHENTICATE');
    expect(log).not.toContain(TOKEN);
    const sasl = Buffer.from(`user=pat@fake.test\x01auth=Bearer ${TOKEN}\x01\x01`).toString('base64');
    expect(log).not.toContain(sasl);
    expect(log).not.toContain(sasl.slice(0, 40));
  });

  it('at info logs nothing of the session', async () => {
    expect(await logOfLogin(server, { user: 'pat@fake.test', pass: PASSWORD }, 'info')).toBe('');
  });
});
