import { randomBytes } from 'node:crypto';

import { pino, type Logger } from 'pino';

import type { LogLevel } from '../config/app-config.js';

/** Field names whose values never reach a log line, wherever they are nested. */
const SECRET_FIELDS = [
  'password',
  'login_password',
  'api_key',
  'apiKey',
  'oauth2_client_secret',
  'oauth2_refresh_token',
  'oauth2_access_token',
  'accessToken',
  'refreshToken',
  'webhook_secret',
  'secret',
  'token',
  'authorization',
  'x-api-key',
  'rfc822',
  // SQL parameters of a failed query (typeorm's QueryFailedError): they hold whatever was being written.
  'parameters',
];

export const REDACTED_PATHS = SECRET_FIELDS.flatMap((field) => [
  field,
  `*.${field}`,
  `*.*.${field}`,
  `req.headers["${field}"]`,
]);

/** Identifies this process in every log line and in the cluster. */
export const NODE_ID = `${process.pid.toString(36)}-${randomBytes(4).toString('hex')}`;

export function createRootLogger(options: { role: string; level: LogLevel; toStderr?: boolean }): Logger {
  return pino(
    {
      level: options.level,
      base: { role: options.role, node: NODE_ID },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    pino.destination({ fd: options.toStderr ? 2 : 1, sync: true }),
  );
}
