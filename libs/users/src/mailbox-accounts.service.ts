import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, In, IsNull, type Repository } from 'typeorm';

import { ConnectionsService, type PartnerConnection } from '@app/connections';
import { SecretBox, type UserChange, UserChangeNotifier } from '@app/core';
import type { ImapProvider } from '@app/providers';

import { User, type UserState } from './user.entity.js';

/** Everything an imap-client needs to watch one mailbox. */
export interface MailboxAccount {
  user: User;
  connection: PartnerConnection;
  provider: ImapProvider;
  partnerId: string;
}

export interface MailboxCursor {
  uid: number;
  uidValidity: number;
  /** INTERNALDATE of the newest message recorded, for catching up by date after a UIDVALIDITY change. */
  internalDate?: Date | null;
  /** Set when a message was recorded (not when only the cursor moved). */
  emailAt?: Date;
}

/** The users side of watching mailboxes: who is watchable, their credentials, state and cursor. */
@Injectable()
export class MailboxAccounts {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly connections: ConnectionsService,
    private readonly secretBox: SecretBox,
    private readonly changes: UserChangeNotifier,
  ) {}

  /** Users that should be watched: not archived and holding credentials. */
  async watchableUserIds(): Promise<string[]> {
    const rows: { id: string }[] = await this.users.query(
      'SELECT id FROM users WHERE archived_at IS NULL AND connected_at IS NOT NULL ORDER BY id',
    );
    return rows.map((row) => row.id);
  }

  /** Which of these users are watchable now (the rest are archived, disconnected or gone). */
  async whichWatchable(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows: { id: string }[] = await this.users.query(
      'SELECT id FROM users WHERE id = ANY($1) AND archived_at IS NULL AND connected_at IS NOT NULL',
      [userIds],
    );
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Users changed since `since` (database clock), with whether each is watchable, and the next watermark.
   * The window overlaps the previous one by a few seconds, so a change committed late is not missed.
   */
  async changedSince(since: string): Promise<{ changes: { id: string; watchable: boolean }[]; watermark: string }> {
    const rows: { id: string; watchable: boolean; watermark: string }[] = await this.users.query(
      `SELECT id, (archived_at IS NULL AND connected_at IS NOT NULL) AS watchable, now()::text AS watermark
         FROM users WHERE updated_at >= $1::timestamptz - interval '10 seconds'`,
      [since],
    );
    const watermark = rows[0]?.watermark ?? (await this.databaseNow());
    return { changes: rows.map(({ id, watchable }) => ({ id, watchable })), watermark };
  }

  async databaseNow(): Promise<string> {
    const [row]: { now: string }[] = await this.users.query('SELECT now()::text AS now');
    return row.now;
  }

  /** The account of a watchable user, or null if it is archived, disconnected or gone. */
  async load(userId: string): Promise<MailboxAccount | null> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.connection || user.archivedAt || !user.connectedAt) return null;
    return {
      user,
      connection: user.connection,
      provider: user.connection.provider,
      partnerId: user.connection.partnerId,
    };
  }

  async loadMany(userIds: string[]): Promise<User[]> {
    return userIds.length === 0 ? [] : this.users.findBy({ id: In(userIds) });
  }

  loginPassword(user: User): string | null {
    return user.loginPassword
      ? this.secretBox.decrypt(user.loginPassword, this.location(user, 'login_password'))
      : null;
  }

  refreshToken(user: User): string | null {
    return user.oauth2RefreshToken
      ? this.secretBox.decrypt(user.oauth2RefreshToken, this.location(user, 'oauth2_refresh_token'))
      : null;
  }

  /** A cached access token that is still valid for at least a minute, or null. */
  cachedAccessToken(user: User, now = new Date()): string | null {
    const expiresAt = user.oauth2AccessTokenExpiresAt?.getTime() ?? 0;
    if (!user.oauth2AccessToken || expiresAt - now.getTime() < 60_000) return null;
    return this.secretBox.decrypt(user.oauth2AccessToken, this.location(user, 'oauth2_access_token'));
  }

  async saveAccessToken(user: User, token: string, expiresAt: Date): Promise<void> {
    user.oauth2AccessToken = this.secretBox.encrypt(token, this.location(user, 'oauth2_access_token'));
    user.oauth2AccessTokenExpiresAt = expiresAt;
    await this.users.update(
      { id: user.id },
      { oauth2AccessToken: user.oauth2AccessToken, oauth2AccessTokenExpiresAt: expiresAt },
    );
  }

  clientSecret(connection: PartnerConnection): string | null {
    return this.connections.clientSecret(connection);
  }

  async setState(userId: string, state: UserState, lastError: string | null = null): Promise<void> {
    const changes: Partial<User> = { state, lastError };
    if (state === 'watching') changes.lastLoginAt = new Date();
    if (state === 'auth_error') changes.authFailedAt = new Date();
    await this.users.update({ id: userId }, changes);
  }

  /** Moves the cursor forward only (never back), inside the caller's transaction. */
  async advanceCursor(manager: EntityManager, userId: string, cursor: MailboxCursor): Promise<void> {
    await manager.query(
      `UPDATE users SET
         last_uid = CASE WHEN last_uid_validity IS DISTINCT FROM $2 OR last_uid IS NULL OR last_uid < $3
                         THEN $3 ELSE last_uid END,
         last_uid_validity = $2,
         last_internal_date = GREATEST(last_internal_date, $4::timestamptz),
         last_email_at = COALESCE($5::timestamptz, last_email_at),
         updated_at = now()
       WHERE id = $1`,
      [userId, cursor.uidValidity, cursor.uid, cursor.internalDate ?? null, cursor.emailAt ?? null],
    );
  }

  /** Who an event is about, as the webhook payload names them; null if the user is gone. */
  async describeForDelivery(
    userId: string,
  ): Promise<{ tag: string; email: string | null; providerCode: string; enableTracer: boolean } | null> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.connection) return null;
    return {
      tag: user.tag,
      email: user.email,
      providerCode: user.connection.provider.code,
      enableTracer: user.enableTracer,
    };
  }

  /** Moves the cursor outside any message transaction (after a catch-up by date). */
  async moveCursor(userId: string, cursor: MailboxCursor): Promise<void> {
    await this.advanceCursor(this.users.manager, userId, cursor);
  }

  /** Archives a user whose partner answered 403 (the seed's contract) and tells imap-clients. */
  async archiveForPartner(userId: string): Promise<void> {
    await this.users.update({ id: userId, archivedAt: IsNull() }, { archivedAt: new Date() });
    await this.announce({ reason: 'archived', userIds: [userId] });
  }

  private async announce(change: UserChange): Promise<void> {
    await this.changes.publish(change);
  }

  private location(user: User, column: string) {
    return { table: 'users', column, id: user.id };
  }
}
