import { DomainError } from '@app/core';

/** The error codes of users (mailboxes) and their signed links. */
export const UserErrors = {
  notFound: (tag: string) => new DomainError('not_found', 'UserNotFound', `User not found for '${tag}'`),
  tagTaken: (tag: string) =>
    new DomainError('conflict', 'TagTaken', `Tag '${tag}' is already used by another active user of this connection`),
  fieldsNotAccepted: (message: string, details: unknown) =>
    new DomainError('invalid', 'ValidationFailed', message, details),
  quotaReached: (maxUsers: number) =>
    new DomainError(
      'conflict',
      'UserQuotaReached',
      `This partner has reached its quota of ${maxUsers} active users; archive one or ask the operator for more`,
    ),
  credentialChangesLimited: (retryInSeconds: number) =>
    new DomainError(
      'rate_limited',
      'CredentialChangesLimited',
      `This mailbox's credentials changed too often; try again in ${retryInSeconds} s`,
      { retry_after_seconds: retryInSeconds },
    ),
  invalidLink: () => new DomainError('not_found', 'NotFound', 'This link is invalid or has expired.'),
};
