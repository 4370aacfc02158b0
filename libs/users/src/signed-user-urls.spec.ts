import { parseConfig } from '@app/core';

import { SignedUserUrls } from './signed-user-urls.js';

const env = {
  NODE_ENV: 'test',
  ENCRYPTION_KEY: 'k:0123456789abcdef0123',
  SECRET_KEY_BASE: 's'.repeat(40),
  PUBLIC_URL: 'https://imap.example.com',
};
const urls = new SignedUserUrls(parseConfig(env));
const USER = '0b7c4a5e-1111-4222-8333-944445555666';
const tokenOf = (url: string) => new URL(url).pathname.split('/').at(-1)!;

describe('SignedUserUrls', () => {
  const issued = new Date('2026-01-01T12:00:00Z');
  const soon = new Date(issued.getTime() + 1000);

  it('builds absolute URLs on PUBLIC_URL, with no query string, that verify for 30 minutes', () => {
    const url = urls.url('connect', USER, issued);
    expect(url).toMatch(/^https:\/\/imap\.example\.com\/users\/connect\/[0-9a-f-]{36}\.\d+\.[A-Za-z0-9_-]{43}$/);
    expect(new URL(url).search).toBe('');
    const link = urls.verify('connect', tokenOf(url), new Date(issued.getTime() + 29 * 60_000));
    expect(link).toMatchObject({ userId: USER, issuedAt: issued });
    expect(link.linkId).toMatch(/^connect:/);
  });

  it('keeps the seed idiom one well-formed URL', () => {
    const url = new URL(
      `${urls.url('connect', USER, issued)}?success=${encodeURIComponent('http://my-app.com/cb?success=1')}`,
    );
    expect(url.searchParams.get('success')).toBe('http://my-app.com/cb?success=1');
    expect(urls.verify('connect', tokenOf(url.toString()), soon).userId).toBe(USER);
  });

  it('rejects an expired URL', () => {
    const token = tokenOf(urls.url('connect', USER, issued));
    expect(() => urls.verify('connect', token, new Date(issued.getTime() + 31 * 60_000))).toThrow(/expired/);
  });

  it('rejects a tampered user id, timestamp or signature, the other action, and non-canonical spellings', () => {
    const token = urls.token('connect', USER, issued);
    const [user, ts, sig] = token.split('.');
    const bad = [
      `${user.replace('1', '2')}.${ts}.${sig}`,
      `${user}.${Number(ts) + 1}.${sig}`,
      `${user}.${ts}.${(sig[0] === 'A' ? 'B' : 'A') + sig.slice(1)}`,
      `${user.toUpperCase()}.${ts}.${sig}`,
      `${user}.0${ts}.${sig}`,
      `${user}.${ts}.${sig}=`,
      `${user}.${ts}.${sig.slice(0, -1)}${String.fromCharCode(sig.charCodeAt(42) + 1)}`,
      ` ${token}`,
      `${token}\u0000`,
      '',
      undefined,
    ];
    for (const candidate of bad) expect(() => urls.verify('connect', candidate, soon)).toThrow();
    expect(() => urls.verify('disconnect', token, soon)).toThrow();
    expect(urls.verify('connect', token, soon).userId).toBe(USER);
  });

  it('rejects URLs signed with another server secret', () => {
    const other = new SignedUserUrls(parseConfig({ ...env, SECRET_KEY_BASE: 't'.repeat(40) }));
    expect(() => urls.verify('connect', other.token('connect', USER, issued), soon)).toThrow();
  });
});
