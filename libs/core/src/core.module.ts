import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import type { Logger } from 'pino';

import type { AppConfig } from './config/app-config.js';
import { ConfigModule } from './config/config.module.js';
import { CryptoModule } from './crypto/crypto.module.js';
import { DatabaseModule } from './database/database.module.js';
import { AllErrorsFilter } from './errors/all-errors.filter.js';
import { HealthController } from './health/health.controller.js';
import { HealthService } from './health/health.service.js';
import { LoggingModule } from './logging/logging.module.js';
import { LogMetrics } from './metrics/log-metrics.service.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import { OperatorServer } from './metrics/operator-server.js';
import { UserChangeNotifier } from './notifications/user-changes.js';
import { QueueModule } from './queue/queue.module.js';
import { RedisModule } from './redis/redis.module.js';

/** Infrastructure every role shares: config, logging, database, Redis, queues, crypto, health, metrics. */
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        CryptoModule,
        DatabaseModule.forRoot(),
        RedisModule,
        QueueModule,
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        HealthService,
        MetricsService,
        LogMetrics,
        OperatorServer,
        UserChangeNotifier,
        { provide: APP_FILTER, useClass: AllErrorsFilter },
      ],
      exports: [HealthService, MetricsService, LogMetrics, UserChangeNotifier, QueueModule],
    };
  }

  /** What a one-shot CLI command needs: config, logging, crypto, the database, and queues (Redis) only if asked. */
  static forCommand(config: AppConfig, logger: Logger, options: { queues?: boolean } = {}): DynamicModule {
    return {
      module: CoreModule,
      global: true,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(logger),
        CryptoModule,
        DatabaseModule.forRoot(),
        ...(options.queues ? [RedisModule, QueueModule] : []),
      ],
      // With Redis, commands may change users too (the users lib announces changes on Redis).
      providers: options.queues ? [UserChangeNotifier] : [],
      exports: options.queues ? [QueueModule, UserChangeNotifier] : [],
    };
  }
}
