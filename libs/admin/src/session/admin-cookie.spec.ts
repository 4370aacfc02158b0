import { adminCookie } from './admin-cookie.js';

describe('adminCookie', () => {
  it('is Secure with the __Host- prefix when the public URL is https', () => {
    expect(adminCookie('https://mail.example.com', 1800)).toEqual({
      name: '__Host-superimap.admin',
      options: { httpOnly: true, sameSite: 'lax', secure: true, path: '/', maxAge: 1_800_000 },
    });
  });

  it('is HttpOnly and SameSite=Lax without Secure over plain http', () => {
    expect(adminCookie('http://127.0.0.1:3000', 60)).toEqual({
      name: 'superimap.admin',
      options: { httpOnly: true, sameSite: 'lax', secure: false, path: '/', maxAge: 60_000 },
    });
  });
});
