/** Stable, documented error codes; the HTTP filter maps each to a status. */
export const ERROR_STATUS = {
  BadRequest: 400,
  ValidationFailed: 400,
  InvalidJson: 400,
  Unauthorized: 401,
  NotFound: 404,
  ImapProviderNotFound: 404,
  ConnectionNotFound: 404,
  UserNotFound: 404,
  EventNotFound: 404,
  PartnerNotFound: 404,
  Conflict: 409,
  ConnectionExists: 409,
  ProviderExists: 409,
  TagTaken: 409,
  AdminExists: 409,
  PayloadTooLarge: 413,
  RateLimited: 429,
  InternalError: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** A failure the caller can act on; services throw these, never HTTP exceptions. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}
