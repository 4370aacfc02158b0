import 'express-session';

/** What an admin session holds in Redis: ids and times, never a password. */
declare module 'express-session' {
  interface SessionData {
    /** Set once signed in. */
    adminId?: string;
    signedInAt?: number;
    lastSeenAt?: number;
    /** The synchronizer token every admin form posts back. */
    csrfToken?: string;
    /** Where to go after signing in. */
    returnTo?: string;
    /** A one-time message for the next page. */
    notice?: string;
  }
}
