import { Redis, type RedisOptions } from 'ioredis';

/** A Redis connection that fails fast when Redis is away, rather than queueing commands forever. */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 2,
    enableOfflineQueue: true,
    connectTimeout: 5000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
}
