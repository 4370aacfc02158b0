import { DomainError } from '@app/core';

/** The error codes of webhook events. */
export const WebhookErrors = {
  eventNotFound: (id: string) => new DomainError('not_found', 'EventNotFound', `Event not found: ${id}`),
  bodyNotRetained: () =>
    new DomainError(
      'conflict',
      'Conflict',
      'The message body of this event is no longer retained; it cannot be resent',
    ),
  noWebhookUrl: (type: string) =>
    new DomainError('invalid', 'NoWebhookUrl', `The partner has no ${type} webhook URL to send a test to`),
};
