import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A minimal OAuth2 token endpoint (refresh_token grant) for tests: known refresh tokens get short-lived
 * access tokens; unknown ones get `invalid_grant`, as Google answers a revoked token.
 */
export class OAuthTokenServer {
  readonly validRefreshTokens = new Set<string>();
  readonly issued = new Map<string, string>(); // access token → refresh token
  readonly requests: URLSearchParams[] = [];
  private readonly server: Server = createServer((request, response) => this.answer(request, response));
  url = '';

  static async start(): Promise<OAuthTokenServer> {
    const instance = new OAuthTokenServer();
    await new Promise<void>((resolve) => instance.server.listen(0, '127.0.0.1', resolve));
    instance.url = `http://127.0.0.1:${(instance.server.address() as { port: number }).port}/token`;
    return instance;
  }

  isValidAccessToken(token: string): boolean {
    return this.issued.has(token);
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const form = new URLSearchParams(body);
      this.requests.push(form);
      const refresh = form.get('refresh_token') ?? '';
      response.setHeader('content-type', 'application/json');
      if (form.get('grant_type') !== 'refresh_token' || !this.validRefreshTokens.has(refresh)) {
        response.statusCode = 400;
        response.end(JSON.stringify({ error: 'invalid_grant', error_description: 'Token has been revoked.' }));
        return;
      }
      const accessToken = `ya29.${randomBytes(12).toString('hex')}`;
      this.issued.set(accessToken, refresh);
      response.end(JSON.stringify({ access_token: accessToken, expires_in: 3600, token_type: 'Bearer' }));
    });
  }
}
