import { Writable } from 'node:stream';

import { pino } from 'pino';

import { REDACTED_PATHS } from './logger.js';

function capture(): { logger: pino.Logger; lines: () => string } {
  let output = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      output += chunk.toString();
      done();
    },
  });
  return { logger: pino({ redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, stream), lines: () => output };
}

describe('log redaction', () => {
  it('never writes secrets, at the top level or nested', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        login_password: 'hunter2',
        api_key: 'sk_live_secret',
        user: { oauth2_refresh_token: '1//refresh', accessToken: 'ya29.token' },
        request: { body: { oauth2_client_secret: 'client-secret' } },
        req: { headers: { 'x-api-key': 'sk_header', authorization: 'Bearer abc' } },
      },
      'something happened',
    );
    const text = lines();
    for (const secret of [
      'hunter2',
      'sk_live_secret',
      '1//refresh',
      'ya29.token',
      'client-secret',
      'sk_header',
      'Bearer abc',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('[redacted]');
    expect(text).toContain('something happened');
  });

  it('never writes the SQL parameters of a failed query', () => {
    const { logger, lines } = capture();
    const failed = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      query: 'INSERT INTO users (tag, login_password) VALUES ($1, $2)',
      parameters: ['alice', 'v1:test1:ciphertext-of-the-password'],
      driverError: { parameters: ['alice', 'v1:test1:ciphertext-of-the-password'] },
    });
    logger.error({ err: failed }, 'Unhandled error');
    expect(lines()).not.toContain('ciphertext-of-the-password');
    expect(lines()).toContain('invalid byte sequence');
  });
});
