import { redactedUrl } from './redacted-url.js';

describe('redactedUrl', () => {
  it('hides the password and keeps where the service is', () => {
    expect(redactedUrl('redis://:hunter2@redis.internal:6380/2')).toBe('redis://:***@redis.internal:6380/2');
    expect(redactedUrl('redis://default:hunter2@10.0.0.5:6379')).toBe('redis://default:***@10.0.0.5:6379');
  });

  it('leaves a URL without a password as it is', () => {
    expect(redactedUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });

  it('never echoes a URL it cannot parse (it may hold a secret)', () => {
    expect(redactedUrl('not a url :secret@')).toBe('(unparseable URL)');
  });
});
