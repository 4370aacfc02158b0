import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** How long each measurement of the event loop's delay lasts. */
const WINDOW_MS = 1000;

/**
 * How late this process's event loop runs: the 90th percentile of its delay over the last second. A
 * process that starts work faster than it can do it sees this grow long before anything times out.
 */
export class EventLoopLag {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });
  private readonly timer: NodeJS.Timeout;
  private lastMs = 0;

  constructor() {
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), WINDOW_MS);
    // Only a measurement: it must never keep a process alive.
    this.timer.unref();
  }

  /** The last window's p90 delay (ms). */
  get delayMs(): number {
    return this.lastMs;
  }

  close(): void {
    clearInterval(this.timer);
    this.histogram.disable();
  }

  private sample(): void {
    this.lastMs = this.histogram.count > 0 ? this.histogram.percentile(90) / 1e6 : 0;
    this.histogram.reset();
  }
}
