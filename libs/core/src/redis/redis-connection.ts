import { Cluster, Redis, type RedisOptions } from 'ioredis';

import { redactedUrl } from './redacted-url.js';

/** One Redis server or a Redis Cluster: the commands SuperIMAP uses are the same on both. */
export type RedisClient = Redis | Cluster;

/** Where Redis is: REDIS_URL, or REDIS_CLUSTER_NODES with REDIS_URL giving the credentials and TLS. */
export interface RedisTarget {
  url: string;
  clusterNodes?: string;
}

/** The target for log lines and errors, never with a password. */
export function redisTargetName(target: RedisTarget): string {
  return target.clusterNodes ? `cluster ${target.clusterNodes}` : redactedUrl(target.url);
}

export type RedisConnectionOptions = Pick<
  RedisOptions,
  'lazyConnect' | 'maxRetriesPerRequest' | 'enableOfflineQueue' | 'retryStrategy'
>;

const RETRY = (attempt: number): number => Math.min(attempt * 200, 2000);

/** A Redis connection that fails fast when Redis is away, rather than queueing commands forever. */
export function createRedis(target: RedisTarget, options: RedisConnectionOptions = {}): RedisClient {
  const settings = { maxRetriesPerRequest: 2, enableOfflineQueue: true, connectTimeout: 5000, ...options };
  if (!target.clusterNodes) return new Redis(target.url, { retryStrategy: RETRY, ...settings });
  const { retryStrategy, enableOfflineQueue, lazyConnect, maxRetriesPerRequest, connectTimeout } = settings;
  return new Cluster(parseClusterNodes(target.clusterNodes), {
    clusterRetryStrategy: retryStrategy === undefined ? RETRY : retryStrategy,
    enableOfflineQueue,
    lazyConnect,
    maxRedirections: 16,
    redisOptions: { ...redisCredentials(target.url), maxRetriesPerRequest, connectTimeout },
  });
}

/** `host:port,host:port` → ioredis startup nodes; the config validation has checked the shape. */
export function parseClusterNodes(nodes: string): { host: string; port: number }[] {
  return nodes
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const colon = entry.lastIndexOf(':');
      return { host: entry.slice(0, colon), port: Number(entry.slice(colon + 1)) };
    });
}

/** The parts of REDIS_URL that apply to every cluster node: user, password and TLS. */
export function redisCredentials(url: string): Pick<RedisOptions, 'username' | 'password' | 'tls'> {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
