import { Injectable } from '@nestjs/common';

import type { MailboxAccount } from '@app/users';
import { MailboxAccounts } from '@app/users';

export type ImapAuth = { user: string; pass: string } | { user: string; accessToken: string };

export class CredentialsError extends Error {
  constructor(
    message: string,
    /** The provider refused the refresh token: retrying will not help until it changes. */
    readonly oauthInvalidGrant = false,
  ) {
    super(message);
    this.name = 'CredentialsError';
  }
}

const TOKEN_TIMEOUT_MS = 15_000;

/** The IMAP login for an account: its password, or an OAuth2 access token refreshed when it expires. */
@Injectable()
export class MailboxCredentials {
  constructor(private readonly accounts: MailboxAccounts) {}

  async authFor(account: MailboxAccount): Promise<ImapAuth> {
    const { user, provider } = account;
    if (provider.auth === 'password') {
      const pass = this.accounts.loginPassword(user);
      if (!user.loginUsername || !pass) throw new CredentialsError('no login username or password stored', true);
      return { user: user.loginUsername, pass };
    }
    if (!user.email) throw new CredentialsError('no email address stored for the OAuth2 login', true);
    const cached = this.accounts.cachedAccessToken(user);
    if (cached) return { user: user.email, accessToken: cached };
    return { user: user.email, accessToken: await this.refreshAccessToken(account) };
  }

  private async refreshAccessToken(account: MailboxAccount): Promise<string> {
    const { user, provider, connection } = account;
    const refreshToken = this.accounts.refreshToken(user);
    if (!refreshToken) throw new CredentialsError('no OAuth2 refresh token stored', true);
    if (!provider.oauth2TokenUrl) throw new CredentialsError(`provider ${provider.code} has no token URL`);
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
    if (connection.oauth2ClientId) form.set('client_id', connection.oauth2ClientId);
    const secret = this.accounts.clientSecret(connection);
    if (secret) form.set('client_secret', secret);
    let response: Response;
    try {
      response = await fetch(provider.oauth2TokenUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form,
        signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
      });
    } catch (error) {
      throw new CredentialsError(`token endpoint unreachable: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      error?: string;
      error_description?: string;
    };
    if (!response.ok || !body.access_token) {
      const reason = body.error ? `${body.error}${body.error_description ? `: ${body.error_description}` : ''}` : '';
      throw new CredentialsError(
        `token refresh failed (HTTP ${response.status}${reason ? `, ${reason}` : ''})`,
        body.error === 'invalid_grant' || body.error === 'invalid_client' || body.error === 'unauthorized_client',
      );
    }
    const expiresAt = new Date(Date.now() + (body.expires_in ?? 3600) * 1000);
    await this.accounts.saveAccessToken(user, body.access_token, expiresAt);
    return body.access_token;
  }
}
