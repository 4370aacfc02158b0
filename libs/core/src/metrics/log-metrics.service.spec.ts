import { jest } from '@jest/globals';
import type { Logger } from 'pino';

import type { AppConfig } from '../config/app-config.js';
import { LogMetrics } from './log-metrics.service.js';

function reporterWith(config: Partial<AppConfig>) {
  const lines: string[] = [];
  const logger = { child: () => logger, info: (_fields: unknown, line: string) => lines.push(line), warn: () => {} };
  const reporter = new LogMetrics(config as AppConfig, logger as unknown as Logger);
  reporter.addSource(() => [{ mode: 'measure', name: 'imap_client.user_thread.count', value: 3 }]);
  reporter.addSource(() =>
    Promise.resolve([{ mode: 'count' as const, name: 'app.schedule_tracer_email.count', value: 1 }]),
  );
  return { reporter, lines };
}

describe('LogMetrics', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('logs one line of every source each METRICS_LOG_INTERVAL, with the dyno', async () => {
    const { reporter, lines } = reporterWith({ METRICS_LOG_INTERVAL: 60, DYNO: 'worker.1' });
    reporter.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(120_000);
    reporter.onApplicationShutdown();
    expect(lines).toEqual([
      'source=worker.1 measure#imap_client.user_thread.count=3 count#app.schedule_tracer_email.count=1',
      'source=worker.1 measure#imap_client.user_thread.count=3 count#app.schedule_tracer_email.count=1',
    ]);
  });

  it('logs nothing when METRICS_LOG_INTERVAL is 0', async () => {
    const { reporter, lines } = reporterWith({ METRICS_LOG_INTERVAL: 0 });
    reporter.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(lines).toEqual([]);
  });
});
