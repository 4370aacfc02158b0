import { hkdfSync } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { doubleCsrf } from 'csrf-csrf';
import type { Request, Response } from 'express';

import { AppConfig } from '@app/core';

import { ConnectErrors } from './connect.errors.js';

/**
 * CSRF tokens for the connect and disconnect forms (double submit: a cookie and a form field), each bound
 * to the link the page was opened with, so a token from one link is worthless on another.
 */
@Injectable()
export class PageCsrf {
  private readonly csrf: ReturnType<typeof doubleCsrf>;

  constructor(config: AppConfig) {
    const secret = Buffer.from(hkdfSync('sha256', config.SECRET_KEY_BASE, 'superimap', 'connect-csrf-v1', 32));
    const secure = new URL(config.PUBLIC_URL).protocol === 'https:';
    this.csrf = doubleCsrf({
      getSecret: () => secret.toString('base64url'),
      getSessionIdentifier: (request) => String((request.params as Record<string, string>).token ?? ''),
      cookieName: secure ? '__Host-superimap.csrf' : 'superimap.csrf',
      cookieOptions: { sameSite: 'lax', path: '/', secure, httpOnly: true },
      getCsrfTokenFromRequest: (request) => (request.body as Record<string, unknown> | undefined)?._csrf as string,
    });
  }

  token(request: Request, response: Response): string {
    return this.csrf.generateCsrfToken(request, response, { overwrite: false, validateOnReuse: false });
  }

  /** Throws a 403 unless the form carries the token of its cookie. */
  assertValid(request: Request): void {
    if (!this.csrf.validateRequest(request)) throw ConnectErrors.invalidCsrf();
  }
}
