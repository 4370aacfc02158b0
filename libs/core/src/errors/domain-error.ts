/** What went wrong, as the caller sees it; each kind is one HTTP status. */
export const ERROR_KIND_STATUS = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
} as const;

export type ErrorKind = keyof typeof ERROR_KIND_STATUS;

/**
 * A failure the caller can act on; services throw these, never HTTP exceptions. The `code` is stable and
 * documented (e.g. `UserNotFound`): each lib declares its own codes in its `*.errors.ts`.
 */
export class DomainError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_KIND_STATUS[this.kind];
  }
}

/** The codes core itself answers with (request shape, limits, failures of its own). */
export const CoreErrors = {
  validationFailed: (message: string, details?: unknown) =>
    new DomainError('invalid', 'ValidationFailed', message, details),
  invalidJson: () => new DomainError('invalid', 'InvalidJson', 'Request body is not valid JSON'),
  payloadTooLarge: (limit: string) =>
    new DomainError('too_large', 'PayloadTooLarge', `Request body is larger than ${limit}`),
  serviceUnavailable: (service: string) =>
    new DomainError('unavailable', 'ServiceUnavailable', `${service} is unavailable; retry later`, { service }),
  metricsElsewhere: () => new DomainError('not_found', 'NotFound', 'Cannot GET /metrics'),
  metricsTokenRequired: () =>
    new DomainError('unauthorized', 'Unauthorized', 'Send METRICS_TOKEN as a bearer token to read /metrics'),
  invalidCursor: () =>
    new DomainError('invalid', 'ValidationFailed', 'cursor is not a cursor this API returned', [
      { field: 'cursor', errors: ['invalid cursor'] },
    ]),
};

/** Codes for framework errors that reach the filter as bare HTTP statuses. */
export const STATUS_CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'RateLimited',
  503: 'Unavailable',
};
