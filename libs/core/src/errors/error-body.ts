/** The one JSON error shape every API endpoint returns. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown; correlation_id?: string };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}
