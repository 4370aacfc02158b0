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

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A self-contained error page: no scripts, no external assets, no stack; the correlation id when there is one. */
export function errorPage(status: number, message: string, correlationId?: string): string {
  const title = TITLES[status] ?? (status >= 500 ? TITLES[500] : TITLES[400]);
  const reference = correlationId
    ? `<p class="ref">If you report this, quote the reference <code>${escapeHtml(correlationId)}</code>.</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · SuperIMAP</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
${reference}
<p class="status">HTTP ${status}</p>
</main>
</body>
</html>
`;
}
