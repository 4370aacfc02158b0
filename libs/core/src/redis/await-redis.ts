import type { Logger } from 'pino';

import { createRedis, redisTargetName, type RedisTarget } from './redis-connection.js';

const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 15_000;

/**
 * Waits until Redis answers PING, retrying with backoff: a role that cannot work without Redis starts once
 * it is there, saying (one line per attempt, never the password) which Redis it is waiting for and why.
 */
export async function awaitRedis(target: RedisTarget, logger: Logger): Promise<void> {
  const where = redisTargetName(target);
  for (let attempt = 1, delay = FIRST_RETRY_MS; ; attempt++, delay = Math.min(delay * 2, LONGEST_RETRY_MS)) {
    const problem = await pingOnce(target);
    if (problem === null) {
      if (attempt > 1) logger.info({ redis: where }, `Redis at ${where} is reachable`);
      return;
    }
    logger.error(
      { redis: where, attempt, retryInMs: delay },
      `Redis at ${where} is unreachable (${problem}); retrying in ${Math.round(delay / 1000)} s`,
    );
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

/** One PING on a throwaway connection that neither retries nor queues; null when Redis answered. */
async function pingOnce(target: RedisTarget): Promise<string | null> {
  const redis = createRedis(target, {
    lazyConnect: true,
    retryStrategy: () => null,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
  });
  let lastError: Error | undefined;
  redis.on('error', (error: Error) => (lastError = error));
  try {
    await redis.connect();
    await redis.ping();
    return null;
  } catch (error) {
    return (lastError ?? (error as Error)).message;
  } finally {
    redis.disconnect();
  }
}
