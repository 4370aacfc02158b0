import { parseConfig } from '@app/core';

import { SignedUserUrls } from './signed-user-urls.js';

const env = {
  ENCRYPTION_KEY: 'k:0123456789abcdef0123',
  SECRET_KEY_BASE: 's'.repeat(40),
  PUBLIC_URL: 'https://imap.example.com',
};
const urls = new SignedUserUrls(parseConfig(env));
const USER = '0b7c4a5e-1111-4222-8333-944445555666';
const paramsOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe('SignedUserUrls', () => {
  const issued = new Date('2026-01-01T12:00:00Z');

  it('builds absolute URLs on PUBLIC_URL that verify for 30 minutes', () => {
    const url = urls.url('connect', USER, issued);
    expect(url.startsWith('https://imap.example.com/users/connect/new?user_id=')).toBe(true);
    const params = paramsOf(url);
    expect(urls.verify('connect', params, new Date(issued.getTime() + 29 * 60_000))).toBe(USER);
  });

  it('rejects an expired URL', () => {
    const params = paramsOf(urls.url('connect', USER, issued));
    expect(() => urls.verify('connect', params, new Date(issued.getTime() + 31 * 60_000))).toThrow(/expired/);
  });

  it('rejects a tampered user id, timestamp or signature, and the other action', () => {
    const params = paramsOf(urls.url('connect', USER, issued));
    const now = new Date(issued.getTime() + 1000);
    expect(() => urls.verify('connect', { ...params, user_id: USER.replace('1', '2') }, now)).toThrow();
    expect(() => urls.verify('connect', { ...params, ts: String(Number(params.ts) + 1) }, now)).toThrow();
    const flipped = (params.sig[0] === '0' ? '1' : '0') + params.sig.slice(1);
    expect(() => urls.verify('connect', { ...params, sig: flipped }, now)).toThrow();
    expect(() => urls.verify('disconnect', params, now)).toThrow();
    expect(() => urls.verify('connect', { user_id: USER }, now)).toThrow();
  });

  it('rejects URLs signed with another server secret', () => {
    const other = new SignedUserUrls(parseConfig({ ...env, SECRET_KEY_BASE: 't'.repeat(40) }));
    const params = paramsOf(other.url('connect', USER, issued));
    expect(() => urls.verify('connect', params, issued)).toThrow();
  });
});
