import { randomUUID } from 'node:crypto';

import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';

import { ROOT_LOGGER } from '../logging/logging.module.js';
import { PAGE_HEADERS } from '../pages/page-layout.js';
import { DomainError, STATUS_CODES } from './domain-error.js';
import { type ErrorBody, errorBody } from './error-body.js';
import { errorPage, isBrowserPath } from './error-page.js';

/**
 * Maps every error to its status: `{error: {code, message}}` for the API, health and metrics, an HTML page
 * for browser paths. Unknown errors become a 500 with a correlation id, logged in full but never shown.
 */
@Catch()
export class AllErrorsFilter implements ExceptionFilter {
  constructor(@Inject(ROOT_LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const [status, body] = this.describe(exception, request);
    if (response.headersSent) return;
    const retryAfter = retryAfterOf(exception);
    if (retryAfter) response.setHeader('Retry-After', String(retryAfter));
    if (isBrowserPath(request.path)) {
      response
        .status(status)
        .set(PAGE_HEADERS)
        .type('html')
        .send(errorPage(status, body.error.message, body.error.correlation_id));
      return;
    }
    response.status(status).json(body);
  }

  private describe(exception: unknown, request: Request): [number, ErrorBody] {
    if (exception instanceof DomainError) {
      return [exception.status, errorBody(exception.code, exception.message, exception.details)];
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'string' ? response : exception.message;
      const code = STATUS_CODES[status] ?? 'BadRequest';
      return [status, errorBody(code, status === 404 ? `Cannot ${request.method} ${request.path}` : message)];
    }
    const correlationId = randomUUID();
    this.logger.error(
      { err: exception, correlation_id: correlationId, method: request.method, path: request.path },
      'Unhandled error',
    );
    const body = errorBody('InternalError', 'Internal server error');
    body.error.correlation_id = correlationId;
    return [500, body];
  }
}

/** A rate-limited error may say when to come back (`details.retry_after_seconds`). */
function retryAfterOf(exception: unknown): number | null {
  if (!(exception instanceof DomainError) || exception.kind !== 'rate_limited') return null;
  const seconds = (exception.details as { retry_after_seconds?: unknown } | undefined)?.retry_after_seconds;
  return typeof seconds === 'number' && seconds > 0 ? Math.ceil(seconds) : null;
}
