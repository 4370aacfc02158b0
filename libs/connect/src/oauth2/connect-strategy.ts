import { Strategy as GoogleStrategy } from 'passport-google-oauth20';
import OAuth2Strategy from 'passport-oauth2';

import type { OAuth2Client, OAuth2Tokens } from '@app/connections';
import type { ImapProvider } from '@app/providers';

import type { ConnectStateStore } from './connect-state-store.js';

/** What a finished authorization-code flow hands back. */
export interface OAuth2Grant {
  email: string;
  refreshToken: string | null;
  accessToken: string;
  expiresAt: Date;
}

export interface StrategyInputs {
  provider: ImapProvider;
  client: OAuth2Client;
  callbackUrl: string;
  store: ConnectStateStore;
  tokens: OAuth2Tokens;
}

type Done = (error: Error | null, grant?: OAuth2Grant | false) => void;

/**
 * A passport strategy for one connection's provider and OAuth2 client, built per request (each connection
 * has its own client id and secret; a shared, mutated strategy would mix them up under concurrent requests).
 * Google's own strategy for Google, the generic OAuth2 strategy for Microsoft and custom providers; both run
 * the authorization-code flow with `state` (bound to a cookie) and PKCE (S256).
 */
export function connectStrategy({ provider, client, callbackUrl, store, tokens }: StrategyInputs): OAuth2Strategy {
  const options = {
    clientID: client.clientId ?? '',
    clientSecret: client.clientSecret ?? '',
    callbackURL: callbackUrl,
    authorizationURL: provider.oauth2AuthorizeUrl ?? '',
    tokenURL: provider.oauth2TokenUrl ?? '',
    scope: provider.oauth2Scope ?? undefined,
    scopeSeparator: ' ',
    state: true,
    pkce: true,
    store,
  };
  const verify = (
    accessToken: string,
    refreshToken: string | undefined,
    params: { expires_in?: number | string },
    profile: { email?: string; emails?: { value: string }[] },
    done: Done,
  ) => {
    const email = profile.email ?? profile.emails?.[0]?.value;
    if (!email) return done(new Error('the provider did not say which mailbox this is'));
    const expiresIn = Number(params.expires_in ?? 3600);
    done(null, {
      email,
      refreshToken: refreshToken || null,
      accessToken,
      expiresAt: new Date(Date.now() + (Number.isFinite(expiresIn) ? expiresIn : 3600) * 1000),
    });
  };

  const strategy: OAuth2Strategy =
    provider.code === 'GMAIL_OAUTH2'
      ? new GoogleStrategy(
          { ...options, userProfileURL: provider.oauth2UserinfoUrl ?? undefined } as never,
          verify as never,
        )
      : new OAuth2Strategy(options as never, verify as never);
  // The provider's own extra parameters (e.g. Google's access_type=offline, prompt=consent).
  strategy.authorizationParams = () => ({ ...provider.oauth2Params });
  if (provider.code !== 'GMAIL_OAUTH2') {
    strategy.userProfile = (accessToken: string, done: (error: Error | null, profile?: unknown) => void) => {
      tokens.email(client, accessToken).then(
        (email) => done(null, { email }),
        (error: Error) => done(error),
      );
    };
  }
  return strategy;
}
