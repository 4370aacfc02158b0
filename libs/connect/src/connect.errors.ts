import { DomainError } from '@app/core';

/** The error codes of the connect and disconnect pages (shown as HTML pages). */
export const ConnectErrors = {
  linkUsed: () =>
    new DomainError(
      'conflict',
      'LinkUsed',
      'This link has already been used. Go back to the application and start again.',
    ),
  redirectNotAllowed: (kind: 'success' | 'failure') =>
    new DomainError(
      'invalid',
      'RedirectNotAllowed',
      `The ${kind} address in this link is not one the application registered, so this page will not send you there.`,
    ),
  userArchived: () =>
    new DomainError('conflict', 'UserArchived', 'This mailbox is no longer active in the application.'),
  notConfigured: (what: string) =>
    new DomainError('invalid', 'ConnectionIncomplete', `The application has not finished setting up: ${what}.`),
  invalidState: () =>
    new DomainError(
      'invalid',
      'InvalidState',
      'This sign-in could not be verified (it expired, was already used, or came from another browser).',
    ),
  badForm: (message: string) => new DomainError('invalid', 'ValidationFailed', message),
  invalidCsrf: () =>
    new DomainError('forbidden', 'InvalidCsrfToken', 'This form expired. Reload the page and try again.'),
};
