import { Global, Inject, Injectable, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig } from '../config/app-config.js';
import { ROOT_LOGGER } from '../logging/logging.module.js';
import { createRedis, type RedisClient, type RedisTarget, redisTargetName } from './redis-connection.js';
import { redisKey } from './redis-keys.js';
import { redisSettingsProblems } from './redis-settings.js';

/** The process's shared Redis connection for keys and publishing (not for blocking commands). */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  readonly client: RedisClient;
  readonly target: RedisTarget;

  constructor(
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
  ) {
    this.target = { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES };
    this.client = this.watched(createRedis(this.target));
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

  /** A key namespaced for this installation, hash-tagged by its area (the first part). */
  key(area: string, ...rest: string[]): string {
    return redisKey(this.config.REDIS_PREFIX, area, ...rest);
  }

  /** A new connection, e.g. for subscribing; the caller closes it. */
  duplicate(): RedisClient {
    return this.watched(this.client.duplicate());
  }

  /**
   * ioredis prints every connection error raw to stderr unless someone listens: one structured line when a
   * connection loses Redis and one when it is back, however many reconnects happen in between.
   */
  private watched(redis: RedisClient): RedisClient {
    const where = redisTargetName(this.target);
    let down = false;
    redis.on('error', (error: Error) => {
      if (down) return;
      down = true;
      this.logger.error({ redis: where, reason: error.message }, `Redis at ${where} is unreachable (${error.message})`);
    });
    redis.on('ready', () => {
      if (!down) return;
      down = false;
      this.logger.info({ redis: where }, `Redis at ${where} is reachable again`);
    });
    return redis;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}

@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
