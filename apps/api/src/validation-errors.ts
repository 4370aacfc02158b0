import type { ValidationError } from 'class-validator';

import { CoreErrors, type DomainError } from '@app/core';

/** One 400 for a request that fails validation: unknown fields named, every wrong field listed. */
export function validationFailure(errors: ValidationError[]): DomainError {
  const unknown = errors.filter((e) => e.constraints?.whitelistValidation).map((e) => e.property);
  const invalid = errors.filter((e) => !e.constraints?.whitelistValidation);
  const details = [
    ...unknown.map((field) => ({ field, errors: ['unknown field'] })),
    ...invalid.map((e) => ({ field: e.property, errors: Object.values(e.constraints ?? {}) })),
  ];
  const parts = [];
  if (unknown.length > 0) parts.push(`unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`);
  if (invalid.length > 0) parts.push(`invalid: ${invalid.map((e) => e.property).join(', ')}`);
  return CoreErrors.validationFailed(`Invalid request (${parts.join('; ')})`, details);
}
