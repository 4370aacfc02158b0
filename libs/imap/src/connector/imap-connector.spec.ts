import type { AppConfig } from '@app/core';
import type { MailboxServer } from '@app/users';

import { imapFlowOptions } from './imap-connector.js';

const config = { IDLE_RESTART_INTERVAL: 300, IMAP_SOCKET_TIMEOUT: 45, MAX_EMAIL_SIZE: 25_000_000 } as AppConfig;
const server = (imapSecurity: MailboxServer['imapSecurity']): MailboxServer => ({
  code: 'TEST',
  auth: 'password',
  imapHost: 'imap.example.com',
  imapPort: 993,
  imapSecurity,
  smtpHost: null,
  smtpPort: null,
  smtpSecurity: null,
});

describe('imapFlowOptions', () => {
  it('maps the provider security to TLS, STARTTLS or plain', () => {
    const login = { user: 'u', pass: 'p' };
    expect(imapFlowOptions(server('tls'), login, config)).toMatchObject({ secure: true, doSTARTTLS: undefined });
    expect(imapFlowOptions(server('starttls'), login, config)).toMatchObject({ secure: false, doSTARTTLS: true });
    expect(imapFlowOptions(server('none'), login, config)).toMatchObject({ secure: false, doSTARTTLS: false });
  });

  it('logs in with the given password or XOAUTH2 token, IDLEs at once, and times out a silent socket', () => {
    const options = imapFlowOptions(server('tls'), { user: 'a@b', accessToken: 'tok' }, config);
    expect(options).toMatchObject({
      host: 'imap.example.com',
      port: 993,
      auth: { user: 'a@b', accessToken: 'tok' },
      autoIdleDelay: 0,
      maxIdleTime: 300_000,
      socketTimeout: 45_000,
      logger: false,
    });
  });

  it('caps what a server may make the client buffer: literals just above MAX_EMAIL_SIZE, responses a little more', () => {
    const options = imapFlowOptions(server('tls'), { user: 'u', pass: 'p' }, config);
    expect(options.maxLiteralSize).toBe(25_000_001);
    expect(options.maxResponseSize).toBe(25_000_001 + 1024 * 1024);
    expect(options.maxResponseTokens).toBeLessThan(1_000_000);
    // A small MAX_EMAIL_SIZE still leaves room for large envelopes and a SEARCH of a million UIDs.
    const small = imapFlowOptions(server('tls'), { user: 'u', pass: 'p' }, {
      ...config,
      MAX_EMAIL_SIZE: 20_000,
    } as AppConfig);
    expect(small.maxLiteralSize).toBe(1024 * 1024);
    expect(small.maxResponseSize).toBe(8 * 1024 * 1024);
  });
});
