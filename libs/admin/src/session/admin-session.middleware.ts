import { hkdfSync } from 'node:crypto';

import { Injectable, type NestMiddleware } from '@nestjs/common';
import { RedisStore } from 'connect-redis';
import type { NextFunction, Request, Response } from 'express';
import session from 'express-session';

import { AppConfig, RedisService } from '@app/core';

import './admin-session-data.js';
import { adminCookie } from './admin-cookie.js';

/**
 * express-session with its sessions in Redis under this installation's prefix. The cookie lives as long as
 * the idle timeout and is renewed on each request (rolling); the store's key expires with it.
 */
@Injectable()
export class AdminSessionMiddleware implements NestMiddleware {
  private readonly handler: ReturnType<typeof session>;

  constructor(config: AppConfig, redis: RedisService) {
    const cookie = adminCookie(config.PUBLIC_URL, config.ADMIN_SESSION_IDLE_TIMEOUT);
    const secret = Buffer.from(hkdfSync('sha256', config.SECRET_KEY_BASE, 'superimap', 'admin-session-v1', 32));
    this.handler = session({
      name: cookie.name,
      secret: secret.toString('base64url'),
      store: new RedisStore({
        client: redis.client,
        prefix: `${redis.key('admin-session')}:`,
        ttl: Math.ceil(config.ADMIN_SESSION_IDLE_TIMEOUT),
      }),
      cookie: cookie.options,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: 'destroy',
    });
  }

  use(request: Request, response: Response, next: NextFunction): void {
    this.handler(request, response, next);
  }
}
