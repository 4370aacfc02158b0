import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';

import { ConnectionsService, type PartnerConnection } from '@app/connections';
import { ConnectionFieldsDto, ConnectionResponse, CreateConnectionDto } from '@app/connections/http';
import { ErrorBodySchema } from '@app/core/http';
import { CurrentPartner, type Partner } from '@app/partners';
import { PartnerApi } from '@app/partners/http';

import { UserDirectory } from '../user-directory.service.js';

/** The connection routes live with users: their `users_count` is a users aggregate, and users sit above connections. */
@ApiTags('connections')
@PartnerApi()
@ApiNotFoundResponse({ type: ErrorBodySchema, description: 'Unknown provider code, or no such connection.' })
@Controller('api/v1/connections')
export class ConnectionsController {
  constructor(
    private readonly connections: ConnectionsService,
    private readonly directory: UserDirectory,
  ) {}

  @Get()
  @ApiOperation({ summary: "List the partner's connections." })
  @ApiOkResponse({ type: [ConnectionResponse] })
  async list(@CurrentPartner() partner: Partner): Promise<ConnectionResponse[]> {
    const connections = await this.connections.list(partner.id);
    const counts = await this.directory.activeCounts(connections.map((connection) => connection.id));
    return connections.map((connection) => toResponse(connection, counts.get(connection.id) ?? 0));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a connection to an IMAP provider, with its settings.' })
  @ApiOkResponse({ type: ConnectionResponse })
  @ApiBadRequestResponse({ type: ErrorBodySchema })
  @ApiConflictResponse({ type: ErrorBodySchema, description: 'The partner already has this connection.' })
  async create(@CurrentPartner() partner: Partner, @Body() body: CreateConnectionDto): Promise<ConnectionResponse> {
    const { imap_provider_code: code, ...fields } = body;
    const connection = await this.connections.create(partner.id, code, fields);
    return toResponse(connection, 0);
  }

  @Get(':code')
  @ApiOperation({ summary: 'Get one connection.' })
  @ApiOkResponse({ type: ConnectionResponse })
  async get(@CurrentPartner() partner: Partner, @Param('code') code: string): Promise<ConnectionResponse> {
    return this.withCount(await this.connections.get(partner.id, code));
  }

  @Put(':code')
  @ApiOperation({ summary: "Update a connection's settings." })
  @ApiOkResponse({ type: ConnectionResponse })
  @ApiBadRequestResponse({ type: ErrorBodySchema })
  async update(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Body() body: ConnectionFieldsDto,
  ): Promise<ConnectionResponse> {
    return this.withCount(await this.connections.update(partner.id, code, body));
  }

  @Delete(':code')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a connection and all its users, mail logs and events.' })
  @ApiNoContentResponse()
  async remove(@CurrentPartner() partner: Partner, @Param('code') code: string): Promise<void> {
    await this.connections.remove(partner.id, code);
  }

  private async withCount(connection: PartnerConnection): Promise<ConnectionResponse> {
    const counts = await this.directory.activeCounts([connection.id]);
    return toResponse(connection, counts.get(connection.id) ?? 0);
  }
}

function toResponse(connection: PartnerConnection, usersCount: number): ConnectionResponse {
  return {
    imap_provider_code: connection.provider.code,
    users_count: usersCount,
    auth: connection.provider.auth,
    oauth2_client_id: connection.oauth2ClientId,
    oauth2_client_secret_set: connection.oauth2ClientSecret !== null,
    created_at: connection.createdAt.toISOString(),
  };
}
