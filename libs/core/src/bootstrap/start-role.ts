import type { INestApplication, Type } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Logger } from 'pino';

import type { AppConfig } from '../config/app-config.js';
import { CoreModule } from '../core.module.js';
import { PinoNestLogger } from '../logging/pino-nest-logger.js';
import { awaitRedis } from '../redis/await-redis.js';

export interface RoleSpec {
  /** What the logs call this process: `api`, `imap-client`, `worker` or `all`. */
  name: string;
  /** The feature modules this role runs; CoreModule is added here, once. */
  modules: Type[];
  port: number;
  /** HTTP setup beyond health and metrics (the api adds parsers, validation, docs). */
  configure?: (app: NestExpressApplication, config: AppConfig) => void;
  /** Cannot start without Redis (the cluster lives there): wait for it, with backoff, before booting. */
  needsRedisToStart?: boolean;
}

/** Boots one process: core infrastructure + the role's modules, listening on the role's port. */
export async function startRole(spec: RoleSpec, config: AppConfig, logger: Logger): Promise<INestApplication> {
  if (spec.needsRedisToStart)
    await awaitRedis({ url: config.REDIS_URL, clusterNodes: config.REDIS_CLUSTER_NODES }, logger);
  @Module({ imports: [CoreModule.forRoot(config, logger), ...spec.modules] })
  class RoleRootModule {}

  const app = await NestFactory.create<NestExpressApplication>(RoleRootModule, {
    logger: new PinoNestLogger(logger),
    bodyParser: false,
    abortOnError: false,
  });
  app.disable('x-powered-by');
  spec.configure?.(app, config);
  const address = config.LISTEN_ADDRESS;
  await (address ? app.listen(spec.port, address) : app.listen(spec.port));
  logger.info({ port: spec.port, address: address ?? 'all' }, `${spec.name} listening on port ${spec.port}`);
  return app;
}

const SHUTDOWN_DEADLINE_MS = 9000;

/**
 * SIGTERM/SIGINT close the application (sessions, leases, queues, pools) and exit 0;
 * a shutdown that hangs is cut off before orchestrators give up on us.
 */
export function exitCleanlyOnSignals(app: INestApplication, logger: Logger): void {
  let closing = false;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.close().then(
      () => {
        logger.info('stopped');
        logger.flush();
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
