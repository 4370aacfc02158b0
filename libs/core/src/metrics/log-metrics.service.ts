import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';

import { AppConfig } from '../config/app-config.js';
import { ROOT_LOGGER } from '../logging/logging.module.js';
import { formatLogMetrics, type LogFigure } from './log-metrics.js';

/** Where a feature's figures come from; called once per line. */
export type LogFigureSource = () => LogFigure[] | Promise<LogFigure[]>;

/**
 * Every METRICS_LOG_INTERVAL seconds, one info line with the seed's log metrics (`measure#…`, `sample#…`,
 * `count#…`) of whatever this process runs, for the log-based dashboards the seed's users built. Features add
 * their figures as sources; a process without any logs nothing. Prometheus (`/metrics`) is the richer view.
 */
@Injectable()
export class LogMetrics implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly sources: LogFigureSource[] = [];
  private readonly logger: Logger;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'log-metrics' });
  }

  addSource(source: LogFigureSource): void {
    this.sources.push(source);
  }

  onApplicationBootstrap(): void {
    if (this.config.METRICS_LOG_INTERVAL <= 0) return;
    this.timer = setInterval(() => void this.report(), this.config.METRICS_LOG_INTERVAL * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Logs one line now; returns it (null when nothing here has figures). */
  async report(): Promise<string | null> {
    if (this.sources.length === 0) return null;
    try {
      const figures = (await Promise.all(this.sources.map(async (source) => source()))).flat();
      const line = formatLogMetrics(figures, this.config.DYNO);
      this.logger.info({ metrics: Object.fromEntries(figures.map((f) => [`${f.mode}#${f.name}`, f.value])) }, line);
      return line;
    } catch (error) {
      this.logger.warn({ err: error }, 'could not gather the log metrics');
      return null;
    }
  }
}
