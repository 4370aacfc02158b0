import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';

import type { MailboxLogin, MailboxServer } from '@app/users';

/**
 * How nodemailer reaches a provider's SMTP: implicit TLS, STARTTLS required (never silently plaintext), or
 * plain (test servers); the mailbox's own login, a password (PLAIN) or an OAuth2 access token (XOAUTH2).
 */
export function smtpTransportOptions(server: MailboxServer, login: MailboxLogin): SMTPTransport.Options {
  if (!server.smtpHost || !server.smtpPort) throw new Error(`provider ${server.code} has no SMTP settings`);
  const security = server.smtpSecurity ?? 'tls';
  return {
    host: server.smtpHost,
    port: server.smtpPort,
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    tls: { minVersion: 'TLSv1.2' },
    auth:
      'accessToken' in login
        ? { type: 'OAuth2', user: login.user, accessToken: login.accessToken }
        : { type: 'login', user: login.user, pass: login.pass },
    connectionTimeout: 30_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
    name: 'superimap.tracer',
  };
}
