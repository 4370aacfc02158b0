import { escapeHtml } from '@app/core';
import { type AdminUser, MIN_PASSWORD_LENGTH } from '@app/operators';

import { adminPage, csrfField, formatTime, type SignedInView } from './admin-layout.js';
import { errorList, nextPageLink, table } from './lists.js';

export function adminUsersPage(view: {
  admin: SignedInView;
  admins: AdminUser[];
  filter: { email: string };
  nextCursor: string | null;
  errors: string[];
  email: string;
  notice?: string;
}): string {
  const now = Date.now();
  const rows = view.admins.map((account) => {
    const locked = account.lockedUntil && account.lockedUntil.getTime() > now;
    const status = [
      locked ? `<span class="badge bad">locked until ${formatTime(account.lockedUntil)}</span>` : '',
      account.mustChangePassword ? '<span class="badge">must change password</span>' : '',
    ].join(' ');
    const actions = [
      `<a href="/admin/admins/${account.id}/reset-password">Reset password</a>`,
      locked ? `<a href="/admin/admins/${account.id}/unlock">Unlock</a>` : '',
      account.id === view.admin.id ? '' : `<a href="/admin/admins/${account.id}/delete">Delete</a>`,
    ].filter(Boolean);
    return [
      escapeHtml(account.email),
      status || '<span class="muted">—</span>',
      `${formatTime(account.currentSignInAt)}${account.currentSignInIp ? ` <span class="muted">from ${escapeHtml(account.currentSignInIp)}</span>` : ''}`,
      String(account.signInCount),
      actions.join(' · '),
    ];
  });
  return adminPage({
    title: 'Admin users',
    admin: view.admin,
    section: '/admin/admins',
    notice: view.notice,
    body: `<h1>Admin users</h1>
<form method="get" action="/admin/admins" class="filters" role="search">
<div><label for="filter-email">Email contains</label><input type="search" id="filter-email" name="email" value="${escapeHtml(view.filter.email)}"></div>
<button type="submit" class="secondary">Filter</button>
</form>
<div class="panel">${table(['Email', 'Status', 'Last sign-in', 'Sign-ins', ''], rows, 'No admins match.')}</div>
${nextPageLink('/admin/admins', view.filter, view.nextCursor)}
<section class="panel narrow wide-form">
<h2>New admin</h2>
${errorList(view.errors)}
<form method="post" action="/admin/admins">
${csrfField(view.admin.csrfToken)}
<label for="email">Email</label>
<input type="email" id="email" name="email" required maxlength="320" value="${escapeHtml(view.email)}">
${passwordField('Temporary password')}
<p class="hint">The new admin must choose their own password at the first sign-in.</p>
<div class="actions"><button type="submit">Create admin</button></div>
</form>
</section>`,
  });
}

function passwordField(label: string): string {
  return `<label for="password">${escapeHtml(label)}</label>
<input type="password" id="password" name="password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="256" autocomplete="new-password" aria-describedby="password-hint">
<p class="hint" id="password-hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>`;
}

export function resetPasswordPage(view: { admin: SignedInView; account: AdminUser; errors: string[] }): string {
  return adminPage({
    title: `Reset the password of ${view.account.email}`,
    admin: view.admin,
    section: '/admin/admins',
    body: `<section class="panel narrow wide-form">
<h1>Reset the password of ${escapeHtml(view.account.email)}?</h1>
<p>The account gets this temporary password, is unlocked, and must choose a new password at its next sign-in.</p>
${errorList(view.errors)}
<form method="post" action="/admin/admins/${view.account.id}/reset-password">
${csrfField(view.admin.csrfToken)}
${passwordField('Temporary password')}
<div class="actions"><button type="submit">Reset password</button> <a href="/admin/admins">Cancel</a></div>
</form>
</section>`,
  });
}
