import { PartnerSlots } from './partner-slots.js';

describe('PartnerSlots', () => {
  it('gives each partner at most its share, and a released slot back', () => {
    const slots = new PartnerSlots(2);
    expect([slots.tryTake('a'), slots.tryTake('a'), slots.tryTake('a')]).toEqual([true, true, false]);
    expect(slots.tryTake('b')).toBe(true);
    expect(slots.inFlight).toBe(3);
    slots.release('a');
    expect(slots.tryTake('a')).toBe(true);
    for (const partner of ['a', 'a', 'b']) slots.release(partner);
    expect(slots.inFlight).toBe(0);
  });
});
