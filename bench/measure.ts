// Small measuring tools shared by the bench sections.

import { sleep } from '../stress/free-port.js';
import { sampleProcess } from '../stress/process-sampler.js';

export const MIB = 1024 * 1024;

/** CPU used by `pid` over `ms`, in percent of one core. */
export async function cpuPercent(pid: number, ms: number): Promise<number> {
  const before = await sampleProcess(pid);
  const started = performance.now();
  await sleep(ms);
  const after = await sampleProcess(pid);
  if (!before || !after) return NaN;
  const seconds = (after.cpuTicks - before.cpuTicks) / 100;
  return (100 * seconds) / ((performance.now() - started) / 1000);
}

export async function rssBytes(pid: number): Promise<number> {
  return (await sampleProcess(pid))?.rssBytes ?? NaN;
}

/**
 * RSS of `pid` at rest: the lowest of samples taken every `everyMs` over `ms`. V8 gives back the garbage of a
 * burst (the young generation, old-space pages) only when its memory reducer runs, tens of seconds into a
 * quiet spell and at no fixed time; one sample showed that garbage or not depending on when it was taken.
 */
export async function restingRss(pid: number, ms: number, everyMs = 2000): Promise<number> {
  let lowest = NaN;
  const deadline = performance.now() + ms;
  for (;;) {
    const rss = await rssBytes(pid);
    if (!(rss >= lowest)) lowest = rss;
    if (performance.now() + everyMs > deadline) return lowest;
    await sleep(everyMs);
  }
}

/** A gauge from Prometheus text (first sample of that name), or NaN. */
export function metricValue(text: string, name: string): number {
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})? ([-0-9.eE+]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : NaN;
}

export async function waitUntil(
  what: string,
  condition: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : NaN;
}
