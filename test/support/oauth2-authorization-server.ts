import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface PendingCode {
  clientId: string;
  redirectUri: string;
  challenge: string;
  email: string;
}

export interface AuthorizeRequest {
  query: URLSearchParams;
}

/**
 * A local OAuth2 authorization server for the connect flow: `/authorize` (consents, or denies, on the
 * user's behalf and refuses requests without `state` or an S256 PKCE challenge), `/token` (authorization
 * code with its `code_verifier`, and refresh), `/userinfo` (bearer), `/tokeninfo?access_token=` (for
 * Dovecot's oauth2 passdb) and `/revoke`. Every request is kept for the tests to inspect.
 */
export class OAuth2AuthorizationServer {
  readonly authorizeRequests: AuthorizeRequest[] = [];
  readonly tokenRequests: URLSearchParams[] = [];
  readonly revoked: string[] = [];
  /** Whose mailbox the next consent is for. */
  email = 'user0001@example.test';
  /** When set, the next consent is refused with this OAuth2 error (e.g. access_denied). */
  denyWith: string | null = null;
  /** When true, the token endpoint refuses the code exchange. */
  failTokenExchange = false;
  readonly clients = new Map<string, string>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly accessTokens = new Map<string, string>();
  private readonly refreshTokens = new Map<string, string>();
  private readonly server: Server = createServer((request, response) => void this.answer(request, response));
  base = '';

  static async start(): Promise<OAuth2AuthorizationServer> {
    const instance = new OAuth2AuthorizationServer();
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
    instance.base = `http://127.0.0.1:${(instance.server.address() as AddressInfo).port}`;
    return instance;
  }

  url(path: string): string {
    return `${this.base}${path}`;
  }

  isValidAccessToken(token: string): boolean {
    return this.accessTokens.has(token);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.base);
    let body = '';
    for await (const chunk of request) body += String(chunk);
    const form = new URLSearchParams(body);
    switch (url.pathname) {
      case '/authorize':
        return this.authorize(url.searchParams, response);
      case '/token':
        this.tokenRequests.push(form);
        return this.token(form, request, response);
      case '/userinfo':
        return this.userinfo((request.headers.authorization ?? '').replace(/^Bearer /, ''), response);
      case '/tokeninfo':
        return this.userinfo(url.searchParams.get('access_token') ?? '', response);
      case '/revoke':
        this.revoked.push(form.get('token') ?? '');
        return json(response, 200, {});
      default:
        return json(response, 404, { error: 'not_found' });
    }
  }

  private authorize(query: URLSearchParams, response: ServerResponse): void {
    this.authorizeRequests.push({ query });
    const redirectUri = query.get('redirect_uri') ?? '';
    const state = query.get('state');
    const challenge = query.get('code_challenge');
    const clientId = query.get('client_id') ?? '';
    if (
      query.get('response_type') !== 'code' ||
      !state ||
      !challenge ||
      query.get('code_challenge_method') !== 'S256'
    ) {
      return json(response, 400, { error: 'invalid_request', error_description: 'state and S256 PKCE required' });
    }
    if (!this.clients.has(clientId)) return json(response, 400, { error: 'unauthorized_client' });
    const back = new URL(redirectUri);
    back.searchParams.set('state', state);
    if (this.denyWith) {
      back.searchParams.set('error', this.denyWith);
      this.denyWith = null;
    } else {
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, { clientId, redirectUri, challenge, email: this.email });
      back.searchParams.set('code', code);
    }
    response.writeHead(302, { location: back.toString() }).end();
  }

  private token(form: URLSearchParams, request: IncomingMessage, response: ServerResponse): void {
    const [clientId, clientSecret] = clientCredentials(form, request);
    if (!clientId || this.clients.get(clientId) !== clientSecret)
      return json(response, 401, { error: 'invalid_client' });
    if (form.get('grant_type') === 'refresh_token') {
      const email = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!email) return json(response, 400, { error: 'invalid_grant' });
      return json(response, 200, this.issue(email, false));
    }
    const pending = this.codes.get(form.get('code') ?? '');
    this.codes.delete(form.get('code') ?? '');
    const verifier = form.get('code_verifier') ?? '';
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    if (
      this.failTokenExchange ||
      form.get('grant_type') !== 'authorization_code' ||
      !pending ||
      pending.clientId !== clientId ||
      pending.redirectUri !== form.get('redirect_uri') ||
      pending.challenge !== challenge
    ) {
      return json(response, 400, { error: 'invalid_grant' });
    }
    return json(response, 200, this.issue(pending.email, true));
  }

  private issue(email: string, withRefresh: boolean): Record<string, unknown> {
    const accessToken = `at-${randomBytes(12).toString('hex')}`;
    this.accessTokens.set(accessToken, email);
    const issued: Record<string, unknown> = { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 };
    if (withRefresh) {
      const refreshToken = `rt-${randomBytes(12).toString('hex')}`;
      this.refreshTokens.set(refreshToken, email);
      issued.refresh_token = refreshToken;
    }
    return issued;
  }

  private userinfo(token: string, response: ServerResponse): void {
    const email = this.accessTokens.get(token);
    if (!email) return json(response, 401, { error: 'invalid_token' });
    json(response, 200, { sub: email, email, email_verified: true });
  }
}

function clientCredentials(form: URLSearchParams, request: IncomingMessage): [string | null, string | null] {
  const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1], 'base64').toString().split(':').map(decodeURIComponent);
    return [id ?? null, secret ?? null];
  }
  return [form.get('client_id'), form.get('client_secret')];
}

function json(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
