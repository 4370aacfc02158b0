import { Controller, Get, NotFoundException, Param, ParseUUIDPipe, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { ConnectLinks } from '@app/connect';
import { DomainError } from '@app/core';
import { AuditLog } from '@app/operators';
import { type OperatorUserChange, type OperatorUserDetail, UsersService } from '@app/users';
import { UpdateUserDto } from '@app/users/http';

import { actor } from './admin-actor.js';
import { validateForm } from './pages/form-validation.js';
import { formFields } from './pages/forms.js';
import { sendPage } from './pages/responses.js';
import { type CredentialFormValues, credentialsPage, tracerPage } from './pages/user-action-pages.js';
import { userPage } from './pages/user-pages.js';
import { signedInAdmin } from './session/session-ops.js';
import { UserPageData } from './user-page-data.js';

/** What an operator changes on a user's page: connect/disconnect links, tracer, credentials (write-only). */
@ApiExcludeController()
@Controller('admin/users/:id')
export class UserActionsController {
  constructor(
    private readonly users: UsersService,
    private readonly links: ConnectLinks,
    private readonly pageData: UserPageData,
    private readonly audit: AuditLog,
  ) {}

  /** Issued on demand and shown once: a link is a capability over the mailbox's credentials, so it is audited. */
  @Post('links/:action')
  async issueLink(
    @Param('id', ParseUUIDPipe) id: string,
    @Param('action') action: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    if (action !== 'connect' && action !== 'disconnect') throw new NotFoundException();
    const admin = signedInAdmin(response);
    const who = actor(request, admin);
    let issued;
    try {
      issued = await this.links.issue(action, id);
    } catch (error) {
      if (!(error instanceof DomainError) || error.kind !== 'conflict') throw error;
      await this.audit.record({ ...who, action: `user.issue_${action}_link`, target: id, outcome: 'refused' });
      request.session.notice = `No link issued: ${error.message}`;
      return void response.redirect(303, `/admin/users/${id}`);
    }
    await this.audit.record({ ...who, action: `user.issue_${action}_link`, target: id });
    sendPage(response, 200, userPage(await this.pageData.view(admin, id, { issuedLink: issued })));
  }

  @Get('tracer')
  async confirmTracer(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    await this.renderTracer(id, response, 200);
  }

  @Post('tracer')
  async setTracer(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const { enabled } = formFields(request.body, ['enabled']);
    if (enabled !== 'true' && enabled !== 'false') return this.renderTracer(id, response, 400);
    const on = enabled === 'true';
    const who = actor(request, signedInAdmin(response));
    const action = on ? 'user.enable_tracer' : 'user.disable_tracer';
    try {
      await this.users.operatorUpdate(id, { enable_tracer: on });
    } catch (error) {
      // A provider without SMTP cannot send tracers: say so on the user's page.
      if (!(error instanceof DomainError) || error.kind !== 'invalid') throw error;
      await this.audit.record({ ...who, action, target: id, outcome: 'refused' });
      request.session.notice = `Tracer not enabled: ${error.message}`;
      return void response.redirect(303, `/admin/users/${id}`);
    }
    await this.audit.record({ ...who, action, target: id });
    request.session.notice = on ? 'Tracer enabled.' : 'Tracer disabled.';
    response.redirect(303, `/admin/users/${id}`);
  }

  private async renderTracer(id: string, response: Response, status: number): Promise<void> {
    const detail = await this.users.operatorDetail(id);
    sendPage(response, status, tracerPage({ admin: signedInAdmin(response), detail }));
  }

  @Get('credentials')
  async credentialsForm(@Param('id', ParseUUIDPipe) id: string, @Res() response: Response): Promise<void> {
    const detail = await this.users.operatorDetail(id);
    sendPage(
      response,
      200,
      credentialsPage({ admin: signedInAdmin(response), detail, values: storedValues(detail), errors: [] }),
    );
  }

  @Post('credentials')
  async saveCredentials(
    @Param('id', ParseUUIDPipe) id: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const admin = signedInAdmin(response);
    const detail = await this.users.operatorDetail(id);
    const form = formFields(request.body, ['email', 'login_username', 'login_password', 'oauth2_refresh_token']);
    const values = { email: form.email.trim(), login_username: form.login_username.trim() };
    const refuse = (status: number, errors: string[]) =>
      sendPage(response, status, credentialsPage({ admin, detail, values, errors }));
    const change = changedFields(detail, { ...form, ...values });
    if (Object.keys(change).length === 0) return refuse(400, ['Nothing to save: no field was changed.']);
    const checked = validateForm(UpdateUserDto, change);
    if (!checked.value) return refuse(400, checked.errors);
    try {
      await this.users.operatorUpdate(id, change);
    } catch (error) {
      if (!(error instanceof DomainError) || (error.kind !== 'invalid' && error.kind !== 'rate_limited')) throw error;
      await this.audit.record({ ...actor(request, admin), action: 'user.credentials', target: id, outcome: 'refused' });
      return refuse(error.status, [error.message]);
    }
    // Which fields changed, never their values.
    await this.audit.record({
      ...actor(request, admin),
      action: 'user.credentials',
      target: id,
      details: { fields: Object.keys(change).join(', ') },
    });
    request.session.notice = 'Credentials saved: the mailbox logs in with them now.';
    response.redirect(303, `/admin/users/${id}`);
  }
}

function storedValues(detail: OperatorUserDetail): CredentialFormValues {
  return { email: detail.user.email ?? '', login_username: detail.user.loginUsername ?? '' };
}

/** The fields the form changes: the login name or address when edited, a secret when one was typed. */
function changedFields(
  detail: OperatorUserDetail,
  form: Record<'email' | 'login_username' | 'login_password' | 'oauth2_refresh_token', string>,
): OperatorUserChange {
  const stored = storedValues(detail);
  const change: OperatorUserChange = {};
  if (detail.auth === 'password') {
    if (form.login_username && form.login_username !== stored.login_username)
      change.login_username = form.login_username;
    if (form.login_password) change.login_password = form.login_password;
  } else {
    if (form.email && form.email !== stored.email) change.email = form.email;
    if (form.oauth2_refresh_token) change.oauth2_refresh_token = form.oauth2_refresh_token;
  }
  return change;
}
