import { ConcurrencyLimiter } from './concurrency-limiter.js';

describe('ConcurrencyLimiter', () => {
  it('never runs more than the limit at once, and runs every task in order', async () => {
    const limiter = new ConcurrencyLimiter(2);
    let inFlight = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (n: number) => async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      order.push(n);
      inFlight--;
      return n;
    };
    const results = await Promise.all([1, 2, 3, 4, 5].map((n) => limiter.run(task(n))));
    expect(results).toEqual([1, 2, 3, 4, 5]);
    expect(peak).toBe(2);
    expect(order.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(limiter.running).toBe(0);
    expect(limiter.queued).toBe(0);
  });

  it('frees its slot when a task fails', async () => {
    const limiter = new ConcurrencyLimiter(1);
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run(() => Promise.resolve('ok'))).resolves.toBe('ok');
  });

  it('reads a limit given as a function at every admission: lowered, it starts no more until below it', async () => {
    let limit = 3;
    const limiter = new ConcurrencyLimiter(() => limit);
    const releases: (() => void)[] = [];
    const task = () => new Promise<void>((resolve) => releases.push(resolve));
    const runs = Array.from({ length: 6 }, () => limiter.run(task));
    await Promise.resolve();
    expect(limiter.running).toBe(3);
    limit = 1;
    releases.shift()!();
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    // Two finished, one still runs: that one is at the lowered limit, so none of the three waiting starts.
    expect([limiter.running, limiter.queued]).toEqual([1, 3]);
    limit = 2;
    releases.shift()!();
    await new Promise((resolve) => setImmediate(resolve));
    expect([limiter.running, limiter.queued]).toEqual([2, 1]);
    while (releases.length > 0 || limiter.running > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(runs);
    expect([limiter.running, limiter.queued]).toEqual([0, 0]);
  });

  it('never lets a limit below one stop the queue', async () => {
    const limiter = new ConcurrencyLimiter(() => 0);
    await expect(Promise.all([1, 2].map((n) => limiter.run(() => Promise.resolve(n))))).resolves.toEqual([1, 2]);
  });
});
