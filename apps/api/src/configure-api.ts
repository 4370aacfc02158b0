import { ValidationPipe } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';

import { type AppConfig, errorBody } from '@app/core';

const MAX_BODY = '1mb';

/** HTTP concerns of the api role: security headers, JSON parsing with JSON errors, validation. */
export function configureApi(app: NestExpressApplication, config: AppConfig): void {
  app.use(helmet({ contentSecurityPolicy: false }));
  if (config.isProduction) app.set('trust proxy', 1);
  app.use(express.json({ limit: MAX_BODY, type: ['application/json', 'application/*+json'] }));
  app.use(express.urlencoded({ limit: MAX_BODY, extended: false }));
  app.use(bodyParserErrors);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      stopAtFirstError: false,
    }),
  );
}

/** Body-parser failures happen before Nest's filters run, so they are answered here, as JSON. */
function bodyParserErrors(error: unknown, _request: Request, response: Response, next: NextFunction): void {
  const type = (error as { type?: string } | null)?.type;
  if (type === 'entity.too.large') {
    response.status(413).json(errorBody('PayloadTooLarge', `Request body is larger than ${MAX_BODY}`));
  } else if (type === 'entity.parse.failed') {
    response.status(400).json(errorBody('InvalidJson', 'Request body is not valid JSON'));
  } else if (type) {
    response.status(400).json(errorBody('BadRequest', 'Request body could not be read'));
  } else {
    next(error);
  }
}
