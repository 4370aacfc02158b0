import { jest } from '@jest/globals';
import pino from 'pino';

import { type ServerAddress, ServerOutages } from './server-outages.js';

const server: ServerAddress = { host: 'imap.example.test', port: 993, tls: true };
const other: ServerAddress = { host: 'other.example.test', port: 993, tls: true };
const logger = pino({ level: 'silent' });
const options = { sessions: 3, windowMs: 10_000, probeIntervalMs: 5, maxProbeIntervalMs: 20 };

/** Runs the fake clock a millisecond at a time until `condition` holds (at most a simulated minute). */
async function until(condition: () => boolean): Promise<void> {
  for (let elapsed = 0; !condition(); elapsed++) {
    if (elapsed > 60_000) throw new Error('condition not met within a simulated minute');
    await jest.advanceTimersByTimeAsync(1);
  }
}

describe('ServerOutages', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('probes only once enough sessions to one server failed, with one probe at a time', async () => {
    let probes = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    let answering = false;
    const outages = new ServerOutages(
      async () => {
        probes++;
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 3));
        inFlight--;
        return answering;
      },
      logger,
      options,
    );
    const woken: string[] = [];
    for (const id of ['a', 'b', 'c']) outages.onRecovery(server, () => woken.push(id));
    outages.failed(server, 'a');
    outages.failed(server, 'a');
    outages.failed(server, 'b');
    outages.failed(other, 'c');
    await jest.advanceTimersByTimeAsync(30);
    expect(probes).toBe(0);

    expect(outages.isDown(server)).toBe(false);
    outages.failed(server, 'c');
    expect(outages.isDown(server)).toBe(true);
    expect(outages.isDown(other)).toBe(false);
    await until(() => probes >= 3);
    expect(woken).toEqual([]);
    answering = true;
    await until(() => woken.length === 3);
    expect(woken.sort()).toEqual(['a', 'b', 'c']);
    expect(outages.isDown(server)).toBe(false);
    expect(maxInFlight).toBe(1);
    outages.close();
  });

  it('ends the outage when a session gets through, and forgets listeners that stopped listening', () => {
    const outages = new ServerOutages(() => Promise.resolve(false), logger, options);
    const woken: string[] = [];
    outages.onRecovery(server, () => woken.push('stays'));
    const stop = outages.onRecovery(server, () => woken.push('left'));
    stop();
    for (const id of ['a', 'b', 'c']) outages.failed(server, id);
    outages.connected(server);
    expect(woken).toEqual(['stays']);
    outages.close();
  });

  it('sees no outage while sessions get through between failures', async () => {
    let probes = 0;
    const outages = new ServerOutages(() => Promise.resolve(++probes > 0), logger, options);
    for (const id of ['a', 'b', 'c', 'd', 'e', 'f']) {
      outages.failed(server, id);
      if (id === 'b' || id === 'd') outages.connected(server);
    }
    expect(outages.isDown(server)).toBe(false);
    await jest.advanceTimersByTimeAsync(20);
    expect(probes).toBe(0);
    outages.close();
  });

  it('takes a few of many open connections failing for their own trouble, and all of them dropping for an outage', () => {
    const outages = new ServerOutages(() => Promise.resolve(false), logger, options);
    const sessions = Array.from({ length: 100 }, (_, i) => `s${i}`);
    sessions.forEach(() => outages.connected(server));
    for (const id of sessions.slice(0, 5)) {
      outages.disconnected(server);
      outages.failed(server, id);
    }
    expect(outages.isDown(server)).toBe(false);

    for (const id of sessions.slice(5, 50)) {
      outages.disconnected(server);
      outages.failed(server, id);
    }
    expect(outages.isDown(server)).toBe(false);
    outages.disconnected(server);
    outages.failed(server, sessions[50]);
    expect(outages.isDown(server)).toBe(true);
    outages.close();
  });

  it('does not count timeouts while this process lags, but counts refusals and timeouts once it keeps up', () => {
    let lagMs = 400;
    const outages = new ServerOutages(() => Promise.resolve(false), logger, {
      ...options,
      eventLoopDelayMs: () => lagMs,
    });
    for (const id of ['a', 'b', 'c', 'd']) outages.failed(server, id, { timedOut: true });
    expect(outages.isDown(server)).toBe(false);

    for (const id of ['a', 'b', 'c']) outages.failed(other, id, {});
    expect(outages.isDown(other)).toBe(true);

    lagMs = 10;
    for (const id of ['a', 'b']) outages.failed(server, id, { timedOut: true });
    expect(outages.isDown(server)).toBe(false);
    outages.failed(server, 'c', { timedOut: true });
    expect(outages.isDown(server)).toBe(true);
    outages.close();
  });
});
