import type { CookieOptions } from 'express';

export interface AdminCookie {
  name: string;
  options: CookieOptions;
}

/**
 * The session cookie: HttpOnly and SameSite=Lax always; over https also Secure with the `__Host-` prefix,
 * which browsers accept only from a secure origin, for path `/`, without a Domain.
 */
export function adminCookie(publicUrl: string, idleSeconds: number): AdminCookie {
  const secure = new URL(publicUrl).protocol === 'https:';
  return {
    name: secure ? '__Host-superimap.admin' : 'superimap.admin',
    options: { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: Math.round(idleSeconds * 1000) },
  };
}
