import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { DomainError, SecretBox, UserChangeNotifier } from '@app/core';
import { type ImapProvider, ProvidersService } from '@app/providers';

import type { ConnectionFieldsDto } from './dto/connection-fields.dto.js';
import { PartnerConnection } from './partner-connection.entity.js';

const OAUTH2_FIELDS = ['oauth2_client_id', 'oauth2_client_secret'] as const;

export interface ConnectionWithCount {
  connection: PartnerConnection;
  usersCount: number;
}

/** A partner's connections; every method is scoped to one partner, so others' connections do not exist. */
@Injectable()
export class ConnectionsService {
  constructor(
    @InjectRepository(PartnerConnection) private readonly connections: Repository<PartnerConnection>,
    private readonly providers: ProvidersService,
    private readonly secretBox: SecretBox,
    private readonly changes: UserChangeNotifier,
  ) {}

  async list(partnerId: string): Promise<ConnectionWithCount[]> {
    const connections = await this.connections.find({ where: { partnerId }, order: { createdAt: 'ASC' } });
    const counts = await this.activeUserCounts(connections.map((c) => c.id));
    return connections.map((connection) => ({ connection, usersCount: counts.get(connection.id) ?? 0 }));
  }

  async get(partnerId: string, providerCode: string): Promise<PartnerConnection> {
    const provider = await this.providers.getByCode(providerCode);
    const connection = await this.connections.findOneBy({ partnerId, imapProviderId: provider.id });
    if (!connection) throw new DomainError('ConnectionNotFound', `Connection not found for '${providerCode}'`);
    return connection;
  }

  async getWithCount(partnerId: string, providerCode: string): Promise<ConnectionWithCount> {
    const connection = await this.get(partnerId, providerCode);
    return { connection, usersCount: (await this.activeUserCounts([connection.id])).get(connection.id) ?? 0 };
  }

  async create(partnerId: string, providerCode: string, fields: ConnectionFieldsDto): Promise<PartnerConnection> {
    const provider = await this.providers.getByCode(providerCode);
    assertFieldsFit(provider, fields);
    if (await this.connections.existsBy({ partnerId, imapProviderId: provider.id })) {
      throw new DomainError('ConnectionExists', `A connection for '${providerCode}' already exists`);
    }
    const connection = this.connections.create({
      id: randomUUID(),
      partnerId,
      imapProviderId: provider.id,
      provider,
      oauth2ClientId: null,
      oauth2ClientSecret: null,
    });
    this.applyFields(connection, fields);
    try {
      return await this.connections.save(connection);
    } catch (error) {
      // Two concurrent creates: the unique index decides.
      if ((error as { code?: string }).code === '23505') {
        throw new DomainError('ConnectionExists', `A connection for '${providerCode}' already exists`);
      }
      throw error;
    }
  }

  async update(partnerId: string, providerCode: string, fields: ConnectionFieldsDto): Promise<PartnerConnection> {
    const connection = await this.get(partnerId, providerCode);
    assertFieldsFit(connection.provider, fields);
    this.applyFields(connection, fields);
    return this.connections.save(connection);
  }

  /** Deletes the connection and, by cascade, its users, their mail logs and events. */
  async remove(partnerId: string, providerCode: string): Promise<void> {
    const connection = await this.get(partnerId, providerCode);
    await this.connections.delete({ id: connection.id });
    await this.changes.publish({ reason: 'connection_deleted', userIds: [], connectionId: connection.id });
  }

  /** The plaintext OAuth2 client secret, for token requests. */
  clientSecret(connection: PartnerConnection): string | null {
    return connection.oauth2ClientSecret
      ? this.secretBox.decrypt(connection.oauth2ClientSecret, {
          table: 'partner_connections',
          column: 'oauth2_client_secret',
          id: connection.id,
        })
      : null;
  }

  private applyFields(connection: PartnerConnection, fields: ConnectionFieldsDto): void {
    if (fields.oauth2_client_id !== undefined) connection.oauth2ClientId = fields.oauth2_client_id;
    if (fields.oauth2_client_secret !== undefined) {
      connection.oauth2ClientSecret = this.secretBox.encrypt(fields.oauth2_client_secret, {
        table: 'partner_connections',
        column: 'oauth2_client_secret',
        id: connection.id,
      });
    }
  }

  // users_count is an aggregate over the users table, read here to keep connections free of a users dependency.
  private async activeUserCounts(connectionIds: string[]): Promise<Map<string, number>> {
    if (connectionIds.length === 0) return new Map();
    const rows: { id: string; count: string }[] = await this.connections.query(
      `SELECT partner_connection_id AS id, count(*) AS count FROM users
        WHERE partner_connection_id = ANY($1) AND archived_at IS NULL GROUP BY partner_connection_id`,
      [connectionIds],
    );
    return new Map(rows.map((row) => [row.id, Number(row.count)]));
  }
}

function assertFieldsFit(provider: ImapProvider, fields: ConnectionFieldsDto): void {
  if (provider.auth === 'oauth2') return;
  const misplaced = OAUTH2_FIELDS.filter((field) => fields[field] !== undefined);
  if (misplaced.length > 0) {
    throw new DomainError(
      'ValidationFailed',
      `${misplaced.join(', ')} not accepted: ${provider.code} uses password authentication`,
      misplaced.map((field) => ({ field, errors: ['not accepted for a password provider'] })),
    );
  }
}
