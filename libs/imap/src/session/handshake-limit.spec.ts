import { CALM_LAG_MS, handshakeLimit } from './handshake-limit.js';

describe('handshakeLimit', () => {
  it('gives the full cap while the event loop keeps up', () => {
    expect(handshakeLimit(20, 0)).toBe(20);
    expect(handshakeLimit(20, CALM_LAG_MS)).toBe(20);
  });

  it('shrinks inversely to the lag, down to one handshake at a time', () => {
    expect(handshakeLimit(20, 2 * CALM_LAG_MS)).toBe(10);
    expect(handshakeLimit(20, 10 * CALM_LAG_MS)).toBe(2);
    expect(handshakeLimit(20, 30_000)).toBe(1);
  });
});
