import { Injectable } from '@nestjs/common';

import { RedisService } from '@app/core';
import { PartnersService } from '@app/partners';
import { type ImapProvider, ProvidersService } from '@app/providers';
import {
  type LinkTarget,
  SignedUserUrls,
  USER_URL_TTL_SECONDS,
  UserDirectory,
  UserErrors,
  type UserUrlAction,
} from '@app/users';

import { ConnectErrors } from './connect.errors.js';
import { chooseRedirect, RedirectNotAllowed } from './redirect-targets.js';

/** Everything a connect or disconnect page needs about the link it was opened with. */
export interface LinkContext {
  action: UserUrlAction;
  token: string;
  linkId: string;
  user: LinkTarget;
  partner: { id: string; name: string };
  provider: ImapProvider;
  /** Where to send the browser afterwards: validated against the partner's registered URLs. */
  successUrl: string | null;
  failureUrl: string | null;
}

/** Failed password attempts allowed on one link before the user is sent to the failure URL. */
export const MAX_TRIES_PER_LINK = 5;

/** A freshly signed link for an operator to pass on, and when it stops working. */
export interface IssuedLink {
  action: UserUrlAction;
  url: string;
  expiresAt: Date;
}

/**
 * Issues signed connect/disconnect links (operators) and opens them: valid, unexpired, unused, with allowed
 * callbacks; marks them used.
 */
@Injectable()
export class ConnectLinks {
  constructor(
    private readonly urls: SignedUserUrls,
    private readonly directory: UserDirectory,
    private readonly partners: PartnersService,
    private readonly providers: ProvidersService,
    private readonly redis: RedisService,
  ) {}

  /** A new link for an active user; each one works once, for USER_URL_TTL_SECONDS. */
  async issue(action: UserUrlAction, userId: string, now = new Date()): Promise<IssuedLink> {
    const user = await this.directory.linkTarget(userId);
    if (!user) throw UserErrors.notFound(userId);
    if (user.archived) throw ConnectErrors.userArchived();
    return {
      action,
      url: this.urls.url(action, userId, now),
      expiresAt: new Date(Math.floor(now.getTime() / 1000) * 1000 + USER_URL_TTL_SECONDS * 1000),
    };
  }

  async open(
    action: UserUrlAction,
    token: unknown,
    query: { success?: unknown; failure?: unknown },
  ): Promise<LinkContext> {
    const link = this.urls.verify(action, token);
    if (await this.redis.client.exists(this.usedKey(link.linkId))) throw ConnectErrors.linkUsed();
    const user = await this.directory.linkTarget(link.userId);
    if (!user) throw UserErrors.invalidLink();
    if (user.archived) throw ConnectErrors.userArchived();
    const partner = await this.partners.get(user.partnerId);
    let successUrl: string | null;
    let failureUrl: string | null;
    try {
      successUrl = chooseRedirect(partner, 'success', query.success);
      failureUrl = chooseRedirect(partner, 'failure', query.failure);
    } catch (error) {
      if (error instanceof RedirectNotAllowed) throw ConnectErrors.redirectNotAllowed(error.kind);
      throw error;
    }
    return {
      action,
      token: token as string,
      linkId: link.linkId,
      user,
      partner: { id: partner.id, name: partner.name },
      provider: await this.providers.getByCode(user.providerCode),
      successUrl,
      failureUrl,
    };
  }

  /** Marks a link used; false when another request used it first. */
  async markUsed(linkId: string): Promise<boolean> {
    const set = await this.redis.client.set(this.usedKey(linkId), '1', 'EX', USER_URL_TTL_SECONDS + 120, 'NX');
    return set === 'OK';
  }

  /** Counts one failed attempt on a link; returns how many there were. */
  async countFailedTry(linkId: string): Promise<number> {
    const key = this.redis.key('connect', 'tries', linkId);
    const [[, count]] = (await this.redis.client.multi().incr(key).expire(key, USER_URL_TTL_SECONDS).exec()) as [
      [Error | null, number],
    ];
    return count;
  }

  private usedKey(linkId: string): string {
    return this.redis.key('connect', 'used', linkId);
  }
}
