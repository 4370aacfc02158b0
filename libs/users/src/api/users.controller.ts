import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';

import { setNextCursorHeader } from '@app/core';
import { ErrorBodySchema } from '@app/core/http';
import { CurrentPartner, type Partner } from '@app/partners';
import { PartnerApi } from '@app/partners/http';

import { ArchiveUserQuery } from '../dto/archive-user.query.js';
import { CreateUserDto } from '../dto/create-user.dto.js';
import { ListUsersQuery } from '../dto/list-users.query.js';
import { UpdateUserDto } from '../dto/update-user.dto.js';
import { UserResponse } from '../dto/user.response.js';
import { SignedUserUrls } from '../signed-user-urls.js';
import { apiState } from '../user-status.js';
import type { User } from '../user.entity.js';
import { UsersService } from '../users.service.js';

@ApiTags('users')
@PartnerApi()
@ApiNotFoundResponse({ type: ErrorBodySchema, description: 'Unknown provider code, connection or user.' })
@Controller('api/v1/connections/:code/users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly urls: SignedUserUrls,
  ) {}

  @Get()
  @ApiOperation({
    summary: "List the connection's users, oldest first.",
    description: 'Paginated: when more users follow, the X-Next-Cursor header holds the `cursor` of the next page.',
  })
  @ApiOkResponse({ type: [UserResponse] })
  async list(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Query() query: ListUsersQuery,
    @Res({ passthrough: true }) response: Response,
  ): Promise<UserResponse[]> {
    const page = await this.users.list(partner.id, code, query);
    setNextCursorHeader(response, page.nextCursor);
    return page.users.map((user) => this.toResponse(user));
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a user, optionally with its credentials.' })
  @ApiOkResponse({ type: UserResponse })
  @ApiBadRequestResponse({ type: ErrorBodySchema })
  @ApiConflictResponse({ type: ErrorBodySchema, description: 'An active user already has this tag.' })
  async create(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Body() body: CreateUserDto,
  ): Promise<UserResponse> {
    return this.toResponse(await this.users.create(partner.id, code, body));
  }

  @Get(':tag')
  @ApiOperation({ summary: 'Get a user, with fresh connect and disconnect URLs.' })
  @ApiOkResponse({ type: UserResponse })
  async get(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Param('tag') tag: string,
  ): Promise<UserResponse> {
    return this.toResponse(await this.users.get(partner.id, code, tag));
  }

  @Put(':tag')
  @ApiOperation({ summary: 'Update a user: credentials, tag, tracer; `archived: false` restores it.' })
  @ApiOkResponse({ type: UserResponse })
  @ApiBadRequestResponse({ type: ErrorBodySchema })
  @ApiConflictResponse({ type: ErrorBodySchema, description: 'The new tag belongs to another active user.' })
  async update(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Param('tag') tag: string,
    @Body() body: UpdateUserDto,
  ): Promise<UserResponse> {
    return this.toResponse(await this.users.update(partner.id, code, tag, body));
  }

  @Delete(':tag')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Archive a user: its mailbox stops being watched. Restore with PUT archived=false.',
    description: 'With `erase=true` the user and everything stored about it are deleted for good (erasure requests).',
  })
  @ApiNoContentResponse()
  async archive(
    @CurrentPartner() partner: Partner,
    @Param('code') code: string,
    @Param('tag') tag: string,
    @Query() query: ArchiveUserQuery,
  ): Promise<void> {
    if (query.erase) await this.users.erase(partner.id, code, tag);
    else await this.users.archive(partner.id, code, tag);
  }

  private toResponse(user: User): UserResponse {
    return {
      tag: user.tag,
      email: user.email,
      connected_at: user.connectedAt?.toISOString() ?? null,
      archived: user.archivedAt !== null,
      state: apiState(user),
      last_error: user.lastError,
      enable_tracer: user.enableTracer,
      last_email_at: user.lastEmailAt?.toISOString() ?? null,
      connect_url: this.urls.url('connect', user.id),
      disconnect_url: this.urls.url('disconnect', user.id),
      created_at: user.createdAt.toISOString(),
    };
  }
}
