import { Controller, Get, Param, ParseUUIDPipe, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { DomainError } from '@app/core';
import { assertAcceptablePassword, AdminUsersService, AuditLog } from '@app/operators';

import { actor } from './admin-actor.js';
import { adminUsersPage, resetPasswordPage } from './pages/admin-user-pages.js';
import { confirmPage } from './pages/confirm-page.js';
import { formFields, queryText } from './pages/forms.js';
import { PAGE_SIZE } from './pages/lists.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin, takeNotice } from './session/session-ops.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;

/** Admin accounts: create (with a temporary password), reset a password, unlock, delete. */
@ApiExcludeController()
@Controller('admin/admins')
export class AdminUsersController {
  constructor(
    private readonly admins: AdminUsersService,
    private readonly audit: AuditLog,
  ) {}

  @Get()
  async list(@Query() query: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.render(request, response, query, 200, [], '');
  }

  @Post()
  async create(@Req() request: Request, @Res() response: Response): Promise<void> {
    const { email, password } = formFields(request.body, ['email', 'password']);
    const address = email.trim();
    try {
      if (!EMAIL.test(address) || address.length > 320)
        throw new DomainError('invalid', 'ValidationFailed', 'Enter an email address.');
      assertAcceptablePassword(password, { email: address });
      const created = await this.admins.create(address, password, { mustChangePassword: true });
      await this.audit.record({
        ...actor(request, signedInAdmin(response)),
        action: 'admin.create',
        target: created.email,
      });
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500) throw error;
      return this.render(request, response, {}, 400, [error.message], address);
    }
    request.session.notice = `Admin ${address} created.`;
    response.redirect(303, '/admin/admins');
  }

  @Get(':id/reset-password')
  async resetForm(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const account = await this.admins.get(id);
    sendPage(response, 200, resetPasswordPage({ admin: signedInAdmin(response), account, errors: [] }));
  }

  @Post(':id/reset-password')
  async reset(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const account = await this.admins.get(id);
    const { password } = formFields(request.body, ['password']);
    try {
      await this.admins.resetPassword(id, password);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error;
      return sendPage(
        response,
        400,
        resetPasswordPage({ admin: signedInAdmin(response), account, errors: [error.message] }),
      );
    }
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'admin.reset_password',
      target: account.email,
    });
    request.session.notice = `The password of ${account.email} was reset.`;
    response.redirect(303, '/admin/admins');
  }

  @Get(':id/unlock')
  async confirmUnlock(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const account = await this.admins.get(id);
    sendPage(
      response,
      200,
      confirmPage({
        admin: signedInAdmin(response),
        section: '/admin/admins',
        title: `Unlock ${account.email}?`,
        message: 'The account can sign in again at once, before its lockout hour is over.',
        action: `/admin/admins/${id}/unlock`,
        button: 'Unlock',
        cancel: '/admin/admins',
      }),
    );
  }

  @Post(':id/unlock')
  async unlock(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const account = await this.admins.get(id);
    await this.admins.unlock(id);
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'admin.unlock',
      target: account.email,
    });
    request.session.notice = `${account.email} unlocked.`;
    response.redirect(303, '/admin/admins');
  }

  @Get(':id/delete')
  async confirmDelete(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const account = await this.admins.get(id);
    sendPage(
      response,
      200,
      confirmPage({
        admin: signedInAdmin(response),
        section: '/admin/admins',
        title: `Delete ${account.email}?`,
        message: 'The account can no longer sign in; its sessions end at their next request. Its audit trail stays.',
        action: `/admin/admins/${id}/delete`,
        button: 'Delete admin',
        cancel: '/admin/admins',
        danger: true,
      }),
    );
  }

  @Post(':id/delete')
  async remove(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const admin = signedInAdmin(response);
    const account = await this.admins.get(id);
    await this.admins.remove(id, admin.id);
    await this.audit.record({ ...actor(request, admin), action: 'admin.delete', target: account.email });
    request.session.notice = `${account.email} deleted.`;
    response.redirect(303, '/admin/admins');
  }

  private async render(
    request: Request,
    response: Response,
    query: unknown,
    status: number,
    errors: string[],
    email: string,
  ): Promise<void> {
    const filter = { email: queryText(query, 'email') };
    const page = await this.admins.page(filter, { limit: PAGE_SIZE, cursor: queryText(query, 'cursor') || undefined });
    sendPage(
      response,
      status,
      adminUsersPage({
        admin: signedInAdmin(response),
        admins: page.rows.map((row) => row.entity),
        filter,
        nextCursor: page.nextCursor,
        errors,
        email,
        notice: takeNotice(request),
      }),
    );
  }
}
