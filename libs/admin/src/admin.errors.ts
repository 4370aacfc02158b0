import { DomainError } from '@app/core';

/** The error codes of the admin pages (shown as HTML pages). */
export const AdminErrors = {
  invalidCsrf: () =>
    new DomainError(
      'forbidden',
      'InvalidCsrfToken',
      'This form expired or did not come from these pages. Reload the page and try again.',
    ),
  badForm: (message: string) => new DomainError('invalid', 'ValidationFailed', message),
};
