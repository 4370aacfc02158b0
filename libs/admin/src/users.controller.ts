import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DomainError } from '@app/core';
import { BackfillRequests } from '@app/imap';
import { AuditLog } from '@app/operators';
import { SignedUserUrls, USER_STATES, type UserState, UsersService } from '@app/users';
import { EventsService } from '@app/webhooks';

import { actor } from './admin-actor.js';
import { confirmPage } from './pages/confirm-page.js';
import { queryText } from './pages/forms.js';
import { PAGE_SIZE } from './pages/lists.js';
import { sendPage } from './pages/responses.js';
import { backfillPanel } from './pages/user-backfill-panel.js';
import { type UserFilter, userPage, usersListPage } from './pages/user-pages.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Users: a search across partners (or one connection), each user's state, links, events; archive and restore. */
@ApiExcludeController()
@Controller('admin/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly urls: SignedUserUrls,
    private readonly events: EventsService,
    private readonly audit: AuditLog,
    private readonly backfills: BackfillRequests,
  ) {}

  @Get()
  async list(@Query() query: unknown, @Res() response: Response): Promise<void> {
    const filter: UserFilter = {
      tag: queryText(query, 'tag'),
      email: queryText(query, 'email'),
      state: queryText(query, 'state'),
      archived: queryText(query, 'archived'),
      connection: queryText(query, 'connection'),
    };
    const page = await this.users.operatorPage(
      {
        connectionId: UUID.test(filter.connection) ? filter.connection : undefined,
        tag: filter.tag || undefined,
        email: filter.email || undefined,
        state: (USER_STATES as readonly string[]).includes(filter.state) ? (filter.state as UserState) : undefined,
        archived: filter.archived === 'all' ? undefined : filter.archived === 'yes',
      },
      { limit: PAGE_SIZE, cursor: queryText(query, 'cursor') || undefined },
    );
    sendPage(
      response,
      200,
      usersListPage({
        admin: signedInAdmin(response),
        users: page.rows.map((row) => ({ user: row.entity, providerCode: row.raw.provider_code })),
        filter,
        nextCursor: page.nextCursor,
      }),
    );
  }

  @Get(':id')
  async show(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const user = await this.users.getById(id);
    const admin = signedInAdmin(response);
    const backfills = backfillPanel(user.id, await this.backfills.recentForUser(user.id), admin.csrfToken);
    sendPage(
      response,
      200,
      userPage({
        admin: signedInAdmin(response),
        user,
        connectUrl: this.urls.url('connect', user.id),
        disconnectUrl: this.urls.url('disconnect', user.id),
        events: await this.events.recentForUser(user.id),
        notice: takeNotice(request),
        sections: [backfills],
      }),
    );
  }

  @Get(':id/archive')
  confirmArchive(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    return this.confirm(id, 'archive', response);
  }

  @Get(':id/restore')
  confirmRestore(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    return this.confirm(id, 'restore', response);
  }

  @Post(':id/archive')
  archive(@Param('id', ParseUUIDPipe) id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.change(id, 'archive', request, response);
  }

  @Post(':id/restore')
  restore(@Param('id', ParseUUIDPipe) id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    return this.change(id, 'restore', request, response);
  }

  private async confirm(id: string, change: 'archive' | 'restore', response: Response): Promise<void> {
    const user = await this.users.getById(id);
    const archive = change === 'archive';
    sendPage(
      response,
      200,
      confirmPage({
        admin: signedInAdmin(response),
        section: '/admin/users',
        title: `${archive ? 'Archive' : 'Restore'} ${user.tag}?`,
        message: archive
          ? 'The mailbox stops being watched and no more webhooks are sent for it. It can be restored later.'
          : 'The mailbox is watched again with its stored credentials.',
        action: `/admin/users/${id}/${change}`,
        button: archive ? 'Archive user' : 'Restore user',
        cancel: `/admin/users/${id}`,
        danger: archive,
      }),
    );
  }

  private async change(id: string, change: 'archive' | 'restore', request: Request, response: Response): Promise<void> {
    const who = actor(request, signedInAdmin(response));
    try {
      await this.users.operatorSetArchived(id, change === 'archive');
    } catch (error) {
      // A restore can clash with an active user's tag or the partner's quota: say so on the user's page.
      if (!(error instanceof DomainError) || error.kind !== 'conflict') throw error;
      await this.audit.record({ ...who, action: `user.${change}`, target: id, outcome: 'refused' });
      request.session.notice = `Not restored: ${error.message}`;
      return void response.redirect(303, `/admin/users/${id}`);
    }
    await this.audit.record({ ...who, action: `user.${change}`, target: id });
    request.session.notice = change === 'archive' ? 'User archived.' : 'User restored.';
    response.redirect(303, `/admin/users/${id}`);
  }
}
