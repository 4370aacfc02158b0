import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

/**
 * One info line per API request once it is answered: method, the route's path template (never the URL,
 * which may carry `api_key` or a tag), status, duration and the partner; never a key or a body.
 */
export function requestLog(logger: Logger) {
  const log = logger.child({ component: 'http' });
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    response.once('finish', () => {
      // Nest registers full paths (`/api/v1/connections/:imap_provider_code/users`); unmatched requests have none.
      const path = (request as { route?: { path?: string } }).route?.path ?? '(no route)';
      const partner = (request as { partner?: { id: string } }).partner?.id;
      const durationMs = Math.round(performance.now() - started);
      log.info(
        {
          method: request.method,
          path,
          status: response.statusCode,
          durationMs,
          ...(partner ? { partner } : {}),
        },
        `${request.method} ${path} ${response.statusCode} ${durationMs} ms`,
      );
    });
    next();
  };
}
