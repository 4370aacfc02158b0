import { escapeHtml } from './escape-html.js';

export interface PageOptions {
  title: string;
  /** Already-escaped HTML of the page's main content. */
  body: string;
  /** Where the stylesheet is served (each area serves SITE_CSS under its own prefix). */
  stylesheet: string;
}

/**
 * The one layout of every server-rendered page: no scripts, no inline styles, no external assets, so the
 * strict CSP holds. Content comes in escaped; the title is escaped here.
 */
export function renderPage({ title, body, stylesheet }: PageOptions): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · SuperIMAP</title>
<link rel="stylesheet" href="${escapeHtml(stylesheet)}">
</head>
<body>
<main class="card">
${body}
</main>
<footer>SuperIMAP</footer>
</body>
</html>
`;
}

/** Headers every page is sent with: a strict CSP, no framing, no caching of forms with tokens. */
export const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' data:",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

/** The stylesheet of every page: readable on a laptop and a phone, visible keyboard focus. */
export const SITE_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d8dde6; --accent: #2457c5; --bad: #b3261e; }
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; flex-direction: column; align-items: center; justify-content: center;
  background: #f3f5f9; color: var(--ink); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.card { width: min(30rem, calc(100vw - 2rem)); background: #fff; border: 1px solid var(--line); border-radius: 12px;
  padding: 2rem; box-shadow: 0 2px 12px rgba(20, 30, 60, .06); }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
p { margin: .5rem 0 1rem; }
.muted, footer { color: var(--muted); font-size: .9rem; }
footer { margin: 1rem 0; }
label { display: block; font-weight: 600; margin: 1rem 0 .25rem; }
input[type=text], input[type=email], input[type=password] { width: 100%; padding: .6rem .7rem; font: inherit;
  border: 1px solid var(--line); border-radius: 8px; }
input:focus, button:focus, a:focus { outline: 3px solid #9bb8f5; outline-offset: 1px; }
.hint { color: var(--muted); font-size: .85rem; margin-top: .25rem; }
.actions { display: flex; gap: .75rem; align-items: center; margin-top: 1.5rem; }
button { font: inherit; font-weight: 600; padding: .6rem 1.2rem; border-radius: 8px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
.error { border: 1px solid #f1c0bc; background: #fdf1f0; color: var(--bad); border-radius: 8px; padding: .6rem .8rem; }
code { background: #eef1f6; padding: .1rem .3rem; border-radius: 4px; }
`;
