import { escapeHtml } from '../pages/escape-html.js';
import { renderPage } from '../pages/page-layout.js';

/** Served by the connect pages; admin pages serve the same stylesheet. */
const ERROR_PAGE_STYLESHEET = '/users/assets/site.css';

const TITLES: Record<number, string> = {
  400: 'This request cannot be used',
  401: 'Please sign in',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Already done',
  410: 'This link has expired',
  413: 'Too large',
  429: 'Too many attempts',
  500: 'Something went wrong',
  503: 'Temporarily unavailable',
};

/** Paths a person's browser opens (connect pages, admin pages): their errors are pages, not JSON. */
export function isBrowserPath(path: string): boolean {
  return /^\/(users|admin)(\/|$)/.test(path);
}

/** An error page in the site layout: no scripts, no stack; the correlation id when there is one. */
export function errorPage(status: number, message: string, correlationId?: string): string {
  const title = TITLES[status] ?? (status >= 500 ? TITLES[500] : TITLES[400]);
  const reference = correlationId
    ? `<p class="muted">If you report this, quote the reference <code>${escapeHtml(correlationId)}</code>.</p>`
    : '';
  return renderPage({
    title,
    stylesheet: ERROR_PAGE_STYLESHEET,
    body: `<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${reference}
<p class="muted">HTTP ${status}</p>`,
  });
}
