import { escapeHtml } from '@app/core';
import { USER_STATES, type UserState } from '@app/users';

import { adminPage, formatTime, type SignedInView } from './admin-layout.js';
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
  users: { user: UserView; providerCode: string }[];
  filter: UserFilter;
  nextCursor: string | null;
}): string {
  const rows = view.users.map(({ user, providerCode }) => [
    `<a href="/admin/users/${user.id}">${escapeHtml(user.tag)}</a>${user.archivedAt ? ' <span class="badge">archived</span>' : ''}`,
    excerpt(user.email),
    stateBadge(user.state),
    excerpt(user.lastError, 60),
    formatTime(user.lastEmailAt),
    `<code>${escapeHtml(providerCode)}</code>`,
  ]);
  const option = (value: string, label: string, current: string) =>
    `<option value="${escapeHtml(value)}"${value === current ? ' selected' : ''}>${escapeHtml(label)}</option>`;
  const states = [option('', 'any', view.filter.state), ...USER_STATES.map((s) => option(s, s, view.filter.state))];
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

export function userPage(view: {
  admin: SignedInView;
  user: UserView;
  connectUrl: string;
  disconnectUrl: string;
  events: { id: string; type: string; status: string; attempts: number; createdAt: Date; lastError: string | null }[];
  notice?: string;
  /** Further panels (HTML), shown after the events. */
  sections?: string[];
}): string {
  const user = view.user;
  const events = view.events.map((event) => [
    `<a href="/admin/events/${event.id}">${formatTime(event.createdAt)}</a>`,
    `<code>${escapeHtml(event.type)}</code>`,
    eventBadge(event.status),
    String(event.attempts),
    excerpt(event.lastError, 60),
  ]);
  const link = (id: string, label: string, url: string) =>
    `<label for="${id}">${label}</label><input type="text" id="${id}" readonly value="${escapeHtml(url)}" aria-describedby="links-hint">`;
  const toggle = user.archivedAt
    ? `<a class="button secondary" href="/admin/users/${user.id}/restore">Restore user</a>`
    : `<a class="button secondary" href="/admin/users/${user.id}/archive">Archive user</a>`;
  return adminPage({
    title: `User ${user.tag}`,
    admin: view.admin,
    section: '/admin/users',
    notice: view.notice,
    body: `<p class="muted"><a href="/admin/users">Users</a> › ${escapeHtml(user.tag)}</p>
<h1>${escapeHtml(user.tag)}</h1>
<div class="panel"><dl class="fields">
<dt>Email</dt><dd>${excerpt(user.email, 320)}</dd>
<dt>State</dt><dd>${stateBadge(user.state)}${user.archivedAt ? ` <span class="badge">archived ${formatTime(user.archivedAt)}</span>` : ''}</dd>
<dt>Last error</dt><dd>${excerpt(user.lastError, 500)}</dd>
<dt>Last mail</dt><dd>${formatTime(user.lastEmailAt)}</dd>
<dt>Last login</dt><dd>${formatTime(user.lastLoginAt)}</dd>
<dt>Connected</dt><dd>${formatTime(user.connectedAt)}</dd>
<dt>Created</dt><dd>${formatTime(user.createdAt)}</dd>
</dl>
<div class="actions">${toggle}</div></div>
<section class="panel"><h2>Links to send the user</h2>
${link('connect-url', 'Connect link', view.connectUrl)}
${link('disconnect-url', 'Disconnect link', view.disconnectUrl)}
<p class="hint" id="links-hint">Signed, valid for 30 minutes from when this page was opened.</p></section>
<section class="panel"><h2>Recent webhook events</h2>
${table(['When', 'Type', 'Status', 'Attempts', 'Last error'], events, 'No events yet.')}</section>
${(view.sections ?? []).join('\n')}`,
  });
}
