import type { ProviderDefinition } from './providers.service.js';

const GOOGLE_OAUTH2 = {
  oauth2AuthorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
  oauth2TokenUrl: 'https://oauth2.googleapis.com/token',
  oauth2UserinfoUrl: 'https://openidconnect.googleapis.com/v1/userinfo',
  oauth2RevokeUrl: 'https://oauth2.googleapis.com/revoke',
  oauth2Scope: 'openid email https://mail.google.com/',
  oauth2Params: { access_type: 'offline', prompt: 'consent' },
};

const MICROSOFT_OAUTH2 = {
  oauth2AuthorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
  oauth2TokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
  oauth2UserinfoUrl: 'https://graph.microsoft.com/oidc/userinfo',
  oauth2RevokeUrl: null,
  oauth2Scope: 'openid email offline_access https://outlook.office.com/IMAP.AccessAsUser.All',
  oauth2Params: { prompt: 'select_account' },
};

/** Providers `superimap seed` creates, with their real hosts and OAuth endpoints. */
export const BUILTIN_PROVIDERS: ProviderDefinition[] = [
  {
    code: 'GMAIL_OAUTH2',
    title: 'Google Mail - OAuth 2.0',
    auth: 'oauth2',
    imapHost: 'imap.gmail.com',
    imapPort: 993,
    imapSecurity: 'tls',
    smtpHost: 'smtp.gmail.com',
    smtpPort: 465,
    smtpSecurity: 'tls',
    ...GOOGLE_OAUTH2,
  },
  {
    code: 'OUTLOOK_OAUTH2',
    title: 'Microsoft Outlook - OAuth 2.0',
    auth: 'oauth2',
    imapHost: 'outlook.office365.com',
    imapPort: 993,
    imapSecurity: 'tls',
    smtpHost: 'smtp.office365.com',
    smtpPort: 587,
    smtpSecurity: 'starttls',
    ...MICROSOFT_OAUTH2,
  },
  password('GMAIL_PASSWORD', 'Google Mail - app password', 'imap.gmail.com', 'smtp.gmail.com'),
  password('YAHOO_PASSWORD', 'Yahoo Mail - app password', 'imap.mail.yahoo.com', 'smtp.mail.yahoo.com'),
  password('ICLOUD_PASSWORD', 'iCloud Mail - app password', 'imap.mail.me.com', 'smtp.mail.me.com', 587),
  password('FASTMAIL_PASSWORD', 'Fastmail - app password', 'imap.fastmail.com', 'smtp.fastmail.com'),
  password('AOL_PASSWORD', 'AOL Mail - app password', 'imap.aol.com', 'smtp.aol.com'),
  password('OUTLOOK_PASSWORD', 'Outlook.com - password', 'outlook.office365.com', 'smtp.office365.com', 587),
];

function password(code: string, title: string, imapHost: string, smtpHost: string, smtpPort = 465): ProviderDefinition {
  return {
    code,
    title,
    auth: 'password',
    imapHost,
    imapPort: 993,
    imapSecurity: 'tls',
    smtpHost,
    smtpPort,
    smtpSecurity: smtpPort === 465 ? 'tls' : 'starttls',
  };
}
