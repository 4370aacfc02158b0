import { escapeHtml } from '@app/core';
import type { Partner } from '@app/partners';

import { adminPage, csrfField, formatTime, type SignedInView } from './admin-layout.js';
import { errorList, nextPageLink, table } from './lists.js';

export const PARTNER_URL_FIELDS = [
  ['newMailWebhook', 'New-mail webhook URL'],
  ['userConnectedWebhook', 'User-connected webhook URL'],
  ['userDisconnectedWebhook', 'User-disconnected webhook URL'],
  ['accountErrorWebhook', 'Account-error webhook URL'],
  ['successUrl', 'Success URL (after connecting)'],
  ['failureUrl', 'Failure URL (after connecting)'],
] as const;

export type PartnerFormValues = Record<'name' | 'allowedRedirectUrls' | (typeof PARTNER_URL_FIELDS)[number][0], string>;

export function partnerFormValues(partner?: Partner): PartnerFormValues {
  return {
    name: partner?.name ?? '',
    newMailWebhook: partner?.newMailWebhook ?? '',
    userConnectedWebhook: partner?.userConnectedWebhook ?? '',
    userDisconnectedWebhook: partner?.userDisconnectedWebhook ?? '',
    accountErrorWebhook: partner?.accountErrorWebhook ?? '',
    successUrl: partner?.successUrl ?? '',
    failureUrl: partner?.failureUrl ?? '',
    allowedRedirectUrls: (partner?.allowedRedirectUrls ?? []).join('\n'),
  };
}

export function partnersListPage(view: {
  admin: SignedInView;
  partners: Partner[];
  filter: { name: string };
  nextCursor: string | null;
  notice?: string;
}): string {
  const rows = view.partners.map((partner) => [
    `<a href="/admin/partners/${partner.id}">${escapeHtml(partner.name)}</a>`,
    partner.newMailWebhook ? `<code>${escapeHtml(partner.newMailWebhook)}</code>` : '<span class="muted">—</span>',
    formatTime(partner.createdAt),
    `<a href="/admin/partners/${partner.id}/connections">Connections</a> · <a href="/admin/partners/${partner.id}/edit">Edit</a>`,
  ]);
  return adminPage({
    title: 'Partners',
    admin: view.admin,
    section: '/admin/partners',
    notice: view.notice,
    body: `<h1>Partners</h1>
<form method="get" action="/admin/partners" class="filters" role="search">
<div><label for="name">Name contains</label><input type="search" id="name" name="name" value="${escapeHtml(view.filter.name)}"></div>
<button type="submit" class="secondary">Filter</button>
<a class="button" href="/admin/partners/new">New partner</a>
</form>
<div class="panel">${table(['Name', 'New-mail webhook', 'Created', ''], rows, 'No partners yet.')}</div>
${nextPageLink('/admin/partners', view.filter, view.nextCursor)}`,
  });
}

export function partnerFormPage(view: {
  admin: SignedInView;
  partner?: Partner;
  values: PartnerFormValues;
  errors: string[];
}): string {
  const action = view.partner ? `/admin/partners/${view.partner.id}` : '/admin/partners';
  const urlInputs = PARTNER_URL_FIELDS.map(
    ([name, label]) => `<label for="${name}">${escapeHtml(label)}</label>
<input type="url" id="${name}" name="${name}" maxlength="2000" value="${escapeHtml(view.values[name])}">`,
  ).join('\n');
  const heading = view.partner ? `Edit ${view.partner.name}` : 'New partner';
  return adminPage({
    title: heading,
    admin: view.admin,
    section: '/admin/partners',
    body: `<section class="panel narrow wide-form">
<h1>${escapeHtml(heading)}</h1>
${errorList(view.errors)}
<form method="post" action="${action}">
${csrfField(view.admin.csrfToken)}
<label for="name">Name</label>
<input type="text" id="name" name="name" required maxlength="200" value="${escapeHtml(view.values.name)}">
${urlInputs}
<label for="allowedRedirectUrls">Allowed redirect URLs</label>
<textarea id="allowedRedirectUrls" name="allowedRedirectUrls" aria-describedby="redirect-hint">${escapeHtml(view.values.allowedRedirectUrls)}</textarea>
<p class="hint" id="redirect-hint">One origin or URL prefix per line: where connect and disconnect pages may send users back.</p>
<div class="actions"><button type="submit">${view.partner ? 'Save changes' : 'Create partner'}</button>
<a href="${view.partner ? `/admin/partners/${view.partner.id}` : '/admin/partners'}">Cancel</a></div>
</form>
</section>`,
  });
}

/** Shown once, right after creation or rotation: the page is not cached and the values are never shown again. */
export function secretsShownOnce(secrets: { label: string; value: string }[]): string {
  const items = secrets
    .map((secret) => `<dt>${escapeHtml(secret.label)}</dt><dd><code>${escapeHtml(secret.value)}</code></dd>`)
    .join('');
  return `<div class="secret" role="status"><p><strong>Copy these now: they are shown only once.</strong></p>
<dl class="fields">${items}</dl></div>`;
}

export function partnerPage(view: {
  admin: SignedInView;
  partner: Partner;
  secrets?: { label: string; value: string }[];
  notice?: string;
}): string {
  const partner = view.partner;
  const url = (value: string | null) =>
    value ? `<code>${escapeHtml(value)}</code>` : '<span class="muted">not set</span>';
  const fields = PARTNER_URL_FIELDS.map(
    ([name, label]) => `<dt>${escapeHtml(label)}</dt><dd>${url(partner[name])}</dd>`,
  ).join('');
  const redirects = partner.allowedRedirectUrls.length
    ? partner.allowedRedirectUrls.map((entry) => `<code>${escapeHtml(entry)}</code>`).join('<br>')
    : '<span class="muted">none</span>';
  return adminPage({
    title: partner.name,
    admin: view.admin,
    section: '/admin/partners',
    notice: view.notice,
    body: `<h1>${escapeHtml(partner.name)}</h1>
${view.secrets ? secretsShownOnce(view.secrets) : ''}
<div class="panel"><dl class="fields">
<dt>Id</dt><dd><code>${partner.id}</code></dd>
${fields}
<dt>Allowed redirect URLs</dt><dd>${redirects}</dd>
<dt>API key</dt><dd><span class="muted">write-only: shown once when issued</span>${apiKeyGraceNote(partner)}</dd>
<dt>Webhook secret</dt><dd><span class="muted">write-only: shown once when issued</span>${partner.previousWebhookSecretExpiresAt && partner.previousWebhookSecretExpiresAt > new Date() ? ` · the previous one signs too until ${formatTime(partner.previousWebhookSecretExpiresAt)}` : ''}</dd>
<dt>Created</dt><dd>${formatTime(partner.createdAt)}</dd>
</dl>
<div class="actions"><a class="button" href="/admin/partners/${partner.id}/edit">Edit</a>
<a class="button secondary" href="/admin/partners/${partner.id}/connections">Connections</a>
<a class="button secondary" href="/admin/partners/${partner.id}/test-webhook">Send test webhook</a>
<a class="button secondary" href="/admin/partners/${partner.id}/rotate-api-key">Rotate API key</a>
<a class="button secondary" href="/admin/partners/${partner.id}/rotate-webhook-secret">Rotate webhook secret</a>
<a class="button danger" href="/admin/partners/${partner.id}/delete">Delete partner</a></div>
</div>`,
  });
}

function apiKeyGraceNote(partner: Partner, now = new Date()): string {
  const until = partner.previousApiKeyExpiresAt;
  return until && until > now ? ` · the previous key works too until ${formatTime(until)}` : '';
}
