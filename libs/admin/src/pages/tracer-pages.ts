import { escapeHtml } from '@app/core';
import { type OperatorTracerRow, TRACER_STATUSES } from '@app/tracers';

import { adminPage, formatClock, formatTime, type SignedInView } from './admin-layout.js';
import { nextPageLink, table } from './lists.js';

export interface TracerFilter {
  user: string;
  tag: string;
  connection: string;
  status: string;
}

function statusBadge(status: string): string {
  const tone = status === 'detected' ? 'good' : status === 'failed' || status === 'missing' ? 'bad' : '';
  return `<span class="badge ${tone}">${escapeHtml(status)}</span>`;
}

export function tracersPage(view: {
  admin: SignedInView;
  rows: OperatorTracerRow[];
  filter: TracerFilter;
  nextCursor: string | null;
}): string {
  const rows = view.rows.map(({ log, connectionId, providerCode }) => [
    formatTime(log.createdAt),
    `<a href="/admin/users/${log.userId}">${escapeHtml(log.userTag ?? log.userId)}</a>`,
    `<a href="/admin/tracers?connection=${connectionId}"><code>${escapeHtml(providerCode)}</code></a>`,
    log.roundId
      ? `<code title="${escapeHtml(log.roundId)}">${escapeHtml(log.roundId.slice(0, 12))}</code>`
      : '<span class="muted">—</span>',
    statusBadge(log.status),
    formatClock(log.sentAt),
    formatClock(log.detectedAt),
    log.latencySeconds === null ? '<span class="muted">—</span>' : `${log.latencySeconds.toFixed(2)} s`,
    log.error ? escapeHtml(log.error.length > 80 ? `${log.error.slice(0, 80)}…` : log.error) : '',
  ]);
  const option = (value: string, label: string) =>
    `<option value="${escapeHtml(value)}"${value === view.filter.status ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const input = (name: keyof TracerFilter, label: string) =>
    `<div><label for="${name}">${escapeHtml(label)}</label><input type="search" id="${name}" name="${name}" value="${escapeHtml(view.filter[name])}"></div>`;
  return adminPage({
    title: 'Tracer logs',
    admin: view.admin,
    section: '/admin/tracers',
    body: `<h1>Tracer logs</h1>
<p class="muted">Each tracer is an email sent to a user's mailbox over SMTP and noticed by its IMAP session: latency runs from SMTP accepting it to SuperIMAP seeing it arrive.</p>
<form method="get" action="/admin/tracers" class="filters" role="search">
${input('tag', 'User tag')}${input('user', 'User id')}${input('connection', 'Connection id')}
<div><label for="status">Status</label><select id="status" name="status">${[option('', 'any'), ...TRACER_STATUSES.map((status) => option(status, status))].join('')}</select></div>
<button type="submit" class="secondary">Filter</button>
</form>
<div class="panel">${table(['Written', 'User', 'Connection', 'Round', 'Status', 'Sent (UTC)', 'Detected (UTC)', 'Latency', 'Error'], rows, 'No tracers match.')}</div>
${nextPageLink('/admin/tracers', { ...view.filter }, view.nextCursor)}`,
  });
}
