import { chooseRedirect, isAllowedRedirect, RedirectNotAllowed, type RegisteredRedirects } from './redirect-targets.js';

const partner: RegisteredRedirects = {
  successUrl: 'http://my-app.com/connect_callback',
  failureUrl: 'http://my-app.com/connect_failed',
  allowedRedirectUrls: ['https://app.example', 'https://other.example/callbacks/'],
};

describe('redirect targets', () => {
  it.each([
    'http://my-app.com/connect_callback?success=1',
    'http://my-app.com/connect_callback',
    'http://my-app.com/connect_failed#x',
    'https://app.example/anything/here?x=1',
    'https://APP.example/',
    'https://other.example/callbacks/done?ok=1',
  ])('allows %s', (url) => {
    expect(isAllowedRedirect(url, partner)).toBe(true);
  });

  it.each([
    'https://evil.example/',
    '//evil.example/',
    '/\\evil.example',
    'javascript:alert(1)',
    'JaVaScRiPt:alert(1)',
    'data:text/html,hi',
    'http://my-app.com.evil.example/connect_callback',
    'http://my-app.com@evil.example/connect_callback',
    'http://user:pw@my-app.com/connect_callback',
    'http://my-app.com/connect_callbackevil',
    'http://my-app.com%2F@evil.example/',
    'https:\\\\evil.example',
    'http://my-app.com\\@evil.example/connect_callback',
    ' http://my-app.com/connect_callback',
    'http://my-app.com/connect_callback\n',
    'http://my-app.com/connect_callback\u202e',
    'https://other.example/callbacks',
    'https://other.example/elsewhere',
    'http://app.example/',
    'ftp://app.example/',
    `https://app.example/${'a'.repeat(3000)}`,
  ])('refuses %s', (url) => {
    expect(isAllowedRedirect(url, partner)).toBe(false);
  });

  it('uses the registered default when none is asked for, and refuses what is not allowed', () => {
    expect(chooseRedirect(partner, 'success', undefined)).toBe('http://my-app.com/connect_callback');
    expect(chooseRedirect(partner, 'failure', '')).toBe('http://my-app.com/connect_failed');
    expect(chooseRedirect({ ...partner, failureUrl: null }, 'failure', undefined)).toBeNull();
    expect(() => chooseRedirect(partner, 'success', 'https://evil.example/')).toThrow(RedirectNotAllowed);
    expect(() => chooseRedirect(partner, 'success', ['http://my-app.com/connect_callback'])).toThrow(
      RedirectNotAllowed,
    );
  });
});
