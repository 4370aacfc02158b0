import { escapeHtml } from '@app/core';
import type { OperatorUserDetail } from '@app/users';

import { adminPage, csrfField, type SignedInView } from './admin-layout.js';
import { errorList } from './lists.js';

export interface CredentialFormValues {
  email: string;
  login_username: string;
}

/**
 * The credentials form: the login name and address are shown, passwords and tokens never (write-only: an
 * empty field keeps what is stored).
 */
export function credentialsPage(view: {
  admin: SignedInView;
  detail: OperatorUserDetail;
  values: CredentialFormValues;
  errors: string[];
}): string {
  const { user, auth } = view.detail;
  const stored = (yes: boolean, what: string) =>
    yes ? `A ${what} is stored; leave this empty to keep it.` : `No ${what} is stored yet.`;
  const fields =
    auth === 'password'
      ? `<label for="login_username">Login username</label>
<input type="text" id="login_username" name="login_username" maxlength="320" autocomplete="off" value="${escapeHtml(view.values.login_username)}">
<label for="login_password">New password</label>
<input type="password" id="login_password" name="login_password" maxlength="1000" autocomplete="new-password" aria-describedby="password-hint">
<p class="hint" id="password-hint">${stored(view.detail.passwordStored, 'password')}</p>`
      : `<label for="email">Mailbox address</label>
<input type="email" id="email" name="email" maxlength="320" autocomplete="off" value="${escapeHtml(view.values.email)}">
<label for="oauth2_refresh_token">New OAuth2 refresh token</label>
<input type="password" id="oauth2_refresh_token" name="oauth2_refresh_token" maxlength="4000" autocomplete="off" aria-describedby="token-hint">
<p class="hint" id="token-hint">${stored(view.detail.refreshTokenStored, 'refresh token')}</p>`;
  const title = `Credentials of ${user.tag}`;
  return adminPage({
    title,
    admin: view.admin,
    section: '/admin/users',
    body: `<p class="muted"><a href="/admin/users">Users</a> › <a href="/admin/users/${user.id}">${escapeHtml(user.tag)}</a></p>
<section class="panel narrow wide-form">
<h1>${escapeHtml(title)}</h1>
<p>New credentials are tried at once: the mailbox's last authentication error is cleared.</p>
${errorList(view.errors)}
<form method="post" action="/admin/users/${user.id}/credentials" autocomplete="off">
${csrfField(view.admin.csrfToken)}
${fields}
<div class="actions"><button type="submit">Save credentials</button>
<a href="/admin/users/${user.id}">Cancel</a></div>
</form>
</section>`,
  });
}

export function tracerPage(view: { admin: SignedInView; detail: OperatorUserDetail }): string {
  const { user, providerCode, tracerSupported } = view.detail;
  const enable = !user.enableTracer;
  const title = `${enable ? 'Enable' : 'Disable'} tracer emails for ${user.tag}?`;
  const explanation = enable
    ? 'SuperIMAP sends test emails to this mailbox through its provider’s SMTP server and measures how long each takes to arrive.'
    : 'No more tracer emails are sent to this mailbox.';
  const action =
    enable && !tracerSupported
      ? `<div class="error" role="alert">${escapeHtml(providerCode)} has no SMTP settings, so tracers cannot be sent to this mailbox. Add SMTP settings to the provider first.</div>
<div class="actions"><a href="/admin/users/${user.id}">Back to the user</a></div>`
      : `<form method="post" action="/admin/users/${user.id}/tracer">
${csrfField(view.admin.csrfToken)}<input type="hidden" name="enabled" value="${enable}">
<div class="actions"><button type="submit">${enable ? 'Enable tracer' : 'Disable tracer'}</button>
<a href="/admin/users/${user.id}">Cancel</a></div></form>`;
  return adminPage({
    title,
    admin: view.admin,
    section: '/admin/users',
    body: `<section class="panel narrow wide-form">
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(explanation)}</p>
${action}
</section>`,
  });
}
