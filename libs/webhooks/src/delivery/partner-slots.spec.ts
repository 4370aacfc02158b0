import { jest } from '@jest/globals';

import { PartnerSlots } from './partner-slots.js';

describe('PartnerSlots', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    jest.useFakeTimers();
    clock = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('gives each partner at most its share at once; other partners are not affected', async () => {
    const slots = new PartnerSlots(2, 1000, now);
    expect([await slots.take('a'), await slots.take('a')]).toEqual([true, true]);
    expect(await slots.take('b')).toBe(true);
    expect(slots.inFlight).toBe(3);
  });

  it('a job over the share of a flowing partner waits and gets the next freed slot (nothing handed back)', async () => {
    const slots = new PartnerSlots(1, 1000, now);
    await slots.take('a');
    const waiting = slots.take('a');
    expect(slots.waiting).toBe(1);
    clock += 10;
    slots.release('a');
    expect(await waiting).toBe(true);
    expect(slots.inFlight).toBe(1);
    expect(slots.waiting).toBe(0);
  });

  it('a waiter that gets no slot within the flowing window is handed back', async () => {
    const slots = new PartnerSlots(1, 1000, now);
    await slots.take('a');
    const waiting = slots.take('a');
    clock += 1000;
    jest.advanceTimersByTime(1000);
    expect(await waiting).toBe(false);
    expect(slots.waiting).toBe(0);
  });

  it('a partner whose deliveries are all slow has its surplus handed back at once', async () => {
    const slots = new PartnerSlots(1, 1000, now);
    await slots.take('a');
    clock += 1500; // nothing freed for longer than the window
    expect(await slots.take('a')).toBe(false);
    expect(await slots.take('b')).toBe(true);
  });

  it('releasing frees the slot when nobody waits', async () => {
    const slots = new PartnerSlots(2, 1000, now);
    await slots.take('a');
    await slots.take('b');
    slots.release('a');
    slots.release('b');
    expect(slots.inFlight).toBe(0);
    expect(await slots.take('a')).toBe(true);
  });
});
