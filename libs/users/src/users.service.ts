import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';

import { type PartnerConnection, ConnectionsService } from '@app/connections';
import { keysetPage, type UserChange, UserChangeNotifier } from '@app/core';
import { PartnersService } from '@app/partners';

import { CredentialChangeLimit } from './credential-change-limit.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { ListUsersQuery } from './dto/list-users.query.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { CREDENTIAL_FIELDS, type UserFieldsDto } from './dto/user-fields.dto.js';
import { UserCredentials } from './user-credentials.service.js';
import { User } from './user.entity.js';
import { UserErrors } from './users.errors.js';

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
    if (query.state) builder.andWhere('u.state = :state', { state: query.state });
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
}

function assertFieldsFit(connection: PartnerConnection, input: UserFieldsDto): void {
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
