import { OperatorErrors } from './operators.errors.js';

export const MIN_PASSWORD_LENGTH = 12;
const MAX_PASSWORD_LENGTH = 256;
const KNOWN_DEFAULTS = new Set(['password', 'password1234', 'admin', 'changeme', '123456789012']);

/** A new admin password: long enough, not the default, not the same as before. */
export function assertAcceptablePassword(password: string, options: { email?: string } = {}): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw OperatorErrors.weakPassword(`The password must be at least ${MIN_PASSWORD_LENGTH} characters long.`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    throw OperatorErrors.weakPassword(`The password must be at most ${MAX_PASSWORD_LENGTH} characters long.`);
  }
  const lower = password.toLowerCase();
  if (KNOWN_DEFAULTS.has(lower) || (options.email && lower === options.email.toLowerCase())) {
    throw OperatorErrors.weakPassword('Choose a password that is not a default or your email address.');
  }
}
