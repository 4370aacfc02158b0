import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig, RedisService, ROOT_LOGGER } from '@app/core';

import { PartnerErrors } from '../partners.errors.js';

const WINDOW_SECONDS = 60;

export interface FailedAttempt {
  client: string;
  method: string;
  path: string;
}

/**
 * Counts wrong API keys per client address for a minute from the first one, shared by every api process
 * through Redis; past API_AUTH_FAILURE_LIMIT the address gets 429 until that minute ends, so keys cannot
 * be guessed at speed.
 */
@Injectable()
export class AuthFailureThrottle {
  private readonly logger: Logger;

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'partner-auth' });
  }

  /** Throws RateLimited (and sets Retry-After) when this address used up its failures this minute. */
  async refuseIfThrottled(client: string, setRetryAfter: (seconds: number) => void): Promise<void> {
    const [[, failures], [, ttl]] = (await this.redis.client
      .multi()
      .get(this.keyOf(client))
      .ttl(this.keyOf(client))
      .exec()) as [[Error | null, string | null], [Error | null, number]];
    if (Number(failures ?? 0) < this.config.API_AUTH_FAILURE_LIMIT) return;
    setRetryAfter(Math.max(1, ttl));
    throw PartnerErrors.tooManyFailedKeys();
  }

  /** Counts and logs a wrong key; the key itself is never logged. */
  async recordFailure(attempt: FailedAttempt): Promise<void> {
    const key = this.keyOf(attempt.client);
    // The first failure opens the window (SET NX EX); later ones only count.
    const [, [, failures]] = (await this.redis.client
      .multi()
      .set(key, 0, 'EX', WINDOW_SECONDS, 'NX')
      .incr(key)
      .exec()) as [unknown, [Error | null, number]];
    this.logger.warn({ ...attempt, failures_this_minute: failures }, 'API key refused');
  }

  private keyOf(client: string): string {
    return this.redis.key('auth-failures', client);
  }
}
