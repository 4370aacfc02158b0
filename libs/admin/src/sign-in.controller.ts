import { Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';

import { AppConfig, DomainError } from '@app/core';
import { AdminSignIn, AdminUsersService, AuditLog, Clock } from '@app/operators';

import { actor, clientAddress } from './admin-actor.js';
import { formFields } from './pages/forms.js';
import { sendPage } from './pages/responses.js';
import { changePasswordPage, signInPage } from './pages/sign-in-pages.js';
import { adminCookie } from './session/admin-cookie.js';
import { destroy, ensureCsrfToken, regenerate, save, signedInAdmin, takeNotice } from './session/session-ops.js';

/** Sign-in, sign-out and the password change (forced for the seeded admin). */
@ApiExcludeController()
@Controller('admin')
export class SignInController {
  constructor(
    private readonly signIn: AdminSignIn,
    private readonly admins: AdminUsersService,
    private readonly audit: AuditLog,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  @Get('login')
  form(@Req() request: Request, @Res() response: Response): void {
    if (request.session.adminId) return void response.redirect(303, '/admin');
    sendPage(response, 200, signInPage({ csrfToken: ensureCsrfToken(request.session), notice: takeNotice(request) }));
  }

  @Post('login')
  async submit(@Req() request: Request, @Res() response: Response): Promise<void> {
    const fields = formFields(request.body, ['email', 'password']);
    const email = fields.email.trim().slice(0, 320);
    let adminId: string;
    try {
      adminId = (await this.signIn.signIn(email, fields.password.slice(0, 256), clientAddress(request))).id;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      return sendPage(
        response,
        error.status,
        signInPage({ csrfToken: ensureCsrfToken(request.session), email, error: error.message }),
      );
    }
    const returnTo = request.session.returnTo;
    // A new session id at sign-in: an id planted before (session fixation) is worth nothing.
    await regenerate(request);
    const now = this.clock.now().getTime();
    Object.assign(request.session, { adminId, signedInAt: now, lastSeenAt: now });
    ensureCsrfToken(request.session);
    await save(request);
    response.redirect(303, returnTo ?? '/admin');
  }

  @Get('password')
  async passwordForm(@Res() response: Response): Promise<void> {
    const admin = signedInAdmin(response);
    const { mustChangePassword } = await this.admins.get(admin.id);
    sendPage(response, 200, changePasswordPage({ admin, forced: mustChangePassword }));
  }

  @Post('password')
  async changePassword(@Req() request: Request, @Res() response: Response): Promise<void> {
    const admin = signedInAdmin(response);
    const fields = formFields(request.body, ['current', 'password', 'confirm']);
    const refuse = async (message: string) => {
      await this.audit.record({ ...actor(request, admin), action: 'password_change', outcome: 'refused' });
      const { mustChangePassword } = await this.admins.get(admin.id);
      sendPage(response, 400, changePasswordPage({ admin, forced: mustChangePassword, error: message }));
    };
    if (fields.password !== fields.confirm) return refuse('The two new passwords are not the same.');
    try {
      await this.admins.changePassword(admin.id, fields.current, fields.password);
    } catch (error) {
      if (error instanceof DomainError && error.kind === 'invalid') return refuse(error.message);
      throw error;
    }
    await this.audit.record({ ...actor(request, admin), action: 'password_change' });
    const signedInAt = request.session.signedInAt;
    await regenerate(request);
    Object.assign(request.session, {
      adminId: admin.id,
      signedInAt,
      lastSeenAt: this.clock.now().getTime(),
      notice: 'Your password has been changed.',
    });
    ensureCsrfToken(request.session);
    await save(request);
    response.redirect(303, '/admin');
  }

  /** Ends the session on the server, so a copied cookie is worthless afterwards. */
  @Post('logout')
  async logout(@Req() request: Request, @Res() response: Response): Promise<void> {
    const admin = signedInAdmin(response);
    await this.audit.record({ ...actor(request, admin), action: 'sign_out' });
    await destroy(request);
    const cookie = adminCookie(this.config.PUBLIC_URL, this.config.ADMIN_SESSION_IDLE_TIMEOUT);
    response.clearCookie(cookie.name, { ...cookie.options, maxAge: undefined });
    response.redirect(303, '/admin/login');
  }
}
