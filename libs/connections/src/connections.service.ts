import { randomUUID } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';

import { SecretBox, UserChangeNotifier } from '@app/core';
import { type ImapProvider, ProvidersService } from '@app/providers';

import { ConnectionErrors } from './connections.errors.js';
import type { ConnectionFieldsDto } from './dto/connection-fields.dto.js';
import { type OAuth2Client, oauth2ClientOf } from './oauth2/oauth2-tokens.js';
import { PartnerConnection } from './partner-connection.entity.js';

const OAUTH2_FIELDS = ['oauth2_client_id', 'oauth2_client_secret'] as const;

/** A partner's connections; every method is scoped to one partner, so others' connections do not exist. */
@Injectable()
export class ConnectionsService {
  constructor(
    @InjectRepository(PartnerConnection) private readonly connections: Repository<PartnerConnection>,
    private readonly providers: ProvidersService,
    private readonly secretBox: SecretBox,
    private readonly changes: UserChangeNotifier,
  ) {}

  async list(partnerId: string): Promise<PartnerConnection[]> {
    return this.connections.find({ where: { partnerId }, order: { createdAt: 'ASC' } });
  }

  async get(partnerId: string, providerCode: string): Promise<PartnerConnection> {
    const provider = await this.providers.getByCode(providerCode);
    const connection = await this.connections.findOneBy({ partnerId, imapProviderId: provider.id });
    if (!connection) throw ConnectionErrors.notFound(providerCode);
    return connection;
  }

  async create(partnerId: string, providerCode: string, fields: ConnectionFieldsDto): Promise<PartnerConnection> {
    const provider = await this.providers.getByCode(providerCode);
    assertFieldsFit(provider, fields);
    if (await this.connections.existsBy({ partnerId, imapProviderId: provider.id })) {
      throw ConnectionErrors.exists(providerCode);
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
        throw ConnectionErrors.exists(providerCode);
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

  /** The connection's OAuth2 client (id, plaintext secret, provider URLs), for token calls. */
  async oauth2Client(connectionId: string): Promise<OAuth2Client> {
    const connection = await this.connections.findOneBy({ id: connectionId });
    if (!connection) throw ConnectionErrors.notFound(connectionId);
    const secret = connection.oauth2ClientSecret
      ? this.secretBox.decrypt(connection.oauth2ClientSecret, secretLocation(connection))
      : null;
    return oauth2ClientOf(connection.provider, connection.oauth2ClientId, secret);
  }

  private applyFields(connection: PartnerConnection, fields: ConnectionFieldsDto): void {
    if (fields.oauth2_client_id !== undefined) connection.oauth2ClientId = fields.oauth2_client_id;
    if (fields.oauth2_client_secret !== undefined) {
      connection.oauth2ClientSecret = this.secretBox.encrypt(fields.oauth2_client_secret, secretLocation(connection));
    }
  }
}

function secretLocation(connection: PartnerConnection) {
  return { table: 'partner_connections', column: 'oauth2_client_secret', id: connection.id };
}

function assertFieldsFit(provider: ImapProvider, fields: ConnectionFieldsDto): void {
  if (provider.auth === 'oauth2') return;
  const misplaced = OAUTH2_FIELDS.filter((field) => fields[field] !== undefined);
  if (misplaced.length > 0) {
    throw ConnectionErrors.fieldsNotAccepted(
      `${misplaced.join(', ')} not accepted: ${provider.code} uses password authentication`,
      misplaced.map((field) => ({ field, errors: ['not accepted for a password provider'] })),
    );
  }
}
