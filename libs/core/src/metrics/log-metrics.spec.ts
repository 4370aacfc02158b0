import { parseConfig } from '../config/load-config.js';
import { formatLogMetrics, parseLogMetrics } from './log-metrics.js';

describe('log-metrics lines', () => {
  const figures = [
    { mode: 'measure' as const, name: 'imap_client.user_thread.count', value: 12 },
    { mode: 'measure' as const, name: 'imap_client.work_queue.length', value: 0 },
    { mode: 'measure' as const, name: 'work_queue.latency', value: 0.012345678, unit: 's' },
    { mode: 'sample' as const, name: 'imap_client.total_emails_processed', value: 1042 },
  ];

  it("writes the seed's modes, names and units, prefixed by source=<DYNO> when set", () => {
    expect(formatLogMetrics(figures, 'imap_client.1')).toBe(
      'source=imap_client.1 measure#imap_client.user_thread.count=12 measure#imap_client.work_queue.length=0 ' +
        'measure#work_queue.latency=0.0123s sample#imap_client.total_emails_processed=1042',
    );
    expect(formatLogMetrics(figures).startsWith('measure#imap_client.user_thread.count=12 ')).toBe(true);
  });

  it('reads back what it writes, and rejects what a log-metrics parser would not take', () => {
    expect(parseLogMetrics(formatLogMetrics(figures, 'web.2'))).toEqual({
      source: 'web.2',
      figures: {
        'measure#imap_client.user_thread.count': { value: 12, unit: '' },
        'measure#imap_client.work_queue.length': { value: 0, unit: '' },
        'measure#work_queue.latency': { value: 0.0123, unit: 's' },
        'sample#imap_client.total_emails_processed': { value: 1042, unit: '' },
      },
    });
    expect(formatLogMetrics([{ mode: 'count', name: 'x', value: 1e-9 }])).toBe('count#x=0');
    expect(formatLogMetrics([{ mode: 'count', name: 'x', value: Number.NaN }])).toBe('count#x=0');
    expect(() => parseLogMetrics('gauge#x=1')).toThrow('not a log-metrics token');
    expect(() => parseLogMetrics('measure#x=1e-7')).toThrow();
  });

  it('is on every 60 s by default, off at 0, and names the dyno only when DYNO is set', () => {
    const secrets = { ENCRYPTION_KEY: 'k1:0123456789abcdef0123', SECRET_KEY_BASE: 'x'.repeat(32) };
    expect(parseConfig(secrets)).toMatchObject({ METRICS_LOG_INTERVAL: 60, TRACER_TIMEOUT: 300, DYNO: undefined });
    expect(parseConfig({ ...secrets, METRICS_LOG_INTERVAL: '0', DYNO: 'worker.3' })).toMatchObject({
      METRICS_LOG_INTERVAL: 0,
      DYNO: 'worker.3',
    });
    expect(() => parseConfig({ ...secrets, METRICS_LOG_INTERVAL: '-1' })).toThrow('METRICS_LOG_INTERVAL');
  });
});
