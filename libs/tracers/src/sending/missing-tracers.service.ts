import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { Repository } from 'typeorm';

import { AppConfig, ROOT_LOGGER } from '@app/core';
import { UserDirectory } from '@app/users';

import { TracerLog } from '../tracer-log.entity.js';
import { TracerMetrics } from '../tracer-metrics.service.js';

/**
 * Marks tracers not seen within TRACER_TIMEOUT as missing, counts and logs each once (the UPDATE decides,
 * so several workers never count one twice), and closes logs whose send never started (a worker died).
 */
@Injectable()
export class MissingTracers implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private sweeping = false;
  private readonly logger: Logger;

  constructor(
    @InjectRepository(TracerLog) private readonly logs: Repository<TracerLog>,
    private readonly directory: UserDirectory,
    private readonly metrics: TracerMetrics,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'tracers' });
  }

  onApplicationBootstrap(): void {
    // A quarter of the timeout: a missing tracer is noticed at most 25% late (and never less often than 30 s).
    const everyMs = Math.min(30_000, Math.max(250, (this.config.TRACER_TIMEOUT * 1000) / 4));
    this.timer = setInterval(() => void this.sweep(), everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Returns how many tracers it found missing. */
  async sweep(now = new Date()): Promise<number> {
    if (this.sweeping) return 0;
    this.sweeping = true;
    try {
      const cutoff = new Date(now.getTime() - this.config.TRACER_TIMEOUT * 1000);
      // A SELECT around the UPDATE, so the rows come back as rows whatever the driver makes of an UPDATE.
      const rows: { id: string; user_id: string; sent_at: Date }[] = await this.logs.query(
        `WITH missing AS (
           UPDATE tracer_logs SET status = 'missing'
            WHERE status IN ('pending', 'sent') AND sent_at < $1 RETURNING id, user_id, sent_at)
         SELECT * FROM missing`,
        [cutoff],
      );
      await this.logs
        .createQueryBuilder()
        .update(TracerLog)
        .set({ status: 'failed', error: 'never handed to SMTP: the worker stopped first' })
        .where("status = 'pending' AND sent_at IS NULL AND created_at < :cutoff", { cutoff })
        .execute();
      for (const row of rows) await this.report(row.user_id, row.sent_at);
      return rows.length;
    } catch (error) {
      this.logger.warn({ err: error }, 'missing-tracer sweep failed');
      return 0;
    } finally {
      this.sweeping = false;
    }
  }

  private async report(userId: string, sentAt: Date): Promise<void> {
    const target = await this.directory.deliveryTarget(userId);
    const provider = target?.providerCode ?? 'unknown';
    this.metrics.missing.inc({ provider });
    this.logger.warn(
      { userId, tag: target?.tag ?? null, provider, sentAt, timeoutSeconds: this.config.TRACER_TIMEOUT },
      `tracer missing: not seen in ${target?.tag ?? userId}'s mailbox (${provider}) within TRACER_TIMEOUT`,
    );
  }
}
