import { DomainError } from '@app/core';

/** The error codes of operator (admin) accounts. */
export const OperatorErrors = {
  exists: (email: string) => new DomainError('conflict', 'AdminExists', `An admin with email ${email} exists`),
  notFound: (id: string) => new DomainError('not_found', 'AdminNotFound', `No admin with id ${id}`),
  /** One answer for unknown accounts, wrong passwords and locked accounts: nothing to enumerate. */
  signInRefused: () =>
    new DomainError(
      'unauthorized',
      'SignInRefused',
      'The email or password is not right, or the account is locked for now. Try again later.',
    ),
  throttled: () =>
    new DomainError(
      'rate_limited',
      'SignInThrottled',
      'Too many failed sign-ins from this address. Wait a few minutes and try again.',
    ),
  slowDown: (seconds: number) =>
    new DomainError(
      'rate_limited',
      'SignInDelayed',
      `Too many failed sign-ins from this address: wait ${seconds} second${seconds === 1 ? '' : 's'} before trying again.`,
    ),
  wrongCurrentPassword: () => new DomainError('invalid', 'WrongCurrentPassword', 'The current password is not right.'),
  weakPassword: (reason: string) => new DomainError('invalid', 'WeakPassword', reason),
  cannotRemoveSelf: () =>
    new DomainError('conflict', 'CannotRemoveSelf', 'You cannot delete the account you are signed in with.'),
};
