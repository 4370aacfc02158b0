import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { type PartnerConnection, ConnectionsService } from '@app/connections';
import { decodeCursor, DomainError, encodeCursor, SecretBox, type UserChange, UserChangeNotifier } from '@app/core';

import type { CreateUserDto } from './dto/create-user.dto.js';
import type { ListUsersQuery } from './dto/list-users.query.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { CREDENTIAL_FIELDS, type UserFieldsDto } from './dto/user-fields.dto.js';
import { User } from './user.entity.js';

const DEFAULT_PAGE_SIZE = 100;

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
    private readonly secretBox: SecretBox,
    private readonly changes: UserChangeNotifier,
  ) {}

  async list(partnerId: string, providerCode: string, query: ListUsersQuery): Promise<UserPage> {
    const connection = await this.connections.get(partnerId, providerCode);
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const builder = this.users
      .createQueryBuilder('u')
      .where('u.partner_connection_id = :connectionId', { connectionId: connection.id })
      .addSelect('u.created_at::text', 'created_text')
      .orderBy('u.created_at', 'ASC')
      .addOrderBy('u.id', 'ASC')
      .limit(limit + 1);
    if (query.archived !== undefined) {
      builder.andWhere(query.archived ? 'u.archived_at IS NOT NULL' : 'u.archived_at IS NULL');
    }
    if (query.state) builder.andWhere('u.state = :state', { state: query.state });
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      builder.andWhere('(u.created_at, u.id) > (CAST(:createdAt AS timestamptz), CAST(:id AS uuid))', position);
    }
    const { entities, raw } = await builder.getRawAndEntities<{ created_text: string }>();
    const users = entities.slice(0, limit);
    const last = users.at(-1);
    const nextCursor =
      entities.length > limit && last
        ? encodeCursor({ createdAt: raw[users.length - 1].created_text, id: last.id })
        : null;
    return { users, nextCursor };
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
    if (!user.archivedAt) await this.assertTagFree(connection, user.tag);
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
    this.applyFields(user, connection, input);
    if (!user.archivedAt && (wasArchived || input.tag !== undefined)) {
      await this.assertTagFree(connection, user.tag, user.id);
    }
    const saved = await this.saveMapped(user);
    const reason =
      wasArchived && !saved.archivedAt ? 'restored' : !wasArchived && saved.archivedAt ? 'archived' : 'updated';
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

  private async getInConnection(connection: PartnerConnection, tag: string): Promise<User> {
    const user = await this.users
      .createQueryBuilder('u')
      .where('u.partner_connection_id = :connectionId', { connectionId: connection.id })
      .andWhere('lower(u.tag) = lower(:tag)', { tag })
      .orderBy('u.archived_at IS NULL', 'DESC')
      .addOrderBy('u.archived_at', 'DESC')
      .getOne();
    if (!user) throw new DomainError('UserNotFound', `User not found for '${tag}'`);
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
    if (clash) throw tagTaken(tag);
  }

  /** Saves, turning a lost race on the unique tag index into the same 409 as the pre-check. */
  private async saveMapped(user: User): Promise<User> {
    try {
      return await this.users.save(user);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw tagTaken(user.tag);
      throw error;
    }
  }

  private applyFields(user: User, connection: PartnerConnection, input: UserFieldsDto): void {
    const location = (column: string) => ({ table: 'users', column, id: user.id });
    let credentialsChanged = false;
    if (input.email !== undefined) user.email = input.email;
    if (input.enable_tracer !== undefined) user.enableTracer = input.enable_tracer;
    if (input.login_username !== undefined) {
      user.loginUsername = input.login_username;
      credentialsChanged = true;
    }
    if (input.login_password !== undefined) {
      user.loginPassword = this.secretBox.encrypt(input.login_password, location('login_password'));
      credentialsChanged = true;
    }
    if (input.oauth2_refresh_token !== undefined) {
      user.oauth2RefreshToken = this.secretBox.encrypt(input.oauth2_refresh_token, location('oauth2_refresh_token'));
      user.oauth2AccessToken = null;
      user.oauth2AccessTokenExpiresAt = null;
      credentialsChanged = true;
    }
    if (credentialsChanged) {
      // New credentials deserve an immediate attempt, whatever failed before.
      user.state = 'idle';
      user.lastError = null;
      user.authFailedAt = null;
    }
    const hasCredentials =
      connection.provider.auth === 'password'
        ? Boolean(user.loginUsername && user.loginPassword)
        : Boolean(user.email && user.oauth2RefreshToken);
    user.connectedAt = hasCredentials ? (user.connectedAt ?? new Date()) : null;
  }

  private async announce(change: UserChange): Promise<void> {
    await this.changes.publish(change);
  }
}

function tagTaken(tag: string): DomainError {
  return new DomainError('TagTaken', `Tag '${tag}' is already used by another active user of this connection`);
}

function assertFieldsFit(connection: PartnerConnection, input: UserFieldsDto): void {
  const auth = connection.provider.auth;
  const misplaced = Object.entries(CREDENTIAL_FIELDS)
    .filter(([field, kind]) => kind !== auth && input[field as keyof UserFieldsDto] !== undefined)
    .map(([field]) => field);
  if (misplaced.length > 0) {
    throw new DomainError(
      'ValidationFailed',
      `${misplaced.join(', ')} not accepted: ${connection.provider.code} uses ${auth} authentication`,
      misplaced.map((field) => ({ field, errors: [`not accepted for an ${auth} provider`] })),
    );
  }
}
