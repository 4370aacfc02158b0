import { Controller, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DomainError } from '@app/core';
import { BackfillRequests } from '@app/imap';
import { AuditLog } from '@app/operators';

import { actor } from './admin-actor.js';
import { formFields } from './pages/forms.js';
import { signedInAdmin } from './session/session-ops.js';

/** The user page's "Start backfill" form; the outcome is a notice on the user's page. */
@ApiExcludeController()
@Controller('admin/users')
export class UserBackfillsController {
  constructor(
    private readonly backfills: BackfillRequests,
    private readonly audit: AuditLog,
  ) {}

  @Post(':id/backfill')
  async start(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const who = actor(request, signedInAdmin(response));
    const { since, until } = formFields(request.body, ['since', 'until']);
    try {
      const backfill = await this.backfills.requestForUser(id, { since: since.trim(), until: until.trim() });
      await this.audit.record({ ...who, action: 'user.backfill', target: id, details: { backfill: backfill.id } });
      request.session.notice = 'Backfill requested: the imap-client watching the mailbox starts it within seconds.';
    } catch (error) {
      // Bad dates, an unconnected user or one already running: said on the user's page.
      if (!(error instanceof DomainError) || (error.kind !== 'invalid' && error.kind !== 'conflict')) throw error;
      await this.audit.record({ ...who, action: 'user.backfill', target: id, outcome: 'refused' });
      request.session.notice = `No backfill: ${error.message}`;
    }
    response.redirect(303, `/admin/users/${id}`);
  }
}
