/** A browser-less client of the admin pages: one cookie jar, no redirects followed, CSRF tokens read from pages. */
export class AdminHttp {
  cookies = new Map<string, string>();
  lastSetCookies: string[] = [];

  constructor(readonly baseUrl: string) {}

  async get(path: string): Promise<AdminResponse> {
    return this.request('GET', path);
  }

  async post(path: string, fields: Record<string, string>): Promise<AdminResponse> {
    return this.request('POST', path, new URLSearchParams(fields).toString());
  }

  /** Opens `page` and posts `fields` with the page's CSRF token. */
  async submit(page: string, action: string, fields: Record<string, string>): Promise<AdminResponse> {
    const form = await this.get(page);
    return this.post(action, { ...fields, _csrf: csrfToken(form.body) });
  }

  /** Opens the sign-in page and signs in. */
  async signIn(email: string, password: string): Promise<AdminResponse> {
    return this.submit('/admin/login', '/admin/login', { email, password });
  }

  get sessionCookie(): string | undefined {
    return this.cookies.get('superimap.admin');
  }

  private async request(method: string, path: string, body?: string): Promise<AdminResponse> {
    const response = await fetch(new URL(path, this.baseUrl), {
      method,
      redirect: 'manual',
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' }),
        ...(this.cookies.size > 0
          ? { cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
          : {}),
      },
      body,
    });
    this.lastSetCookies = response.headers.getSetCookie();
    for (const cookie of this.lastSetCookies) {
      const [pair] = cookie.split(';');
      const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)];
      if (/expires=Thu, 01 Jan 1970/i.test(cookie) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return { status: response.status, headers: response.headers, body: await response.text() };
  }
}

export interface AdminResponse {
  status: number;
  headers: Headers;
  body: string;
}

export function csrfToken(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('the page has no CSRF token');
  return token;
}
