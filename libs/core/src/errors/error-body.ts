import type { ErrorCode } from './domain-error.js';

/** The one JSON error shape every HTTP endpoint returns. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown; correlation_id?: string };
}

export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}
