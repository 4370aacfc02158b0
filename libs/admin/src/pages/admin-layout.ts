import { escapeHtml } from '@app/core';

export const ADMIN_STYLESHEET = '/admin/assets/admin.css';

/** The sections in the menu, in order. */
export const ADMIN_SECTIONS: { path: string; label: string }[] = [
  { path: '/admin', label: 'Dashboard' },
  { path: '/admin/partners', label: 'Partners' },
  { path: '/admin/providers', label: 'Providers' },
  { path: '/admin/users', label: 'Users' },
  { path: '/admin/events', label: 'Events' },
  { path: '/admin/tracers', label: 'Tracers' },
  { path: '/admin/jobs', label: 'Jobs' },
  { path: '/admin/admins', label: 'Admin users' },
  { path: '/admin/audit', label: 'Audit log' },
];

export interface SignedInView {
  id: string;
  email: string;
  csrfToken: string;
}

export interface AdminPageOptions {
  title: string;
  /** Already-escaped HTML. */
  body: string;
  /** The signed-in admin (menu and sign-out); absent on the sign-in pages. */
  admin?: SignedInView;
  /** Which menu entry is current. */
  section?: string;
  /** A one-time message after an action (plain text). */
  notice?: string;
  /** Script files under /admin/assets (never inline: the CSP forbids it), run after the page has loaded. */
  scripts?: string[];
}

/**
 * The layout of every admin page: a menu, the content, no inline scripts or styles (the strict CSP holds) and
 * no external assets; only the dashboard loads script files, for its charts. Content comes in escaped; title and notice are escaped here.
 */
export function adminPage(options: AdminPageOptions): string {
  const notice = options.notice ? `<p class="notice" role="status">${escapeHtml(options.notice)}</p>` : '';
  const header = options.admin ? menu(options.admin, options.section) : '';
  const mainClass = options.admin ? 'wide' : 'card';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(options.title)} · SuperIMAP admin</title>
<link rel="stylesheet" href="${ADMIN_STYLESHEET}">
${(options.scripts ?? []).map((src) => `<script src="${escapeHtml(src)}" defer></script>`).join('\n')}
</head>
<body>
<a class="skip" href="#content">Skip to content</a>
${header}
<main id="content" class="${mainClass}">
${notice}
${options.body}
</main>
</body>
</html>
`;
}

function menu(admin: SignedInView, section?: string): string {
  const links = ADMIN_SECTIONS.map((entry) => {
    const current = entry.path === section ? ' aria-current="page"' : '';
    return `<li><a href="${escapeHtml(entry.path)}"${current}>${escapeHtml(entry.label)}</a></li>`;
  }).join('');
  return `<header class="top">
<a class="brand" href="/admin">SuperIMAP</a>
<nav aria-label="Sections"><ul>${links}</ul></nav>
<div class="who"><span>${escapeHtml(admin.email)}</span>
<a href="/admin/password">Password</a>
<form method="post" action="/admin/logout" class="inline">${csrfField(admin.csrfToken)}<button type="submit" class="link">Sign out</button></form></div>
</header>`;
}

export function csrfField(token: string): string {
  return `<input type="hidden" name="_csrf" value="${escapeHtml(token)}">`;
}

/** A form that posts one confirmed action (the button says exactly what happens). */
export function actionButton(
  action: string,
  label: string,
  csrfToken: string,
  options: { danger?: boolean; fields?: Record<string, string> } = {},
): string {
  const fields = Object.entries(options.fields ?? {})
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('');
  return `<form method="post" action="${escapeHtml(action)}" class="inline">${csrfField(csrfToken)}${fields}<button type="submit"${options.danger ? ' class="danger"' : ''}>${escapeHtml(label)}</button></form>`;
}

/** A time of day only (UTC), for a column beside a full date. */
export function formatClock(date: Date | null | undefined): string {
  if (!date) return '<span class="muted">—</span>';
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(11, 19)}</time>`;
}

export function formatTime(date: Date | null | undefined): string {
  if (!date) return '<span class="muted">—</span>';
  const iso = date.toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** The stylesheet of the admin pages: a menu bar, wide tables, visible keyboard focus. */
export const ADMIN_CSS = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d8dde6; --accent: #6b1f73; --accent-soft: #f4e9f5;
  --bad: #b3261e; --good: #1e7b3a; --bg: #f3f5f9; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .5rem; z-index: 10; }
header.top { display: flex; align-items: center; gap: 1rem; padding: .6rem 1.5rem; background: var(--accent); color: #fff; flex-wrap: wrap; }
header.top a { color: #fff; text-decoration: none; }
header.top .brand { font-weight: 700; font-size: 1.1rem; }
header.top nav ul { display: flex; gap: .25rem; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
header.top nav a { padding: .35rem .55rem; border-radius: 6px; display: inline-block; }
header.top nav a:hover, header.top nav a[aria-current=page] { background: rgba(255,255,255,.18); }
header.top .who { margin-left: auto; display: flex; gap: 1rem; align-items: center; font-size: .9rem; }
main.wide { max-width: 78rem; margin: 1.5rem auto; padding: 0 1.5rem; }
main.card { width: min(28rem, calc(100vw - 2rem)); margin: 12vh auto 2rem; background: #fff; border: 1px solid var(--line);
  border-radius: 12px; padding: 2rem; box-shadow: 0 2px 12px rgba(20, 30, 60, .06); }
.panel.narrow { max-width: 30rem; }
.panel.narrow.wide-form { max-width: 42rem; }
.panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 1.25rem 1.5rem; margin-bottom: 1.25rem; overflow-x: auto; }
h1 { font-size: 1.45rem; margin: 0 0 1rem; }
h2 { font-size: 1.1rem; margin: 0 0 .75rem; }
p { margin: .5rem 0 1rem; }
a { color: var(--accent); }
.muted { color: var(--muted); }
label { display: block; font-weight: 600; margin: .9rem 0 .25rem; }
input[type=text], input[type=email], input[type=password], input[type=url], input[type=number], input[type=search],
input[type=datetime-local], select, textarea { width: 100%; padding: .5rem .65rem; font: inherit; border: 1px solid var(--line);
  border-radius: 7px; background: #fff; }
textarea { min-height: 5rem; }
input:focus, button:focus, a:focus, select:focus, textarea:focus { outline: 3px solid #c79acb; outline-offset: 1px; }
.hint { color: var(--muted); font-size: .85rem; margin: .2rem 0 0; }
.actions { display: flex; gap: .75rem; align-items: center; margin-top: 1.25rem; flex-wrap: wrap; }
button, .button { font: inherit; font-weight: 600; padding: .45rem 1rem; border-radius: 7px; border: 1px solid var(--accent);
  background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: #fff; color: var(--accent); }
button.danger, .button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
button.link { background: none; border: none; color: inherit; padding: 0; font-weight: 400; text-decoration: underline; }
form.inline { display: inline; margin: 0; }
.error { border: 1px solid #f1c0bc; background: #fdf1f0; color: var(--bad); border-radius: 8px; padding: .6rem .8rem; }
.notice { border: 1px solid #b9dcc4; background: #eff8f1; color: var(--good); border-radius: 8px; padding: .6rem .8rem; }
.secret { margin-bottom: 1.25rem; border: 1px solid #e7cf8f; background: #fff8e6; border-radius: 8px; padding: .75rem 1rem; }
.secret code { font-size: .95rem; word-break: break-all; }
code { background: #eef1f6; padding: .1rem .3rem; border-radius: 4px; font-size: .9em; }
pre { background: #eef1f6; padding: .5rem .7rem; border-radius: 6px; margin: 0; white-space: pre-wrap; word-break: break-all; max-height: 16rem; overflow: auto; }
table { width: 100%; border-collapse: collapse; background: #fff; }
td time { white-space: nowrap; }
th, td { text-align: left; padding: .5rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { white-space: nowrap; font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; color: var(--muted); }
tbody tr:hover { background: #fafbfd; }
.filters { display: flex; gap: .75rem; align-items: flex-end; flex-wrap: wrap; margin-bottom: 1rem; }
.filters label { margin: 0 0 .2rem; font-size: .85rem; }
.filters > div { min-width: 10rem; }
.pager { margin-top: 1rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 1rem; }
.cards a { display: block; text-decoration: none; color: inherit; }
.cards .panel:hover { border-color: var(--accent); }
dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1.5rem; margin: 0; }
dl.fields dt { color: var(--muted); }
dl.fields dd { margin: 0; word-break: break-word; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(9.5rem, 1fr)); gap: .75rem; margin-bottom: 1.25rem; }
.figure { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: .7rem 1rem; }
.figure .value { display: block; font-size: 1.5rem; font-weight: 700; }
.figure .label { color: var(--muted); font-size: .85rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(32rem, 1fr)); gap: 0 1.25rem; }
.chart-panel { min-width: 0; }
.chart { position: relative; height: 13rem; display: none; }
.charts-drawn .chart { display: block; }
details { margin-top: .75rem; }
details summary { cursor: pointer; color: var(--accent); font-size: .9rem; }
details table { margin-top: .5rem; font-size: .9rem; }
details[open] { max-height: 22rem; overflow: auto; }
fieldset { border: 1px solid var(--line); border-radius: 8px; margin: 1.25rem 0 0; padding: .25rem 1rem 1rem; }
legend { font-weight: 700; padding: 0 .4rem; }
label.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem; background: #eef1f6; }
.badge.good { background: #e3f3e8; color: var(--good); }
.badge.bad { background: #fbe5e3; color: var(--bad); }
`;
