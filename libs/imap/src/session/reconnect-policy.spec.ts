import { backoffDelay, classifyFailure } from './reconnect-policy.js';

describe('classifyFailure', () => {
  it('recognises authentication failures', () => {
    expect(
      classifyFailure(Object.assign(new Error('Authentication failed'), { authenticationFailed: true })).kind,
    ).toBe('auth');
    expect(classifyFailure({ message: 'x', serverResponseCode: 'AUTHORIZATIONFAILED' }).kind).toBe('auth');
    expect(classifyFailure({ message: 'x', serverResponseCode: 'EXPIRED' }).kind).toBe('auth');
    expect(classifyFailure({ name: 'CredentialsError', message: 'invalid_grant', permanent: true }).kind).toBe('auth');
  });

  it('honours throttling replies', () => {
    expect(classifyFailure({ code: 'ETHROTTLE', throttleReset: 1234, message: 'throttled' })).toMatchObject({
      kind: 'throttled',
      delayMs: 1234,
    });
    expect(
      classifyFailure({
        message: 'Command failed',
        response: 'BAD Request is throttled. Suggested Backoff Time: 92415 milliseconds',
      }),
    ).toMatchObject({ kind: 'throttled', delayMs: 92415 });
    expect(classifyFailure({ response: 'NO [UNAVAILABLE] Too many simultaneous connections' })).toMatchObject({
      kind: 'throttled',
      delayMs: 60_000,
    });
  });

  it('says each part of the reason once (last_error), however the error repeats it', () => {
    const error = Object.assign(new Error('Authentication failed'), {
      authenticationFailed: true,
      response: 'NO [AUTHENTICATIONFAILED] authentication failure',
      responseText: 'authentication failure',
    });
    expect(classifyFailure(error).reason).toBe(
      'Authentication failed NO [AUTHENTICATIONFAILED] authentication failure',
    );
    expect(classifyFailure({ message: 'Command failed', responseText: 'Command failed' }).reason).toBe(
      'Command failed',
    );
  });

  it('treats everything else as transient, and says when nothing answered in time', () => {
    expect(classifyFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toEqual({
      kind: 'transient',
      reason: 'connect ECONNREFUSED',
    });
    expect(classifyFailure(undefined).kind).toBe('transient');
    for (const code of ['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETIMEOUT']) {
      expect(classifyFailure({ message: 'Timeout', code })).toEqual({
        kind: 'transient',
        reason: 'Timeout',
        timedOut: true,
      });
    }
  });
});

describe('backoffDelay', () => {
  it('grows exponentially, is capped at 5 minutes, and uses full jitter', () => {
    expect(backoffDelay(0, () => 0.999)).toBe(999);
    expect(backoffDelay(3, () => 0.999)).toBe(7992);
    expect(backoffDelay(30, () => 0.999)).toBe(299_700);
    expect(backoffDelay(5, () => 0)).toBe(0);
  });
});
