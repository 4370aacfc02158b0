import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DomainError } from '@app/core';
import { AuditLog } from '@app/operators';
import { hasCredentials, UsersService } from '@app/users';

import { actor } from './admin-actor.js';
import { confirmPage } from './pages/confirm-page.js';
import { queryText } from './pages/forms.js';
import { PAGE_SIZE } from './pages/lists.js';
import { sendPage } from './pages/responses.js';
import { SEARCH_STATES, type UserFilter, userPage, usersListPage } from './pages/user-pages.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';
import { UserPageData } from './user-page-data.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Users: a search across partners (or one connection), each user's state, mail and events; archive and restore. */
@ApiExcludeController()
@Controller('admin/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly pageData: UserPageData,
    private readonly audit: AuditLog,
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
        state: (SEARCH_STATES as readonly string[]).includes(filter.state)
          ? (filter.state as (typeof SEARCH_STATES)[number])
          : undefined,
        archived: filter.archived === 'all' ? undefined : filter.archived === 'yes',
      },
      { limit: PAGE_SIZE, cursor: queryText(query, 'cursor') || undefined },
    );
    sendPage(
      response,
      200,
      usersListPage({
        admin: signedInAdmin(response),
        users: page.rows.map((row) => ({
          user: row.entity,
          providerCode: row.raw.provider_code,
          needsCredentials: !hasCredentials(row.entity),
        })),
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
    const view = await this.pageData.view(signedInAdmin(response), id, { notice: takeNotice(request) });
    sendPage(response, 200, userPage(view));
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
