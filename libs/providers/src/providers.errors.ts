import { DomainError } from '@app/core';

/** The error codes of IMAP providers. */
export const ProviderErrors = {
  notFound: (code: string) =>
    new DomainError('not_found', 'ImapProviderNotFound', `Imap Provider not found for '${code}'`),
  exists: (code: string) =>
    new DomainError('conflict', 'ProviderExists', `An IMAP provider with code '${code}' already exists`),
};
