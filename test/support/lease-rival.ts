import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';

import type * as IoRedis from 'ioredis';

interface RivalData {
  ioredisUrl: string;
  redisUrl: string;
  keys: string[];
  rivalId: string;
}

/**
 * Runs in the rival's thread: round after round, take any of the keys that is free (SET NX), as a node would.
 * Each round is one script on Redis, so the round trip itself paces the loop: no timer between rounds.
 */
async function rivalThread(): Promise<void> {
  const threads = await import('node:worker_threads');
  const data = threads.workerData as RivalData;
  const { Redis } = (await import(data.ioredisUrl)) as typeof IoRedis;
  const redis = new Redis(data.redisUrl);
  const takeFree = `local taken = {}
    for i, key in ipairs(KEYS) do
      if redis.call('SET', key, ARGV[1], 'PX', 60000, 'NX') then table.insert(taken, key) end
    end
    return taken`;
  const taken = new Set<string>();
  let stopping = false;
  threads.parentPort!.on('message', () => (stopping = true));
  while (!stopping) {
    const free = data.keys.filter((key) => !taken.has(key));
    const won = (await redis.eval(takeFree, free.length, ...free, data.rivalId)) as string[];
    for (const key of won) taken.add(key);
  }
  await redis.quit();
  threads.parentPort!.postMessage([...taken]);
}

/**
 * Another node that would take over any of these leases the moment it lapsed, from a thread of its own:
 * it keeps trying while the test's own thread (and the node under test in it) is blocked.
 */
export class LeaseRival {
  private constructor(private readonly worker: Worker) {}

  static start(redisUrl: string, keys: string[], rivalId = 'node-rival'): LeaseRival {
    const workerData: RivalData = {
      ioredisUrl: pathToFileURL(createRequire(import.meta.url).resolve('ioredis')).href,
      redisUrl,
      keys,
      rivalId,
    };
    return new LeaseRival(new Worker(`(${rivalThread.toString()})()`, { eval: true, workerData }));
  }

  /** Stops trying; returns the keys it took. */
  async stop(): Promise<string[]> {
    const taken = new Promise<string[]>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
    });
    this.worker.postMessage('stop');
    const keys = await taken;
    await this.worker.terminate();
    return keys;
  }
}
