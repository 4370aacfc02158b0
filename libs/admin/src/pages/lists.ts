import { escapeHtml } from '@app/core';

/** The link to the next page of a list, keeping its filters. */
export function nextPageLink(basePath: string, filters: Record<string, string>, nextCursor: string | null): string {
  if (!nextCursor) return '';
  const query = new URLSearchParams({
    ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)),
    cursor: nextCursor,
  });
  return `<p class="pager"><a class="button secondary" href="${escapeHtml(`${basePath}?${query.toString()}`)}">Next page</a></p>`;
}

export function table(headings: string[], rows: string[][], empty: string): string {
  if (rows.length === 0) return `<p class="muted">${escapeHtml(empty)}</p>`;
  const head = headings.map((heading) => `<th scope="col">${escapeHtml(heading)}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export function errorList(errors: string[]): string {
  if (errors.length === 0) return '';
  return `<div class="error" role="alert" id="form-error"><ul>${errors.map((e) => `<li>${escapeHtml(e)}</li>`).join('')}</ul></div>`;
}

export const PAGE_SIZE = 50;
