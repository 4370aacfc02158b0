import { DomainError } from '@app/core';

/** The error codes of partners and their API keys. */
export const PartnerErrors = {
  notFound: (id: string) => new DomainError('not_found', 'PartnerNotFound', `Partner not found: ${id}`),
  badApiKey: () => new DomainError('unauthorized', 'Unauthorized', 'Partner not found. Check your api_key.'),
  rateLimited: (perMinute: number) =>
    new DomainError('rate_limited', 'RateLimited', `Rate limit of ${perMinute} requests per minute exceeded`),
  disabled: () => new DomainError('forbidden', 'PartnerDisabled', 'This partner is disabled'),
  tooManyFailedKeys: () =>
    new DomainError('rate_limited', 'RateLimited', 'Too many failed API key attempts from this address; retry later'),
  unreachableWebhooks: (message: string, details: unknown) =>
    new DomainError('invalid', 'ValidationFailed', message, details),
};
