import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource } from 'typeorm';

import { AppConfig, RedisService, ROOT_LOGGER } from '@app/core';
import { UserCredentials } from '@app/users';
import { EventsService } from '@app/webhooks';

import { MailLog } from '../pipeline/mail-log.entity.js';

export interface PurgeReport {
  events: number;
  mailLogs: number;
  archivedCredentials: number;
}

/**
 * Keeps stored mail data bounded: every RETENTION_PURGE_INTERVAL one worker (a Redis lock decides which)
 * deletes finished events, old mail logs and the credentials of long-archived users, each per its setting.
 * It lives in the imap lib because that is the lowest lib that sees every owner (users, webhooks, mail logs).
 */
@Injectable()
export class DataRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;
  private readonly logger: Logger;

  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: UserCredentials,
    private readonly events: EventsService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'retention' });
  }

  onApplicationBootstrap(): void {
    const seconds = this.config.RETENTION_PURGE_INTERVAL;
    if (seconds <= 0) return;
    this.timer = setInterval(() => void this.purgeIfTurn(seconds), seconds * 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One purge with the configured retentions (0 keeps that kind forever). */
  async purge(): Promise<PurgeReport> {
    const { EVENT_RETENTION, MAIL_LOG_RETENTION, ARCHIVED_CREDENTIALS_RETENTION } = this.config;
    const report = {
      events: EVENT_RETENTION > 0 ? await this.events.purgeFinished(EVENT_RETENTION) : 0,
      mailLogs: MAIL_LOG_RETENTION > 0 ? await this.purgeMailLogs(MAIL_LOG_RETENTION) : 0,
      archivedCredentials:
        ARCHIVED_CREDENTIALS_RETENTION > 0 ? await this.credentials.purgeArchived(ARCHIVED_CREDENTIALS_RETENTION) : 0,
    };
    if (report.events + report.mailLogs + report.archivedCredentials > 0) this.logger.info(report, 'retention purge');
    return report;
  }

  /** Mail logs are what dedupes a UID; the cursor is far past any this old, so they can go. */
  private async purgeMailLogs(hours: number): Promise<number> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(MailLog)
      .where('created_at < now() - make_interval(secs => :seconds)', { seconds: hours * 3600 })
      .execute();
    return result.affected ?? 0;
  }

  private async purgeIfTurn(intervalSeconds: number): Promise<void> {
    if (this.running) return;
    const lock = await this.redis.client
      .set(this.redis.key('retention', 'purge'), '1', 'EX', Math.max(1, Math.floor(intervalSeconds * 0.9)), 'NX')
      .catch(() => null);
    if (lock !== 'OK') return;
    this.running = this.purge()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'retention purge failed; the next one retries'))
      .finally(() => (this.running = undefined));
    await this.running;
  }
}
