import type { ValidationError } from 'class-validator';

import { CoreErrors, type DomainError } from '@app/core';

/** At most this many fields are named in one error, so a hostile body cannot make a huge answer. */
export const MAX_LISTED_FIELDS = 10;
/** Field names are echoed back; a long one is cut. */
const MAX_FIELD_NAME = 64;

/** One 400 for a request that fails validation: unknown and wrong fields named, up to a bound. */
export function validationFailure(errors: ValidationError[]): DomainError {
  const unknown = errors.filter((e) => e.constraints?.whitelistValidation).map((e) => shortName(e.property));
  const invalid = errors.filter((e) => !e.constraints?.whitelistValidation);
  const details = [
    ...invalid.map((e) => ({ field: shortName(e.property), errors: Object.values(e.constraints ?? {}) })),
    ...unknown.map((field) => ({ field, errors: ['unknown field'] })),
  ].slice(0, MAX_LISTED_FIELDS);
  const parts = [];
  if (unknown.length > 0) parts.push(`unknown field${unknown.length > 1 ? 's' : ''}: ${listed(unknown)}`);
  if (invalid.length > 0) parts.push(`invalid: ${listed(invalid.map((e) => shortName(e.property)))}`);
  return CoreErrors.validationFailed(`Invalid request (${parts.join('; ')})`, details);
}

function listed(names: string[]): string {
  const shown = names.slice(0, MAX_LISTED_FIELDS).join(', ');
  const more = names.length - MAX_LISTED_FIELDS;
  return more > 0 ? `${shown} and ${more} more` : shown;
}

function shortName(name: string): string {
  return name.length > MAX_FIELD_NAME ? `${name.slice(0, MAX_FIELD_NAME)}…` : name;
}
