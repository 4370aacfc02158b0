import { escapeHtml, renderPage } from '@app/core';

export const STYLESHEET = '/users/assets/site.css';

export interface PasswordFormView {
  partnerName: string;
  providerTitle: string;
  /** Where the form posts: the link itself, with its validated callbacks. */
  action: string;
  csrfToken: string;
  email: string;
  username: string;
  error?: string;
}

/** The hosted form for password providers: address, login and (app) password; works without JavaScript. */
export function passwordFormPage(view: PasswordFormView): string {
  const error = view.error ? `<p class="error" role="alert" id="form-error">${escapeHtml(view.error)}</p>` : '';
  return renderPage({
    title: `Connect your ${view.providerTitle} mailbox`,
    stylesheet: STYLESHEET,
    body: `<h1>Connect your mailbox</h1>
<p><strong>${escapeHtml(view.partnerName)}</strong> asks to be told when mail arrives in your
<strong>${escapeHtml(view.providerTitle)}</strong> mailbox. Your password is checked with your provider, then
stored encrypted; the application never sees it.</p>
${error}
<form method="post" action="${escapeHtml(view.action)}"${view.error ? ' aria-describedby="form-error"' : ''}>
<input type="hidden" name="_csrf" value="${escapeHtml(view.csrfToken)}">
<label for="email">Email address</label>
<input type="email" id="email" name="email" required maxlength="320" autocomplete="email" value="${escapeHtml(view.email)}">
<label for="username">Login name</label>
<input type="text" id="username" name="username" maxlength="320" autocomplete="username" value="${escapeHtml(view.username)}" aria-describedby="username-hint">
<p class="hint" id="username-hint">Leave empty to use the email address.</p>
<label for="password">Password or app password</label>
<input type="password" id="password" name="password" required maxlength="1000" autocomplete="current-password" aria-describedby="password-hint">
<p class="hint" id="password-hint">Providers with two-step verification need an app password.</p>
<div class="actions"><button type="submit">Connect mailbox</button></div>
</form>`,
  });
}

export interface DisconnectView {
  partnerName: string;
  providerTitle: string;
  email: string | null;
  action: string;
  csrfToken: string;
}

/** Confirms a disconnect: a GET never changes anything. */
export function disconnectPage(view: DisconnectView): string {
  const mailbox = view.email ? ` <strong>${escapeHtml(view.email)}</strong>` : '';
  return renderPage({
    title: 'Disconnect your mailbox',
    stylesheet: STYLESHEET,
    body: `<h1>Disconnect your mailbox</h1>
<p><strong>${escapeHtml(view.partnerName)}</strong> will stop being told about mail in your
${escapeHtml(view.providerTitle)} mailbox${mailbox}. The stored credentials are deleted.</p>
<form method="post" action="${escapeHtml(view.action)}">
<input type="hidden" name="_csrf" value="${escapeHtml(view.csrfToken)}">
<div class="actions"><button type="submit">Disconnect</button></div>
</form>`,
  });
}

/** Shown when the partner gave no URL to return to. */
export function donePage(heading: string, message: string): string {
  return renderPage({
    title: heading,
    stylesheet: STYLESHEET,
    body: `<h1>${escapeHtml(heading)}</h1>
<p>${escapeHtml(message)}</p>
<p class="muted">You can close this window.</p>`,
  });
}
