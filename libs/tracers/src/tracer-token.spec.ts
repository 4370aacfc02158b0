import { newTracerToken, tracerSubject, tracerTokenIn } from './tracer-token.js';

describe('tracer tokens', () => {
  it('are 128 random bits, different every time, and carried by the subject', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newTracerToken()));
    expect(tokens.size).toBe(1000);
    const token = [...tokens][0];
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(tracerTokenIn(tracerSubject(token))).toBe(token);
    expect(tracerTokenIn(`Fwd: [list] ${tracerSubject(token)}`)).toBe(token);
  });

  it('are not found in subjects that merely look like the seed tracers', () => {
    for (const subject of [
      'TRACER: 123',
      'TRACER: abc',
      `TRACER: ${'g'.repeat(32)}`,
      `TRACER:${'a'.repeat(32)}`,
      '',
      null,
    ]) {
      expect(tracerTokenIn(subject)).toBeNull();
    }
  });
});
