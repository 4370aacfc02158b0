import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

import { AppConfig, PAGE_HEADERS } from '@app/core';
import { AdminUsersService, Clock } from '@app/operators';

import { AdminErrors } from '../admin.errors.js';
import { csrfTokenMatches, ensureCsrfToken, regenerate, type SignedInAdmin } from './session-ops.js';

/** Reachable without signing in: the sign-in form and the stylesheet. */
const PUBLIC_PATHS = /^\/admin\/(login|assets\/[^/]+)$/;
/** Reachable while a password change is due. */
const PASSWORD_CHANGE_PATHS = new Set(['/admin/password', '/admin/logout']);
const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * In front of every /admin route: a CSRF token on every state-changing request (403 without), a signed-in
 * admin whose session is within its idle and absolute timeouts (else to the sign-in page), and the forced
 * password change before anything else.
 */
@Injectable()
export class AdminAuthMiddleware implements NestMiddleware {
  constructor(
    private readonly admins: AdminUsersService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async use(request: Request, response: Response, next: NextFunction): Promise<void> {
    response.set(PAGE_HEADERS);
    if (!SAFE_METHODS.has(request.method) && !csrfTokenMatches(request)) throw AdminErrors.invalidCsrf();
    const path = new URL(request.originalUrl, 'http://localhost').pathname.replace(/\/+$/, '') || '/';
    if (PUBLIC_PATHS.test(path)) return next();

    const session = request.session;
    if (!session.adminId) return this.toSignIn(request, response);
    const now = this.clock.now().getTime();
    const idle = now - (session.lastSeenAt ?? 0) > this.config.ADMIN_SESSION_IDLE_TIMEOUT * 1000;
    const tooOld = now - (session.signedInAt ?? 0) > this.config.ADMIN_SESSION_MAX_AGE * 1000;
    const admin = idle || tooOld ? null : await this.admins.find(session.adminId);
    if (!admin) {
      await regenerate(request);
      request.session.notice = 'Your session has ended. Please sign in again.';
      return this.toSignIn(request, response);
    }
    session.lastSeenAt = now;
    response.locals.admin = {
      id: admin.id,
      email: admin.email,
      csrfToken: ensureCsrfToken(session),
    } satisfies SignedInAdmin;
    if (admin.mustChangePassword && !PASSWORD_CHANGE_PATHS.has(path)) {
      return void response.redirect(303, '/admin/password');
    }
    next();
  }

  private toSignIn(request: Request, response: Response): void {
    if (SAFE_METHODS.has(request.method) && request.originalUrl.startsWith('/admin')) {
      request.session.returnTo = request.originalUrl;
    }
    response.redirect(303, '/admin/login');
  }
}
