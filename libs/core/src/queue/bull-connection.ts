import { Inject, Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { ConnectionOptions } from 'bullmq';

import { AppConfig } from '../config/app-config.js';
import { createRedis, type RedisClient } from '../redis/redis-connection.js';

/**
 * How BullMQ reaches Redis. A single server is given by URL (BullMQ opens its own connections); a cluster
 * needs an ioredis Cluster instance, which the queues share and which is closed here, after them (Nest shuts
 * modules down in reverse order, and the queues' module imports this one).
 */
@Injectable()
export class BullConnection implements OnApplicationShutdown {
  private readonly cluster?: RedisClient;

  constructor(@Inject(AppConfig) private readonly config: AppConfig) {
    if (config.REDIS_CLUSTER_NODES) {
      // Workers block on their connection: BullMQ requires that commands are never cut off by retries.
      this.cluster = createRedis(
        { url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES },
        { maxRetriesPerRequest: null },
      );
    }
  }

  get options(): ConnectionOptions {
    return this.cluster ?? { url: this.config.REDIS_URL, maxRetriesPerRequest: null };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.cluster?.quit().catch(() => this.cluster?.disconnect());
  }
}

@Module({ providers: [BullConnection], exports: [BullConnection] })
export class BullConnectionModule {}
