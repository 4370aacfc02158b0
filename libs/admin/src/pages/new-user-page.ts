import type { PartnerConnection } from '@app/connections';
import { escapeHtml } from '@app/core';
import type { Partner } from '@app/partners';

import { adminPage, csrfField, type SignedInView } from './admin-layout.js';
import { errorList } from './lists.js';

export type NewUserValues = Record<'tag' | 'email' | 'login_username', string>;

/** A new user of a connection: its tag and, if known, its login (the password is write-only). */
export function newUserPage(view: {
  admin: SignedInView;
  partner: Partner;
  connection: PartnerConnection;
  values: NewUserValues;
  errors: string[];
}): string {
  const { partner, connection } = view;
  const code = connection.provider.code;
  const base = `/admin/partners/${partner.id}/connections`;
  const login =
    connection.provider.auth === 'password'
      ? `<label for="login_username">Login username</label>
<input type="text" id="login_username" name="login_username" maxlength="320" autocomplete="off" value="${escapeHtml(view.values.login_username)}">
<label for="login_password">Password</label>
<input type="password" id="login_password" name="login_password" maxlength="1000" autocomplete="new-password">`
      : '';
  return adminPage({
    title: `New ${code} user`,
    admin: view.admin,
    section: '/admin/partners',
    body: `<p class="muted"><a href="/admin/partners/${partner.id}">${escapeHtml(partner.name)}</a> › <a href="${base}">Connections</a></p>
<section class="panel narrow wide-form">
<h1>New user of ${escapeHtml(connection.provider.title)}</h1>
${errorList(view.errors)}
<form method="post" action="${base}/${encodeURIComponent(code)}/users" autocomplete="off">
${csrfField(view.admin.csrfToken)}
<label for="tag">Tag</label>
<input type="text" id="tag" name="tag" required maxlength="255" value="${escapeHtml(view.values.tag)}" aria-describedby="tag-hint">
<p class="hint" id="tag-hint">The partner's own name for this user, unique in the connection.</p>
<label for="email">Email</label>
<input type="email" id="email" name="email" maxlength="320" value="${escapeHtml(view.values.email)}">
${login}
<p class="hint">Without a login the user gets one from a connect link (issued on the user's page).</p>
<div class="actions"><button type="submit">Create user</button> <a href="${base}">Cancel</a></div>
</form>
</section>`,
  });
}
