import type { RedisClient } from './redis-connection.js';

export interface RedisSettingProblem {
  setting: string;
  message: string;
  /** Loses data: refuse to run in production. */
  fatal: boolean;
}

/** Reads the settings SuperIMAP depends on; a managed Redis that forbids CONFIG yields no findings. */
export async function redisSettingsProblems(redis: RedisClient): Promise<RedisSettingProblem[]> {
  const problems: RedisSettingProblem[] = [];
  const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
  if (policy && policy !== 'noeviction') {
    problems.push({
      setting: 'maxmemory-policy',
      message: `Redis maxmemory-policy is "${policy}": it may evict queued jobs and leases; set it to noeviction`,
      fatal: true,
    });
  }
  const [, appendonly] = (await redis.config('GET', 'appendonly')) as [string, string];
  if (appendonly === 'no') {
    problems.push({
      setting: 'appendonly',
      message: 'Redis runs without AOF persistence: a restart loses queued jobs (the outbox sweeper re-queues them)',
      fatal: false,
    });
  }
  return problems;
}
