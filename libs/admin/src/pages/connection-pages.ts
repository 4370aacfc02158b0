import type { PartnerConnection } from '@app/connections';
import { escapeHtml } from '@app/core';
import type { Partner } from '@app/partners';
import type { ImapProvider } from '@app/providers';

import { adminPage, csrfField, type SignedInView } from './admin-layout.js';
import { errorList, table } from './lists.js';

export function connectionsPage(view: {
  admin: SignedInView;
  partner: Partner;
  connections: PartnerConnection[];
  counts: Map<string, number>;
  providers: ImapProvider[];
  errors: string[];
  notice?: string;
}): string {
  const base = `/admin/partners/${view.partner.id}/connections`;
  const rows = view.connections.map((connection) => [
    `${escapeHtml(connection.provider.title)} <span class="muted">(${escapeHtml(connection.provider.code)})</span>`,
    escapeHtml(connection.provider.auth),
    connection.provider.auth === 'oauth2'
      ? `${connection.oauth2ClientId ? `<code>${escapeHtml(connection.oauth2ClientId)}</code>` : '<span class="muted">no client id</span>'} · secret ${connection.oauth2ClientSecret ? 'set' : '<strong>not set</strong>'}`
      : '<span class="muted">—</span>',
    `<a href="/admin/users?connection=${connection.id}">${view.counts.get(connection.id) ?? 0}</a>`,
    `<a href="${base}/${encodeURIComponent(connection.provider.code)}/users/new">New user</a> · <a href="${base}/${encodeURIComponent(connection.provider.code)}/edit">Edit</a> · <a href="${base}/${encodeURIComponent(connection.provider.code)}/delete">Delete</a>`,
  ]);
  const used = new Set(view.connections.map((connection) => connection.imapProviderId));
  const options = view.providers
    .filter((provider) => !used.has(provider.id))
    .map(
      (provider) =>
        `<option value="${escapeHtml(provider.code)}">${escapeHtml(provider.title)} (${escapeHtml(provider.code)})</option>`,
    )
    .join('');
  return adminPage({
    title: `Connections of ${view.partner.name}`,
    admin: view.admin,
    section: '/admin/partners',
    notice: view.notice,
    body: `<p class="muted"><a href="/admin/partners/${view.partner.id}">${escapeHtml(view.partner.name)}</a> › Connections</p>
<h1>Connections of ${escapeHtml(view.partner.name)}</h1>
<div class="panel">${table(['Provider', 'Authentication', 'OAuth2 client', 'Active users', ''], rows, 'No connections yet.')}</div>
<section class="panel narrow wide-form">
<h2>New connection</h2>
${errorList(view.errors)}
<form method="post" action="${base}">
${csrfField(view.admin.csrfToken)}
<label for="provider">Provider</label>
<select id="provider" name="provider" required>${options}</select>
${clientFields()}
<div class="actions"><button type="submit">Add connection</button></div>
</form>
</section>`,
  });
}

function clientFields(clientId = ''): string {
  return `<label for="oauth2_client_id">OAuth2 client id</label>
<input type="text" id="oauth2_client_id" name="oauth2_client_id" maxlength="1000" value="${escapeHtml(clientId)}" aria-describedby="client-hint">
<p class="hint" id="client-hint">OAuth2 providers only; leave empty for password providers.</p>
<label for="oauth2_client_secret">OAuth2 client secret</label>
<input type="password" id="oauth2_client_secret" name="oauth2_client_secret" maxlength="1000" autocomplete="off" aria-describedby="secret-hint">
<p class="hint" id="secret-hint">Write-only: it is stored encrypted and never shown. Leave empty to keep the current one.</p>`;
}

export function connectionEditPage(view: {
  admin: SignedInView;
  partner: Partner;
  connection: PartnerConnection;
  errors: string[];
}): string {
  const base = `/admin/partners/${view.partner.id}/connections`;
  const code = view.connection.provider.code;
  return adminPage({
    title: `Edit connection ${code}`,
    admin: view.admin,
    section: '/admin/partners',
    body: `<p class="muted"><a href="/admin/partners/${view.partner.id}">${escapeHtml(view.partner.name)}</a> › <a href="${base}">Connections</a></p>
<section class="panel narrow wide-form">
<h1>${escapeHtml(view.connection.provider.title)}</h1>
${errorList(view.errors)}
<form method="post" action="${base}/${encodeURIComponent(code)}">
${csrfField(view.admin.csrfToken)}
${clientFields(view.connection.oauth2ClientId ?? '')}
<p>Client secret: ${view.connection.oauth2ClientSecret ? 'set' : '<strong>not set</strong>'}</p>
<div class="actions"><button type="submit">Save connection</button> <a href="${base}">Cancel</a></div>
</form>
</section>`,
  });
}
