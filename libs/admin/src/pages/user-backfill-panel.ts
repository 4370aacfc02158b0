import { escapeHtml } from '@app/core';

import { csrfField, formatTime } from './admin-layout.js';
import { table } from './lists.js';

/** What the panel shows of a backfill (the imap lib's row). */
export interface BackfillView {
  status: string;
  since: Date | null;
  until: Date | null;
  found: number;
  delivered: number;
  skipped: number;
  lastError: string | null;
  createdAt: Date;
}

function statusBadge(status: string): string {
  const tone = status === 'done' ? 'good' : status === 'failed' ? 'bad' : '';
  return `<span class="badge ${tone}">${escapeHtml(status)}</span>`;
}

/** The user page's backfill section: start one (optionally between two dates, UTC) and the latest ones. */
export function backfillPanel(userId: string, backfills: BackfillView[], csrfToken: string): string {
  const rows = backfills.map((backfill) => [
    formatTime(backfill.createdAt),
    statusBadge(backfill.status),
    `${backfill.since ? formatTime(backfill.since) : 'oldest'} – ${backfill.until ? formatTime(backfill.until) : 'now'}`,
    `${backfill.delivered} sent, ${backfill.skipped} already delivered, of ${backfill.found}`,
    backfill.lastError ? escapeHtml(backfill.lastError) : '<span class="muted">—</span>',
  ]);
  return `<section class="panel"><h2>Backfill</h2>
<p class="hint" id="backfill-hint">Sends the messages already in the mailbox as new_mail webhooks (marked backfill), each once, oldest first. Dates are UTC; leave both empty for everything.</p>
<form method="post" action="/admin/users/${escapeHtml(userId)}/backfill" class="filters" aria-describedby="backfill-hint">${csrfField(csrfToken)}
<div><label for="backfill-since">Since</label><input type="datetime-local" id="backfill-since" name="since"></div>
<div><label for="backfill-until">Until</label><input type="datetime-local" id="backfill-until" name="until"></div>
<button type="submit">Start backfill</button>
</form>
${table(['Requested', 'Status', 'Range', 'Progress', 'Last error'], rows, 'No backfills yet.')}</section>`;
}
