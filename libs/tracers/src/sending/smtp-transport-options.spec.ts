import type { MailboxServer } from '@app/users';

import { smtpTransportOptions } from './smtp-transport-options.js';

const server = (smtpSecurity: MailboxServer['smtpSecurity']): MailboxServer => ({
  code: 'TEST',
  auth: 'password',
  imapHost: 'imap.example.test',
  imapPort: 993,
  imapSecurity: 'tls',
  smtpHost: 'smtp.example.test',
  smtpPort: 465,
  smtpSecurity,
});

describe('smtpTransportOptions', () => {
  const password = { user: 'alice@example.test', pass: 'secret' };

  it('maps the provider security: implicit TLS, required STARTTLS, or none', () => {
    expect(smtpTransportOptions(server('tls'), password)).toMatchObject({ secure: true, requireTLS: false });
    expect(smtpTransportOptions(server('starttls'), password)).toMatchObject({
      secure: false,
      requireTLS: true,
      ignoreTLS: false,
    });
    expect(smtpTransportOptions(server('none'), password)).toMatchObject({ secure: false, ignoreTLS: true });
  });

  it('logs in with the password, or with an access token over XOAUTH2', () => {
    expect(smtpTransportOptions(server('tls'), password).auth).toEqual({
      type: 'login',
      user: 'alice@example.test',
      pass: 'secret',
    });
    expect(smtpTransportOptions(server('tls'), { user: 'bob@example.test', accessToken: 'ya29.x' }).auth).toEqual({
      type: 'OAuth2',
      user: 'bob@example.test',
      accessToken: 'ya29.x',
    });
  });

  it('refuses a provider without SMTP settings', () => {
    expect(() => smtpTransportOptions({ ...server('tls'), smtpHost: null }, password)).toThrow('no SMTP settings');
  });
});
