import { Global, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

import { AppConfig } from '../config/app-config.js';
import { ROOT_LOGGER } from '../logging/logging.module.js';
import { createRedis } from './redis-connection.js';
import { redisSettingsProblems } from './redis-settings.js';

/** The process's shared Redis connection for keys and publishing (not for blocking commands). */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly client: Redis;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.client = createRedis(config.REDIS_URL);
  }

  /**
   * Jobs, leases and heartbeats live in Redis: a Redis that evicts keys can silently drop work. Production
   * refuses to start on one; elsewhere it is a warning (and so is running without persistence).
   */
  async onModuleInit(): Promise<void> {
    const problems = await redisSettingsProblems(this.client).catch(() => []);
    const fatal = problems.filter((problem) => problem.fatal);
    for (const problem of problems) this.logger.warn({ redis: problem.setting }, problem.message);
    if (fatal.length > 0 && this.config.isProduction) {
      throw new Error(`Unsafe Redis settings: ${fatal.map((problem) => problem.message).join('; ')}`);
    }
  }

  /** A key namespaced for this installation. */
  key(...parts: string[]): string {
    return [this.config.REDIS_PREFIX, ...parts].join(':');
  }

  /** A new connection, e.g. for subscribing; the caller closes it. */
  duplicate(): Redis {
    return this.client.duplicate();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
