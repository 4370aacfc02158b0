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

/** Runs in the rival's thread: every 20 ms, take any of the keys that is free (SET NX), like a node would. */
async function rivalThread(): Promise<void> {
  const threads = await import('node:worker_threads');
  const data = threads.workerData as RivalData;
  const { Redis } = (await import(data.ioredisUrl)) as typeof IoRedis;
  const redis = new Redis(data.redisUrl);
  const taken: string[] = [];
  let stopping = false;
  threads.parentPort!.on('message', () => (stopping = true));
  while (!stopping) {
    for (const key of data.keys) {
      if (!taken.includes(key) && (await redis.set(key, data.rivalId, 'PX', 60_000, 'NX')) === 'OK') taken.push(key);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await redis.quit();
  threads.parentPort!.postMessage(taken);
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
