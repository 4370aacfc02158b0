import { escapeHtml } from '@app/core';
import type { Partner } from '@app/partners';
import { WEBHOOK_EVENT_STATUSES, WEBHOOK_EVENT_TYPES } from '@app/webhooks';

import { actionButton, adminPage, formatTime, type SignedInView } from './admin-layout.js';
import { nextPageLink, table } from './lists.js';

export interface EventFilter {
  partner: string;
  status: string;
  type: string;
  since: string;
  until: string;
}

export interface EventView {
  id: string;
  partnerId: string;
  type: string;
  status: string;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export interface AttemptView {
  attempt: number;
  responseCode: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  createdAt: Date;
}

function badge(status: string): string {
  const tone = status === 'delivered' ? 'good' : status === 'failed' ? 'bad' : '';
  return `<span class="badge ${tone}">${escapeHtml(status)}</span>`;
}

function excerpt(text: string | null, length: number): string {
  if (!text) return '<span class="muted">—</span>';
  return escapeHtml(text.length > length ? `${text.slice(0, length)}…` : text);
}

export function eventsPage(view: {
  admin: SignedInView;
  partners: Partner[];
  events: EventView[];
  filter: EventFilter;
  nextCursor: string | null;
  notice?: string;
}): string {
  const names = new Map(view.partners.map((partner) => [partner.id, partner.name]));
  const option = (value: string, label: string, current: string) =>
    `<option value="${escapeHtml(value)}"${value === current ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const select = (name: keyof EventFilter, label: string, values: [string, string][]) =>
    `<div><label for="${name}">${label}</label><select id="${name}" name="${name}">${option('', 'any', view.filter[name])}${values.map(([value, text]) => option(value, text, view.filter[name])).join('')}</select></div>`;
  const rows = view.events.map((event) => [
    `<a href="/admin/events/${event.id}">${formatTime(event.createdAt)}</a>`,
    escapeHtml(names.get(event.partnerId) ?? event.partnerId),
    `<code>${escapeHtml(event.type)}</code>`,
    badge(event.status),
    String(event.attempts),
    excerpt(event.lastError, 60),
  ]);
  const query = new URLSearchParams(Object.entries(view.filter).filter(([, value]) => value)).toString();
  return adminPage({
    title: 'Events',
    admin: view.admin,
    section: '/admin/events',
    notice: view.notice,
    body: `<h1>Webhook events</h1>
<form method="get" action="/admin/events" class="filters" role="search">
${select(
  'partner',
  'Partner',
  view.partners.map((partner) => [partner.id, partner.name]),
)}
${select(
  'status',
  'Status',
  WEBHOOK_EVENT_STATUSES.map((status) => [status, status]),
)}
${select(
  'type',
  'Type',
  WEBHOOK_EVENT_TYPES.map((type) => [type, type]),
)}
<div><label for="since">From (UTC)</label><input type="datetime-local" id="since" name="since" value="${escapeHtml(view.filter.since)}"></div>
<div><label for="until">Until (UTC)</label><input type="datetime-local" id="until" name="until" value="${escapeHtml(view.filter.until)}"></div>
<button type="submit" class="secondary">Filter</button>
<a class="button secondary" href="/admin/events/redeliver-failed${query ? `?${escapeHtml(query)}` : ''}">Redeliver failed…</a>
</form>
<div class="panel">${table(['Created', 'Partner', 'Type', 'Status', 'Attempts', 'Last error'], rows, 'No events match.')}</div>
${nextPageLink('/admin/events', { ...view.filter }, view.nextCursor)}`,
  });
}

export function eventPage(view: {
  admin: SignedInView;
  event: EventView;
  partnerName: string;
  userTag: string | null;
  attempts: AttemptView[];
  notice?: string;
}): string {
  const event = view.event;
  const attempts = view.attempts.map((attempt) => [
    String(attempt.attempt),
    formatTime(attempt.createdAt),
    attempt.responseCode === null ? '<span class="muted">no answer</span>' : String(attempt.responseCode),
    `${attempt.durationMs} ms`,
    excerpt(attempt.error ?? attempt.responseBody, 200),
  ]);
  return adminPage({
    title: `Event ${event.id}`,
    admin: view.admin,
    section: '/admin/events',
    notice: view.notice,
    body: `<p class="muted"><a href="/admin/events">Events</a> › ${escapeHtml(event.id)}</p>
<h1>${escapeHtml(event.type)} event</h1>
<div class="panel"><dl class="fields">
<dt>Id (webhook-id)</dt><dd><code>${escapeHtml(event.id)}</code></dd>
<dt>Partner</dt><dd><a href="/admin/partners/${event.partnerId}">${escapeHtml(view.partnerName)}</a></dd>
<dt>User</dt><dd>${view.userTag ? escapeHtml(view.userTag) : '<span class="muted">—</span>'}</dd>
<dt>Status</dt><dd>${badge(event.status)}</dd>
<dt>Created</dt><dd>${formatTime(event.createdAt)}</dd>
<dt>Delivered</dt><dd>${formatTime(event.deliveredAt)}</dd>
<dt>Last error</dt><dd>${excerpt(event.lastError, 500)}</dd>
</dl>
<div class="actions">${actionButton(`/admin/events/${event.id}/redeliver`, 'Redeliver this event', view.admin.csrfToken)}</div></div>
<section class="panel"><h2>Attempts</h2>
${table(['#', 'When', 'Response', 'Duration', 'Response excerpt or error'], attempts, 'No attempts yet.')}</section>`,
  });
}
