import type { Type } from '@nestjs/common';
import { Test, type TestingModule, type TestingModuleBuilder } from '@nestjs/testing';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { DataSource } from 'typeorm';

import {
  type AppConfig,
  CoreModule,
  createRootLogger,
  dataSourceOptions,
  ensureDatabase,
  parseConfig,
  installationKeyPattern,
} from '@app/core';

import { ScratchDatabase } from './scratch-database.js';
import { REDIS_URL, TEST_ENCRYPTION_KEY, TEST_SECRET_KEY_BASE, uniqueName } from './test-env.js';

/** Settings that make timers fire fast in process, as FAST_ENV does for spawned roles. */
export const FAST_IN_PROCESS = { HEARTBEAT_INTERVAL: '1', HEARTBEAT_TIMEOUT: '3', OUTBOX_SWEEP_INTERVAL: '3600' };

export interface NodeOptions {
  /** Configuration variables for this node (strings, as in the environment). */
  env?: Record<string, string>;
  /** Changes to the module before it compiles (e.g. overrideProvider). */
  override?: (builder: TestingModuleBuilder) => TestingModuleBuilder;
}

/**
 * The integration tier's installation: one scratch database (migrated in process, no build needed) and
 * one Redis prefix per suite, and any number of in-process Nest "nodes" on them, each a testing module
 * of CoreModule plus the feature modules under test, initialised (bootstrap hooks run) like a role.
 */
export class IntegrationInstallation {
  readonly db = new ScratchDatabase();
  readonly redisPrefix = uniqueName('superimap-int');
  private readonly nodes: TestingModule[] = [];
  private pool?: pg.Pool;

  static async create(): Promise<IntegrationInstallation> {
    const installation = new IntegrationInstallation();
    await ensureDatabase(installation.db.url);
    const migrator = new DataSource(dataSourceOptions(installation.db.url));
    await migrator.initialize();
    try {
      await migrator.runMigrations({ transaction: 'each' });
    } finally {
      await migrator.destroy();
    }
    return installation;
  }

  config(env: Record<string, string> = {}): AppConfig {
    return parseConfig({
      NODE_ENV: 'test',
      DATABASE_URL: this.db.url,
      REDIS_URL,
      REDIS_PREFIX: this.redisPrefix,
      ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      SECRET_KEY_BASE: TEST_SECRET_KEY_BASE,
      LOG_LEVEL: 'error',
      ...FAST_IN_PROCESS,
      ...env,
    });
  }

  /** Starts a node running `modules`; stopped by stop() unless stopped earlier with stopNode(). */
  async startNode(modules: Type[], options: NodeOptions = {}): Promise<TestingModule> {
    const config = this.config(options.env);
    const logger = createRootLogger({ role: 'integration', level: config.LOG_LEVEL });
    let builder = Test.createTestingModule({ imports: [CoreModule.forRoot(config, logger), ...modules] });
    if (options.override) builder = options.override(builder);
    const node = await builder.compile();
    this.nodes.push(node);
    await node.init();
    return node;
  }

  /** Closes a node the way a SIGTERM would (shutdown hooks run). */
  async stopNode(node: TestingModule): Promise<void> {
    const index = this.nodes.indexOf(node);
    if (index >= 0) this.nodes.splice(index, 1);
    await node.close();
  }

  async sql<T extends pg.QueryResultRow = Record<string, any>>(text: string, values: unknown[] = []): Promise<T[]> {
    this.pool ??= this.db.pool();
    return (await this.pool.query<T>(text, values)).rows;
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.splice(0).map((node) => node.close()));
    await this.pool?.end();
    await this.db.drop();
    await deleteRedisKeys(installationKeyPattern(this.redisPrefix));
  }
}

async function deleteRedisKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}
