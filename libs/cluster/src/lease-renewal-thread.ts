import type * as IoRedis from 'ioredis';

/**
 * The body of the lease-renewal worker thread, and the messages it exchanges with the main thread. It is
 * started from its own source text (`leaseRenewalThread.toString()`), so it must stay self-contained: no
 * reference to anything outside the function, every module loaded with `import()`.
 */

/** Slots of the shared Float64Array that the two threads read without waiting for each other's messages. */
export const SHARED_SLOTS = {
  /** When the last renewal round that renewed every lease it tried started (ms since the epoch). */
  renewedAt: 0,
  /** When the main thread last showed it runs (it ticks this from a timer). */
  mainAliveAt: 1,
  /** How many sessions the node holds, for its heartbeat record. */
  owned: 2,
} as const;

export interface RenewalThreadData {
  /** Where ioredis is, resolved by the main thread (an eval'd worker has no module path of its own). */
  ioredisPath: string;
  redis: {
    url: string;
    cluster?: { host: string; port: number }[];
    clusterCredentials?: Record<string, unknown>;
  };
  intervalMs: number;
  /** After a failed round, the next one starts this soon. */
  retryMs: number;
  /** A command that takes longer fails the round (so a stuck Redis cannot hold the loop). */
  commandTimeoutMs: number;
  /** The thread stops renewing when the main thread has not ticked for this long: it is wedged, not slow. */
  mainStallLimitMs: number;
  heartbeat: { script: string; keys: string[]; nodeId: string; info: Record<string, unknown>; timeoutMs: number };
  leases: { script: string; keyPrefix: string; nodeId: string; ttlMs: number; batch: number };
  slots: typeof SHARED_SLOTS;
  shared: SharedArrayBuffer;
}

export type ToRenewalThread =
  | { type: 'track'; userIds: string[] }
  | { type: 'untrack'; userIds: string[] }
  | { type: 'renew-now' }
  | { type: 'stop' };

export type FromRenewalThread =
  | { type: 'renewed'; startedAt: number; heartbeat: string[]; lost: string[] }
  | { type: 'failed'; message: string }
  | { type: 'stalled'; mainSilentMs: number };

/** Every interval: heartbeat, then renew every tracked lease; report the result. Runs in the worker thread. */
export async function leaseRenewalThread(): Promise<void> {
  const threads = await import('node:worker_threads');
  const data = threads.workerData as RenewalThreadData;
  // Loaded with require (ioredis is CommonJS): a build may rewrite an import() of a computed path.
  const { createRequire } = await import('node:module');
  const { Redis, Cluster } = createRequire(data.ioredisPath)(data.ioredisPath) as typeof IoRedis;
  const port = threads.parentPort!;
  const shared = new Float64Array(data.shared);
  const options = { maxRetriesPerRequest: 1, commandTimeout: data.commandTimeoutMs, connectTimeout: 5000 };
  const redis = data.redis.cluster
    ? new Cluster(data.redis.cluster, { redisOptions: { ...data.redis.clusterCredentials, ...options } })
    : new Redis(data.redis.url, options);
  // Connection errors surface as failed rounds; without a listener ioredis would print each one.
  redis.on('error', () => undefined);
  const tracked = new Set<string>();
  /** Taken (again) while a round runs: that round's "not ours" for them may predate the taking. */
  const trackedDuringRound = new Set<string>();
  let stopping = false;
  let wake: (() => void) | undefined;
  const post = (message: FromRenewalThread): void => port.postMessage(message);

  port.on('message', (message: ToRenewalThread) => {
    if (message.type === 'track') {
      for (const id of message.userIds) {
        tracked.add(id);
        trackedDuringRound.add(id);
      }
    } else if (message.type === 'untrack') for (const id of message.userIds) tracked.delete(id);
    else if (message.type === 'stop') stopping = true;
    if (message.type === 'renew-now' || message.type === 'stop') wake?.();
  });

  async function round(): Promise<void> {
    const startedAt = Date.now();
    trackedDuringRound.clear();
    const { heartbeat, leases } = data;
    const info = JSON.stringify({ ...heartbeat.info, owned: shared[data.slots.owned] });
    const reply = (await redis.eval(
      heartbeat.script,
      heartbeat.keys.length,
      ...heartbeat.keys,
      heartbeat.nodeId,
      info,
      heartbeat.timeoutMs,
    )) as string[];
    const ids = [...tracked];
    let lost: string[] = [];
    for (let i = 0; i < ids.length; i += leases.batch) {
      const batch = ids.slice(i, i + leases.batch);
      const keys = batch.map((id) => leases.keyPrefix + id);
      const result = (await redis.eval(leases.script, keys.length, ...keys, leases.nodeId, leases.ttlMs)) as number[];
      batch.forEach((id, j) => {
        if (result[j] !== 1) lost.push(id);
      });
    }
    lost = lost.filter((id) => !trackedDuringRound.has(id));
    for (const id of lost) tracked.delete(id);
    // Every lease still tracked was extended by a round that started at `startedAt` or later.
    shared[data.slots.renewedAt] = startedAt;
    post({ type: 'renewed', startedAt, heartbeat: reply, lost });
  }

  while (!stopping) {
    let delayMs = data.intervalMs;
    const mainSilentMs = Date.now() - shared[data.slots.mainAliveAt];
    if (mainSilentMs > data.mainStallLimitMs) {
      post({ type: 'stalled', mainSilentMs });
    } else {
      try {
        await round();
      } catch (error) {
        post({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
        delayMs = data.retryMs;
      }
    }
    if (stopping) break;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = undefined;
  }
  await redis.quit().catch(() => redis.disconnect());
  port.close();
}
