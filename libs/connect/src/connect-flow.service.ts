import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';

import { ROOT_LOGGER } from '@app/core';
import { ImapConnector } from '@app/imap';
import { toMailboxServer, UserCredentials } from '@app/users';
import { EventOutbox } from '@app/webhooks';

import type { LinkContext } from './connect-links.service.js';
import { ConnectLinks } from './connect-links.service.js';
import { ConnectErrors } from './connect.errors.js';
import type { OAuth2Grant } from './oauth2/connect-strategy.js';

export interface PasswordLogin {
  email: string;
  username: string;
  password: string;
}

export type PasswordOutcome = { ok: true } | { ok: false; message: string };

/**
 * What the connect and disconnect pages do once a person has acted: store or clear the credentials and
 * record the user_connected / user_disconnected event in the same transaction (so it is never lost),
 * queue it, and use the link up.
 */
@Injectable()
export class ConnectFlow {
  private readonly logger: Logger;

  constructor(
    private readonly links: ConnectLinks,
    private readonly credentials: UserCredentials,
    private readonly connector: ImapConnector,
    private readonly outbox: EventOutbox,
    @Inject(ROOT_LOGGER) logger: Logger,
  ) {
    this.logger = logger.child({ component: 'connect' });
  }

  async connectOAuth2(context: LinkContext, grant: OAuth2Grant): Promise<void> {
    if (!grant.refreshToken) {
      throw ConnectErrors.notConfigured('the provider gave no refresh token (offline access was not granted)');
    }
    await this.useLink(context);
    await this.connect(context, grant.email, {
      email: grant.email,
      oauth2RefreshToken: grant.refreshToken,
      oauth2AccessToken: { token: grant.accessToken, expiresAt: grant.expiresAt },
    });
  }

  /** Checks the login with the provider's IMAP server before anything is stored. */
  async connectPassword(context: LinkContext, login: PasswordLogin): Promise<PasswordOutcome> {
    const check = await this.connector.verifyLogin(toMailboxServer(context.provider), {
      user: login.username,
      pass: login.password,
    });
    if (!check.ok) {
      this.logger.info({ user: context.user.tag, authFailed: check.authFailed }, 'connect form login refused');
      return {
        ok: false,
        message: check.authFailed
          ? 'Your provider did not accept this login name and password.'
          : 'Your provider could not be reached just now. Please try again in a moment.',
      };
    }
    await this.useLink(context);
    await this.connect(context, login.email, {
      email: login.email,
      loginUsername: login.username,
      loginPassword: login.password,
    });
    return { ok: true };
  }

  async disconnect(context: LinkContext): Promise<void> {
    await this.useLink(context);
    const revoked = await this.credentials.revokeGrant(context.user.userId).catch((error: unknown) => {
      // The stored credentials are deleted anyway; a grant the provider still holds is its to expire.
      this.logger.warn({ err: error, user: context.user.tag }, 'could not revoke the OAuth2 grant');
      return false;
    });
    let eventId = '';
    await this.credentials.clear(context.user.userId, async (manager) => {
      eventId = await this.outbox.record(manager, this.event(context, 'user_disconnected', { revoked }));
    });
    await this.enqueue(eventId, context.partner.id);
    this.logger.info({ user: context.user.tag, partner: context.partner.id }, 'mailbox disconnected');
  }

  private async connect(
    context: LinkContext,
    email: string,
    change: Parameters<UserCredentials['save']>[1],
  ): Promise<void> {
    let eventId = '';
    await this.credentials.save(context.user.userId, change, async (manager) => {
      eventId = await this.outbox.record(manager, this.event(context, 'user_connected', { email }));
    });
    await this.enqueue(eventId, context.partner.id);
    this.logger.info({ user: context.user.tag, partner: context.partner.id }, 'mailbox connected');
  }

  /** A link completes one connect or disconnect: a second request with it (a replay, a double submit) fails. */
  private async useLink(context: LinkContext): Promise<void> {
    if (!(await this.links.markUsed(context.linkId))) throw ConnectErrors.linkUsed();
  }

  private event(context: LinkContext, type: 'user_connected' | 'user_disconnected', metadata: Record<string, unknown>) {
    return { partnerId: context.partner.id, userId: context.user.userId, type, metadata };
  }

  private async enqueue(eventId: string, partnerId: string): Promise<void> {
    // The event is committed; if Redis is down the outbox sweeper queues it later.
    await this.outbox.enqueue(eventId, partnerId).catch((error: unknown) => {
      this.logger.warn({ err: error, eventId }, 'could not queue a committed event; the sweeper will');
    });
  }
}
