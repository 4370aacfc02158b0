import { USER_STATES, type User } from './user.entity.js';

/**
 * A user holds the credentials its provider needs (a password login, or an address and a refresh token).
 * Other providers' fields are refused on write, so either pair means "can log in".
 */
export const HAS_CREDENTIALS_SQL =
  '((login_username IS NOT NULL AND login_password IS NOT NULL) OR (email IS NOT NULL AND oauth2_refresh_token IS NOT NULL))';

export function hasCredentials(user: User): boolean {
  return Boolean((user.loginUsername && user.loginPassword) || (user.email && user.oauth2RefreshToken));
}

/** What the API reports: archived and credential-less users say so, others their mailbox session's state. */
export const API_USER_STATES = [...USER_STATES, 'needs_credentials', 'archived'] as const;
export type ApiUserState = (typeof API_USER_STATES)[number];

export function apiState(user: User): ApiUserState {
  if (user.archivedAt) return 'archived';
  if (!hasCredentials(user)) return 'needs_credentials';
  return user.state;
}

/** The SQL condition (on alias `u`) selecting users whose API state is `state`. */
export function apiStateCondition(state: ApiUserState): string {
  const hasCredentials = hasCredentialsCondition();
  if (state === 'archived') return 'u.archived_at IS NOT NULL';
  if (state === 'needs_credentials') return `u.archived_at IS NULL AND NOT ${hasCredentials}`;
  return `u.archived_at IS NULL AND ${hasCredentials} AND u.state = :state`;
}

/** The SQL condition (on alias `u`) selecting users that hold the credentials their provider needs. */
export function hasCredentialsCondition(): string {
  return HAS_CREDENTIALS_SQL.replace(/\b(login_username|login_password|email|oauth2_refresh_token)\b/g, 'u.$1');
}
