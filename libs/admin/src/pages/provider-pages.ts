import { escapeHtml } from '@app/core';
import type { ImapProvider } from '@app/providers';

import { adminPage, csrfField, type SignedInView } from './admin-layout.js';
import { errorList, table } from './lists.js';

/** The provider form's fields, all as the text the form holds. */
export interface ProviderFormValues {
  code: string;
  title: string;
  auth: string;
  imapHost: string;
  imapPort: string;
  imapSecurity: string;
  smtpHost: string;
  smtpPort: string;
  smtpSecurity: string;
  oauth2AuthorizeUrl: string;
  oauth2TokenUrl: string;
  oauth2UserinfoUrl: string;
  oauth2RevokeUrl: string;
  oauth2Scope: string;
  oauth2Params: string;
  tlsCa: string;
  tlsInsecure: string;
}

export function providerFormValues(provider?: ImapProvider): ProviderFormValues {
  const text = (value: string | number | null | undefined) =>
    value === null || value === undefined ? '' : String(value);
  return {
    code: text(provider?.code),
    title: text(provider?.title),
    auth: provider?.auth ?? 'password',
    imapHost: text(provider?.imapHost),
    imapPort: text(provider?.imapPort ?? 993),
    imapSecurity: provider?.imapSecurity ?? 'tls',
    smtpHost: text(provider?.smtpHost),
    smtpPort: text(provider?.smtpPort),
    smtpSecurity: provider?.smtpSecurity ?? '',
    oauth2AuthorizeUrl: text(provider?.oauth2AuthorizeUrl),
    oauth2TokenUrl: text(provider?.oauth2TokenUrl),
    oauth2UserinfoUrl: text(provider?.oauth2UserinfoUrl),
    oauth2RevokeUrl: text(provider?.oauth2RevokeUrl),
    oauth2Scope: text(provider?.oauth2Scope),
    oauth2Params: Object.entries(provider?.oauth2Params ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
    tlsCa: text(provider?.tlsCa),
    tlsInsecure: provider?.tlsInsecure ? 'on' : '',
  };
}

export function providersListPage(view: {
  admin: SignedInView;
  providers: ImapProvider[];
  filter: { q: string };
  notice?: string;
}): string {
  const endpoint = (host: string | null, port: number | null, security: string | null) =>
    host
      ? `<code>${escapeHtml(`${host}:${port ?? ''}`)}</code><br><span class="muted">${escapeHtml(security ?? '')}</span>`
      : '<span class="muted">—</span>';
  const rows = view.providers.map((provider) => [
    `<a href="/admin/providers/${encodeURIComponent(provider.code)}/edit"><code>${escapeHtml(provider.code)}</code></a>`,
    escapeHtml(provider.title),
    escapeHtml(provider.auth),
    endpoint(provider.imapHost, provider.imapPort, provider.imapSecurity),
    endpoint(provider.smtpHost, provider.smtpPort, provider.smtpSecurity),
    provider.oauth2TokenUrl
      ? `<code>${escapeHtml(hostOf(provider.oauth2TokenUrl))}</code>`
      : '<span class="muted">—</span>',
  ]);
  return adminPage({
    title: 'Providers',
    admin: view.admin,
    section: '/admin/providers',
    notice: view.notice,
    body: `<h1>IMAP providers</h1>
<form method="get" action="/admin/providers" class="filters" role="search">
<div><label for="q">Code or title</label><input type="search" id="q" name="q" value="${escapeHtml(view.filter.q)}"></div>
<button type="submit" class="secondary">Filter</button>
<a class="button" href="/admin/providers/new">New provider</a>
</form>
<div class="panel">${table(['Code', 'Title', 'Authentication', 'IMAP', 'SMTP (tracers)', 'OAuth2 token endpoint'], rows, 'No providers match.')}</div>`,
  });
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

const SECURITY_OPTIONS = [
  ['tls', 'TLS'],
  ['starttls', 'STARTTLS'],
  ['none', 'None (plain text)'],
] as const;

function select(name: string, label: string, value: string, options: readonly (readonly [string, string])[]): string {
  const items = options
    .map(
      ([option, text]) =>
        `<option value="${escapeHtml(option)}"${option === value ? ' selected' : ''}>${escapeHtml(text)}</option>`,
    )
    .join('');
  return `<label for="${name}">${escapeHtml(label)}</label><select id="${name}" name="${name}">${items}</select>`;
}

function input(
  values: ProviderFormValues,
  name: keyof ProviderFormValues,
  label: string,
  type = 'text',
  hint = '',
): string {
  const described = hint ? ` aria-describedby="${name}-hint"` : '';
  return `<label for="${name}">${escapeHtml(label)}</label>
<input type="${type}" id="${name}" name="${name}" maxlength="2000" value="${escapeHtml(values[name])}"${described}>${hint ? `\n<p class="hint" id="${name}-hint">${escapeHtml(hint)}</p>` : ''}`;
}

/** New and edit: the code and the authentication are fixed once a provider exists (partners and users rely on them). */
export function providerFormPage(view: {
  admin: SignedInView;
  provider?: ImapProvider;
  values: ProviderFormValues;
  errors: string[];
}): string {
  const values = view.values;
  const editing = Boolean(view.provider);
  const action = editing ? `/admin/providers/${encodeURIComponent(view.provider!.code)}` : '/admin/providers';
  const heading = editing ? `Edit ${view.provider!.title}` : 'New provider';
  const identity = editing
    ? `<dl class="fields"><dt>Code</dt><dd><code>${escapeHtml(view.provider!.code)}</code></dd>
<dt>Authentication</dt><dd>${escapeHtml(view.provider!.auth)}</dd></dl>`
    : `${input(values, 'code', 'Code', 'text', 'What partners name it by, e.g. FASTMAIL: upper-case letters, digits and underscores. It cannot change later.')}
${select('auth', 'Authentication', values.auth, [
  ['password', 'Password (IMAP LOGIN)'],
  ['oauth2', 'OAuth2 (XOAUTH2)'],
])}`;
  return adminPage({
    title: heading,
    admin: view.admin,
    section: '/admin/providers',
    body: `<p class="muted"><a href="/admin/providers">Providers</a></p>
<section class="panel narrow wide-form">
<h1>${escapeHtml(heading)}</h1>
${errorList(view.errors)}
<form method="post" action="${action}">
${csrfField(view.admin.csrfToken)}
${identity}
${input(values, 'title', 'Title')}
<fieldset><legend>IMAP</legend>
${input(values, 'imapHost', 'IMAP host')}
${input(values, 'imapPort', 'IMAP port', 'number')}
${select('imapSecurity', 'IMAP security', values.imapSecurity, SECURITY_OPTIONS)}
<label for="tlsCa">Trusted CA certificates (PEM)</label>
<textarea id="tlsCa" name="tlsCa" aria-describedby="tlsCa-hint">${escapeHtml(values.tlsCa)}</textarea>
<p class="hint" id="tlsCa-hint">Only for a server with a private CA or a self-signed certificate; empty trusts the usual CAs.</p>
<label class="check"><input type="checkbox" name="tlsInsecure" value="on"${values.tlsInsecure ? ' checked' : ''}> Accept any certificate (test servers only; refused in production)</label>
</fieldset>
<fieldset><legend>SMTP (sends tracers)</legend>
${input(values, 'smtpHost', 'SMTP host', 'text', 'Leave empty if tracers are not sent through this provider.')}
${input(values, 'smtpPort', 'SMTP port', 'number')}
${select('smtpSecurity', 'SMTP security', values.smtpSecurity, [['', '—'], ...SECURITY_OPTIONS])}
</fieldset>
<fieldset><legend>OAuth2 (OAuth2 providers only)</legend>
${input(values, 'oauth2AuthorizeUrl', 'Authorization URL', 'url')}
${input(values, 'oauth2TokenUrl', 'Token URL', 'url')}
${input(values, 'oauth2UserinfoUrl', 'User info URL', 'url')}
${input(values, 'oauth2RevokeUrl', 'Revocation URL', 'url')}
${input(values, 'oauth2Scope', 'Scope')}
<label for="oauth2Params">Extra authorization parameters</label>
<textarea id="oauth2Params" name="oauth2Params" aria-describedby="oauth2Params-hint">${escapeHtml(values.oauth2Params)}</textarea>
<p class="hint" id="oauth2Params-hint">One KEY=VALUE per line, e.g. access_type=offline. Client ids and secrets belong to each partner's connection, not here: a provider holds no secrets.</p>
</fieldset>
<div class="actions"><button type="submit">${editing ? 'Save provider' : 'Create provider'}</button> <a href="/admin/providers">Cancel</a></div>
</form>
</section>`,
  });
}
