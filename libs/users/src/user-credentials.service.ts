import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';

import { ConnectionsService, OAuth2Error, OAuth2Tokens } from '@app/connections';
import { type GroupedLookup, SecretBox, UserChangeNotifier } from '@app/core';
import type { ProviderAuth } from '@app/providers';

import { groupedUserLookup } from './grouped-user-lookup.js';
import type { MailboxAccount } from './mailbox-account.js';
import { User } from './user.entity.js';

/** How a mailbox logs in to IMAP and SMTP: a password, or an OAuth2 access token (XOAUTH2). */
export type MailboxLogin = { user: string; pass: string } | { user: string; accessToken: string };

export class CredentialsError extends Error {
  constructor(
    message: string,
    /** Retrying cannot help until the credentials change (none stored, or the grant was refused). */
    readonly permanent = false,
  ) {
    super(message);
    this.name = 'CredentialsError';
  }
}

/** New credentials for a mailbox; absent fields stay as they are. */
export interface CredentialChange {
  email?: string | null;
  loginUsername?: string;
  loginPassword?: string;
  oauth2RefreshToken?: string;
  /** An access token that came with the refresh token (a connect flow), cached until it expires. */
  oauth2AccessToken?: { token: string; expiresAt: Date };
}

/** Access tokens are refreshed this long before they expire. */
const ACCESS_TOKEN_MARGIN_MS = 60_000;

/**
 * A mailbox's credentials: stored encrypted, read only to log in, and changed through one rule — new
 * credentials clear the authentication error so they are tried at once; connected_at waits for a real login.
 */
@Injectable()
export class UserCredentials {
  /** Logins are read in groups: every session of a starting imap-client asks at once. */
  private readonly logins: GroupedLookup<string, User>;

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly secretBox: SecretBox,
    private readonly connections: ConnectionsService,
    private readonly tokens: OAuth2Tokens,
    private readonly changes: UserChangeNotifier,
  ) {
    this.logins = groupedUserLookup(users, { withConnection: false });
  }

  /** Applies a change to a user about to be saved; returns whether its login changed. */
  apply(user: User, auth: ProviderAuth, change: CredentialChange): boolean {
    let changed = false;
    if (change.email !== undefined && change.email !== user.email) {
      user.email = change.email;
      changed = auth === 'oauth2'; // the XOAUTH2 login is the address
    }
    if (change.loginUsername !== undefined) {
      user.loginUsername = change.loginUsername;
      changed = true;
    }
    if (change.loginPassword !== undefined) {
      user.loginPassword = this.secretBox.encrypt(change.loginPassword, location(user, 'login_password'));
      changed = true;
    }
    if (change.oauth2RefreshToken !== undefined) {
      user.oauth2RefreshToken = this.secretBox.encrypt(
        change.oauth2RefreshToken,
        location(user, 'oauth2_refresh_token'),
      );
      user.oauth2AccessToken = null;
      user.oauth2AccessTokenExpiresAt = null;
      changed = true;
    }
    if (change.oauth2AccessToken !== undefined) {
      user.oauth2AccessToken = this.secretBox.encrypt(
        change.oauth2AccessToken.token,
        location(user, 'oauth2_access_token'),
      );
      user.oauth2AccessTokenExpiresAt = change.oauth2AccessToken.expiresAt;
    }
    if (changed) {
      user.state = 'idle';
      user.lastError = null;
      user.authFailedAt = null;
      user.accountErrorAt = null;
      // New credentials are not proven until the imap-client logs in with them (MailboxStates).
      user.connectedAt = null;
    }
    return changed;
  }

  /**
   * Saves new credentials for a user (e.g. from a connect page) and tells the imap-clients after the commit.
   * `alsoInTransaction` runs in the same transaction (e.g. recording the user_connected event).
   */
  async save(
    userId: string,
    change: CredentialChange,
    alsoInTransaction?: (manager: EntityManager) => Promise<void>,
  ): Promise<void> {
    await this.users.manager.transaction(async (manager) => {
      const user = await manager.findOneOrFail(User, { where: { id: userId }, relations: { connection: true } });
      this.apply(user, user.connection!.provider.auth, change);
      await manager.save(user);
      await alsoInTransaction?.(manager);
    });
    await this.changes.publish({ reason: 'credentials_changed', userIds: [userId] });
  }

  /** Revokes the user's OAuth2 grant at the provider, where it has a revoke URL; false when nothing was revoked. */
  async revokeGrant(userId: string): Promise<boolean> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.oauth2RefreshToken || user.connection?.provider.auth !== 'oauth2') return false;
    const refreshToken = this.secretBox.decrypt(user.oauth2RefreshToken, location(user, 'oauth2_refresh_token'));
    return this.tokens.revoke(await this.connections.oauth2Client(user.partnerConnectionId), refreshToken);
  }

  /**
   * Forgets every credential of a user (NULL in the row): it is no longer connected and stops being watched.
   * `alsoInTransaction` runs in the same transaction (e.g. recording the user_disconnected event).
   */
  async clear(userId: string, alsoInTransaction?: (manager: EntityManager) => Promise<void>): Promise<void> {
    await this.users.manager.transaction(async (manager) => {
      await manager.update(
        User,
        { id: userId },
        {
          loginPassword: null,
          oauth2RefreshToken: null,
          oauth2AccessToken: null,
          oauth2AccessTokenExpiresAt: null,
          connectedAt: null,
          state: 'idle',
          lastError: null,
          authFailedAt: null,
          accountErrorAt: null,
        },
      );
      await alsoInTransaction?.(manager);
    });
    // No longer watchable: the next ownership pass closes its session.
    await this.changes.publish({ reason: 'updated', userIds: [userId] });
  }

  /** Deletes the credentials of users archived longer than `hours` ago; returns how many were purged. */
  async purgeArchived(hours: number): Promise<number> {
    const result = await this.users
      .createQueryBuilder()
      .update(User)
      .set({
        loginPassword: null,
        oauth2RefreshToken: null,
        oauth2AccessToken: null,
        oauth2AccessTokenExpiresAt: null,
        connectedAt: null,
      })
      .where('archived_at < now() - make_interval(secs => :seconds)', { seconds: hours * 3600 })
      .andWhere('(login_password IS NOT NULL OR oauth2_refresh_token IS NOT NULL OR oauth2_access_token IS NOT NULL)')
      .execute();
    return result.affected ?? 0;
  }

  /** The login of a mailbox: its password, or an OAuth2 access token, refreshed when it (nearly) expired. */
  async loginFor(account: MailboxAccount): Promise<MailboxLogin> {
    const user = await this.logins.get(account.user.id);
    if (!user) throw new CredentialsError('the user no longer exists', true);
    if (account.provider.auth === 'password') {
      const pass = user.loginPassword
        ? this.secretBox.decrypt(user.loginPassword, location(user, 'login_password'))
        : null;
      if (!user.loginUsername || !pass) throw new CredentialsError('no login username or password stored', true);
      return { user: user.loginUsername, pass };
    }
    if (!user.email) throw new CredentialsError('no email address stored for the OAuth2 login', true);
    const cached = this.cachedAccessToken(user);
    return { user: user.email, accessToken: cached ?? (await this.refreshAccessToken(user, account.connectionId)) };
  }

  private cachedAccessToken(user: User): string | null {
    const expiresAt = user.oauth2AccessTokenExpiresAt?.getTime() ?? 0;
    if (!user.oauth2AccessToken || expiresAt - Date.now() < ACCESS_TOKEN_MARGIN_MS) return null;
    return this.secretBox.decrypt(user.oauth2AccessToken, location(user, 'oauth2_access_token'));
  }

  private async refreshAccessToken(user: User, connectionId: string): Promise<string> {
    if (!user.oauth2RefreshToken) throw new CredentialsError('no OAuth2 refresh token stored', true);
    const refreshToken = this.secretBox.decrypt(user.oauth2RefreshToken, location(user, 'oauth2_refresh_token'));
    const client = await this.connections.oauth2Client(connectionId);
    try {
      const { accessToken, expiresAt } = await this.tokens.refresh(client, refreshToken);
      await this.users.update(
        { id: user.id },
        {
          oauth2AccessToken: this.secretBox.encrypt(accessToken, location(user, 'oauth2_access_token')),
          oauth2AccessTokenExpiresAt: expiresAt,
        },
      );
      return accessToken;
    } catch (error) {
      if (error instanceof OAuth2Error) throw new CredentialsError(error.message, error.permanent);
      throw error;
    }
  }
}

function location(user: User, column: string) {
  return { table: 'users', column, id: user.id };
}
