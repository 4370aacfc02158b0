import { escapeHtml } from '@app/core';
import type { SeenMessage } from '@app/imap';
import { USER_STATES, type UserState } from '@app/users';

import { actionButton, adminPage, formatTime, type SignedInView } from './admin-layout.js';
import { nextPageLink, table } from './lists.js';

/** What the user pages show of a user (the users lib's entity, without its credentials). */
export interface UserView {
  id: string;
  tag: string;
  email: string | null;
  state: UserState;
  lastError: string | null;
  lastEmailAt: Date | null;
  lastLoginAt: Date | null;
  connectedAt: Date | null;
  archivedAt: Date | null;
  createdAt: Date;
}

export interface UserFilter {
  tag: string;
  email: string;
  state: string;
  archived: string;
  connection: string;
}

/** Search states: a session state, or needs_credentials (no login stored yet). */
export const SEARCH_STATES = [...USER_STATES, 'needs_credentials'] as const;

/** What the API calls the state: a user without a login needs credentials, whatever its session says. */
function shownState(user: UserView, needsCredentials: boolean): string {
  return needsCredentials ? 'needs_credentials' : user.state;
}

function stateBadge(state: string): string {
  const tone = state === 'watching' ? 'good' : /error|failed/.test(state) ? 'bad' : '';
  return `<span class="badge ${tone}">${escapeHtml(state)}</span>`;
}

function eventBadge(status: string): string {
  const tone = status === 'delivered' ? 'good' : status === 'failed' ? 'bad' : '';
  return `<span class="badge ${tone}">${escapeHtml(status)}</span>`;
}

function excerpt(text: string | null, length = 80): string {
  if (!text) return '<span class="muted">—</span>';
  return escapeHtml(text.length > length ? `${text.slice(0, length)}…` : text);
}

export function usersListPage(view: {
  admin: SignedInView;
  users: { user: UserView; providerCode: string; needsCredentials: boolean }[];
  filter: UserFilter;
  nextCursor: string | null;
}): string {
  const rows = view.users.map(({ user, providerCode, needsCredentials }) => [
    `<a href="/admin/users/${user.id}">${escapeHtml(user.tag)}</a>${user.archivedAt ? ' <span class="badge">archived</span>' : ''}`,
    excerpt(user.email),
    stateBadge(shownState(user, needsCredentials)),
    excerpt(user.lastError, 60),
    formatTime(user.lastEmailAt),
    `<code>${escapeHtml(providerCode)}</code>`,
  ]);
  const option = (value: string, label: string, current: string) =>
    `<option value="${escapeHtml(value)}"${value === current ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const states = [option('', 'any', view.filter.state), ...SEARCH_STATES.map((s) => option(s, s, view.filter.state))];
  const archived = [
    option('', 'active', view.filter.archived),
    option('yes', 'archived', view.filter.archived),
    option('all', 'all', view.filter.archived),
  ];
  return adminPage({
    title: 'Users',
    admin: view.admin,
    section: '/admin/users',
    body: `<h1>Users</h1>
<form method="get" action="/admin/users" class="filters" role="search">
${view.filter.connection ? `<input type="hidden" name="connection" value="${escapeHtml(view.filter.connection)}">` : ''}
<div><label for="tag">Tag</label><input type="search" id="tag" name="tag" value="${escapeHtml(view.filter.tag)}"></div>
<div><label for="email">Email contains</label><input type="search" id="email" name="email" value="${escapeHtml(view.filter.email)}"></div>
<div><label for="state">State</label><select id="state" name="state">${states.join('')}</select></div>
<div><label for="archived">Show</label><select id="archived" name="archived">${archived.join('')}</select></div>
<button type="submit" class="secondary">Filter</button>
${view.filter.connection ? '<a href="/admin/users">All connections</a>' : ''}
</form>
<div class="panel">${table(['Tag', 'Email', 'State', 'Last error', 'Last mail', 'Provider'], rows, 'No users match.')}</div>
${nextPageLink('/admin/users', { ...view.filter }, view.nextCursor)}`,
  });
}

/** A link just issued on the user's page, shown once with its expiry. */
export interface IssuedLinkView {
  action: 'connect' | 'disconnect';
  url: string;
  expiresAt: Date;
}

export interface UserPageView {
  admin: SignedInView;
  user: UserView;
  partnerId: string;
  providerCode: string;
  tracerEnabled: boolean;
  tracerSupported: boolean;
  needsCredentials: boolean;
  events: { id: string; type: string; status: string; attempts: number; createdAt: Date; lastError: string | null }[];
  mail: SeenMessage[];
  issuedLink?: IssuedLinkView;
  notice?: string;
  /** Further panels (HTML), shown after the events. */
  sections?: string[];
}

export function userPage(view: UserPageView): string {
  const user = view.user;
  const events = view.events.map((event) => [
    `<a href="/admin/events/${event.id}">${formatTime(event.createdAt)}</a>`,
    `<code>${escapeHtml(event.type)}</code>`,
    eventBadge(event.status),
    String(event.attempts),
    excerpt(event.lastError, 60),
  ]);
  const mail = view.mail.map((message) => [
    formatTime(message.seenAt),
    excerpt(message.messageId, 60),
    `<code>${escapeHtml(message.uid)}</code>`,
    formatTime(message.internalDate),
    message.eventId
      ? `<a href="/admin/events/${message.eventId}">Event</a>`
      : '<span class="muted">none (tracer or duplicate)</span>',
  ]);
  const toggle = user.archivedAt
    ? `<a class="button secondary" href="/admin/users/${user.id}/restore">Restore user</a>`
    : `<a class="button secondary" href="/admin/users/${user.id}/archive">Archive user</a>`;
  const tracer = view.tracerEnabled
    ? `<span class="badge good">on</span>`
    : view.tracerSupported
      ? '<span class="badge">off</span>'
      : `<span class="badge">off</span> <span class="muted">${escapeHtml(view.providerCode)} has no SMTP settings, so it cannot send tracers</span>`;
  const partnerEvents = `/admin/events?partner=${view.partnerId}`;
  return adminPage({
    title: `User ${user.tag}`,
    admin: view.admin,
    section: '/admin/users',
    notice: view.notice,
    body: `<p class="muted"><a href="/admin/users">Users</a> › ${escapeHtml(user.tag)}</p>
<h1>${escapeHtml(user.tag)}</h1>
<div class="panel"><dl class="fields">
<dt>Email</dt><dd>${excerpt(user.email, 320)}</dd>
<dt>Connection</dt><dd><a href="/admin/partners/${view.partnerId}/connections"><code>${escapeHtml(view.providerCode)}</code></a></dd>
<dt>State</dt><dd>${stateBadge(shownState(user, view.needsCredentials))}${user.archivedAt ? ` <span class="badge">archived ${formatTime(user.archivedAt)}</span>` : ''}</dd>
<dt>Last error</dt><dd>${excerpt(user.lastError, 500)}</dd>
<dt>Last mail</dt><dd>${formatTime(user.lastEmailAt)}</dd>
<dt>Last login</dt><dd>${formatTime(user.lastLoginAt)}</dd>
<dt>Connected</dt><dd>${formatTime(user.connectedAt)}</dd>
<dt>Tracer</dt><dd>${tracer}</dd>
<dt>Created</dt><dd>${formatTime(user.createdAt)}</dd>
</dl>
<div class="actions"><a class="button secondary" href="/admin/users/${user.id}/credentials">Edit credentials</a>
<a class="button secondary" href="/admin/users/${user.id}/tracer">${view.tracerEnabled ? 'Disable tracer' : 'Enable tracer'}</a>
${toggle}</div></div>
${linksPanel(view)}
<section class="panel"><h2>Recent mail</h2>
${table(['Seen', 'Message-Id', 'UID', 'Internal date', 'Webhook'], mail, 'No mail seen yet.')}</section>
<section class="panel"><h2>Recent webhook events</h2>
${table(['When', 'Type', 'Status', 'Attempts', 'Last error'], events, 'No events yet.')}
<p><a href="${partnerEvents}">All events of this partner</a></p></section>
${(view.sections ?? []).join('\n')}`,
  });
}

/**
 * Links are issued on demand (a POST, audited) rather than on every page view: each one lets whoever holds it
 * set or delete the mailbox's credentials until it is used or expires.
 */
function linksPanel(view: UserPageView): string {
  const user = view.user;
  if (user.archivedAt) {
    return '<section class="panel"><h2>Links to send the user</h2><p class="muted">Restore the user to issue connect or disconnect links.</p></section>';
  }
  const issued = view.issuedLink
    ? `<div class="secret" role="status">
<label for="issued-link">${view.issuedLink.action === 'connect' ? 'Connect link' : 'Disconnect link'}</label>
<input type="text" id="issued-link" readonly value="${escapeHtml(view.issuedLink.url)}" aria-describedby="issued-hint">
<p class="hint" id="issued-hint">Works once, until ${formatTime(view.issuedLink.expiresAt)}. Copy it now: it is not shown again.</p></div>`
    : '';
  return `<section class="panel"><h2>Links to send the user</h2>
${issued}
<p class="hint">Each link is signed, works once and expires after 30 minutes; issuing one is recorded in the audit log.</p>
<div class="actions">${actionButton(`/admin/users/${user.id}/links/connect`, 'Issue connect link', view.admin.csrfToken)}
${actionButton(`/admin/users/${user.id}/links/disconnect`, 'Issue disconnect link', view.admin.csrfToken)}</div></section>`;
}
