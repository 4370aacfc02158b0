import { escapeHtml } from '@app/core';
import { MIN_PASSWORD_LENGTH } from '@app/operators';

import { adminPage, csrfField, type SignedInView } from './admin-layout.js';

export function signInPage(view: { csrfToken: string; email?: string; error?: string; notice?: string }): string {
  const error = view.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(view.error)}</p>` : '';
  return adminPage({
    title: 'Sign in',
    notice: view.notice,
    body: `<h1>Sign in to SuperIMAP</h1>
${error}
<form method="post" action="/admin/login"${view.error ? ' aria-describedby="form-error"' : ''}>
${csrfField(view.csrfToken)}
<label for="email">Email</label>
<input type="email" id="email" name="email" required maxlength="320" autocomplete="username" autofocus value="${escapeHtml(view.email ?? '')}">
<label for="password">Password</label>
<input type="password" id="password" name="password" required maxlength="256" autocomplete="current-password">
<div class="actions"><button type="submit">Sign in</button></div>
</form>`,
  });
}

export function changePasswordPage(view: { admin: SignedInView; forced: boolean; error?: string }): string {
  const error = view.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(view.error)}</p>` : '';
  const why = view.forced
    ? '<p>Before anything else, replace the password this account was given.</p>'
    : '<p>Choose a new password for your account.</p>';
  return adminPage({
    title: 'Change password',
    admin: view.admin,
    body: `<section class="panel narrow">
<h1>Change your password</h1>
${why}
${error}
<form method="post" action="/admin/password"${view.error ? ' aria-describedby="form-error"' : ''}>
${csrfField(view.admin.csrfToken)}
<label for="current">Current password</label>
<input type="password" id="current" name="current" required maxlength="256" autocomplete="current-password">
<label for="password">New password</label>
<input type="password" id="password" name="password" required minlength="${MIN_PASSWORD_LENGTH}" maxlength="256" autocomplete="new-password" aria-describedby="password-hint">
<p class="hint" id="password-hint">At least ${MIN_PASSWORD_LENGTH} characters.</p>
<label for="confirm">New password again</label>
<input type="password" id="confirm" name="confirm" required maxlength="256" autocomplete="new-password">
<div class="actions"><button type="submit">Change password</button></div>
</form>
</section>`,
  });
}
