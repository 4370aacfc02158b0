import { Injectable } from '@nestjs/common';

import type { ImapProvider } from '@app/providers';

/** Where and as whom a connection talks to its provider's OAuth2 endpoints. */
export interface OAuth2Client {
  providerCode: string;
  clientId: string | null;
  clientSecret: string | null;
  tokenUrl: string | null;
  revokeUrl: string | null;
  userinfoUrl: string | null;
}

export interface AccessToken {
  accessToken: string;
  expiresAt: Date;
}

/** A token endpoint call failed; `permanent` when retrying cannot help until the grant or client changes. */
export class OAuth2Error extends Error {
  constructor(
    message: string,
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'OAuth2Error';
  }
}

const TIMEOUT_MS = 15_000;
const PERMANENT_ERRORS = new Set(['invalid_grant', 'invalid_client', 'unauthorized_client']);
/** Token responses are small; a larger one is refused rather than buffered. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export function oauth2ClientOf(provider: ImapProvider, clientId: string | null, clientSecret: string | null) {
  return {
    providerCode: provider.code,
    clientId,
    clientSecret,
    tokenUrl: provider.oauth2TokenUrl,
    revokeUrl: provider.oauth2RevokeUrl,
    userinfoUrl: provider.oauth2UserinfoUrl,
  } satisfies OAuth2Client;
}

/** The provider-side OAuth2 calls a connection makes: refresh an access token, revoke a grant, read user info. */
@Injectable()
export class OAuth2Tokens {
  async refresh(client: OAuth2Client, refreshToken: string): Promise<AccessToken> {
    if (!client.tokenUrl) throw new OAuth2Error(`provider ${client.providerCode} has no token URL`);
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    if (client.clientId) form.set('client_id', client.clientId);
    if (client.clientSecret) form.set('client_secret', client.clientSecret);
    const { status, ok, body } = await this.call(client.tokenUrl, { method: 'POST', body: form });
    const accessToken = typeof body.access_token === 'string' ? body.access_token : null;
    if (!ok || !accessToken) {
      const error = typeof body.error === 'string' ? body.error : '';
      const description = typeof body.error_description === 'string' ? `: ${body.error_description}` : '';
      throw new OAuth2Error(
        `token refresh failed (HTTP ${status}${error ? `, ${error}${description}` : ''})`,
        PERMANENT_ERRORS.has(error),
      );
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : 3600;
    return { accessToken, expiresAt: new Date(Date.now() + expiresIn * 1000) };
  }

  /** Revokes a refresh token at the provider, when it has a revoke URL; false when it has none. */
  async revoke(client: OAuth2Client, token: string): Promise<boolean> {
    if (!client.revokeUrl) return false;
    const form = new URLSearchParams({ token });
    if (client.clientId) form.set('client_id', client.clientId);
    if (client.clientSecret) form.set('client_secret', client.clientSecret);
    const { status, ok } = await this.call(client.revokeUrl, { method: 'POST', body: form });
    if (!ok) throw new OAuth2Error(`token revocation failed (HTTP ${status})`);
    return true;
  }

  /** The mailbox address of the token's owner, from the provider's user-info endpoint. */
  async email(client: OAuth2Client, accessToken: string): Promise<string> {
    if (!client.userinfoUrl) throw new OAuth2Error(`provider ${client.providerCode} has no user-info URL`);
    const { status, ok, body } = await this.call(client.userinfoUrl, {
      method: 'GET',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    const email = [body.email, body.mail, body.userPrincipalName].find((v): v is string => typeof v === 'string');
    if (!ok || !email) throw new OAuth2Error(`user info gave no email address (HTTP ${status})`);
    return email;
  }

  private async call(
    url: string,
    init: { method: string; body?: URLSearchParams; headers?: Record<string, string> },
  ): Promise<{ status: number; ok: boolean; body: Record<string, unknown> }> {
    let response: Response;
    try {
      response = await fetch(url, {
        method: init.method,
        headers: {
          accept: 'application/json',
          ...(init.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...init.headers,
        },
        body: init.body,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new OAuth2Error(`OAuth2 endpoint unreachable: ${(error as Error).message}`);
    }
    const text = await response.text().catch(() => '');
    if (text.length > MAX_RESPONSE_BYTES) throw new OAuth2Error('OAuth2 endpoint answered too much');
    let body: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
    } catch {
      // a non-JSON answer reads as an empty body: the status decides
    }
    return { status: response.status, ok: response.ok, body };
  }
}
