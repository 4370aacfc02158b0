import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';

/**
 * A minimal OAuth2 token endpoint (refresh_token grant) for tests: known refresh tokens get short-lived
 * access tokens; unknown ones get `invalid_grant`, as Google answers a revoked token.
 */
export class OAuthTokenServer {
  readonly validRefreshTokens = new Set<string>();
  readonly issued = new Map<string, string>(); // access token → refresh token
  readonly requests: URLSearchParams[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<OAuthTokenServer> {
    let instance: OAuthTokenServer | undefined;
    const server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const form = new URLSearchParams(body);
        instance?.requests.push(form);
        const refresh = form.get('refresh_token') ?? '';
        response.setHeader('content-type', 'application/json');
        if (form.get('grant_type') !== 'refresh_token' || !instance?.validRefreshTokens.has(refresh)) {
          response.statusCode = 400;
          response.end(JSON.stringify({ error: 'invalid_grant', error_description: 'Token has been revoked.' }));
          return;
        }
        const accessToken = `ya29.${randomBytes(12).toString('hex')}`;
        instance.issued.set(accessToken, refresh);
        response.end(JSON.stringify({ access_token: accessToken, expires_in: 3600, token_type: 'Bearer' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    instance = new OAuthTokenServer(server, `http://127.0.0.1:${port}/token`);
    return instance;
  }

  isValidAccessToken(token: string): boolean {
    return this.issued.has(token);
  }

  async close(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
