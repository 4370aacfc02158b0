import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { NODE_ID } from '../logging/logger.js';
import { RedisService } from '../redis/redis.module.js';

export interface HealthReport {
  status: 'ok' | 'error';
  /** This process's node id; only in the detailed report. */
  node?: string;
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
  [extra: string]: unknown;
}

/** Extra details a role adds to /health (e.g. the cluster view of an imap-client). */
export interface HealthContributor {
  healthDetails(): Promise<Record<string, unknown>>;
}
export const HEALTH_CONTRIBUTORS = Symbol('HEALTH_CONTRIBUTORS');

const CHECK_TIMEOUT_MS = 2000;

@Injectable()
export class HealthService {
  private readonly contributors: HealthContributor[] = [];

  constructor(
    private readonly dataSource: DataSource,
    @Inject(RedisService) private readonly redis: RedisService,
  ) {}

  addContributor(contributor: HealthContributor): void {
    this.contributors.push(contributor);
  }

  /** Whether PostgreSQL and Redis answer: what a load balancer or an orchestrator needs, nothing more. */
  async summary(): Promise<HealthReport> {
    const [postgres, redis] = await Promise.all([
      check(() => this.dataSource.query('SELECT 1')),
      check(() => this.redis.client.ping()),
    ]);
    return { status: postgres.status === 'up' && redis.status === 'up' ? 'ok' : 'error', checks: { postgres, redis } };
  }

  /** The summary plus the node id and what roles contribute (the cluster view of an imap-client). */
  async report(): Promise<HealthReport> {
    const { status, checks } = await this.summary();
    const report: HealthReport = { status, node: NODE_ID, checks };
    for (const contributor of this.contributors) Object.assign(report, await contributor.healthDetails());
    return report;
  }
}

async function check(probe: () => Promise<unknown>): Promise<{ status: 'up' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    });
    await Promise.race([probe(), timeout]);
    return { status: 'up' };
  } catch (error) {
    return { status: 'down', error: (error as Error).message };
  } finally {
    clearTimeout(timer);
  }
}
