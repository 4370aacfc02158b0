import { BullModule } from '@nestjs/bullmq';
import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';

import { AppConfig } from '../config/app-config.js';
import { bullPrefix } from '../redis/redis-keys.js';
import { BullConnection, BullConnectionModule } from './bull-connection.js';
import { QUEUE_ERROR_LISTENERS, QueueErrorLog } from './queue-error-log.js';
import { ALL_QUEUES } from './queues.js';

/**
 * BullMQ on REDIS_URL (or REDIS_CLUSTER_NODES) under this installation's hash-tagged prefix. Producers and consumers both import it;
 * only worker modules register processors.
 */
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      imports: [BullConnectionModule],
      inject: [AppConfig, BullConnection],
      useFactory: (config: AppConfig, connection: BullConnection) => ({
        connection: connection.options,
        prefix: bullPrefix(config.REDIS_PREFIX),
        defaultJobOptions: {
          removeOnComplete: { age: 3600, count: 10_000 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      }),
    }),
    BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
  ],
  providers: [QUEUE_ERROR_LISTENERS, QueueErrorLog],
  exports: [BullModule],
})
export class QueueModule {}
