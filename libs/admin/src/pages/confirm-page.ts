import { escapeHtml } from '@app/core';

import { actionButton, adminPage, type SignedInView } from './admin-layout.js';

/** Every action is confirmed: a GET shows what will happen, only the POST does it. */
export function confirmPage(view: {
  admin: SignedInView;
  section: string;
  title: string;
  message: string;
  action: string;
  button: string;
  cancel: string;
  danger?: boolean;
}): string {
  return adminPage({
    title: view.title,
    admin: view.admin,
    section: view.section,
    body: `<section class="panel narrow wide-form">
<h1>${escapeHtml(view.title)}</h1>
<p>${escapeHtml(view.message)}</p>
<div class="actions">${actionButton(view.action, view.button, view.admin.csrfToken, { danger: view.danger })}
<a href="${escapeHtml(view.cancel)}">Cancel</a></div>
</section>`,
  });
}
