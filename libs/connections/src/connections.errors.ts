import { DomainError } from '@app/core';

/** The error codes of partner connections. */
export const ConnectionErrors = {
  notFound: (providerCode: string) =>
    new DomainError('not_found', 'ConnectionNotFound', `Connection not found for '${providerCode}'`),
  exists: (providerCode: string) =>
    new DomainError('conflict', 'ConnectionExists', `A connection for '${providerCode}' already exists`),
  fieldsNotAccepted: (message: string, details: unknown) =>
    new DomainError('invalid', 'ValidationFailed', message, details),
};
