import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { type OAuth2Client, OAuth2Error, OAuth2Tokens } from './oauth2-tokens.js';

/** A token endpoint in this process: answers each request with what the test queued. */
class TokenEndpoint {
  readonly requests: { path: string; form: URLSearchParams; authorization?: string }[] = [];
  next: { status: number; body: string } = { status: 200, body: '{}' };
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void readBody(request).then((body) => {
        this.requests.push({
          path: request.url ?? '',
          form: new URLSearchParams(body),
          authorization: request.headers.authorization,
        });
        response.writeHead(this.next.status, { 'content-type': 'application/json' }).end(this.next.body);
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

describe('OAuth2Tokens', () => {
  const endpoint = new TokenEndpoint();
  const tokens = new OAuth2Tokens();
  let client: OAuth2Client;

  beforeAll(async () => {
    const base = await endpoint.start();
    client = {
      providerCode: 'TEST_OAUTH2',
      clientId: 'client-1',
      clientSecret: 'secret-1',
      tokenUrl: `${base}/token`,
      revokeUrl: `${base}/revoke`,
      userinfoUrl: `${base}/userinfo`,
    };
  });
  afterAll(() => endpoint.stop());

  it('refreshes an access token with the connection client credentials', async () => {
    endpoint.next = { status: 200, body: JSON.stringify({ access_token: 'at-1', expires_in: 120 }) };
    const before = Date.now();
    const token = await tokens.refresh(client, 'rt-1');
    expect(token.accessToken).toBe('at-1');
    expect(token.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 120_000);
    const { form } = endpoint.requests.at(-1)!;
    expect(Object.fromEntries(form)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'rt-1',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
  });

  it('says a refused grant is permanent, and a server error is not', async () => {
    endpoint.next = { status: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'revoked' }) };
    await expect(tokens.refresh(client, 'rt-1')).rejects.toMatchObject({ permanent: true });
    endpoint.next = { status: 503, body: 'down' };
    const error = await tokens.refresh(client, 'rt-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OAuth2Error);
    expect(error).toMatchObject({ permanent: false });
  });

  it('revokes a token and reads the mailbox address from user info', async () => {
    endpoint.next = { status: 200, body: '' };
    await expect(tokens.revoke(client, 'rt-1')).resolves.toBe(true);
    expect(endpoint.requests.at(-1)).toMatchObject({ path: '/revoke' });
    expect(endpoint.requests.at(-1)!.form.get('token')).toBe('rt-1');

    endpoint.next = { status: 200, body: JSON.stringify({ email: 'alice@example.com' }) };
    await expect(tokens.email(client, 'at-1')).resolves.toBe('alice@example.com');
    expect(endpoint.requests.at(-1)).toMatchObject({ path: '/userinfo', authorization: 'Bearer at-1' });
  });

  it('does not revoke where the provider has no revoke URL', async () => {
    const count = endpoint.requests.length;
    await expect(tokens.revoke({ ...client, revokeUrl: null }, 'rt-1')).resolves.toBe(false);
    expect(endpoint.requests.length).toBe(count);
  });
});
