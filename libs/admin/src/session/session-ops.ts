import { randomBytes, timingSafeEqual } from 'node:crypto';

import type { Request, Response } from 'express';
import type { Session, SessionData } from 'express-session';

import './admin-session-data.js';

/** The signed-in admin of this request (set by the auth middleware). */
export interface SignedInAdmin {
  id: string;
  email: string;
  csrfToken: string;
}

export function signedInAdmin(response: Response): SignedInAdmin {
  const admin = response.locals.admin as SignedInAdmin | undefined;
  if (!admin) throw new Error('admin route reached without the auth middleware');
  return admin;
}

export function ensureCsrfToken(session: Session & Partial<SessionData>): string {
  session.csrfToken ??= randomBytes(32).toString('base64url');
  return session.csrfToken;
}

/** True when the form's `_csrf` equals the session's token (constant-time). */
export function csrfTokenMatches(request: Request): boolean {
  const expected = request.session?.csrfToken;
  const sent = (request.body as Record<string, unknown> | undefined)?._csrf;
  if (!expected || typeof sent !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** A new session id with none of the old session's data (sign-in, password change, expiry). */
export function regenerate(request: Request): Promise<void> {
  return settle((done) => request.session.regenerate(done));
}

export function destroy(request: Request): Promise<void> {
  return settle((done) => request.session.destroy(done));
}

export function save(request: Request): Promise<void> {
  return settle((done) => request.session.save(done));
}

function settle(run: (done: (error?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) =>
    run((error) =>
      error ? reject(error instanceof Error ? error : new Error('session store failed', { cause: error })) : resolve(),
    ),
  );
}

/** Takes the one-time notice for this page. */
export function takeNotice(request: Request): string | undefined {
  const notice = request.session?.notice;
  if (notice) delete request.session.notice;
  return notice;
}
