import { bullPrefix, installationKeyPattern, redisKey } from './redis-keys.js';

/** The slot Redis Cluster hashes a key to is decided by its hash tag: the text between the first { and }. */
function hashTag(key: string): string {
  const open = key.indexOf('{');
  const close = key.indexOf('}', open + 1);
  return open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
}

describe('redis keys', () => {
  it('puts every key of one area under one hash tag', () => {
    expect(hashTag(redisKey('superimap', 'lease', 'user-1'))).toBe('superimap:lease');
    expect(hashTag(redisKey('superimap', 'lease', 'user-2'))).toBe('superimap:lease');
    expect(hashTag(redisKey('superimap', 'cluster', 'members'))).toBe(
      hashTag(redisKey('superimap', 'cluster', 'info')),
    );
  });

  it('gives areas and installations different hash tags', () => {
    expect(hashTag(redisKey('superimap', 'lease', 'x'))).not.toBe(hashTag(redisKey('superimap', 'cluster', 'x')));
    expect(hashTag(redisKey('a', 'lease', 'x'))).not.toBe(hashTag(redisKey('b', 'lease', 'x')));
  });

  it('keeps the readable prefix:area:rest shape inside the braces', () => {
    expect(redisKey('superimap', 'connect', 'state', 'h1')).toBe('{superimap:connect}:state:h1');
    expect(bullPrefix('superimap')).toBe('{superimap:bull}');
  });

  it('matches the installation keys with one pattern, not those of a longer prefix', () => {
    const pattern = new RegExp(`^${installationKeyPattern('p1').replace('{', '\\{').replace('*', '.*')}$`);
    expect(pattern.test(redisKey('p1', 'lease', 'u'))).toBe(true);
    expect(pattern.test(`${bullPrefix('p1')}:webhooks:1`)).toBe(true);
    expect(pattern.test(redisKey('p10', 'lease', 'u'))).toBe(false);
  });
});
