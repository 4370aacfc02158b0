import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';

import { type AppConfig, errorBody, ROOT_LOGGER } from '@app/core';

import { MAX_BODY_ENTRIES, rejectHostileBodyShapes, rejectNulInUrl } from './body-shape-limits.js';
import { setUpOpenApi } from './openapi.js';
import { requestLog } from './request-log.js';
import { validationFailure } from './validation-errors.js';

/** API bodies are a few small fields; a small cap bounds what parsing and validation can cost. */
const MAX_API_BODY = '64kb';
/** Other routes (none take large bodies today) get a looser cap, with the same shape limits. */
const MAX_OTHER_BODY = '1mb';
const JSON_TYPES = ['application/json', 'application/*+json', 'json'];

/** HTTP concerns of the api role: security headers, JSON parsing with JSON errors, validation, docs. */
export function configureApi(app: NestExpressApplication, config: AppConfig): void {
  app.use('/api', requestLog(app.get(ROOT_LOGGER)));
  app.use(helmet({ contentSecurityPolicy: false }));
  if (config.isProduction) app.set('trust proxy', 1);
  app.use(rejectNulInUrl);
  app.use(stripJsonSuffix);
  // The first parser that reads a body wins; later ones see it parsed and pass.
  app.use('/api', express.json({ limit: MAX_API_BODY, type: JSON_TYPES }));
  app.use('/api', express.urlencoded({ limit: MAX_API_BODY, extended: false, parameterLimit: MAX_BODY_ENTRIES }));
  app.use(express.json({ limit: MAX_OTHER_BODY, type: JSON_TYPES }));
  app.use(express.urlencoded({ limit: MAX_OTHER_BODY, extended: false, parameterLimit: MAX_BODY_ENTRIES }));
  app.use(bodyParserErrors);
  app.use(rejectHostileBodyShapes);
  app.use('/api/v1', rejectNonObjectBodies);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: validationFailure,
    }),
  );
  setUpOpenApi(app);
}

/** The seed's clients may call `/api/v1/connections.json`; serve it as `/api/v1/connections`. */
function stripJsonSuffix(request: Request, _response: Response, next: NextFunction): void {
  const [path, query] = splitOnce(request.url, '?');
  if (path.startsWith('/api/v1/') && path.endsWith('.json')) {
    request.url = path.slice(0, -'.json'.length) + (query === undefined ? '' : `?${query}`);
  }
  next();
}

function splitOnce(value: string, separator: string): [string, string | undefined] {
  const index = value.indexOf(separator);
  return index < 0 ? [value, undefined] : [value.slice(0, index), value.slice(index + 1)];
}

/** Body-parser failures happen before Nest's filters run, so they are answered here, as JSON. */
function bodyParserErrors(error: unknown, request: Request, response: Response, next: NextFunction): void {
  const type = (error as { type?: string } | null)?.type;
  if (type === 'entity.too.large') {
    const limit = request.path.startsWith('/api') ? MAX_API_BODY : MAX_OTHER_BODY;
    response.status(413).json(errorBody('PayloadTooLarge', `Request body is larger than ${limit}`));
  } else if (type === 'parameters.too.many') {
    response.status(413).json(errorBody('PayloadTooLarge', `Request body has more than ${MAX_BODY_ENTRIES} fields`));
  } else if (type === 'entity.parse.failed') {
    response.status(400).json(errorBody('InvalidJson', 'Request body is not valid JSON'));
  } else if (type) {
    response.status(400).json(errorBody('BadRequest', 'Request body could not be read'));
  } else {
    next(error);
  }
}

function rejectNonObjectBodies(request: Request, response: Response, next: NextFunction): void {
  if (Array.isArray(request.body)) {
    response.status(400).json(errorBody('BadRequest', 'Request body must be a JSON object'));
    return;
  }
  next();
}
