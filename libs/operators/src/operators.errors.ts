import { DomainError } from '@app/core';

/** The error codes of operator (admin) accounts. */
export const OperatorErrors = {
  exists: (email: string) => new DomainError('conflict', 'AdminExists', `An admin with email ${email} exists`),
};
