import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';

import { type PartnerConnection, ConnectionsService } from '@app/connections';
import { type KeysetPage, keysetPage, type UserChange, UserChangeNotifier } from '@app/core';
import { PartnersService } from '@app/partners';
import type { ProviderAuth } from '@app/providers';

import { CredentialChangeLimit } from './credential-change-limit.js';
import { CREDENTIAL_FIELDS } from './credential-fields.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { ListUsersQuery } from './dto/list-users.query.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import type { UserFieldsDto } from './dto/user-fields.dto.js';
import { UserCredentials } from './user-credentials.service.js';
import { apiStateCondition, hasCredentialsCondition } from './user-status.js';
import { User, type UserState } from './user.entity.js';
import { UserErrors } from './users.errors.js';

/** A user with what the admin user page needs to know about its connection (never a credential). */
export interface OperatorUserDetail {
  user: User;
  partnerId: string;
  providerCode: string;
  auth: ProviderAuth;
  /** Tracers go out over the provider's SMTP: without it they cannot be enabled. */
  tracerSupported: boolean;
  passwordStored: boolean;
  refreshTokenStored: boolean;
}

/** What an operator may change on a user's page: its login and whether it gets tracers. */
export type OperatorUserChange = Pick<
  UserFieldsDto,
  'email' | 'login_username' | 'login_password' | 'oauth2_refresh_token' | 'enable_tracer'
>;

export interface UserPage {
  users: User[];
  nextCursor: string | null;
}

/** A partner's users; every method is scoped through the partner's connection. */
@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly connections: ConnectionsService,
    private readonly partners: PartnersService,
    private readonly credentials: UserCredentials,
    private readonly credentialChanges: CredentialChangeLimit,
    private readonly changes: UserChangeNotifier,
  ) {}

  async list(partnerId: string, providerCode: string, query: ListUsersQuery): Promise<UserPage> {
    const connection = await this.connections.get(partnerId, providerCode);
    const builder = this.users
      .createQueryBuilder('u')
      .where('u.partner_connection_id = :connectionId', { connectionId: connection.id });
    if (query.archived !== undefined) {
      builder.andWhere(query.archived ? 'u.archived_at IS NOT NULL' : 'u.archived_at IS NULL');
    }
    if (query.state) builder.andWhere(apiStateCondition(query.state), { state: query.state });
    const page = await keysetPage(builder, 'u', query);
    return { users: page.rows.map((row) => row.entity), nextCursor: page.nextCursor };
  }

  /** The active user with this tag (case-insensitively), else the most recently archived one. */
  async get(partnerId: string, providerCode: string, tag: string): Promise<User> {
    const connection = await this.connections.get(partnerId, providerCode);
    return this.getInConnection(connection, tag);
  }

  async create(partnerId: string, providerCode: string, input: CreateUserDto): Promise<User> {
    const connection = await this.connections.get(partnerId, providerCode);
    assertFieldsFit(connection, input);
    const user = this.users.create({
      id: randomUUID(),
      partnerConnectionId: connection.id,
      tag: input.tag,
      email: null,
      loginUsername: null,
      loginPassword: null,
      oauth2RefreshToken: null,
      oauth2AccessToken: null,
      oauth2AccessTokenExpiresAt: null,
      connectedAt: null,
      archivedAt: input.archived ? new Date() : null,
      enableTracer: input.enable_tracer ?? false,
      state: 'idle',
      lastError: null,
      authFailedAt: null,
      accountErrorAt: null,
    });
    this.applyFields(user, connection, input);
    if (!user.archivedAt) {
      await this.assertTagFree(connection, user.tag);
      await this.assertWithinQuota(partnerId);
    }
    const saved = await this.saveMapped(user);
    await this.announce({ reason: 'created', userIds: [saved.id] });
    return saved;
  }

  async update(partnerId: string, providerCode: string, tag: string, input: UpdateUserDto): Promise<User> {
    const connection = await this.connections.get(partnerId, providerCode);
    const user = await this.getInConnection(connection, tag);
    assertFieldsFit(connection, input);
    const wasArchived = user.archivedAt !== null;
    if (input.tag !== undefined) user.tag = input.tag;
    if (input.archived !== undefined) user.archivedAt = input.archived ? (user.archivedAt ?? new Date()) : null;
    if (changesLogin(connection, user, input)) await this.credentialChanges.take(user.id);
    const loginChanged = this.applyFields(user, connection, input);
    if (!user.archivedAt && (wasArchived || input.tag !== undefined)) {
      await this.assertTagFree(connection, user.tag, user.id);
    }
    if (wasArchived && !user.archivedAt) await this.assertWithinQuota(partnerId);
    const saved = await this.saveMapped(user);
    const reason =
      wasArchived && !saved.archivedAt
        ? 'restored'
        : !wasArchived && saved.archivedAt
          ? 'archived'
          : loginChanged
            ? 'credentials_changed'
            : 'updated';
    await this.announce({ reason, userIds: [saved.id] });
    return saved;
  }

  async archive(partnerId: string, providerCode: string, tag: string): Promise<void> {
    const connection = await this.connections.get(partnerId, providerCode);
    const user = await this.getInConnection(connection, tag);
    if (user.archivedAt) return;
    await this.users.update({ id: user.id }, { archivedAt: new Date() });
    await this.announce({ reason: 'archived', userIds: [user.id] });
  }

  /**
   * Erases a user for good (an erasure request): the row, its credentials, mail logs, events and tracer logs
   * go (by cascade). Unlike archiving, nothing can be restored.
   */
  async erase(partnerId: string, providerCode: string, tag: string): Promise<void> {
    const connection = await this.connections.get(partnerId, providerCode);
    const user = await this.getInConnection(connection, tag);
    await this.users.delete({ id: user.id });
    await this.announce({ reason: 'deleted', userIds: [user.id] });
  }

  /** Archives a user whose partner answered 403 to one of its webhooks (the seed's contract). */
  async archiveRejected(userId: string): Promise<void> {
    const result = await this.users.update({ id: userId, archivedAt: IsNull() }, { archivedAt: new Date() });
    if (result.affected) await this.announce({ reason: 'archived', userIds: [userId] });
  }

  private async getInConnection(connection: PartnerConnection, tag: string): Promise<User> {
    const user = await this.users
      .createQueryBuilder('u')
      .where('u.partner_connection_id = :connectionId', { connectionId: connection.id })
      .andWhere('lower(u.tag) = lower(:tag)', { tag })
      .orderBy('u.archived_at IS NULL', 'DESC')
      .addOrderBy('u.archived_at', 'DESC')
      .getOne();
    if (!user) throw UserErrors.notFound(tag);
    return user;
  }

  private async assertTagFree(connection: PartnerConnection, tag: string, exceptId?: string): Promise<void> {
    const clash = await this.users
      .createQueryBuilder('u')
      .where('u.partner_connection_id = :connectionId', { connectionId: connection.id })
      .andWhere('lower(u.tag) = lower(:tag)', { tag })
      .andWhere('u.archived_at IS NULL')
      .andWhere(exceptId ? 'u.id <> :exceptId' : 'TRUE', { exceptId })
      .getExists();
    if (clash) throw UserErrors.tagTaken(tag);
  }

  /** A partner with a user quota may not have more active users than it. */
  private async assertWithinQuota(partnerId: string): Promise<void> {
    const { maxUsers } = await this.partners.get(partnerId);
    if (maxUsers === null) return;
    const active = await this.users
      .createQueryBuilder('u')
      .innerJoin('u.connection', 'c')
      .where('c.partner_id = :partnerId', { partnerId })
      .andWhere('u.archived_at IS NULL')
      .getCount();
    if (active >= maxUsers) throw UserErrors.quotaReached(maxUsers);
  }

  /** Saves, turning a lost race on the unique tag index into the same 409 as the pre-check. */
  private async saveMapped(user: User): Promise<User> {
    try {
      return await this.users.save(user);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw UserErrors.tagTaken(user.tag);
      throw error;
    }
  }

  /** Applies the partner's fields; returns whether the mailbox's login changed. */
  private applyFields(user: User, connection: PartnerConnection, input: UserFieldsDto): boolean {
    if (input.enable_tracer !== undefined) user.enableTracer = input.enable_tracer;
    return this.credentials.apply(user, connection.provider.auth, {
      email: input.email,
      loginUsername: input.login_username,
      loginPassword: input.login_password,
      oauth2RefreshToken: input.oauth2_refresh_token,
    });
  }

  private async announce(change: UserChange): Promise<void> {
    await this.changes.publish(change);
  }

  /** Operators' search across every partner (admin pages): by connection, tag, email part and state. */
  async operatorPage(
    filter: {
      connectionId?: string;
      tag?: string;
      email?: string;
      /** A session state, or needs_credentials: no login stored yet (whatever the session state says). */
      state?: UserState | 'needs_credentials';
      archived?: boolean;
    },
    query: { limit?: number; cursor?: string },
  ): Promise<KeysetPage<User, { partner_id: string; provider_code: string }>> {
    const builder = this.users
      .createQueryBuilder('u')
      .innerJoin('partner_connections', 'c', 'c.id = u.partner_connection_id')
      .innerJoin('imap_providers', 'p', 'p.id = c.imap_provider_id')
      .addSelect('c.partner_id', 'partner_id')
      .addSelect('p.code', 'provider_code');
    if (filter.connectionId) builder.andWhere('u.partner_connection_id = :connectionId', filter);
    if (filter.tag) builder.andWhere('lower(u.tag) = lower(:tag)', filter);
    if (filter.email) {
      builder.andWhere('u.email ILIKE :email', { email: `%${filter.email.replace(/[\\%_]/g, (c) => `\\${c}`)}%` });
    }
    if (filter.state === 'needs_credentials') builder.andWhere(`NOT ${hasCredentialsCondition()}`);
    else if (filter.state) builder.andWhere(`u.state = :state AND ${hasCredentialsCondition()}`, filter);
    if (filter.archived !== undefined) {
      builder.andWhere(filter.archived ? 'u.archived_at IS NOT NULL' : 'u.archived_at IS NULL');
    }
    return keysetPage(builder, 'u', query);
  }

  async getById(userId: string): Promise<User> {
    const user = await this.users.findOneBy({ id: userId });
    if (!user) throw UserErrors.notFound(userId);
    return user;
  }

  async operatorDetail(userId: string): Promise<OperatorUserDetail> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.connection) throw UserErrors.notFound(userId);
    const { provider } = user.connection;
    return {
      user,
      partnerId: user.connection.partnerId,
      providerCode: provider.code,
      auth: provider.auth,
      tracerSupported: Boolean(provider.smtpHost && provider.smtpPort),
      passwordStored: user.loginPassword !== null,
      refreshTokenStored: user.oauth2RefreshToken !== null,
    };
  }

  /**
   * An operator's change of a user's login or tracer flag, under the partner API's rules: fields must fit the
   * provider, the change limit applies, and new credentials clear the auth error so they are tried at once.
   */
  async operatorUpdate(userId: string, input: OperatorUserChange): Promise<void> {
    const user = await this.users.findOne({ where: { id: userId }, relations: { connection: true } });
    if (!user?.connection) throw UserErrors.notFound(userId);
    const connection = user.connection;
    assertFieldsFit(connection, input);
    if (changesLogin(connection, user, input)) await this.credentialChanges.take(user.id);
    const loginChanged = this.applyFields(user, connection, input);
    await this.saveMapped(user);
    await this.announce({ reason: loginChanged ? 'credentials_changed' : 'updated', userIds: [user.id] });
  }

  /** An operator's archive or restore; a restore needs the tag to be free among the connection's active users. */
  async operatorSetArchived(userId: string, archived: boolean): Promise<void> {
    const user = await this.getById(userId);
    if (archived === (user.archivedAt !== null)) return;
    if (!archived) {
      await this.assertTagFree({ id: user.partnerConnectionId } as PartnerConnection, user.tag, user.id);
      const owner = await this.users
        .createQueryBuilder('u')
        .innerJoin('partner_connections', 'c', 'c.id = u.partner_connection_id')
        .select('c.partner_id', 'partner_id')
        .where('u.id = :id', { id: user.id })
        .getRawOne<{ partner_id: string }>();
      if (owner) await this.assertWithinQuota(owner.partner_id);
    }
    await this.users.update({ id: user.id }, { archivedAt: archived ? new Date() : null });
    await this.announce({ reason: archived ? 'archived' : 'restored', userIds: [user.id] });
  }
}

function assertFieldsFit(connection: PartnerConnection, input: UserFieldsDto): void {
  // Tracers are sent over the provider's SMTP: without it a tracer user could only ever report missing tracers.
  if (input.enable_tracer === true && !(connection.provider.smtpHost && connection.provider.smtpPort)) {
    throw UserErrors.tracerNeedsSmtp(connection.provider.code);
  }
  const auth = connection.provider.auth;
  const misplaced = Object.entries(CREDENTIAL_FIELDS)
    .filter(([field, kind]) => kind !== auth && input[field as keyof UserFieldsDto] !== undefined)
    .map(([field]) => field);
  if (misplaced.length > 0) {
    throw UserErrors.fieldsNotAccepted(
      `${misplaced.join(', ')} not accepted: ${connection.provider.code} uses ${auth} authentication`,
      misplaced.map((field) => ({ field, errors: [`not accepted for an ${auth} provider`] })),
    );
  }
}

/** Whether an update would give the mailbox a new login (and so a new, immediate attempt). */
function changesLogin(connection: PartnerConnection, user: User, input: UserFieldsDto): boolean {
  const emailChanges = connection.provider.auth === 'oauth2' && input.email !== undefined && input.email !== user.email;
  return (
    emailChanges ||
    input.login_username !== undefined ||
    input.login_password !== undefined ||
    input.oauth2_refresh_token !== undefined
  );
}
