import { Controller, Get, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { ConnectionsService } from '@app/connections';
import { DomainError } from '@app/core';
import { AuditLog } from '@app/operators';
import { PartnersService } from '@app/partners';
import { UsersService } from '@app/users';
import { CreateUserDto } from '@app/users/http';

import { actor } from './admin-actor.js';
import { optional, validateForm } from './pages/form-validation.js';
import { formFields } from './pages/forms.js';
import { newUserPage, type NewUserValues } from './pages/new-user-page.js';
import { sendPage } from './pages/responses.js';
import { signedInAdmin } from './session/session-ops.js';

/** Adding a user to a connection from the admin pages, under the partner API's rules. */
@ApiExcludeController()
@Controller('admin/partners/:partnerId/connections/:code/users')
export class ConnectionUsersController {
  constructor(
    private readonly partners: PartnersService,
    private readonly connections: ConnectionsService,
    private readonly users: UsersService,
    private readonly audit: AuditLog,
  ) {}

  @Get('new')
  async newForm(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('code') code: string,
    @Res() response: Response,
  ): Promise<void> {
    await this.render(response, partnerId, code, 200, { tag: '', email: '', login_username: '' }, []);
  }

  @Post()
  async create(
    @Param('partnerId', ParseUUIDPipe) partnerId: string,
    @Param('code') code: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const form = formFields(request.body, ['tag', 'email', 'login_username', 'login_password']);
    const values = { tag: form.tag.trim(), email: form.email.trim(), login_username: form.login_username.trim() };
    const checked = validateForm(CreateUserDto, {
      tag: values.tag,
      email: optional(values.email),
      login_username: optional(values.login_username),
      login_password: form.login_password === '' ? undefined : form.login_password,
    });
    if (!checked.value) return this.render(response, partnerId, code, 400, values, checked.errors);
    let user;
    try {
      user = await this.users.create(partnerId, code, checked.value);
    } catch (error) {
      if (!(error instanceof DomainError) || error.status >= 500 || error.kind === 'not_found') throw error;
      return this.render(response, partnerId, code, error.status, values, [error.message]);
    }
    await this.audit.record({
      ...actor(request, signedInAdmin(response)),
      action: 'user.create',
      target: user.id,
      details: { connection: code, tag: user.tag },
    });
    request.session.notice = `User ${user.tag} created.`;
    response.redirect(303, `/admin/users/${user.id}`);
  }

  private async render(
    response: Response,
    partnerId: string,
    code: string,
    status: number,
    values: NewUserValues,
    errors: string[],
  ): Promise<void> {
    const partner = await this.partners.get(partnerId);
    const connection = await this.connections.get(partnerId, code);
    sendPage(response, status, newUserPage({ admin: signedInAdmin(response), partner, connection, values, errors }));
  }
}
