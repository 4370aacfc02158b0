import { escapeHtml } from '@app/core';
import type { Partner } from '@app/partners';
import type { TestWebhookResult } from '@app/webhooks';

import { adminPage, csrfField, type SignedInView } from './admin-layout.js';
import { errorList } from './lists.js';
import { PARTNER_URL_FIELDS } from './partner-pages.js';

/** How long the replaced API key may keep working, as the rotation form offers it. */
export const API_KEY_GRACE_CHOICES: [seconds: number, label: string][] = [
  [0, 'Revoke it now'],
  [3600, 'Keep it working for 1 hour'],
  [86400, 'Keep it working for 24 hours'],
];

/** The event types a test webhook can be sent as, with the partner field holding each one's URL. */
export const TEST_WEBHOOK_TARGETS = [
  ['new_mail', 'newMailWebhook'],
  ['user_connected', 'userConnectedWebhook'],
  ['user_disconnected', 'userDisconnectedWebhook'],
  ['account_error', 'accountErrorWebhook'],
] as const;

export function rotateApiKeyPage(view: { admin: SignedInView; partner: Partner; errors: string[] }): string {
  const choices = API_KEY_GRACE_CHOICES.map(
    ([seconds, label]) => `<option value="${seconds}"${seconds === 0 ? ' selected' : ''}>${escapeHtml(label)}</option>`,
  ).join('');
  const title = `Rotate the API key of ${view.partner.name}?`;
  return adminPage({
    title,
    admin: view.admin,
    section: '/admin/partners',
    body: `<section class="panel narrow wide-form">
<h1>${escapeHtml(title)}</h1>
<p>A new API key is issued and shown once. Webhooks signed the seed's way use the new key from then on.</p>
${errorList(view.errors)}
<form method="post" action="/admin/partners/${view.partner.id}/rotate-api-key">
${csrfField(view.admin.csrfToken)}
<label for="grace">The current key</label>
<select id="grace" name="grace" aria-describedby="grace-hint">${choices}</select>
<p class="hint" id="grace-hint">A grace period lets the partner's servers switch to the new key without failed requests.</p>
<div class="actions"><button type="submit">Rotate API key</button>
<a href="/admin/partners/${view.partner.id}">Cancel</a></div>
</form>
</section>`,
  });
}

export function testWebhookPage(view: {
  admin: SignedInView;
  partner: Partner;
  chosen?: string;
  result?: TestWebhookResult;
  errors?: string[];
}): string {
  const partner = view.partner;
  const labels = new Map<string, string>(PARTNER_URL_FIELDS);
  const configured = TEST_WEBHOOK_TARGETS.filter(([, field]) => partner[field]);
  const options = configured
    .map(
      ([type, field]) =>
        `<option value="${type}"${type === (view.chosen ?? configured[0][0]) ? ' selected' : ''}>${escapeHtml(
          `${labels.get(field)}: ${partner[field]}`,
        )}</option>`,
    )
    .join('');
  const form = configured.length
    ? `<form method="post" action="/admin/partners/${partner.id}/test-webhook">
${csrfField(view.admin.csrfToken)}
<label for="type">Send to</label>
<select id="type" name="type">${options}</select>
<div class="actions"><button type="submit">Send test webhook</button>
<a href="/admin/partners/${partner.id}">Back to the partner</a></div>
</form>`
    : `<p class="muted">This partner has no webhook URL yet.</p>
<div class="actions"><a class="button" href="/admin/partners/${partner.id}/edit">Add one</a></div>`;
  const title = `Test webhook for ${partner.name}`;
  return adminPage({
    title,
    admin: view.admin,
    section: '/admin/partners',
    body: `<p class="muted"><a href="/admin/partners">Partners</a> › <a href="/admin/partners/${partner.id}">${escapeHtml(partner.name)}</a></p>
<h1>${escapeHtml(title)}</h1>
${view.result ? testResult(view.result) : ''}
<section class="panel narrow wide-form">
${errorList(view.errors ?? [])}
<p>Sends <code>{"event": "test", …}</code> now, signed like every webhook (Standard Webhooks headers and the
seed's signature), and shows the answer. Nothing is queued or retried.</p>
${form}
</section>`,
  });
}

function testResult(result: TestWebhookResult): string {
  const answer =
    result.status === null
      ? `<span class="badge bad">no answer</span> ${escapeHtml(result.error ?? '')}`
      : `<span class="badge ${result.ok ? 'good' : 'bad'}">HTTP ${result.status}</span>`;
  const body = result.responseBody
    ? `<pre>${escapeHtml(result.responseBody)}</pre>`
    : '<span class="muted">empty</span>';
  return `<section class="panel" role="status" aria-label="Test result">
<h2>${result.ok ? 'Delivered' : 'Not delivered'}</h2>
<dl class="fields">
<dt>URL</dt><dd><code>${escapeHtml(result.url)}</code></dd>
<dt>Answer</dt><dd>${answer}</dd>
<dt>Took</dt><dd>${result.durationMs} ms</dd>
<dt>webhook-id</dt><dd><code>${result.webhookId}</code></dd>
<dt>Response</dt><dd>${body}</dd>
</dl></section>`;
}

/** What deleting a partner removes, counted when the confirmation is shown. */
export interface PartnerFootprint {
  connections: number;
  activeUsers: number;
  events: number;
}

export function deletePartnerMessage(partner: Partner, footprint: PartnerFootprint): string {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return (
    `This deletes ${partner.name} for good: its API key stops working at once, and with it go ` +
    `${plural(footprint.connections, 'connection')}, ${plural(footprint.activeUsers, 'active user')} ` +
    `(and any archived ones) with their stored credentials and mail logs, and ${plural(footprint.events, 'webhook event')}. ` +
    'It cannot be undone.'
  );
}
