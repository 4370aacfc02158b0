import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';

import { escapeHtml } from '@app/core';
import { AuditLog } from '@app/operators';

import { adminPage, formatTime } from './pages/admin-layout.js';
import { queryText } from './pages/forms.js';
import { nextPageLink, PAGE_SIZE, table } from './pages/lists.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin } from './session/session-ops.js';

/** The audit log, newest first, filtered by action, actor and outcome. */
@ApiExcludeController()
@Controller('admin/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  async list(@Query() query: unknown, @Res() response: Response): Promise<void> {
    const filter = {
      action: queryText(query, 'action'),
      actor: queryText(query, 'actor'),
      outcome: queryText(query, 'outcome'),
    };
    const page = await this.audit.page(filter, { limit: PAGE_SIZE, cursor: queryText(query, 'cursor') || undefined });
    const rows = page.rows.map(({ entity }) => [
      formatTime(entity.createdAt),
      escapeHtml(entity.actorEmail ?? '—'),
      `<code>${escapeHtml(entity.action)}</code>`,
      `<span class="badge ${entity.outcome === 'success' ? 'good' : 'bad'}">${escapeHtml(entity.outcome)}</span>`,
      entity.target ? `<code>${escapeHtml(entity.target)}</code>` : '',
      escapeHtml(entity.ip ?? ''),
    ]);
    const input = (name: keyof typeof filter, label: string) =>
      `<div><label for="${name}">${label}</label><input type="search" id="${name}" name="${name}" value="${escapeHtml(filter[name])}"></div>`;
    sendPage(
      response,
      200,
      adminPage({
        title: 'Audit log',
        admin: signedInAdmin(response),
        section: '/admin/audit',
        body: `<h1>Audit log</h1>
<form method="get" action="/admin/audit" class="filters" role="search">
${input('action', 'Action (e.g. sign_in)')}${input('actor', 'Email')}${input('outcome', 'Outcome')}
<button type="submit" class="secondary">Filter</button>
</form>
<div class="panel">${table(['When', 'Who', 'Action', 'Outcome', 'Target', 'From'], rows, 'Nothing matches.')}</div>
${nextPageLink('/admin/audit', filter, page.nextCursor)}`,
      }),
    );
  }
}
